"""Working-day arithmetic against the real 2025 and 2026 State Council arrangements."""

from datetime import date, timedelta

import pytest

from app.domain.calendar_files import days_from_chinese_calendar
from app.domain.workdays import (
    MAX_SCAN_DAYS,
    Deadline,
    Span,
    WorkCalendar,
    missing_years,
)


def _official_calendar() -> WorkCalendar:
    days = days_from_chinese_calendar(2025) + days_from_chinese_calendar(2026)
    return WorkCalendar.from_days(((d.date, d.is_working) for d in days), known_years=[2025, 2026])


CAL = _official_calendar()


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- the facts the rest of the file relies on ---------------------------------


def test_2026_spring_festival_is_feb_15_to_23_with_saturdays_feb_14_and_28_working():
    assert all(not CAL.is_working_day(d) for d in _dates(date(2026, 2, 15), date(2026, 2, 23)))
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday
    assert CAL.is_working_day(date(2026, 2, 28))  # Saturday
    assert CAL.is_working_day(date(2026, 2, 24))


def test_2026_national_day_is_oct_1_to_7_with_sep_20_and_oct_10_working():
    assert all(not CAL.is_working_day(d) for d in _dates(date(2026, 10, 1), date(2026, 10, 7)))
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday
    # 2026 Mid-Autumn is a separate, earlier break (Fri Sep 25 off).
    assert not CAL.is_working_day(date(2026, 9, 25))


def test_2025_spring_festival_is_jan_28_to_feb_4_with_jan_26_and_feb_8_working():
    assert all(not CAL.is_working_day(d) for d in _dates(date(2025, 1, 28), date(2025, 2, 4)))
    assert CAL.is_working_day(date(2025, 1, 26))  # Sunday
    assert CAL.is_working_day(date(2025, 2, 8))  # Saturday


def test_2025_national_day_and_mid_autumn_is_oct_1_to_8_with_sep_28_and_oct_11_working():
    assert all(not CAL.is_working_day(d) for d in _dates(date(2025, 10, 1), date(2025, 10, 8)))
    assert CAL.is_working_day(date(2025, 9, 28))  # Sunday
    assert CAL.is_working_day(date(2025, 10, 11))  # Saturday


def test_2026_new_year_makeup_sunday_jan_4_is_a_working_day():
    assert CAL.is_working_day(date(2026, 1, 4))
    assert not CAL.is_working_day(date(2026, 1, 2))


def test_days_without_override_follow_monday_to_friday():
    assert CAL.is_working_day(date(2026, 3, 6))  # Friday
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday


# -- add_working_days ---------------------------------------------------------


def test_one_working_day_after_friday_before_spring_festival_2026_is_the_makeup_saturday():
    assert CAL.add_working_days(date(2026, 2, 13), 1) == Deadline(date(2026, 2, 14), False)


def test_two_working_days_after_friday_before_spring_festival_2026_is_after_the_holiday():
    assert CAL.add_working_days(date(2026, 2, 13), 2).due == date(2026, 2, 24)


def test_one_working_day_after_monday_before_spring_festival_2025_is_after_the_holiday():
    assert CAL.add_working_days(date(2025, 1, 27), 1).due == date(2025, 2, 5)


def test_one_working_day_after_friday_before_makeup_sunday_2025_is_that_sunday():
    assert CAL.add_working_days(date(2025, 1, 24), 1).due == date(2025, 1, 26)


def test_step_done_on_makeup_saturday_counts_from_the_next_working_day():
    assert CAL.add_working_days(date(2026, 2, 14), 1).due == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 2, 28), 1).due == date(2026, 3, 2)
    assert CAL.add_working_days(date(2026, 10, 10), 1).due == date(2026, 10, 12)


def test_step_done_on_saturday_or_sunday_counts_from_monday():
    for start in (date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)):  # Fri, Sat, Sun
        assert CAL.add_working_days(start, 1).due == date(2026, 3, 9)
    assert CAL.add_working_days(date(2026, 3, 7), 5).due == date(2026, 3, 13)


def test_step_done_during_national_day_counts_from_the_first_day_back():
    assert CAL.add_working_days(date(2026, 10, 3), 1).due == date(2026, 10, 8)
    assert CAL.add_working_days(date(2025, 10, 3), 3).due == date(2025, 10, 11)


def test_ten_working_days_across_national_day_2025_skip_eight_days_off():
    # Sep 30, then Oct 9, 10, 11 (makeup Saturday), 13 … 17, 20
    assert CAL.add_working_days(date(2025, 9, 29), 10).due == date(2025, 10, 20)


def test_zero_working_days_is_the_same_day_when_it_is_a_working_day():
    assert CAL.add_working_days(date(2026, 3, 9), 0) == Deadline(date(2026, 3, 9), False)
    assert CAL.add_working_days(date(2026, 2, 14), 0).due == date(2026, 2, 14)  # makeup Saturday


def test_zero_working_days_on_a_day_off_is_the_next_working_day():
    assert CAL.add_working_days(date(2026, 3, 7), 0).due == date(2026, 3, 9)
    assert CAL.add_working_days(date(2026, 10, 1), 0).due == date(2026, 10, 8)


def test_negative_working_days_are_rejected():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 9), -1)


def test_due_date_is_always_a_working_day_and_grows_with_n():
    start = date(2026, 1, 30)
    dues = [CAL.add_working_days(start, n).due for n in range(0, 60)]
    assert all(CAL.is_working_day(d) for d in dues)
    assert all(later > earlier for earlier, later in zip(dues[1:], dues[2:]))


def test_working_days_between_inverts_add_working_days_for_every_day_of_2025_and_2026():
    for start in _dates(date(2025, 1, 1), date(2026, 12, 31)):
        for n in range(1, 26):
            deadline = CAL.add_working_days(start, n)
            assert CAL.working_days_between(start, deadline.due) == n, (start, n)
            assert deadline.provisional == (deadline.due.year == 2027), (start, n)


def test_year_without_data_falls_back_to_weekends_only_and_is_provisional():
    # 2027-01-01 will almost certainly be a holiday, but nothing is loaded yet:
    # the answer uses Mon–Fri and says it may move.
    assert CAL.add_working_days(date(2027, 3, 5), 1) == Deadline(date(2027, 3, 8), True)
    assert CAL.is_working_day(date(2027, 1, 1))
    assert not CAL.covers(date(2027, 1, 1))


def test_deadline_starting_in_2026_and_ending_in_2027_is_provisional():
    deadline = CAL.add_working_days(date(2026, 12, 25), 10)
    assert deadline == Deadline(date(2027, 1, 8), True)


def test_deadline_inside_known_years_is_not_provisional_even_near_the_year_end():
    assert CAL.add_working_days(date(2026, 12, 1), 5) == Deadline(date(2026, 12, 8), False)
    # Starting on Dec 31 2026 only examines 2027 days.
    assert CAL.add_working_days(date(2026, 12, 31), 1).provisional


def test_start_day_in_an_unknown_year_does_not_make_the_deadline_provisional():
    # The start day is never examined (次日起算), only the days counted.
    assert CAL.add_working_days(date(2024, 12, 31), 1) == Deadline(date(2025, 1, 2), False)
    assert CAL.add_working_days(date(2024, 12, 31), 0).provisional


def test_weekends_only_calendar_counts_monday_to_friday_and_is_always_provisional():
    plain = WorkCalendar.weekends_only()
    assert plain.add_working_days(date(2026, 10, 1), 1) == Deadline(date(2026, 10, 2), True)
    assert plain.working_days_between_ex(date(2026, 3, 6), date(2026, 3, 13)) == Span(5, True)


# -- working_days_between / remaining -----------------------------------------


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start():
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_working_days_between_counts_end_but_not_start_across_spring_festival():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert CAL.working_days_between_ex(date(2026, 2, 13), date(2026, 2, 24)) == Span(2, False)


def test_working_days_between_reaching_into_2027_is_provisional():
    span = CAL.working_days_between_ex(date(2026, 12, 30), date(2027, 1, 4))
    assert span == Span(3, True)  # Dec 31, Jan 1 (no data → working), Jan 4


def test_working_days_in_2026_total_matches_the_arrangement():
    # 261 weekdays - 19 weekday holidays + 6 makeup weekend days.
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_remaining_is_one_on_the_working_day_before_the_due_day():
    due = date(2026, 2, 24)
    assert CAL.remaining_working_days(date(2026, 2, 14), due) == 1  # makeup Saturday
    assert CAL.remaining_working_days(date(2026, 2, 20), due) == 1  # during the holiday
    assert CAL.remaining_working_days(date(2026, 2, 13), due) == 2


def test_remaining_is_zero_on_the_due_day():
    assert CAL.remaining_working_days(date(2026, 2, 24), date(2026, 2, 24)) == 0


def test_remaining_is_negative_working_days_once_overdue():
    due = date(2026, 2, 24)
    assert CAL.remaining_working_days(date(2026, 2, 25), due) == -1
    assert CAL.remaining_working_days(date(2026, 2, 26), due) == -2
    assert CAL.remaining_working_days(date(2026, 2, 28), due) == -4  # makeup Saturday counts


def test_remaining_stays_zero_on_the_weekend_after_a_friday_deadline():
    # Only working days are counted, so "overdue" itself must be today > due.
    assert CAL.remaining_working_days(date(2026, 3, 7), date(2026, 3, 6)) == 0
    assert CAL.remaining_working_days(date(2026, 3, 9), date(2026, 3, 6)) == -1


# -- construction and helpers -------------------------------------------------


def test_missing_years_lists_each_unloaded_year_once_in_order():
    assert missing_years(CAL, [2027, 2024, 2025, 2026, 2027]) == [2024, 2027]
    assert missing_years(WorkCalendar.weekends_only(), [2026]) == [2026]


def test_overrides_that_agree_with_monday_to_friday_change_nothing():
    redundant = [(date(2026, 3, 7), False), (date(2026, 3, 9), True)]
    cal = WorkCalendar.from_days(redundant, known_years=[2026])
    assert cal.working_days_between(date(2026, 3, 1), date(2026, 3, 31)) == 22
    assert cal.add_working_days(date(2026, 3, 6), 1).due == date(2026, 3, 9)


def test_from_days_rejects_a_date_given_as_both_working_and_off():
    with pytest.raises(ValueError):
        WorkCalendar.from_days([(date(2026, 2, 14), True), (date(2026, 2, 14), False)], [2026])


def test_calendar_does_not_change_when_the_source_dict_is_mutated_later():
    source = {date(2026, 3, 9): False}
    cal = WorkCalendar(overrides=source, known_years=frozenset({2026}))
    source[date(2026, 3, 9)] = True
    assert not cal.is_working_day(date(2026, 3, 9))
    assert cal.working_days_between(date(2026, 3, 8), date(2026, 3, 9)) == 0


def test_next_working_day_can_include_or_skip_the_day_itself():
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 14)
    assert CAL.next_working_day(date(2026, 2, 14), include_self=False) == date(2026, 2, 24)
    assert CAL.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_pathological_calendar_without_working_days_raises_instead_of_looping():
    start = date(2030, 1, 1)
    all_off = ((start + timedelta(days=i), False) for i in range(MAX_SCAN_DAYS + 10))
    cal = WorkCalendar.from_days(all_off, known_years=[])
    with pytest.raises(ValueError):
        cal.add_working_days(start, 1)
    with pytest.raises(ValueError):
        cal.next_working_day(start)


def test_absurdly_large_n_raises_instead_of_scanning_forever():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 1, 1), 10_000)
