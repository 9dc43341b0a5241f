"""The supplement exchange in the pages (issue 11, defects 4 and 7): correction items picked from the case's
materials, the supplement form with a tick and a scan per item, the receive forms showing the waybill and
the materials expected, and the material versions on the case page."""

from __future__ import annotations

import io

from app.services.cases import files as case_files
from tests import factories
from tests.conftest import csrf_token


def _post_step(client, case, name: str, data: dict, **kwargs):
    token = csrf_token(client, "/resetmypassword/form")
    return client.post(f"/cases/{case.id}/step/{name}", data={"csrf_token": token, **data}, **kwargs)


def _in_correction(db, items):
    return factories.step(db, "cx_hrss", factories.at_the_department(db), "request_correction", items=items)


def test_the_department_picks_correction_items_from_the_cases_materials_and_adds_free_text(client, login, db):
    case = factories.at_the_department(db)
    login("cx_hrss")
    page = client.get(f"/cases/{case.id}/step/request_correction").get_data(as_text=True)
    assert 'name="items-material" value="2"' in page and "社会保障卡申领登记表" in page
    response = _post_step(client, case, "request_correction", {
        "items-material": ["2", "3"], "items-material-2-reason": "缺少申请人签字", "items-material-3-reason": "非白底",
        "items-name": ["委托书"], "items-reason": ["未提供"], "version": str(case.version)})
    assert response.status_code == 302
    db.refresh(case)
    assert [(i.name, i.material_seq, i.reason) for i in case.corrections[0].items] == [
        ("社会保障卡申领登记表", 2, "缺少申请人签字"), ("近期免冠白底彩色证件照片（或现场采集）", 3, "非白底"), ("委托书", None, "未提供")]


def test_a_picked_material_without_a_reason_is_marked_in_its_row(client, login, db):
    case = factories.at_the_department(db)
    login("cx_hrss")
    response = _post_step(client, case, "request_correction", {"items-material": ["2"], "items-name": ["委托书"],
                                                                 "items-reason": [""]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('<tr class="danger">') == 2  # the picked material and the free-text row, at once
    assert 'name="items-material" value="2" checked' in page


def test_the_receive_form_shows_the_waybill_and_the_expected_materials(client, login, db):
    case = factories.make_case(db)
    case = factories.run_steps(db, case, [("lz_window", "accept", factories.verify_all(case)),
                                          ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"})])
    login("cx_window")
    page = client.get(f"/cases/{case.id}/step/receive").get_data(as_text=True)
    assert "EMS1234567890CN" in page and "expected-materials" in page
    assert all(m.name in page for m in case.materials if m.received)


def test_the_supplement_is_taken_through_the_form_with_a_scan_per_item_and_signed_for_at_home(client, login, db):
    case = _in_correction(db, [{"material": 2, "reason": "缺少申请人签字"}, {"name": "委托书", "reason": "未提供"}])
    login("lz_window")
    page = client.get(f"/cases/{case.id}/step/supplement").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="supplied-1-scan"' in page and "委托书" in page
    refused = _post_step(client, case, "supplement", {"supplied": ["1"], "version": str(case.version)},
                         content_type="multipart/form-data")
    assert refused.status_code == 422
    assert refused.get_data(as_text=True).count('<tr class="danger">') == 2  # no scan for 1, 2 not supplied
    response = _post_step(client, case, "supplement", {
        "supplied": ["1", "2"], "supplied-1-scan": (io.BytesIO(factories.small_pdf()), "登记表.pdf"),
        "supplied-2-scan": (io.BytesIO(factories.small_png()), "委托书.png"), "waybill_number": "EMS1234567891CN",
        "version": str(case.version)}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.refresh(case)
    assert case.status == "supplement_sent" and all(i.supplied for i in case.corrections[0].items)
    client.get("/logout/")
    login("cx_window")
    page = client.get(f"/cases/{case.id}/step/receive_supplement").get_data(as_text=True)
    assert "EMS1234567891CN" in page and "社会保障卡申领登记表" in page and "委托书" in page
    response = _post_step(client, case, "receive_supplement", {"received_on": case.applied_on.isoformat(),
                                                              "version": str(case.version)})
    assert response.status_code == 302
    db.refresh(case)
    assert case.status == "processing" and case.corrections[0].forwarded_on is not None


def test_the_case_page_lists_every_version_of_a_material_and_serves_the_first(client, login, db):
    case = factories.at_the_department(db)
    form = case.materials[1]
    case_files.attach_scan(db, factories.user(db, "lz_window"), case.id, form.id, "登记表-初次.pdf", factories.small_pdf())
    case = factories.step(db, "cx_hrss", case, "request_correction", items=[{"material": 2, "reason": "缺少签字"}])
    case = factories.step(db, "lz_window", case, "supplement", **factories.supplied(case))
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "material-versions" in page and "登记表-初次.pdf" in page and "社会保障卡申领登记表.pdf" in page
    first = form.versions[0]
    download = client.get(f"/cases/{case.id}/scan-versions/{first.id}")
    assert download.status_code == 200 and download.data == factories.small_pdf()
