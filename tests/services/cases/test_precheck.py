"""远程预审 (issue 12 item 2): on a matter marked for it, the department looks at the scans before the parcel
leaves; it passes them or asks for corrections, relayed at the window while the applicant may still be there;
not answered in time, the parcel leaves anyway and the case says so."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.precheck import add_working_hours, parse_office_hours
from app.errors import Conflict, Forbidden, ValidationFailed
from app.models.precheck import PrecheckRound
from app.services.calendar import load_calendar
from app.services.cases import files as case_files
from app.services.cases.precheck import time_out_prechecks
from tests import factories

PRECHECKED = "KYTB-HRSS-003"  # 失业保险金申领: the demo's pre-checked matter
ID_CARD, CONTRACT, FORM = 1, 2, 3


def _scanned_case(db, **overrides):
    """A draft of the pre-checked matter with every material handed in and scanned at the window."""
    case = factories.make_case(db, matter_code=PRECHECKED, **overrides)
    clerk = factories.user(db, "lz_window")
    for material in case.materials:
        case_files.attach_scan(db, clerk, case.id, material.id, f"{material.name}.pdf", factories.small_pdf())
    db.refresh(case)
    return case


def _in_precheck(db, **overrides):
    case = _scanned_case(db, **overrides)
    return factories.step(db, "lz_window", case, "accept", **factories.verify_all(case))


def _supplied(case):
    return {"supplied": [{"item": item["seq"], "file": (f"{item['name']}.pdf", factories.small_pdf())}
                         for item in case.precheck_rounds[-1].items]}


def test_accepting_a_pre_checked_matter_puts_it_in_pre_check_due_half_a_working_day_later(db, app):
    case = _in_precheck(db)
    assert case.status == "precheck" and case.number
    [first] = case.precheck_rounds
    hours = parse_office_hours(app.config["PRECHECK_OFFICE_HOURS"])
    assert first.due_at == add_working_hours(load_calendar(db), first.started_at, 4, hours)
    assert first.outcome == "" and case.dispatch_due is not None  # the one-day dispatch rule keeps running


def test_a_pass_lets_the_window_dispatch(db):
    case = factories.step(db, "cx_hrss", _in_precheck(db), "pass_precheck")
    assert case.status == "accepted"
    assert (case.precheck_rounds[0].outcome, case.precheck_rounds[0].answered_by_name) == (
        "passed", factories.user(db, "cx_hrss").name)
    case = factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    assert case.status == "in_transit"


def test_a_correction_caught_at_pre_check_is_supplied_at_the_window_then_passed_and_the_parcel_leaves_once(db):
    case = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                          items=[{"material": CONTRACT, "reason": "证明未盖单位公章"}, {"name": "委托书", "reason": "代办需提供"}])
    assert case.status == "precheck_fix"
    asked = case.precheck_rounds[0]
    assert asked.outcome == "corrections"
    assert [(i["name"], i["material_seq"]) for i in asked.items] == [("终止或者解除劳动合同的证明", CONTRACT), ("委托书", None)]
    case = factories.step(db, "lz_window", case, "supply_precheck", **_supplied(case))
    assert case.status == "precheck" and len(case.precheck_rounds) == 2
    assert [i["supplied"] for i in case.precheck_rounds[0].items] == [True, True]
    contract = next(m for m in case.materials if m.seq == CONTRACT)
    assert len(contract.versions) == 2 and contract.scan_name == "终止或者解除劳动合同的证明.pdf"
    assert case.materials[-1].name == "委托书" and case.materials[-1].received
    case = factories.step(db, "cx_hrss", case, "pass_precheck")
    case = factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    assert case.status == "in_transit" and not case.corrections  # no 补正 by mail afterwards
    assert [r.outcome for r in case.precheck_rounds] == ["corrections", "passed"]


def test_the_parcel_leaves_anyway_when_the_applicant_has_left_and_the_items_stay_on_record(db):
    case = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                          items=[{"material": FORM, "reason": "缺少签字"}])
    case = factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    assert case.status == "in_transit"
    assert case.precheck_rounds[0].items[0]["supplied"] is False


def test_a_pre_check_not_answered_in_time_lets_the_parcel_leave_and_the_case_says_so(db):
    case = _in_precheck(db)
    due = case.precheck_rounds[0].due_at
    assert time_out_prechecks(db, at=due) == 0  # not yet
    assert time_out_prechecks(db, at=due + timedelta(minutes=1)) == 1
    db.refresh(case)
    assert case.status == "accepted" and case.precheck_rounds[0].outcome == "timed_out"
    event = case.events[-1]
    assert (event.action, event.from_status, event.to_status, event.actor_name) == (
        "precheck_timeout", "precheck", "accepted", "")
    assert event.data["round"] == 1
    assert time_out_prechecks(db, at=due + timedelta(days=1)) == 0  # once
    case = factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    assert case.status == "in_transit"


def test_a_matter_not_marked_for_pre_check_is_accepted_as_before(db):
    case = factories.accepted_case(db)
    assert case.status == "accepted" and not case.precheck_rounds


def test_a_case_an_outside_window_sent_is_never_pre_checked(db):
    jinjiang = factories.center(db, factories.key_of_center("CDJJ"))
    case = factories.make_case(db, "lz_window", origin_center_id=jinjiang.id, home="lz_center",
                               department_key="lz_hrss", handling_type_code="shengnei", matter_code=PRECHECKED,
                               counterpart_number="JJ-2026-0042", applied_on=date.today() - timedelta(days=5))
    case = factories.step(db, "lz_window", case, "accept", **factories.verify_all(case) | {
        "accepted_on": (date.today() - timedelta(days=3)).isoformat(), "counterpart_accepted_by": "王芳",
        "waybill_number": "EMS1234567895CN"})
    assert case.status == "received" and not case.precheck_rounds


def test_accepting_without_the_scans_the_department_pre_checks_is_refused_naming_each(db):
    case = factories.make_case(db, matter_code=PRECHECKED)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "accept", **factories.verify_all(case))
    messages = [str(p.message) for p in refused.value.problems if p.field == "materials"]
    assert len(messages) == len(case.materials)
    db.refresh(case)
    assert case.status == "draft" and not case.precheck_rounds


def test_a_correction_without_items_and_a_supply_without_scans_are_refused_with_every_problem(db):
    case = _in_precheck(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "request_precheck_correction", items=[{"name": "", "reason": ""}])
    assert sorted(p.field for p in refused.value.problems) == ["items[1].name", "items[1].reason"]
    case = factories.step(db, "cx_hrss", case, "request_precheck_correction",
                          items=[{"material": ID_CARD, "reason": "不清晰"}, {"material": FORM, "reason": "缺签字"}])
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "supply_precheck", supplied=[{"item": 1}])
    assert sorted(p.field for p in refused.value.problems) == ["supplied[1]", "supplied[2]"]
    db.refresh(case)
    assert case.status == "precheck_fix" and len(case.precheck_rounds) == 1


def test_only_the_department_answers_a_pre_check_and_the_window_cannot_dispatch_meanwhile(db):
    case = _in_precheck(db)
    with pytest.raises(Forbidden):
        factories.step(db, "lz_window", case, "pass_precheck")
    with pytest.raises(Conflict):
        factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    with pytest.raises(Conflict):
        factories.step(db, "lz_window", case, "supply_precheck", supplied=[])
    assert db.query(PrecheckRound).filter_by(case_id=case.id).count() == 1


def test_the_reports_count_pre_checks_the_corrections_they_caught_and_the_mail_round_trips_saved(db):
    from app.services.notifications import reports

    supplied = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                              items=[{"material": FORM, "reason": "缺少签字"}])
    supplied = factories.step(db, "lz_window", supplied, "supply_precheck", **_supplied(supplied))
    factories.step(db, "cx_hrss", supplied, "pass_precheck")
    factories.step(db, "cx_hrss", _in_precheck(db), "pass_precheck")
    left = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                          items=[{"material": FORM, "reason": "缺少签字"}])
    factories.step(db, "lz_window", left, "dispatch", waybill_number="EMS1234567890CN")  # the applicant had left
    factories.accepted_case(db)  # a matter not pre-checked
    today = date.today()
    total = reports.compute_figures(db, "weekly", today, today)["total"]
    assert (total["prechecked"], total["precheck_corrections"], total["round_trips_saved"]) == (3, 2, 1)
    assert "远程预审件数" in [heading for _, heading in reports.COLUMNS]
