"""The legal clock of one case, read from its records into ``app.domain.clock``: its corrections (补正,
from the request until the department has the supplied items), its special procedures (特别程序) and its
approved extensions (延期). ``refresh_deadlines`` takes the processing due day from here; the case page
and ``GET /api/v1/case/<id>/clock`` show the timeline (``clock_view``); reports read the stopped and
extended days apart from the running ones; the ledger's 备注 tells them in words (``clock_remark``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import ClockReading, ClockReason, Extension, SegmentKind, Stop, read_clock, stop_days
from app.domain.workdays import WorkCalendar
from app.models.case import Case, Correction
from app.models.clock import ClockSegment, ClockSegmentKind, ExtensionDecision

#: the special procedures as the ledger prints them (Chinese only, like the rest of the ledger)
PROCEDURE_NAMES_ZH = {"hearing": "听证", "tender": "招标", "auction": "拍卖", "testing": "检验", "inspection": "检测",
                      "quarantine": "检疫", "appraisal": "鉴定", "expert_review": "专家评审", "public_notice": "公示"}


def _stops(corrections: Iterable[Correction], segments: Iterable[ClockSegment]) -> list[Stop]:
    stops = [Stop(ClockReason.CORRECTION, c.requested_on, c.forwarded_on, ref=c) for c in corrections]
    stops += [Stop(ClockReason.SPECIAL_PROCEDURE, s.started_on, s.ended_on, expected_days=s.days, ref=s)
              for s in segments if s.kind == ClockSegmentKind.SPECIAL_PROCEDURE]
    return stops


def stops_of(case: Case) -> list[Stop]:
    return _stops(case.corrections, case.clock_segments)


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
    extensions = [Extension(s.days, s.decided_on or s.started_on, ref=s) for s in granted_extensions(case)]
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


# --- the timeline (case page, API) ----------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One stretch of the timeline with what the records say of it: who asked, who decided, why."""

    kind: str  # running, stopped, extended (SegmentKind)
    reason: str  # correction, special_procedure, extension; "" while running
    started_on: date
    ended_on: date | None
    days: int
    procedure: str = ""  # a special procedure: which one
    requested_by: str = ""  # who asked for the correction, started the procedure, asked for the extension
    decided_by: str = ""  # who ended the procedure, approved the extension
    decided_on: date | None = None
    why: str = ""  # the stated reason (a correction: its note, or the items asked for)
    outcome: str = ""  # a procedure's outcome
    open: bool = False  # a stop still running today


@dataclass(frozen=True)
class ClockView:
    """The clock of a case as people read it: the figures, the timeline and the extension requests."""

    reading: ClockReading
    entries: tuple[TimelineEntry, ...]
    #: every extension asked for, in order (approved, refused, awaiting approval)
    extensions: tuple[ClockSegment, ...]
    pending: ClockSegment | None
    records: tuple[ClockSegment, ...]


def _entry(segment) -> TimelineEntry:
    record = segment.ref
    base = dict(kind=str(segment.kind), reason=str(segment.reason or ""), started_on=segment.started_on,
                ended_on=segment.ended_on, days=segment.days,
                open=segment.kind != SegmentKind.EXTENDED and segment.ended_on is None)
    if isinstance(record, Correction):
        why = record.note or "、".join(item.name for item in record.items)
        return TimelineEntry(**base, requested_by=record.requested_by_name, why=why)
    if isinstance(record, ClockSegment):
        return TimelineEntry(**base, procedure=record.procedure, requested_by=record.requested_by_name,
                             decided_by=record.decided_by_name, decided_on=record.decided_on, why=record.reason,
                             outcome=record.outcome)
    return TimelineEntry(**base)


def clock_view(calendar: WorkCalendar, case: Case, today: date) -> ClockView | None:
    """The clock of ``case`` as of ``today`` with its records (None before acceptance)."""
    reading = case_clock(calendar, case, today)
    if reading is None:
        return None
    extensions = tuple(s for s in case.clock_segments if s.kind == ClockSegmentKind.EXTENSION)
    return ClockView(reading=reading, entries=tuple(_entry(s) for s in reading.segments), extensions=extensions,
                     pending=pending_extension(case), records=tuple(case.clock_segments))


# --- the ledger's 备注 ---------------------------------------------------------------------------------


def clock_remark(calendar: WorkCalendar, corrections: Sequence[Correction], segments: Sequence[ClockSegment],
                 today: date) -> str:
    """The pauses and extensions of a case in words, as the ledger's 备注 prints them after the hand-typed
    remarks: 补正暂停3个工作日；特别程序（检验）2个工作日；延期5个工作日（罗建华批准）. Stopped days are counted
    as the clock counts them (a day two stops cover, once); a stop still running counts up to ``today``."""
    parts: list[str] = []
    counted = stop_days(calendar, _stops(corrections, segments), today)
    corrected = [(stop, days) for stop, days in counted if stop.reason == ClockReason.CORRECTION]
    if corrected:
        text = f"补正暂停{sum(days for _, days in corrected)}个工作日"
        parts.append(text + ("（补正中）" if any(stop.ended_on is None for stop, _ in corrected) else ""))
    for stop, days in counted:
        if stop.reason == ClockReason.SPECIAL_PROCEDURE:
            name = PROCEDURE_NAMES_ZH.get(stop.ref.procedure, stop.ref.procedure)
            parts.append(f"特别程序（{name}）{days}个工作日" + ("（进行中）" if stop.ended_on is None else ""))
    for segment in sorted((s for s in segments if s.kind == ClockSegmentKind.EXTENSION), key=lambda s: s.seq):
        if segment.decision == ExtensionDecision.APPROVED:
            parts.append(f"延期{segment.days}个工作日（{segment.decided_by_name}批准）")
        elif segment.decision == ExtensionDecision.REQUESTED:
            parts.append(f"申请延期{segment.days}个工作日（待批准）")
    return "；".join(parts)


def with_clock_remark(remarks: str, clock_text: str) -> str:
    """备注: the hand-typed remarks, then the clock's words."""
    remarks = (remarks or "").strip()
    if not clock_text:
        return remarks
    if not remarks:
        return clock_text
    return remarks + ("" if remarks[-1] in "。；;，," else "；") + clock_text


def clock_remarks(session: Session, calendar: WorkCalendar, case_ids: Iterable[int], today: date) -> dict[int, str]:
    """``clock_remark`` of many cases at once (a ledger batch): two queries, not two per case."""
    ids = sorted(set(case_ids))
    corrections: dict[int, list[Correction]] = defaultdict(list)
    segments: dict[int, list[ClockSegment]] = defaultdict(list)
    for chunk in range(0, len(ids), 1000):
        part = ids[chunk:chunk + 1000]
        for c in session.scalars(select(Correction).where(Correction.case_id.in_(part)).order_by(Correction.round)):
            corrections[c.case_id].append(c)
        for s in session.scalars(select(ClockSegment).where(ClockSegment.case_id.in_(part)).order_by(ClockSegment.seq)):
            segments[s.case_id].append(s)
    return {case_id: clock_remark(calendar, corrections[case_id], segments[case_id], today)
            for case_id in set(corrections) | set(segments)}
