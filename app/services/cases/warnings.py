"""Deadline warnings for every open case at once, in one set-based UPDATE (a beat job runs it).

Red when the running stage's due day has passed; yellow when it is near: due on or before the cutoff of
its stage (``app.domain.deadlines.yellow_at`` and ``warning_cutoff``, with DEADLINE_WARNING_WORKING_DAYS),
the same rule as the per-case one.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import literal, update
from sqlalchemy.orm import Session

from app.domain.deadlines import STAGE_OF_STATUS, Stage, WarningLevel, warning_cutoff, yellow_at
from app.models.case import Case
from app.services.calendar import load_calendar
from app.services.cases.deadlines import near_working_days

DUE_COLUMN = {Stage.DISPATCH: Case.dispatch_due, Stage.PROCESS: Case.process_due, Stage.DELIVERY: Case.delivery_due}


def refresh_warnings(session: Session, today: date | None = None) -> int:
    """Recomputes ``warning_level`` of all cases; returns how many rows the statement touched."""
    today = today or date.today()
    calendar = load_calendar(session)
    cutoffs = {stage: warning_cutoff(calendar, today, days) for stage, days in yellow_at(near_working_days()).items()}
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
