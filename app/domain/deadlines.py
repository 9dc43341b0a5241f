"""Deadlines of a case in official working days, and its warning level.

- dispatch: within 1 working day after acceptance (the materials leave by EMS);
- processing: the promised total limit, counted from acceptance, with the working days spent awaiting a
  correction excluded (the clock pauses from the request until the department has the supplied items);
- delivery: within 1 working day after the result arrives.
A step done on a non-working day counts from the next working day (``add_working_days`` never counts
the start day). A deadline that falls in, or runs through, a year without calendar data is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Iterable

from app.domain.workdays import Deadline, WorkCalendar
from app.domain.workflow import Status

DISPATCH_DAYS = 1
DELIVERY_DAYS = 1


class WarningLevel(StrEnum):
    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


class Stage(StrEnum):
    DISPATCH = "dispatch"
    PROCESS = "process"
    DELIVERY = "delivery"


#: which deadline runs in which status (none while a correction is awaited or once closed)
STAGE_OF_STATUS = {
    Status.ACCEPTED: Stage.DISPATCH,
    Status.IN_TRANSIT: Stage.PROCESS,
    Status.RECEIVED: Stage.PROCESS,
    Status.PROCESSING: Stage.PROCESS,
    Status.COMPLETED: Stage.DELIVERY,
}

#: yellow when at most this many working days are left, per stage (configurable)
YELLOW_AT = {Stage.DISPATCH: 1, Stage.PROCESS: 1, Stage.DELIVERY: 1}


@dataclass(frozen=True)
class Pause:
    """A correction: the clock stops from the request until the department has the supplied items (the home
    window signed for them and handed them on; None: still open)."""

    requested_on: date
    ended_on: date | None


def paused_working_days(calendar: WorkCalendar, pauses: Iterable[Pause], today: date) -> int:
    """Working days the processing clock stood still; an open pause counts up to today."""
    total = 0
    for pause in pauses:
        end = pause.ended_on or today
        total += calendar.working_days_between(pause.requested_on, end)
    return total


def dispatch_due(calendar: WorkCalendar, accepted_on: date) -> Deadline:
    return calendar.add_working_days(accepted_on, DISPATCH_DAYS)


def process_due(calendar: WorkCalendar, accepted_on: date, promised_days: int, paused_days: int) -> Deadline:
    return calendar.add_working_days(accepted_on, promised_days + paused_days)


def delivery_due(calendar: WorkCalendar, completed_on: date) -> Deadline:
    return calendar.add_working_days(completed_on, DELIVERY_DAYS)


def warning_level(calendar: WorkCalendar, stage: Stage | None, due: date | None, today: date,
                  yellow_at: dict[Stage, int] | None = None) -> WarningLevel:
    """Red once the due day has passed; yellow when at most ``yellow_at`` working days remain."""
    if stage is None or due is None:
        return WarningLevel.NONE
    if today > due:
        return WarningLevel.RED
    remaining = calendar.working_days_between(today, due)
    if remaining <= (yellow_at or YELLOW_AT)[stage]:
        return WarningLevel.YELLOW
    return WarningLevel.NONE
