"""Registering and editing drafts: every problem at once, and the network and catalog rules."""

from __future__ import annotations

import pytest

from app.errors import Conflict, Forbidden, ValidationFailed
from app.services.cases.registration import register_case, update_draft
from tests import factories


def register(db, clerk="lz_window", **overrides):
    return register_case(db, factories.user(db, clerk), factories.case_data(db, **overrides))


def fields_of(error: ValidationFailed) -> set[str]:
    return {p.field for p in error.problems}


def test_a_new_draft_lists_the_guides_materials(db):
    case = register(db)
    assert case.status == "draft" and case.guide.version == 1
    assert [m.name for m in case.materials] == [m["name"] for m in case.guide.content["materials"]]
    assert case.line == "hrss" and case.fee_note


def test_every_applicant_problem_is_reported_together(db):
    with pytest.raises(ValidationFailed) as refused:
        register(db, applicant_id_number="110105194912310021", applicant_phone="12345678",
                 applicant_postcode="62801", applicant_email="not-an-email", delivery_method="mail")
    assert fields_of(refused.value) == {"applicant_id_number", "applicant_phone", "applicant_postcode",
                                        "applicant_email", "mail_address", "mail_postcode"}


def test_an_organisation_is_identified_by_a_valid_credit_code(db):
    case = register(db, applicant_kind="organisation", applicant_name="广元市某某有限公司",
                    applicant_id_type="uscc", applicant_id_number="91110000600037341L", applicant_phone="0839-3261234")
    assert case.applicant_id_number == "91110000600037341L"
    with pytest.raises(ValidationFailed) as refused:
        register(db, applicant_kind="organisation", applicant_id_type="uscc", applicant_id_number="91110000600037341X")
    assert "applicant_id_number" in fields_of(refused.value)


def test_the_handling_type_must_cover_both_ends(db):
    hangzhou = factories.key_of_center("HZXH")
    with pytest.raises(ValidationFailed) as refused:
        register(db, home=hangzhou, department_key=None, department_name="杭州市西湖区人社局", handling_type_code="chuanyu")
    assert "handling_type_id" in fields_of(refused.value)
    assert register(db, home=hangzhou, department_key=None, department_name="杭州市西湖区人社局",
                    handling_type_code="hangguang").status == "draft"


def test_the_department_must_be_of_the_matters_line_and_the_home_region(db):
    with pytest.raises(ValidationFailed) as refused:
        register(db, department_key="cx_police")  # wrong line for a 人社 matter
    assert "department_id" in fields_of(refused.value)
    with pytest.raises(ValidationFailed):
        register(db, department_key="lz_hrss")  # 利州区 department, 苍溪县 home window


def test_an_outside_home_window_needs_the_name_of_its_department(db):
    with pytest.raises(ValidationFailed) as refused:
        register(db, home=factories.key_of_center("CQYZ"), department_key=None, handling_type_code="chuanyu")
    assert fields_of(refused.value) == {"department_name"}


def test_a_retired_matter_takes_no_new_cases(db):
    from app.scope import SYSTEM
    from app.services.catalog.matters import retire_matter

    retire_matter(db, factories.matter(db, "KYTB-HRSS-001"), SYSTEM)
    with pytest.raises(ValidationFailed) as refused:
        register(db)
    assert "matter_id" in fields_of(refused.value)


def test_only_window_clerks_register_and_only_at_their_own_window(db):
    with pytest.raises(Forbidden):
        register(db, clerk="lz_hrss")
    with pytest.raises(ValidationFailed) as refused:
        register(db, origin_center_id=factories.center(db, "cx_center").id, home="lz_center", department_key="lz_hrss")
    assert "origin_center_id" in fields_of(refused.value)


def test_a_draft_is_edited_and_its_materials_replaced(db):
    case = register(db)
    version = case.version
    case = update_draft(db, factories.user(db, "lz_window"), case.id, {
        "applicant_phone": "0839-3261234",
        "materials": [{"name": "居民身份证", "copies": 1, "form": "original", "received": True, "verified": True,
                       "requirement_seq": 1}],
    }, expected_version=version)
    assert case.applicant_phone == "0839-3261234" and len(case.materials) == 1
    with pytest.raises(Conflict):
        update_draft(db, factories.user(db, "lz_window"), case.id, {"remarks": "x"}, expected_version=version)


def test_an_accepted_case_is_no_longer_a_draft(db):
    case = factories.accepted_case(db)
    with pytest.raises(Conflict):
        update_draft(db, factories.user(db, "lz_window"), case.id, {"remarks": "改"})


def test_editing_a_drafts_materials_keeps_the_scans_of_those_that_stay(db):
    from app.services.cases.files import attach_scan

    case = register(db)
    clerk = factories.user(db, "lz_window")
    first = case.materials[0]
    attach_scan(db, clerk, case.id, first.id, "身份证.pdf", factories.small_pdf())
    kept = {"name": first.name, "copies": 1, "form": first.form, "requirement_seq": first.requirement_seq}
    case = update_draft(db, clerk, case.id, {"materials": [kept, {"name": "补充说明", "copies": 1, "form": "copy"}]})
    assert case.materials[0].scan_name == "身份证.pdf" and case.materials[1].scan_key is None


# --- phones that may be printed and texted (issue 11, defect 2) --------------------------------------


def test_a_short_number_or_a_hotline_is_refused_as_applicant_and_recipient_phone_all_at_once(db):
    with pytest.raises(ValidationFailed) as refused:
        register(db, applicant_phone="13800", delivery_method="mail", mail_phone="12345",
                 mail_address="四川省广元市利州区嘉陵路1号", mail_postcode="628017")
    problems = {p.field: str(p.message) for p in refused.value.problems}
    assert set(problems) == {"applicant_phone", "mail_phone"}
    assert "13800" in problems["applicant_phone"] and "12345" in problems["mail_phone"]
    assert problems["applicant_phone"] != problems["mail_phone"]  # each says why (too short, a hotline)


def test_a_local_number_without_its_area_code_is_refused_and_a_fixed_line_with_it_kept(db):
    with pytest.raises(ValidationFailed) as refused:
        register(db, applicant_phone="3261234")
    assert fields_of(refused.value) == {"applicant_phone"}
    assert register(db, applicant_phone="(0839)3261234").applicant_phone == "0839-3261234"


# --- the pickers follow the matter (issue 11, defect 3) -----------------------------------------------


def options(db, clerk="lz_window", **chosen):
    from app.services.cases.registration_options import registration_options

    return registration_options(db, factories.user(db, clerk), **chosen)


def test_the_matter_narrows_the_handling_types_home_windows_and_departments(db):
    everything = options(db)
    matter = factories.matter(db, "KYTB-HRSS-003")
    narrowed = options(db, matter_id=matter.id)
    assert {t.code for t in narrowed.handling_types} == {"kuasheng", "shengnei", "chuanyu"} < {
        t.code for t in everything.handling_types}
    assert narrowed.departments and len(narrowed.departments) < len(everything.departments)
    assert {d.line for d in narrowed.departments} == {"hrss"}
    for home in narrowed.homes:  # every window offered inside the system has a 人社 department in its county
        assert home.external or any((d.region.county or d.region) == (home.region.county or home.region)
                                    for d in narrowed.departments), home.name
    assert all(h.name != "广元市利州区政务服务中心" for h in narrowed.homes)  # not the receiving window itself
    chuanyu = options(db, matter_id=matter.id, handling_type_id=factories.handling_type(db, "chuanyu").id)
    assert "重庆市渝中区政务服务中心" in {h.name for h in chuanyu.homes}
    assert "杭州市西湖区政务服务中心" not in {h.name for h in chuanyu.homes}  # 川渝通办 does not cover 杭州
    at_cangxi = options(db, matter_id=matter.id, home_center_id=factories.center(db, "cx_center").id)
    assert [d.name for d in at_cangxi.departments] == [factories.department(db, "cx_hrss").name]
    assert "department_id" in at_cangxi.required and "counterpart_number" not in at_cangxi.required


def test_an_inbound_case_offers_our_window_as_home_and_asks_for_the_outside_number(db):
    jinjiang = factories.center(db, factories.key_of_center("CDJJ"))
    inbound = options(db, origin_center_id=jinjiang.id, matter_id=factories.matter(db, "KYTB-HRSS-003").id)
    assert "广元市利州区政务服务中心" in {h.name for h in inbound.homes}
    assert not any(h.external for h in inbound.homes)  # one end of a case is a window inside the system
    assert "counterpart_number" in inbound.required


def test_what_the_pickers_offer_registers_and_a_window_not_offered_is_not_found(db):
    from app.errors import NotFound

    matter = factories.matter(db, "KYTB-HRSS-003")
    offered = options(db, matter_id=matter.id, home_center_id=factories.center(db, "cx_center").id)
    case = register(db, matter_code="KYTB-HRSS-003", handling_type_code=offered.handling_types[0].code,
                    home="cx_center", department_key="cx_hrss")
    assert case.status == "draft"
    with pytest.raises(NotFound):  # another county's window is no receiving window of this clerk
        options(db, origin_center_id=factories.center(db, "cx_center").id)
    with pytest.raises(Forbidden):
        options(db, clerk="cx_hrss")
