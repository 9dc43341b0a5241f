"""Deadlines of a case in official working days, and its warning level.

- dispatch: within 1 working day after acceptance (the materials leave by EMS);
- processing: the promised total limit, counted from acceptance, stopped by corrections and special
  procedures and lengthened by approved extensions: the legal clock, ``app.domain.clock``;
- delivery: within 1 working day after the result arrives: at the home window when the department completes
  (it mails the result, or sends it to the window where the applicant collects it, within that day), and,
  collected at the window, once more at that window from the day its parcel arrived (none runs while the
  parcel is on its way).
A step done on a non-working day counts from the next working day (``add_working_days`` never counts
the start day). A deadline that falls in, or runs through, a year without calendar data is provisional.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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
    Status.PRECHECK: Stage.DISPATCH,  # the notice's one-day dispatch rule holds through the pre-check
    Status.PRECHECK_CORRECTION: Stage.DISPATCH,
    Status.IN_TRANSIT: Stage.PROCESS,
    Status.RECEIVED: Stage.PROCESS,
    Status.PROCESSING: Stage.PROCESS,
    Status.EXTENSION_ASKED: Stage.PROCESS,  # the clock runs while the extension is decided
    Status.COMPLETED: Stage.DELIVERY,
    Status.RESULT_SENT: Stage.DELIVERY,
}

#: the default of DEADLINE_WARNING_WORKING_DAYS: a case is near its due day (yellow) when at most this many
#: working days are left
NEAR_WORKING_DAYS = 1


def yellow_at(near_days: int = NEAR_WORKING_DAYS) -> dict[Stage, int]:
    """Working days left at which each stage turns yellow, for "near" = ``near_days``. A stage is never
    yellow from its first day: dispatch and delivery are due the next working day, so they warn on their
    due day only (otherwise every case would turn yellow the moment it is accepted)."""
    return {Stage.DISPATCH: min(near_days, DISPATCH_DAYS - 1), Stage.PROCESS: near_days,
            Stage.DELIVERY: min(near_days, DELIVERY_DAYS - 1)}


def warning_cutoff(calendar: WorkCalendar, today: date, days: int) -> date:
    """The last due day that is near: the ``days``-th working day after today (0: today, or the next
    working day when today is off). A due day on or before it is yellow (the set-based pass compares
    with it too)."""
    return calendar.add_working_days(today, days).due


def dispatch_due(calendar: WorkCalendar, accepted_on: date) -> Deadline:
    return calendar.add_working_days(accepted_on, DISPATCH_DAYS)


def delivery_due(calendar: WorkCalendar, arrived_on: date) -> Deadline:
    """The result is delivered (mailed, sent on to the window, or handed over there) within one working day of
    arriving: at the home window on completion, at the window where it is collected when its parcel arrives."""
    return calendar.add_working_days(arrived_on, DELIVERY_DAYS)


def warning_level(calendar: WorkCalendar, stage: Stage | None, due: date | None, today: date,
                  near_days: int = NEAR_WORKING_DAYS) -> WarningLevel:
    """Red once the due day has passed; yellow when it is near (``yellow_at(near_days)``)."""
    if stage is None or due is None:
        return WarningLevel.NONE
    if today > due:
        return WarningLevel.RED
    if due <= warning_cutoff(calendar, today, yellow_at(near_days)[stage]):
        return WarningLevel.YELLOW
    return WarningLevel.NONE
