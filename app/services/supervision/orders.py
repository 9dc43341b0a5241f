"""The commands of 督办: each validates first (``validate()`` lists every problem at once) and then runs in one
transaction (``run()``), writing the case history (``add_event``) with the order.

- ``IssueOrders``: a city supervisor (any case) or a county administrator (the cases of its county) issues one
  督办单 per case of a selection — all or nothing: one case that cannot take it refuses the whole selection,
  with every problem named;
- ``ReplyToOrder``: the responsible side answers (反馈) once — the clerks of the window, the officers of the
  department; a second reply is a conflict (409);
- ``NudgeCase``: 催办, one click on a case, logged as a case event and counted.

Out of scope is missing (NotFound, 404): a case or an order the user may not read, an order the user may not
answer (it is another side's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.roles import RoleName
from app.domain.workflow import FROZEN_STATUSES, Side
from app.errors import Conflict, Forbidden, NotFound, Problem, ProblemCollector, ValidationFailed
from app.models.base import now
from app.models.case import Case
from app.models.staff import StaffUser
from app.models.supervision import SupervisionOrder, SupervisionStatus
from app.scope import OutOfScope, Reach, as_record_id, criterion, get_in_scope, reach_of
from app.services.calendar import load_calendar
from app.services.cases.access import actor_place
from app.services.cases.history import add_event

TEXT_MAX_CHARS = 2000
NOTE_MAX_CHARS = 200
DEFAULT_REPLY_DAYS = 3
MAX_REPLY_DAYS = 30
#: the most cases one order may be issued on at once
MAX_CASES = 200
ISSUED, REPLIED, NUDGED = "supervision_issued", "supervision_replied", "supervision_nudged"
SIDES = (Side.ORIGIN_WINDOW.value, Side.HOME_WINDOW.value, Side.DEPARTMENT.value)
SUPERVISORS = (RoleName.CITY_SUPERVISOR, RoleName.COUNTY_ADMIN)
NOT_A_SUPERVISOR = _l("Only the city supervisor and the county administrators issue supervision orders and nudge.")


def may_supervise(reach: Reach) -> bool:
    return any(reach.has_role(role) for role in SUPERVISORS)


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _supervisor(actor: StaffUser) -> Reach:
    reach = reach_of(actor)
    if not may_supervise(reach):
        raise Forbidden(Problem(None, NOT_A_SUPERVISOR))
    return reach


def responsible_unit(case: Case, side: str) -> tuple[int | None, int | None, int | None]:
    """(center id, department id, region id) of the unit answering for ``side`` of the case, or Nones when that
    side is outside the system (an outside window, a department not in the system)."""
    if side == Side.ORIGIN_WINDOW.value and not case.origin_center.external:
        return case.origin_center_id, None, case.origin_center.region_id
    if side == Side.HOME_WINDOW.value and not case.home_center.external:
        return case.home_center_id, None, case.home_center.region_id
    if side == Side.DEPARTMENT.value and case.department is not None:
        return None, case.department_id, case.department.region_id
    return None, None, None


def sides_inside(case: Case) -> list[str]:
    """The sides of the case an order can be addressed to (those with users in the system)."""
    return [side for side in SIDES if any(responsible_unit(case, side))]


def _reply_days(raw: Any, problems: ProblemCollector) -> int:
    try:
        days = int(str(raw).strip()) if not isinstance(raw, bool) and raw not in (None, "") else None
    except ValueError:
        days = None
    if days is None:
        problems.add("reply_days", _l("Enter the reply deadline as a number of working days."))
        return 0
    if not 1 <= days <= MAX_REPLY_DAYS:
        problems.add("reply_days", _l("The reply deadline is 1 to %(n)d working days.", n=MAX_REPLY_DAYS))
    return days


@dataclass
class IssueOrders:
    """督办单 on every case of ``case_ids``: ``instruction``, ``responsible_side`` (origin_window / home_window /
    department), ``reply_days`` (working days from today)."""

    session: Session
    actor: StaffUser
    case_ids: Iterable[Any]
    values: Mapping[str, Any]
    today: date | None = None
    cases: list[Case] = field(default_factory=list)

    def _load_cases(self, reach: Reach) -> list[Case]:
        raw = list(self.case_ids if isinstance(self.case_ids, (list, tuple)) else [self.case_ids])
        ids = [as_record_id(value) for value in raw]
        if any(pk is None for pk in ids):
            raise NotFound()
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        found = {case.id: case for case in self.session.scalars(
            select(Case).where(Case.id.in_(ids), criterion(Case, reach)))}
        if len(found) != len(ids):  # one is missing or out of scope: the selection is refused as missing
            raise NotFound()
        return [found[pk] for pk in ids]

    def validate(self) -> list[Problem]:
        reach = _supervisor(self.actor)
        self.cases = self._load_cases(reach)
        problems = ProblemCollector()
        if not self.cases:
            problems.add("case_ids", _l("Choose at least one case."))
        elif len(self.cases) > MAX_CASES:
            problems.add("case_ids", _l("At most %(n)d cases at once.", n=MAX_CASES))
        instruction = _text(self.values, "instruction")
        if not instruction:
            problems.add("instruction", _l("Write the instruction."))
        elif len(instruction) > TEXT_MAX_CHARS:
            problems.add("instruction", _l("At most %(n)d characters.", n=TEXT_MAX_CHARS))
        side = _text(self.values, "responsible_side")
        if side not in SIDES:
            problems.add("responsible_side", _l("Choose who answers: the accepting window, the home window or the "
                                                "department."))
        _reply_days(self.values.get("reply_days"), problems)
        if side in SIDES:
            for case in self.cases:
                if not any(responsible_unit(case, side)):
                    problems.add(f"case_ids[{case.id}]", _l(
                        "Case %(number)s: that side is outside the system and cannot answer; choose another.",
                        number=case.label))
        return problems.problems

    def run(self) -> list[SupervisionOrder]:
        try:
            problems = self.validate()
            if problems:
                raise ValidationFailed(problems)
            today = self.today or date.today()
            at = now()
            days = int(str(self.values.get("reply_days")).strip())
            deadline = load_calendar(self.session).add_working_days(today, days)
            instruction, side = _text(self.values, "instruction"), _text(self.values, "responsible_side")
            orders = []
            for case in self.cases:
                center_id, department_id, region_id = responsible_unit(case, side)
                order = SupervisionOrder(
                    case_id=case.id, issued_by_fk=self.actor.id, issued_by_name=self.actor.name or self.actor.username,
                    issued_by_place=actor_place(self.actor), issued_on=at, instruction=instruction,
                    responsible_side=side, center_id=center_id, department_id=department_id, region_id=region_id,
                    reply_days=days, reply_due=deadline.due, due_provisional=deadline.provisional,
                    status=SupervisionStatus.OPEN.value, warning_level="none")
                self.session.add(order)
                self.session.flush()
                order.case = case
                add_event(self.session, case, ISSUED, case.status, self.actor, note=instruction,
                          data={"order_id": order.id, "responsible_side": side, "responsible": order.responsible_unit,
                                "reply_due": deadline.due.isoformat()})
                orders.append(order)
            self.session.commit()
            return orders
        except Exception:
            self.session.rollback()
            raise


def _may_answer(reach: Reach, order: SupervisionOrder) -> bool:
    if order.department_id is not None:
        return reach.has_role(RoleName.DEPARTMENT_OFFICER) and order.department_id in reach.department_ids
    return reach.has_role(RoleName.WINDOW_CLERK) and order.center_id in reach.center_ids


@dataclass
class ReplyToOrder:
    """反馈: ``reply``, what the responsible side did or will do; once."""

    session: Session
    actor: StaffUser
    order_id: Any
    values: Mapping[str, Any]
    today: date | None = None
    order: SupervisionOrder | None = None

    def validate(self) -> list[Problem]:
        reach = reach_of(self.actor)
        try:
            self.order = get_in_scope(self.session, SupervisionOrder, self.order_id, reach, write=True, lock=True)
        except OutOfScope:
            raise NotFound() from None
        if not _may_answer(reach, self.order):
            raise NotFound()
        if self.order.status == SupervisionStatus.ANSWERED.value:
            raise Conflict(Problem(None, _l("This supervision order was answered already.")))
        if self.order.status != SupervisionStatus.OPEN.value:
            raise Conflict(Problem(None, _l("This supervision order was withdrawn.")))
        problems = ProblemCollector()
        reply = _text(self.values, "reply")
        if not reply:
            problems.add("reply", _l("Write the reply."))
        elif len(reply) > TEXT_MAX_CHARS:
            problems.add("reply", _l("At most %(n)d characters.", n=TEXT_MAX_CHARS))
        return problems.problems

    def run(self) -> SupervisionOrder:
        try:
            problems = self.validate()
            if problems:
                raise ValidationFailed(problems)
            order, at = self.order, now()
            today = self.today or at.date()
            order.reply = _text(self.values, "reply")
            order.replied_by_fk, order.replied_by_name = self.actor.id, self.actor.name or self.actor.username
            order.replied_by_place, order.replied_on = actor_place(self.actor), at
            order.status, order.warning_level = SupervisionStatus.ANSWERED.value, "none"
            order.answered_late = today > order.reply_due
            add_event(self.session, order.case, REPLIED, order.case.status, self.actor, note=order.reply,
                      data={"order_id": order.id, "late": order.answered_late})
            self.session.commit()
            return order
        except Exception:
            self.session.rollback()
            raise


@dataclass
class NudgeCase:
    """催办: one click on an open case (an optional short ``note``), logged in the case history."""

    session: Session
    actor: StaffUser
    case_id: Any
    values: Mapping[str, Any] = field(default_factory=dict)
    case: Case | None = None

    def validate(self) -> list[Problem]:
        reach = _supervisor(self.actor)
        try:
            self.case = get_in_scope(self.session, Case, self.case_id, reach)
        except OutOfScope:
            raise NotFound() from None
        if self.case.status in FROZEN_STATUSES:
            raise Conflict(Problem(None, _l("The case is closed: there is nothing to nudge.")))
        problems = ProblemCollector()
        if len(_text(self.values, "note")) > NOTE_MAX_CHARS:
            problems.add("note", _l("At most %(n)d characters.", n=NOTE_MAX_CHARS))
        return problems.problems

    def run(self) -> Case:
        try:
            problems = self.validate()
            if problems:
                raise ValidationFailed(problems)
            case = self.case
            add_event(self.session, case, NUDGED, case.status, self.actor, note=_text(self.values, "note"),
                      data={"nudge": True})
            self.session.commit()
            return case
        except Exception:
            self.session.rollback()
            raise


def issue_orders(session: Session, actor: StaffUser, case_ids: Iterable[Any], values: Mapping[str, Any], *,
                 today: date | None = None) -> list[SupervisionOrder]:
    return IssueOrders(session, actor, case_ids, values, today).run()


def reply_to_order(session: Session, actor: StaffUser, order_id: Any, values: Mapping[str, Any], *,
                   today: date | None = None) -> SupervisionOrder:
    return ReplyToOrder(session, actor, order_id, values, today).run()


def nudge_case(session: Session, actor: StaffUser, case_id: Any, values: Mapping[str, Any] | None = None) -> Case:
    return NudgeCase(session, actor, case_id, values or {}).run()


def answered_late(order: SupervisionOrder, on: datetime | date | None = None) -> bool:
    """Whether a reply on ``on`` (now) comes after the due day."""
    day = on.date() if isinstance(on, datetime) else (on or date.today())
    return day > order.reply_due
