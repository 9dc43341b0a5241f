"""Work queues: the open cases in which a user can take a step now, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.workflow import OPEN_STATUSES, Transition
from app.models.case import Case
from app.models.staff import StaffUser
from app.scope import criterion, reach_of
from app.services.cases.take_step import available_steps

URGENCY = sql_case({"red": 0, "yellow": 1}, value=Case.warning_level, else_=2)


@dataclass(frozen=True)
class QueueItem:
    case: Case
    steps: list[Transition]


def work_queue(session: Session, user: StaffUser, limit: int = 200) -> list[QueueItem]:
    reach = reach_of(user)
    cases = session.scalars(
        select(Case).where(criterion(Case, reach, write=True), Case.status.in_(sorted(OPEN_STATUSES)))
        .order_by(URGENCY, Case.registered_on).limit(limit * 3)
    ).all()
    items = []
    for case in cases:
        steps = available_steps(case, user, reach)
        if steps:
            items.append(QueueItem(case, steps))
    items.sort(key=lambda item: (_urgency(item.case), item.case.current_due or date.max, item.case.id))
    return items[:limit]


def _urgency(case: Case) -> int:
    return {"red": 0, "yellow": 1}.get(case.warning_level, 2)
