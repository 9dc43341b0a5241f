"""The legal clock of one case, read from its records into ``app.domain.clock``: its corrections (补正,
from the request until the department has the supplied items), its special procedures (特别程序) and its
approved extensions (延期). ``refresh_deadlines`` takes the processing due day from here; the case page
shows the timeline; reports read the stopped and extended days apart from the running ones.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from app.domain.clock import ClockReading, ClockReason, Extension, Stop, read_clock
from app.domain.workdays import WorkCalendar
from app.models.case import Case
from app.models.clock import ClockSegment, ClockSegmentKind, ExtensionDecision


def stops_of(case: Case) -> list[Stop]:
    stops = [Stop(ClockReason.CORRECTION, c.requested_on, c.forwarded_on) for c in case.corrections]
    stops += [Stop(ClockReason.SPECIAL_PROCEDURE, s.started_on, s.ended_on, expected_days=s.days)
              for s in case.clock_segments if s.kind == ClockSegmentKind.SPECIAL_PROCEDURE]
    return stops


def granted_extensions(case: Case) -> list[ClockSegment]:
    return [s for s in case.clock_segments
            if s.kind == ClockSegmentKind.EXTENSION and s.decision == ExtensionDecision.APPROVED]


def pending_extension(case: Case) -> ClockSegment | None:
    return next((s for s in case.clock_segments
                 if s.kind == ClockSegmentKind.EXTENSION and s.decision == ExtensionDecision.REQUESTED), None)


def running_procedure(case: Case) -> ClockSegment | None:
    return next((s for s in case.clock_segments if s.running), None)


def case_clock(calendar: WorkCalendar, case: Case, today: date) -> ClockReading | None:
    """The processing clock of ``case`` as of ``today`` (None before acceptance)."""
    if case.accepted_on is None:
        return None
    extensions = [Extension(s.days, s.decided_on or s.started_on) for s in granted_extensions(case)]
    return read_clock(calendar, case.accepted_on, case.guide.content["promised_limit_days"], stops_of(case),
                      extensions, today)


def clock_as_of(calendar: WorkCalendar, case: Case, day: date, *, upto_seq: int,
                with_extension: bool = True) -> ClockReading | None:
    """The clock as it read on ``day`` with the case's segments up to ``upto_seq`` (the later ones not yet
    there; without the extension ``upto_seq`` itself when ``with_extension`` is False): what a notice of
    that segment prints, the same however late its job renders it. A stop still running on ``day`` is
    read as open then."""
    if case.accepted_on is None:
        return None

    def as_of(stop: Stop) -> Stop | None:
        if stop.started_on > day:
            return None
        ended = stop.ended_on if stop.ended_on is not None and stop.ended_on <= day else None
        return Stop(stop.reason, stop.started_on, ended, expected_days=stop.expected_days)

    stops = [Stop(ClockReason.CORRECTION, c.requested_on, c.forwarded_on) for c in case.corrections]
    stops += [Stop(ClockReason.SPECIAL_PROCEDURE, s.started_on, s.ended_on, expected_days=s.days)
              for s in case.clock_segments if s.kind == ClockSegmentKind.SPECIAL_PROCEDURE and s.seq <= upto_seq]
    extensions = [Extension(s.days, s.decided_on or s.started_on) for s in granted_extensions(case)
                  if s.seq < upto_seq or (s.seq == upto_seq and with_extension)]
    return read_clock(calendar, case.accepted_on, case.guide.content["promised_limit_days"],
                      [s for s in map(as_of, stops) if s is not None], extensions, day)


def extension_cap(case: Case) -> int:
    """The working days all extensions of the case may add: the matter's guide (``max_extension_days``)
    or EXTENSION_MAX_WORKING_DAYS (Art. 42: ten days, unless a law says otherwise)."""
    cap = case.guide.content.get("max_extension_days")
    return int(cap) if cap is not None else current_app.config["EXTENSION_MAX_WORKING_DAYS"]
