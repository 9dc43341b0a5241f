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


def extension_cap(case: Case) -> int:
    """The working days all extensions of the case may add: the matter's guide (``max_extension_days``)
    or EXTENSION_MAX_WORKING_DAYS (Art. 42: ten days, unless a law says otherwise)."""
    cap = case.guide.content.get("max_extension_days")
    return int(cap) if cap is not None else current_app.config["EXTENSION_MAX_WORKING_DAYS"]
