"""What users see of the orders: the filtered, scoped list (the page, its export, the API and the dashboard's
links share ``OrderFilter``), a case's orders, and the orders waiting for a user's reply (their queue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from app.domain.roles import RoleName
from app.domain.workflow import FROZEN_STATUSES
from app.models.case import Case, CaseEvent
from app.models.staff import StaffUser
from app.models.supervision import SupervisionOrder, SupervisionStatus
from app.scope import Reach, as_record_id, criterion, reach_of
from app.services.supervision.orders import NUDGED, SIDES, may_supervise

#: the list's states: 督办中, 逾期未反馈, 已反馈, 逾期反馈
STATES = ("open", "red", "answered", "late")
PAGE_SIZE = 50


def state_criterion(state: str) -> ColumnElement[bool]:
    """The one definition of each state (the list, the export, the API and the dashboard's counts)."""
    is_open = SupervisionOrder.status == SupervisionStatus.OPEN.value
    answered = SupervisionOrder.status == SupervisionStatus.ANSWERED.value
    return {
        "open": is_open,
        "red": and_(is_open, SupervisionOrder.warning_level == "red"),
        "answered": answered,
        "late": and_(answered, SupervisionOrder.answered_late.is_(True)),
    }.get(state, true())


@dataclass(frozen=True)
class OrderFilter:
    state: str = ""
    issuer_id: int | None = None
    side: str = ""
    case_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "OrderFilter":
        """From a query string (``state``, ``issuer``, ``side``, ``case``); unknown values are ignored."""
        state = str(args.get("state") or "")
        side = str(args.get("side") or "")
        return cls(state=state if state in STATES else "", issuer_id=as_record_id(args.get("issuer") or ""),
                   side=side if side in SIDES else "", case_id=as_record_id(args.get("case") or ""))

    def as_args(self) -> dict[str, Any]:
        args = {"state": self.state, "issuer": self.issuer_id, "side": self.side, "case": self.case_id}
        return {key: value for key, value in args.items() if value}

    def criterion(self) -> ColumnElement[bool]:
        parts = [state_criterion(self.state)] if self.state else []
        if self.issuer_id:
            parts.append(SupervisionOrder.issued_by_fk == self.issuer_id)
        if self.side:
            parts.append(SupervisionOrder.responsible_side == self.side)
        if self.case_id:
            parts.append(SupervisionOrder.case_id == self.case_id)
        return and_(true(), *parts)


LOADS = (selectinload(SupervisionOrder.case).selectinload(Case.matter),)


def scoped_orders(reach: Reach, flt: OrderFilter | None = None):
    flt = flt or OrderFilter()
    return (select(SupervisionOrder).where(criterion(SupervisionOrder, reach), flt.criterion())
            .options(*LOADS).order_by(SupervisionOrder.issued_on.desc(), SupervisionOrder.id.desc()))


def list_orders(session: Session, reach: Reach, flt: OrderFilter | None = None, page: int = 0,
                page_size: int = PAGE_SIZE) -> tuple[int, list[SupervisionOrder]]:
    flt = flt or OrderFilter()
    total = session.scalar(select(func.count()).select_from(SupervisionOrder)
                           .where(criterion(SupervisionOrder, reach), flt.criterion())) or 0
    rows = session.scalars(scoped_orders(reach, flt).offset(max(page, 0) * page_size).limit(page_size)).all()
    return total, list(rows)


def issuers(session: Session, reach: Reach) -> list[tuple[int, str]]:
    """Who issued the orders the user sees (the list's filter)."""
    rows = session.execute(select(SupervisionOrder.issued_by_fk, func.max(SupervisionOrder.issued_by_name))
                           .where(criterion(SupervisionOrder, reach), SupervisionOrder.issued_by_fk.is_not(None))
                           .group_by(SupervisionOrder.issued_by_fk).order_by(SupervisionOrder.issued_by_fk)).all()
    return [(pk, name) for pk, name in rows]


def may_answer(reach: Reach, order: SupervisionOrder) -> bool:
    if not order.is_open:
        return False
    if order.department_id is not None:
        return reach.has_role(RoleName.DEPARTMENT_OFFICER) and order.department_id in reach.department_ids
    return reach.has_role(RoleName.WINDOW_CLERK) and order.center_id in reach.center_ids


@dataclass(frozen=True)
class CaseSupervision:
    """The case page's 督办 panel: the case's orders, how often it was nudged, what the user may do."""

    orders: list[SupervisionOrder]
    nudges: int
    may_issue: bool
    answerable: frozenset[int]
    #: 催办 is for a case still open
    may_nudge: bool = False


def nudge_count(session: Session, case_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CaseEvent)
                          .where(CaseEvent.case_id == case_id, CaseEvent.action == NUDGED)) or 0


def case_supervision(session: Session, user: StaffUser, case: Case) -> CaseSupervision:
    """The orders of a case the user reads (the case is in scope: its orders are too)."""
    reach = reach_of(user)
    orders = list(session.scalars(select(SupervisionOrder).where(SupervisionOrder.case_id == case.id)
                                  .order_by(SupervisionOrder.issued_on.desc(), SupervisionOrder.id.desc())))
    return CaseSupervision(orders, nudge_count(session, case.id), may_supervise(reach),
                           frozenset(o.id for o in orders if may_answer(reach, o)),
                           may_supervise(reach) and case.status not in FROZEN_STATUSES)


def _answerable(reach: Reach) -> ColumnElement[bool]:
    parts = []
    if reach.has_role(RoleName.WINDOW_CLERK) and reach.center_ids:
        parts.append(SupervisionOrder.center_id.in_(sorted(reach.center_ids)))
    if reach.has_role(RoleName.DEPARTMENT_OFFICER) and reach.department_ids:
        parts.append(SupervisionOrder.department_id.in_(sorted(reach.department_ids)))
    return or_(false(), *parts)


def awaiting_reply(session: Session, user: StaffUser, limit: int = 200) -> list[SupervisionOrder]:
    """督办待反馈: the open orders the user's window or department answers, the soonest due first."""
    reach = reach_of(user)
    return list(session.scalars(
        select(SupervisionOrder).where(SupervisionOrder.status == SupervisionStatus.OPEN.value, _answerable(reach))
        .options(*LOADS).order_by(SupervisionOrder.reply_due, SupervisionOrder.id).limit(limit)))
