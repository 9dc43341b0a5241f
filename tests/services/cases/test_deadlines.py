"""Deadlines of real cases in official working days: the 2026 Spring Festival and National Day with
their adjusted working weekends, a case accepted on a Saturday, corrections pausing the clock, and a
deadline in a year without calendar data."""

from __future__ import annotations

from datetime import date

from app.services.cases.deadlines import refresh_deadlines
from app.services.cases.take_step import take_step
from tests import factories


def test_accepted_on_the_friday_before_spring_festival(db):
    case = factories.accepted_case(db, date(2026, 2, 13))  # promised limit of KYTB-HRSS-001: 10 working days
    assert case.dispatch_due == date(2026, 2, 14)  # the adjusted working Saturday
    # 14 Feb, (holiday 15–23 Feb), 24, 25, 26, 27, 28 (working Saturday), 2, 3, 4, 5 Mar
    assert case.process_due == date(2026, 3, 5)
    assert not case.due_provisional
    assert case.warning_level == "yellow"  # one working day left to dispatch


def test_accepted_on_a_saturday_counts_from_monday(db):
    case = factories.accepted_case(db, date(2026, 3, 7))
    assert case.dispatch_due == date(2026, 3, 9)
    assert case.process_due == date(2026, 3, 20)


def test_accepted_before_national_day(db):
    case = factories.accepted_case(db, date(2026, 9, 30), matter_code="KYTB-HRSS-005")  # promised: 3 working days
    assert case.dispatch_due == date(2026, 10, 8)
    assert case.process_due == date(2026, 10, 10)  # 8, 9 Oct and the working Saturday 10 Oct


def test_overdue_dispatch_turns_red(db):
    case = factories.accepted_case(db, date(2026, 3, 2))
    refresh_deadlines(db, case, date(2026, 3, 4))
    assert case.warning_level == "red"


def test_two_corrections_pause_the_processing_clock(db):
    monday = date(2026, 3, 2)
    case = factories.accepted_case(db, monday)
    assert case.process_due == date(2026, 3, 16)
    clerk, officer = "lz_window", "cx_hrss"
    case = factories.run_steps(db, case, [
        (clerk, "dispatch", {"waybill_number": "EMS1"}), ("cx_window", "receive", {}), ("cx_window", "forward", {}),
    ], today=monday)
    case = take_step(db, factories.user(db, officer), case.id, "request_correction",
                   {"items": [{"name": "户口簿", "reason": "复印件不清晰"}]}, today=date(2026, 3, 4))
    assert case.warning_level == "none"  # paused
    case = factories.supplement(db, case, date(2026, 3, 9))
    assert case.paused_days == 3  # Thu 5, Fri 6, Mon 9 March
    assert case.process_due == date(2026, 3, 19)
    case = take_step(db, factories.user(db, officer), case.id, "request_correction",
                   {"items": [{"name": "申领登记表", "reason": "缺少签字"}, {"name": "照片", "reason": "非白底"}]},
                   today=date(2026, 3, 11))
    case = factories.supplement(db, case, date(2026, 3, 12))
    assert case.paused_days == 4 and case.process_due == date(2026, 3, 20)
    assert [len(c.items) for c in case.corrections] == [1, 2]


def test_a_deadline_running_into_2027_is_provisional(db):
    case = factories.accepted_case(db, date(2026, 12, 29))
    assert case.due_provisional


def test_the_pause_ends_when_the_department_has_the_supplied_items_not_when_the_window_records_them(db):
    monday = date(2026, 3, 2)
    case = factories.run_steps(db, factories.accepted_case(db, monday), [
        ("lz_window", "dispatch", {"waybill_number": "EMS1"}), ("cx_window", "receive", {}), ("cx_window", "forward", {}),
    ], today=monday)
    case = factories.step(db, "cx_hrss", case, "request_correction", date(2026, 3, 4),
                          items=[{"name": "户口簿", "reason": "复印件不清晰"}])
    case = factories.step(db, "lz_window", case, "supplement", date(2026, 3, 9), waybill_number="EMS2",
                          **factories.supplied(case))
    assert case.status == "supplement_sent" and case.warning_level == "none"  # still paused: on its way
    case = factories.step(db, "cx_window", case, "receive_supplement", date(2026, 3, 11))
    assert case.status == "processing"
    assert case.paused_days == 5  # Thu 5, Fri 6, Mon 9, Tue 10, Wed 11 March: until the department has them
    assert case.process_due == date(2026, 3, 23)
    assert (case.corrections[0].supplied_on, case.corrections[0].forwarded_on) == (date(2026, 3, 9), date(2026, 3, 11))
