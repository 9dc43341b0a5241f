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
