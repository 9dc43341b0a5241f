"""The supplement as an exchange (issue 11, defect 4): the accepting window ticks every requested item as
supplied with its scan, each scan a new version of its material (the first one kept), the home window signs
for the supplement parcel with its date and hands it to the department; correction items picked from the
case's materials (defect 7)."""

from __future__ import annotations

from datetime import date

import pytest

from app.documents import correction_context
from app.errors import ValidationFailed
from app.services.cases import files as case_files
from tests import factories

ID_CARD, FORM, PHOTO, GUARDIAN = 1, 2, 3, 4  # the materials of KYTB-HRSS-001, by seq


def _in_correction(db, items, **overrides):
    case = factories.at_the_department(db, **overrides)
    return factories.step(db, "cx_hrss", case, "request_correction", items=items)


def _material(case, seq):
    return next(m for m in case.materials if m.seq == seq)


def test_a_correction_item_picked_from_the_materials_names_the_material(db):
    case = _in_correction(db, [{"material": FORM, "reason": "缺少申请人签字"}, {"name": "委托书", "reason": "未提供"}])
    items = case.corrections[0].items
    assert [(i.name, i.material_seq, i.reason) for i in items] == [
        ("社会保障卡申领登记表", FORM, "缺少申请人签字"), ("委托书", None, "未提供")]
    notice = correction_context(case, case.corrections[0])  # 附件2 prints each item as 名称：理由
    assert [(i.name, i.reason) for i in notice.items] == [("社会保障卡申领登记表", "缺少申请人签字"), ("委托书", "未提供")]


def test_a_correction_item_naming_no_material_of_the_case_is_refused(db):
    case = factories.at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "request_correction", items=[{"material": 9, "reason": "缺"}])
    assert [p.field for p in refused.value.problems] == ["items[1].name"]


def test_each_supplied_item_is_recorded_with_its_scan_as_a_new_version_and_the_first_scan_is_kept(db):
    case = factories.at_the_department(db)
    clerk = factories.user(db, "lz_window")
    first = case_files.attach_scan(db, clerk, case.id, _material(case, FORM).id, "登记表.pdf", factories.small_pdf())
    first_key = first.scan_key
    case = factories.step(db, "cx_hrss", case, "request_correction",
                          items=[{"material": FORM, "reason": "缺少申请人签字"}, {"name": "委托书", "reason": "未提供"}])
    case = factories.step(db, "lz_window", case, "supplement", waybill_number="EMS1234567891CN",
                          supplied=[{"item": 1, "file": ("登记表-补正.pdf", factories.small_pdf())},
                                    {"item": 2, "file": ("委托书.png", factories.small_png())}])
    correction = case.corrections[0]
    assert [i.supplied for i in correction.items] == [True, True]
    form = _material(case, FORM)
    assert [(v.number, v.correction_round, v.scan_name) for v in form.versions] == [
        (1, None, "登记表.pdf"), (2, 1, "登记表-补正.pdf")]
    assert form.versions[0].scan_key == first_key  # never overwritten
    assert form.scan_name == "登记表-补正.pdf" and correction.items[0].version is form.versions[1]
    added = case.materials[-1]  # the free-text item joins the list of materials
    assert (added.name, added.received, added.seq) == ("委托书", True, 5)
    assert correction.items[1].material_seq == 5 and [v.scan_name for v in added.versions] == ["委托书.png"]


def test_a_material_not_handed_in_is_received_once_it_is_supplied(db):
    materials = factories.guide_materials(db, factories.matter(db, "KYTB-HRSS-001").id, received=True)
    materials[GUARDIAN - 1]["received"] = False
    case = _in_correction(db, [{"material": GUARDIAN, "reason": "未成年人申领，需监护人户口簿"}], materials=materials)
    assert not _material(case, GUARDIAN).received
    case = factories.step(db, "lz_window", case, "supplement", **factories.supplied(case))
    assert _material(case, GUARDIAN).received and len(_material(case, GUARDIAN).versions) == 1


def test_every_item_not_supplied_and_every_missing_scan_is_listed_at_once(db):
    case = _in_correction(db, [{"material": ID_CARD, "reason": "不清晰"}, {"material": FORM, "reason": "缺签字"},
                               {"material": PHOTO, "reason": "非白底"}])
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "supplement",
                       supplied=[{"item": 1}, {"item": 3, "file": ("照片.pdf", b"not a pdf")}])
    assert sorted(p.field for p in refused.value.problems) == ["supplied[1]", "supplied[2]", "supplied[3]"]
    db.refresh(case)
    assert case.status == "correction" and not any(i.supplied for i in case.corrections[0].items)


def test_the_home_window_signs_for_the_supplement_parcel_with_its_date(db):
    case = _in_correction(db, [{"material": FORM, "reason": "缺少申请人签字"}], applied_on="2026-03-02")
    case = factories.step(db, "lz_window", case, "supplement", waybill_number="EMS1234567891CN",
                          **factories.supplied(case))
    assert case.status == "supplement_sent"
    parcel = factories.shipments_of(db, case, "supplement")[0]
    assert (parcel.waybill_number, parcel.received_on) == ("EMS1234567891CN", None)
    with pytest.raises(Exception):  # the department does not have them yet: it cannot complete
        factories.step(db, "cx_hrss", case, "complete", result="approved")
    case = factories.step(db, "cx_window", case, "receive_supplement", received_on="2026-03-03")
    assert case.status == "processing"
    assert factories.shipments_of(db, case, "supplement")[0].received_on == date(2026, 3, 3)
    assert case.corrections[0].supplement_received_on == date(2026, 3, 3)
    assert case.corrections[0].forwarded_on == date.today()
    assert [e.action for e in case.events][-2:] == ["supplement", "receive_supplement"]


def test_a_scan_sent_in_a_json_body_is_read_from_base64_only(db):
    case = _in_correction(db, [{"material": ID_CARD, "reason": "不清晰"}, {"material": FORM, "reason": "缺签字"}])
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "supplement",
                       supplied=[{"item": 1, "file": "ab"}, {"item": 2, "scan_name": "x.pdf", "scan_base64": "!!"}])
    assert sorted(p.field for p in refused.value.problems) == ["supplied[1]", "supplied[2]"]


def test_a_scan_carried_over_when_the_draft_list_was_saved_stays_the_first_version(db):
    from app.services.cases.registration import update_draft

    case = factories.make_case(db)
    clerk = factories.user(db, "lz_window")
    case_files.attach_scan(db, clerk, case.id, _material(case, FORM).id, "登记表-初次.pdf", factories.small_pdf())
    rows = [{"name": m.name, "copies": m.copies, "form": m.form, "received": m.received, "verified": m.verified,
             "requirement_seq": m.requirement_seq, "note": m.note} for m in case.materials]
    case = update_draft(db, clerk, case.id, {"materials": rows})  # the list is saved again: rows made anew
    assert _material(case, FORM).scan_name == "登记表-初次.pdf"
    material = case_files.attach_scan(db, clerk, case.id, _material(case, FORM).id, "登记表-重扫.pdf",
                                      factories.small_pdf())
    assert [v.scan_name for v in material.versions] == ["登记表-初次.pdf", "登记表-重扫.pdf"]
