"""Work queues: the open cases in which a user can take a step now, most urgent first.

A stand-in's queue marks the cases of the colleagues they stand in for today (``on_behalf_of``): the
steps they take there say 代张丽办理."""

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
from app.services.cases.access import sides_of
from app.services.cases.take_step import available_steps
from app.services.organisation.stand_ins import absent_for, on_behalf_of

URGENCY = sql_case({"red": 0, "yellow": 1}, value=Case.warning_level, else_=2)


@dataclass(frozen=True)
class QueueItem:
    case: Case
    steps: list[Transition]
    #: the absent colleague whose case this is, when the user stands in for them today
    on_behalf_of: StaffUser | None = None


def work_queue(session: Session, user: StaffUser, limit: int = 200, today: date | None = None) -> list[QueueItem]:
    reach, today = reach_of(user), today or date.today()
    absent = absent_for(session, user, today)
    cases = session.scalars(
        select(Case).where(criterion(Case, reach, write=True), Case.status.in_(sorted(OPEN_STATUSES)))
        .order_by(URGENCY, Case.registered_on).limit(limit * 3)
    ).all()
    items = []
    for case in cases:
        steps = available_steps(case, user, reach)
        if steps:
            owner = on_behalf_of(session, user, case, sides_of(reach, case), today, absent) if absent else None
            items.append(QueueItem(case, steps, owner))
    items.sort(key=lambda item: (_urgency(item.case), item.case.current_due or date.max, item.case.id))
    return items[:limit]


def _urgency(case: Case) -> int:
    return {"red": 0, "yellow": 1}.get(case.warning_level, 2)
