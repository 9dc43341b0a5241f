"""The legal clock (issue 12): stops and extensions with typed reasons, checked as properties against the real
2026 arrangement (Spring Festival, National Day and their adjusted working weekends) and against an
independent day-by-day count written from the State Council's published dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain.calendar_files import days_from_chinese_calendar
from app.domain.clock import ClockError, ClockReason, Extension, SegmentKind, Stop, read_clock
from app.domain.workdays import WorkCalendar

CAL = WorkCalendar.from_days(((d.date, d.is_working) for d in days_from_chinese_calendar(2026)), known_years=[2026])

# The 2026 arrangement as published (国办发明电〔2025〕7号), written out by hand: the oracle does not use the
# calendar under test.
HOLIDAYS_2026 = {
    *(date(2026, 1, d) for d in (1, 2, 3)),
    *(date(2026, 2, d) for d in range(15, 24)),
    *(date(2026, 4, d) for d in (4, 5, 6)),
    *(date(2026, 5, d) for d in (1, 2, 3, 4, 5)),
    *(date(2026, 6, d) for d in (19, 20, 21)),
    *(date(2026, 9, d) for d in (25, 26, 27)),
    *(date(2026, 10, d) for d in range(1, 8)),
}
WORKING_WEEKENDS_2026 = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
                         date(2026, 10, 10)}
SPRING_FESTIVAL = date(2026, 2, 15)
NATIONAL_DAY = date(2026, 10, 1)


def _works(day: date) -> bool:
    return day in WORKING_WEEKENDS_2026 or (day.weekday() < 5 and day not in HOLIDAYS_2026)


def _oracle_due(start: date, limit: int, extended: int, stops: list[Stop], today: date) -> date:
    """Day by day: a working day counts unless a stop covers it (started_on < day <= end)."""
    stopped = {s.started_on + timedelta(days=i) for s in stops for i in range(1, (s.end(today) - s.started_on).days + 1)}
    day, counted = start, 0
    while counted < limit + extended:
        day += timedelta(days=1)
        if _works(day) and day not in stopped:
            counted += 1
    while day in stopped or not _works(day):  # the last counted day is a working day outside every stop
        day += timedelta(days=1)
    return day


days_2026 = st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 10, 20))
reasons = st.sampled_from([ClockReason.CORRECTION, ClockReason.SPECIAL_PROCEDURE])


@st.composite
def stops_after(draw, start: date, today: date, most: int = 4) -> list[Stop]:
    stops = []
    for _ in range(draw(st.integers(0, most))):
        first = draw(st.dates(min_value=start, max_value=today))
        end = draw(st.one_of(st.none(), st.dates(min_value=first, max_value=today)))
        stops.append(Stop(draw(reasons), first, end))
    return stops


@st.composite
def clocks(draw):
    start = draw(days_2026)
    today = start + timedelta(days=draw(st.integers(0, 60)))
    limit = draw(st.integers(1, 30))
    extensions = [Extension(draw(st.integers(1, 10)), start) for _ in range(draw(st.integers(0, 2)))]
    return start, today, limit, draw(stops_after(start, today)), extensions


@settings(max_examples=300, deadline=None)
@given(clocks())
def test_no_sequence_of_stops_and_extensions_brings_the_due_day_before_the_plain_limit(clock):
    start, today, limit, stops, extensions = clock
    plain = CAL.add_working_days(start, limit).due
    reading = read_clock(CAL, start, limit, stops, extensions, today)
    assert reading.due.due >= plain
    assert reading.stopped_total >= 0 and reading.extended_days == sum(e.days for e in extensions)


@settings(max_examples=300, deadline=None)
@given(clocks(), st.integers(1, 15), reasons, st.data())
def test_a_stop_of_n_working_days_before_the_due_day_moves_it_by_exactly_n_working_days(clock, n, reason, data):
    start, today, limit, stops, extensions = clock
    closed = [Stop(s.reason, s.started_on, s.end(today)) for s in stops]
    before = read_clock(CAL, start, limit, closed, extensions, today)
    # a closed stop of n working days, after the others (overlaps count once: tested below), begun before the due day
    first = max([start, *(s.ended_on for s in closed)])
    assume(first < before.due.due)
    begin = data.draw(st.dates(min_value=first, max_value=before.due.due - timedelta(days=1)))
    end = CAL.add_working_days(begin, n).due
    after = read_clock(CAL, start, limit, [*closed, Stop(reason, begin, end)], extensions, end)
    assert after.stopped_days[reason] - before.stopped_days[reason] == n
    assert CAL.working_days_between(before.due.due, after.due.due) == n


@settings(max_examples=300, deadline=None)
@given(clocks())
def test_the_due_day_equals_an_independent_day_by_day_count_of_the_2026_arrangement(clock):
    start, today, limit, stops, extensions = clock
    reading = read_clock(CAL, start, limit, stops, extensions, today)
    assert reading.due.due == _oracle_due(start, limit, reading.extended_days, stops, today)
    assert not reading.due.provisional or reading.due.due.year > 2026


def test_a_correction_over_the_spring_festival_stops_only_working_days():
    # accepted Thu 2026-02-12, 5 working days; correction asked Fri 02-13, materials back Wed 02-25
    reading = read_clock(CAL, date(2026, 2, 12), 5, [Stop(ClockReason.CORRECTION, date(2026, 2, 13),
                                                          date(2026, 2, 25))], today=date(2026, 2, 25))
    # stopped: Sat 02-14 (working), 02-24, 02-25 — the festival itself was never a working day
    assert reading.stopped_days[ClockReason.CORRECTION] == 3
    assert reading.running_days == 1  # Fri 02-13
    assert reading.due.due == date(2026, 3, 2)  # 02-13, then 02-26, 02-27, 02-28 (Sat, working), 03-02
    assert reading.due.due == _oracle_due(date(2026, 2, 12), 5, 0, list(
        [Stop(ClockReason.CORRECTION, date(2026, 2, 13), date(2026, 2, 25))]), date(2026, 2, 25))


def test_overlapping_stops_stop_the_clock_once_and_each_day_counts_for_the_earlier():
    correction = Stop(ClockReason.CORRECTION, date(2026, 9, 14), date(2026, 9, 18))  # Mon–Fri: 4 working days
    procedure = Stop(ClockReason.SPECIAL_PROCEDURE, date(2026, 9, 16), date(2026, 9, 22))
    reading = read_clock(CAL, date(2026, 9, 7), 10, [procedure, correction], today=date(2026, 9, 30))
    # 09-19 Sat off, 09-20 Sun working (National Day), 09-21, 09-22: 3 more for the procedure
    assert reading.stopped_days == {ClockReason.CORRECTION: 4, ClockReason.SPECIAL_PROCEDURE: 3}
    stopped = [s for s in reading.segments if s.kind == SegmentKind.STOPPED]
    assert [(s.reason, s.days) for s in stopped] == [(ClockReason.CORRECTION, 4), (ClockReason.SPECIAL_PROCEDURE, 3)]


def test_a_running_special_procedure_gives_the_expected_due_day_and_counts_up_to_today():
    procedure = Stop(ClockReason.SPECIAL_PROCEDURE, date(2026, 9, 28), None, expected_days=5)
    reading = read_clock(CAL, date(2026, 9, 21), 5, [procedure], today=date(2026, 9, 30))
    assert reading.open_stop == procedure and reading.stopped_days[ClockReason.SPECIAL_PROCEDURE] == 2
    # 9-22, 9-23, 9-24, 9-28 ran (9-25..27 Mid-Autumn); 5 expected days after 9-28: 9-29, 9-30, 10-8, 10-9, 10-10
    assert reading.running_days == 4
    assert reading.expected_due == date(2026, 10, 12)  # then the 5th running day: Mon 10-12


def test_an_extension_lengthens_the_limit_and_is_shown_on_its_day():
    reading = read_clock(CAL, date(2026, 9, 21), 5, extensions=[Extension(10, date(2026, 9, 24))],
                         today=date(2026, 9, 24))
    assert reading.extended_days == 10 and reading.due.due == CAL.add_working_days(date(2026, 9, 21), 15).due
    assert (SegmentKind.EXTENDED, 10) in {(s.kind, s.days) for s in reading.segments}


@pytest.mark.parametrize("make", [
    lambda: Stop(ClockReason.EXTENSION, date(2026, 3, 2)),
    lambda: Stop(ClockReason.CORRECTION, date(2026, 3, 2), date(2026, 3, 1)),
    lambda: Stop(ClockReason.SPECIAL_PROCEDURE, date(2026, 3, 2), expected_days=0),
    lambda: Extension(0, date(2026, 3, 2)),
    lambda: read_clock(CAL, date(2026, 3, 2), -1),
])
def test_impossible_stops_and_extensions_are_refused(make):
    with pytest.raises(ClockError):
        make()


def test_the_festivals_the_oracle_knows_are_the_calendars():
    for first in (SPRING_FESTIVAL, NATIONAL_DAY):
        assert not CAL.is_working_day(first) and not _works(first)
    assert all(CAL.is_working_day(d) == _works(d) for d in (date(2026, 1, 1) + timedelta(days=i) for i in range(365)))
