"""Deadline warnings for every open case at once, in one set-based UPDATE (a beat job runs it).

Red when the running stage's due day has passed; yellow when at most YELLOW_AT working days remain,
which is the same as "due on or before the n-th working day after today".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import literal, update
from sqlalchemy.orm import Session

from app.domain.deadlines import STAGE_OF_STATUS, YELLOW_AT, Stage, WarningLevel
from app.models.case import Case
from app.services.calendar import load_calendar

DUE_COLUMN = {Stage.DISPATCH: Case.dispatch_due, Stage.PROCESS: Case.process_due, Stage.DELIVERY: Case.delivery_due}


def refresh_warnings(session: Session, today: date | None = None) -> int:
    """Recomputes ``warning_level`` of all cases; returns how many rows the statement touched."""
    today = today or date.today()
    calendar = load_calendar(session)
    cutoffs = {stage: calendar.add_working_days(today, days).due if days else calendar.next_working_day(today)
               for stage, days in YELLOW_AT.items()}
    due = sql_case(*((Case.status == status.value, DUE_COLUMN[stage]) for status, stage in STAGE_OF_STATUS.items()),
                   else_=None)
    cutoff = sql_case(*((Case.status == status.value, literal(cutoffs[stage])) for status, stage in STAGE_OF_STATUS.items()),
                      else_=None)
    level = sql_case(
        (due.is_(None), WarningLevel.NONE.value),
        (due < today, WarningLevel.RED.value),
        (due <= cutoff, WarningLevel.YELLOW.value),
        else_=WarningLevel.NONE.value,
    )
    result = session.execute(update(Case).values(warning_level=level).where(Case.warning_level != level)
                             .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount
