"""Work queues of a window clerk or a department officer, as three tabs:

* 待办 ``work_queue``: open cases in which the user can take a step now, most urgent first;
* 跟踪中 ``tracking_queue``: open cases of the user's window that wait for the other side (the parcel
  sent and not signed for yet, the department processing, the applicant supplying, the other window
  delivering — the home window follows the result it sent back until the window delivers it), with who
  is to act and since when — the window follows what it sent (notice §四(一));
* 待归档 ``archive_queue``: delivered cases the user's window archives, with how much of the archive
  checklist is still open;
* 预审 ``precheck_queue``: the department's cases whose scans wait for its pre-check (远程预审), the one
  due soonest first.

Withdrawing is possible in every open state, at the applicant's request: it alone does not make a
case wait for the user, so such a case is followed, not worked.

A stand-in's 待办 marks the cases of the colleagues they stand in for today (``on_behalf_of``): the
steps they take there say 代张丽办理.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain.workflow import OPEN_STATUSES, TRANSITIONS, Side, Status, StepName, Transition, acting_sides
from app.models.case import Case, CaseEvent
from app.models.staff import StaffUser
from app.scope import Reach, criterion, reach_of
from app.services.cases.access import case_sides, sides_of
from app.services.cases.archive import archive_facts, archive_problems
from app.services.cases.precheck import open_round
from app.services.cases.take_step import available_steps
from app.services.organisation.stand_ins import absent_for, on_behalf_of

#: what the archive checklist reads of each case, loaded for the whole tab at once
CHECKLIST_LOADS = (selectinload(Case.materials), selectinload(Case.shipments), selectinload(Case.corrections),
                   selectinload(Case.result_documents), selectinload(Case.clock_segments))
URGENCY = sql_case({"red": 0, "yellow": 1}, value=Case.warning_level, else_=2)
WINDOW_SIDES = frozenset({Side.ORIGIN_WINDOW, Side.HOME_WINDOW})


@dataclass(frozen=True)
class QueueItem:
    case: Case
    steps: list[Transition]
    #: 跟踪中: the sides whose step the case waits for, and since when it waits
    waiting_for: list[Any] = field(default_factory=list)
    since: datetime | None = None
    #: 待归档: the problems of the archive checklist still open
    open_items: int = 0
    #: the absent colleague whose case this is, when the user stands in for them today
    on_behalf_of: StaffUser | None = None
    #: 预审: when the department's answer is due
    precheck_due: datetime | None = None


def _work(steps: list[Transition]) -> list[Transition]:
    return steps if any(t.name != StepName.WITHDRAW for t in steps) else []


def _cases(session: Session, reach: Reach, statuses: set[Status] | frozenset[Status], limit: int,
           *loads: Any) -> list[Case]:
    return list(session.scalars(
        select(Case).where(criterion(Case, reach, write=True), Case.status.in_(sorted(statuses)))
        .options(*loads).order_by(URGENCY, Case.registered_on).limit(limit)
    ).all())


def work_queue(session: Session, user: StaffUser, limit: int = 200, today: date | None = None) -> list[QueueItem]:
    """待办: the open cases waiting for a step of ``user``, most urgent first."""
    reach, today = reach_of(user), today or date.today()
    absent = absent_for(session, user, today)
    items = []
    for case in _cases(session, reach, OPEN_STATUSES, limit * 3):
        steps = _work(available_steps(case, user, reach))
        if steps:
            owner = on_behalf_of(session, user, case, sides_of(reach, case), today, absent) if absent else None
            items.append(QueueItem(case, steps, on_behalf_of=owner))
    items.sort(key=lambda item: (_urgency(item.case), item.case.current_due or date.max, item.case.id))
    return items[:limit]


def tracking_queue(session: Session, user: StaffUser, limit: int = 200) -> list[QueueItem]:
    """跟踪中: the open cases of the user's window (drafts aside) that wait for another side's step,
    most urgent first."""
    reach = reach_of(user)
    followed = []
    for case in _cases(session, reach, OPEN_STATUSES - {Status.DRAFT}, limit * 3):
        if sides_of(reach, case) & WINDOW_SIDES:
            steps = available_steps(case, user, reach)
            if not _work(steps):
                followed.append((case, steps))
    since = _last_steps(session, [case.id for case, _ in followed])
    items = [QueueItem(case, steps, waiting_for=waiting_for(case), since=since.get(case.id)) for case, steps in followed]
    items.sort(key=lambda item: (_urgency(item.case), item.case.current_due or date.max, item.case.id))
    return items[:limit]


def archive_queue(session: Session, user: StaffUser, limit: int = 200) -> list[QueueItem]:
    """待归档: the delivered cases the user can archive, oldest delivery first."""
    reach = reach_of(user)
    archivable = []
    for case in _cases(session, reach, {Status.DELIVERED}, limit, *CHECKLIST_LOADS):
        steps = [t for t in available_steps(case, user, reach) if t.name == StepName.ARCHIVE]
        if steps:
            archivable.append((case, steps))
    facts = archive_facts(session, [case.id for case, _ in archivable])
    items = [QueueItem(case, steps, open_items=len(archive_problems(session, case, facts)))
             for case, steps in archivable]
    items.sort(key=lambda item: (item.case.delivered_on or date.max, item.case.id))
    return items


PRECHECK_STEPS = frozenset({StepName.PASS_PRECHECK, StepName.REQUEST_PRECHECK_CORRECTION})


def precheck_queue(session: Session, user: StaffUser, limit: int = 200) -> list[QueueItem]:
    """预审: the cases whose scans wait for the user's pre-check, the one due soonest first."""
    reach = reach_of(user)
    items = []
    for case in _cases(session, reach, {Status.PRECHECK}, limit, selectinload(Case.precheck_rounds)):
        steps = [t for t in available_steps(case, user, reach) if t.name in PRECHECK_STEPS]
        waiting = open_round(case)
        if steps and waiting is not None:
            items.append(QueueItem(case, steps, precheck_due=waiting.due_at))
    items.sort(key=lambda item: (item.precheck_due, item.case.id))
    return items


def _last_steps(session: Session, case_ids: list[int]) -> dict[int, datetime]:
    """When each case last moved (its newest history event), in one statement."""
    if not case_ids:
        return {}
    rows = session.execute(select(CaseEvent.case_id, func.max(CaseEvent.at)).where(CaseEvent.case_id.in_(case_ids))
                           .group_by(CaseEvent.case_id))
    return {case_id: at for case_id, at in rows}


def waiting_for(case: Case) -> list[Any]:
    """Who must take the case's next step (the window, the department or the applicant), by name."""
    names: list[Any] = []
    sides = case_sides(case)
    for transition in TRANSITIONS.values():
        if not transition.starts_from(Status(case.status), sides.delivery_by_mail) or transition.dangerous:
            continue
        for side in sorted(acting_sides(transition, sides)):
            name = _name_of_side(case, side, transition)
            if name not in names:
                names.append(name)
    return names


def _name_of_side(case: Case, side: Side, transition: Transition) -> Any:
    if transition.name == StepName.SUPPLEMENT:
        return case.applicant_name  # the applicant supplies; the window records it
    if side == Side.ORIGIN_WINDOW:
        return case.origin_center.name
    if side == Side.HOME_WINDOW:
        return case.home_center.name
    return case.department.name if case.department else case.department_name


def _urgency(case: Case) -> int:
    return {"red": 0, "yellow": 1}.get(case.warning_level, 2)


#: the work queue's case tabs, in the page's order: 待办, 跟踪中, 待归档, 预审
QUEUE_TABS = {"todo": work_queue, "tracking": tracking_queue, "to_archive": archive_queue, "precheck": precheck_queue}


def queue_tabs(session: Session, user: StaffUser) -> dict[str, list[QueueItem]]:
    """Every case tab of the work queue, as the page and the API show them."""
    return {name: queue(session, user) for name, queue in QUEUE_TABS.items()}
