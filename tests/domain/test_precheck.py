"""远程预审's due time: a number of office hours of working days after the scans were uploaded."""

from datetime import datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar_files import days_from_chinese_calendar
from app.domain.precheck import DEFAULT_OFFICE_HOURS, add_working_hours, parse_office_hours
from app.domain.workdays import WorkCalendar

CAL = WorkCalendar.from_days(((d.date, d.is_working) for d in days_from_chinese_calendar(2026)), known_years=[2026])
HOURS = parse_office_hours(DEFAULT_OFFICE_HOURS)


def test_half_a_working_day_from_a_morning_ends_after_the_lunch_break():
    # Wednesday 10:00: two hours to noon, the lunch break does not count, two more from 13:30
    assert add_working_hours(CAL, datetime(2026, 12, 2, 10, 0), 4, HOURS) == datetime(2026, 12, 2, 15, 30)


def test_a_friday_afternoon_pre_check_is_due_on_monday_morning():
    # Friday 16:00: 1.5 hours that day, 2.5 on Monday from 09:00
    assert add_working_hours(CAL, datetime(2026, 11, 27, 16, 0), 4, HOURS) == datetime(2026, 11, 30, 11, 30)


def test_the_national_day_holiday_does_not_count():
    # Wednesday 30 September 16:00; 1-7 October are days off; Thursday 8 October is a working day
    assert add_working_hours(CAL, datetime(2026, 9, 30, 16, 0), 4, HOURS) == datetime(2026, 10, 8, 11, 30)


def test_an_adjusted_working_saturday_counts():
    # Saturday 10 October 2026 is a working day (调休)
    assert add_working_hours(CAL, datetime(2026, 10, 9, 17, 0), 2, HOURS) == datetime(2026, 10, 10, 10, 30)


def test_a_start_outside_office_hours_counts_from_the_next_period():
    assert add_working_hours(CAL, datetime(2026, 12, 2, 12, 15), 1, HOURS) == datetime(2026, 12, 2, 14, 30)
    assert add_working_hours(CAL, datetime(2026, 12, 2, 20, 0), 1, HOURS) == datetime(2026, 12, 3, 10, 0)


def test_hours_running_out_at_the_end_of_a_period_end_there():
    assert add_working_hours(CAL, datetime(2026, 12, 2, 9, 0), 3, HOURS) == datetime(2026, 12, 2, 12, 0)


@pytest.mark.parametrize("text", ["", "09:00", "12:00-09:00", "09:00-12:00,11:00-13:00", "9h-12h"])
def test_office_hours_that_make_no_sense_are_refused(text):
    with pytest.raises(ValueError):
        parse_office_hours(text)


@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)),
       hours=st.integers(min_value=1, max_value=16))
def test_the_due_time_is_inside_office_hours_of_a_working_day_and_never_sooner_than_the_hours(start, hours):
    due = add_working_hours(CAL, start, hours, HOURS)
    assert CAL.is_working_day(due.date())
    assert any(begin < due.time() <= end for begin, end in HOURS)
    assert (due - start).total_seconds() >= hours * 3600
    # one more hour never comes sooner
    assert add_working_hours(CAL, start, hours + 1, HOURS) > due


def test_parse_office_hours_reads_the_default():
    assert HOURS == ((time(9), time(12)), (time(13, 30), time(17, 30)))
