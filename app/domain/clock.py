"""The legal clock of a case (办理时限): the promised limit in working days, counted from acceptance, with
the stretches that stop it and the extensions that lengthen it, each with a typed reason.

- **补正** (correction, the notice §三(三)): stopped from the correction notice until the department has the
  supplied materials.
- **特别程序** (special procedure, Administrative Licensing Law Art. 45: hearing, testing, inspection, expert
  review, public notice): the time it takes is excluded from the limit; the department states its
  expected length, which gives an expected due date while it runs.
- **延期** (extension, Art. 42): the limit grows by a stated number of working days, approved by a person
  with the right to approve.

A stop covers the working days ``d`` with ``started_on < d <= ended_on`` — the counting rule of
``WorkCalendar.working_days_between`` — and an open stop runs up to today. Stops that overlap (a special
procedure during a correction) stop the clock once: each working day counts for the stop that began
first. The due day is the ``limit + extended + stopped``-th working day after the start, so it never
comes before the plain limit, and a stop of n working days moves it by exactly n working days.

The figures keep stopped and extended time apart (``ClockReading``): reports show them beside the
running days, never silently subtracted. Pure domain code: no Flask, Celery or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Iterable

from app.domain.workdays import Deadline, WorkCalendar


class ClockReason(StrEnum):
    CORRECTION = "correction"  # 补正
    SPECIAL_PROCEDURE = "special_procedure"  # 特别程序
    EXTENSION = "extension"  # 延期


class SegmentKind(StrEnum):
    RUNNING = "running"  # 计时
    STOPPED = "stopped"  # 暂停 / 不计入时限
    EXTENDED = "extended"  # 延期


#: the reasons that stop the clock (an extension lengthens it instead)
STOP_REASONS = frozenset({ClockReason.CORRECTION, ClockReason.SPECIAL_PROCEDURE})


class ClockError(ValueError):
    """A stop or extension that cannot be: it names what is wrong (the services turn it into a Problem)."""


@dataclass(frozen=True)
class Stop:
    """A stretch that stops the clock: from ``started_on`` until ``ended_on`` (None: still running)."""

    reason: ClockReason
    started_on: date
    ended_on: date | None = None
    #: a special procedure's expected length in working days (the expected due day while it runs)
    expected_days: int | None = None
    #: the record it was read from (opaque to the arithmetic; the case page names who decided)
    ref: object = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.reason not in STOP_REASONS:
            raise ClockError(f"{self.reason} does not stop the clock")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ClockError("a stop cannot end before it starts")
        if self.expected_days is not None and self.expected_days < 1:
            raise ClockError("the expected length is at least one working day")

    def end(self, today: date) -> date:
        return self.ended_on if self.ended_on is not None else max(today, self.started_on)


@dataclass(frozen=True)
class Extension:
    """延期: ``days`` more working days, decided on ``decided_on``."""

    days: int
    decided_on: date
    ref: object = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ClockError("an extension is at least one working day")


@dataclass(frozen=True)
class Segment:
    """One stretch of the timeline shown on the case page: running, stopped (with its reason) or an
    extension granted on a day (``started_on == ended_on``, ``days`` added)."""

    kind: SegmentKind
    started_on: date
    ended_on: date | None
    days: int
    reason: ClockReason | None = None
    #: the stop's or extension's ``ref`` (None for a running stretch)
    ref: object = field(default=None, compare=False)


@dataclass(frozen=True)
class ClockReading:
    """The clock of a case as of ``today``."""

    due: Deadline
    limit_days: int
    #: working days stopped, per reason (each day counted once, for the stop that began first)
    stopped_days: dict[ClockReason, int]
    extended_days: int
    #: working days the clock ran up to today (stopped days not among them; more than the limit and its
    #: extensions when the case is overdue)
    running_days: int
    #: the stop in force today, if any
    open_stop: Stop | None
    #: while a special procedure with an expected length runs: the due day if it ends as expected
    expected_due: date | None
    segments: tuple[Segment, ...]

    @property
    def stopped_total(self) -> int:
        return sum(self.stopped_days.values())

    @property
    def plain_due_days(self) -> int:
        """The working days the due day lies after the start: limit, extensions and stops."""
        return self.limit_days + self.extended_days + self.stopped_total


def stop_days(calendar: WorkCalendar, stops: Iterable[Stop], today: date) -> list[tuple[Stop, int]]:
    """Each stop with the working days it stopped the clock, in order of start; a day two stops cover
    counts once, for the earlier."""
    out: list[tuple[Stop, int]] = []
    covered_until: date | None = None
    for stop in sorted(stops, key=lambda s: (s.started_on, s.end(today))):
        start, end = stop.started_on, stop.end(today)
        if covered_until is not None:
            start = max(start, covered_until)
        out.append((stop, calendar.working_days_between(start, end) if end > start else 0))
        covered_until = end if covered_until is None else max(covered_until, end)
    return out


def stopped_working_days(calendar: WorkCalendar, stops: Iterable[Stop], today: date) -> dict[ClockReason, int]:
    """Working days each reason stopped the clock; a day two stops cover counts once, for the earlier."""
    totals = {reason: 0 for reason in STOP_REASONS}
    for stop, days in stop_days(calendar, stops, today):
        totals[stop.reason] += days
    return totals


def _merged(stops: Iterable[Stop], today: date) -> list[tuple[date, date]]:
    """The stretches (a, b] the stops cover, overlapping ones joined, in order."""
    merged: list[tuple[date, date]] = []
    for stop in sorted(stops, key=lambda s: s.started_on):
        start, end = stop.started_on, stop.end(today)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def due_day(calendar: WorkCalendar, started_on: date, days: int, stops: Iterable[Stop], today: date) -> Deadline:
    """The day the clock has run ``days`` working days since ``started_on``, the stopped days not counted.
    A stop after that day does not move it: a case overdue when a correction is asked stays overdue."""
    cursor, remaining, provisional = started_on, days, False
    for begin, end in _merged(stops, today):
        if begin > cursor:
            running = calendar.working_days_between_ex(cursor, begin)
            provisional = provisional or running.provisional
            if running.days >= remaining and remaining > 0:
                break
            remaining -= running.days
        cursor = max(cursor, end)
    due = calendar.add_working_days(cursor, remaining)
    return Deadline(due.due, due.provisional or provisional)


def read_clock(calendar: WorkCalendar, started_on: date, limit_days: int, stops: Iterable[Stop] = (),
               extensions: Iterable[Extension] = (), today: date | None = None) -> ClockReading:
    """The due day and the figures of a clock started on ``started_on`` (the acceptance) with a limit of
    ``limit_days`` working days, as of ``today`` (an open stop runs up to it)."""
    if limit_days < 0:
        raise ClockError("the promised limit cannot be negative")
    stops, extensions = tuple(stops), tuple(extensions)
    today = today or started_on
    stopped = stopped_working_days(calendar, stops, today)
    extended = sum(e.days for e in extensions)
    due = due_day(calendar, started_on, limit_days + extended, stops, today)
    open_stop = next((s for s in sorted(stops, key=lambda s: s.started_on, reverse=True) if s.ended_on is None), None)
    expected = None
    if open_stop is not None and open_stop.expected_days:
        # as if the open stop lasted exactly its expected length from its start
        until = calendar.add_working_days(open_stop.started_on, open_stop.expected_days).due
        expected = due_day(calendar, started_on, limit_days + extended,
                           [s if s is not open_stop else Stop(s.reason, s.started_on, until) for s in stops], today).due
    used = calendar.working_days_between(started_on, today) - sum(stopped.values())
    return ClockReading(due=due, limit_days=limit_days, stopped_days=stopped, extended_days=extended,
                        running_days=max(used, 0), open_stop=open_stop, expected_due=expected,
                        segments=timeline(calendar, started_on, stops, extensions, today))


def timeline(calendar: WorkCalendar, started_on: date, stops: Iterable[Stop], extensions: Iterable[Extension],
             today: date) -> tuple[Segment, ...]:
    """The clock as the case page shows it: running and stopped stretches in order, the extensions on
    the day they were granted."""
    segments: list[Segment] = []
    cursor = started_on
    covered_until = started_on
    for stop in sorted(stops, key=lambda s: (s.started_on, s.end(today))):
        start, end = max(stop.started_on, covered_until), stop.end(today)
        if end <= covered_until:
            continue  # wholly inside an earlier stop
        if start > cursor:
            segments.append(Segment(SegmentKind.RUNNING, cursor, start, calendar.working_days_between(cursor, start)))
        segments.append(Segment(SegmentKind.STOPPED, start, stop.ended_on and end,
                                calendar.working_days_between(start, end), stop.reason, stop.ref))
        cursor = covered_until = end
    if today > cursor or not segments:
        segments.append(Segment(SegmentKind.RUNNING, cursor, None, calendar.working_days_between(cursor, today)))
    for extension in extensions:
        segments.append(Segment(SegmentKind.EXTENDED, extension.decided_on, extension.decided_on, extension.days,
                                ClockReason.EXTENSION, extension.ref))
    return tuple(sorted(segments, key=lambda s: (s.started_on, s.kind != SegmentKind.EXTENDED)))
