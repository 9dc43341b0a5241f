"""Notices are offered for download and print through the case's scope: 202 while being prepared."""

from __future__ import annotations

from tests import factories


def test_the_api_answers_202_until_the_notice_is_rendered_then_the_pdf(api, db):
    case = factories.accepted_case(db)
    client = api("lz_window")
    pending = client.get(f"/api/v1/case/{case.id}/notice/acceptance")
    assert pending.status_code == 202 and pending.get_json()["status"] == "pending"
    factories.run_outbox(db, case_id=case.id)
    ready = client.get(f"/api/v1/case/{case.id}/notice/acceptance")
    assert ready.status_code == 200 and ready.mimetype == "application/pdf" and ready.data.startswith(b"%PDF")
    assert api("cx_window").get(f"/api/v1/case/{case.id}/notice/acceptance").status_code == 200  # the home window


def test_a_notice_the_case_cannot_have_and_an_out_of_scope_case_answer_404(api, db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    assert api("lz_window").get(f"/api/v1/case/{case.id}/notice/rejection").status_code == 404
    assert api("lz_window").get(f"/api/v1/case/{case.id}/notice/nonsense").status_code == 404
    assert api("lz_police").get(f"/api/v1/case/{case.id}/notice/acceptance").status_code == 404


def test_the_case_page_links_the_notice_and_the_print_page_waits_then_shows_the_pdf(client, login, db):
    case = factories.accepted_case(db)
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert f"/cases/{case.id}/notice/acceptance" in page
    assert client.get(f"/cases/{case.id}/notice/acceptance").status_code == 202
    factories.run_outbox(db, case_id=case.id)
    response = client.get(f"/cases/{case.id}/notice/acceptance")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_the_print_page_is_out_of_scope_for_another_county(client, login, db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    login("lz_hrss")
    assert client.get(f"/cases/{case.id}/notice/acceptance").status_code == 404


def _with_procedure_and_extension(db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", procedure="hearing", expected_days="5",
                          reason="依申请人要求举行听证。")
    case = factories.step(db, "cx_hrss", case, "end_special_procedure", outcome="听证结束。")
    return factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需专家论证。")


def test_the_clock_notices_answer_202_until_rendered_then_the_pdf_and_an_unapproved_extension_has_none(api, db):
    case = _with_procedure_and_extension(db)
    client = api("cx_hrss")
    assert client.get(f"/api/v1/case/{case.id}/notice/extension").status_code == 404  # asked, not approved
    assert client.get(f"/api/v1/case/{case.id}/notice/special_procedure").status_code == 202
    case = factories.step(db, "cx_hrss_head", case, "approve_extension")
    assert client.get(f"/api/v1/case/{case.id}/notice/extension?round=2").status_code == 202
    assert not factories.run_outbox(db, case_id=case.id).errors
    for kind, ref in (("special_procedure", "1"), ("extension", "2")):
        ready = client.get(f"/api/v1/case/{case.id}/notice/{kind}")
        assert ready.status_code == 200 and ready.data.startswith(b"%PDF"), kind
        assert client.get(f"/api/v1/case/{case.id}/notice/{kind}?round={ref}").data == ready.data
    assert client.get(f"/api/v1/case/{case.id}/notice/extension?round=1").status_code == 404
    assert api("lz_police").get(f"/api/v1/case/{case.id}/notice/special_procedure").status_code == 404


def test_the_case_page_lists_the_special_procedure_and_extension_notices_counted_each_on_its_own(client, login, db):
    case = _with_procedure_and_extension(db)
    case = factories.step(db, "cx_hrss_head", case, "approve_extension")
    login("cx_hrss")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert f"/cases/{case.id}/notice/special_procedure?round=1" in page
    assert f"/cases/{case.id}/notice/extension?round=2" in page
    assert "特别程序告知书（第1次）" in page and "延期办理告知书（第1次）" in page


def test_the_case_page_lists_the_deferral_notice_of_a_case_accepted_with_a_deferred_material(client, login, api, db):
    case = factories.accepted_with_deferral(db)
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert f"/cases/{case.id}/notice/deferral" in page and "容缺受理告知承诺书" in page
    assert client.get(f"/cases/{case.id}/notice/deferral").status_code == 202
    factories.run_outbox(db, case_id=case.id)
    response = client.get(f"/cases/{case.id}/notice/deferral")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert api("lz_police").get(f"/api/v1/case/{case.id}/notice/deferral").status_code == 404


def test_a_case_accepted_with_every_material_offers_no_deferral_notice(client, login, api, db):
    case = factories.accepted_case(db)
    login("lz_window")
    assert f"/cases/{case.id}/notice/deferral" not in client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert api("lz_window").get(f"/api/v1/case/{case.id}/notice/deferral").status_code == 404
