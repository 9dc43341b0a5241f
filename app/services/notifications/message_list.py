"""已发送消息 and 发送失败的消息 as their pages list them: the messages within the reader's scope (the scope rule of
``Notification``), filtered by the pages' search columns (channel, message, delivery status, the day written),
the newest first; the parked ones only for 发送失败的消息. One message by id (404 outside the scope)."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, ProblemCollector
from app.models.case import Notification
from app.scope import Reach, as_record_id, criterion
from app.services.list_filters import chosen, within_days
from app.services.notifications.messages import SPECS

CHANNELS = ("sms", "mail")
STATUSES = ("pending", "sending", "sent", "failed", "parked")


def events() -> tuple[str, ...]:
    return tuple(sorted({event for event, _ in SPECS}))


def _where(values: Mapping[str, Any], *, parked: bool) -> list[Any]:
    problems = ProblemCollector()
    clauses: list[Any] = [Notification.status == Notification.PARKED] if parked else []
    choices = {"channel": CHANNELS, "event": events(), **({} if parked else {"status": STATUSES})}
    for name, allowed in choices.items():
        chosen(values, name, allowed, getattr(Notification, name), clauses, problems)
    within_days(values, "created_from", "created_to", Notification.created_on, clauses, problems)
    problems.raise_if_any()
    return clauses


def messages_in(session: Session, reach: Reach, values: Mapping[str, Any], *, parked: bool = False,
                offset: int = 0, limit: int = 50) -> tuple[int, list[Notification]]:
    """(how many, one page of) the messages in scope and filter, the newest first."""
    where = [criterion(Notification, reach), *_where(values, parked=parked)]
    total = session.scalar(select(func.count(Notification.id)).where(*where)) or 0
    rows = session.scalars(select(Notification).where(*where)
                           .order_by(Notification.created_on.desc(), Notification.id.desc()).offset(offset).limit(limit))
    return total, list(rows)


def message_in(session: Session, reach: Reach, message_id: Any, *, parked: bool = False) -> Notification:
    """One message in scope (a parked one for 发送失败的消息); NotFound otherwise."""
    pk = as_record_id(message_id)
    where = [Notification.id == pk, criterion(Notification, reach)]
    if parked:
        where.append(Notification.status == Notification.PARKED)
    found = None if pk is None else session.scalar(select(Notification).where(*where))
    if found is None:
        raise NotFound()
    return found
