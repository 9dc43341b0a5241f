"""The event feed: every case event a reach may read, in a stable order, from a cursor (docs/WEBHOOKS.md).

Ids are no cursor: on PostgreSQL an event's id is taken when it is written, not when its transaction commits,
so an event with a smaller id can become visible after a larger one, and a client that had stored the larger
one would never see it. Events are therefore numbered (``feed_seq``) after they are committed, by
``number_events``, one numbering at a time (an advisory lock on PostgreSQL; SQLite has one writer anyway):
whatever becomes visible later gets a larger number than everything numbered before. The cursor is that number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.errors import ProblemCollector
from app.models.case import Case, CaseEvent
from app.scope import Reach, criterion

log = logging.getLogger(__name__)

#: the key of the PostgreSQL advisory lock that makes one numbering run at a time ("kytbfeed")
FEED_LOCK = 0x6B797462
NUMBER_BATCH = 5000
DEFAULT_LIMIT = 100


def number_events(session: Session, batch: int = NUMBER_BATCH) -> int:
    """Gives the committed events not numbered yet the next feed numbers, in id order, and commits; returns how
    many. Two at once wait for each other, so the numbers follow the order events became visible."""
    if session.scalar(select(CaseEvent.id).where(CaseEvent.feed_seq.is_(None)).limit(1)) is None:
        return 0
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})
        ids = list(session.scalars(select(CaseEvent.id).where(CaseEvent.feed_seq.is_(None))
                                   .order_by(CaseEvent.id).limit(batch)))
        last = session.scalar(select(func.max(CaseEvent.feed_seq))) or 0
        if ids:
            session.execute(update(CaseEvent), [{"id": event_id, "feed_seq": last + position}
                                                for position, event_id in enumerate(ids, start=1)])
        session.commit()
    except OperationalError as error:  # SQLite busy with another writer: the next read numbers them
        session.rollback()
        log.warning("event feed: numbering postponed: %s", error)
        return 0
    return len(ids)


def event_json(event: CaseEvent) -> dict[str, Any]:
    """One event as the feed and the webhooks give it: no personal data of the applicant (no note, no data);
    the actor's name and place as the case API shows them."""
    return {"cursor": event.feed_seq, "event_id": event.id, "case_id": event.case_id,
            "case_number": event.case.number or "", "seq": event.seq, "action": event.action,
            "from_status": event.from_status, "to_status": event.to_status,
            "at": event.at.isoformat(timespec="seconds") if event.at else None,
            "actor_name": event.actor_name or "", "actor_place": event.actor_place or ""}


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    next: int  #: the cursor to ask with next time (the last one given, or the one asked with)
    more: bool  #: whether more events wait beyond this page


def parse_request(after: Any, limit: Any, max_limit: int) -> tuple[int, int]:
    """``after`` and ``limit`` from the query string; every problem at once."""
    problems = ProblemCollector()
    cursor = _number(after, 0)
    if cursor is None or cursor < 0:
        problems.add("after", _l("The cursor must be a whole number of 0 or more."))
    size = _number(limit, DEFAULT_LIMIT)
    if size is None or not 1 <= size <= max_limit:
        problems.add("limit", _l("The limit must be a whole number from 1 to %(max)s.", max=max_limit))
    problems.raise_if_any()
    return cursor, size


def _number(value: Any, default: int) -> int | None:
    if value is None or value == "":
        return default
    text_value = str(value).strip()
    if not (text_value.isascii() and text_value.isdigit()) or len(text_value) > 12:
        return None
    return int(text_value)


def read_feed(session: Session, reach: Reach, after: int, limit: int) -> FeedPage:
    """The events after the cursor ``after`` that the reach may read (those of the cases it reads), oldest
    first, at most ``limit``. Numbers the events committed since the last call first."""
    number_events(session)
    rows = list(session.scalars(
        select(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.feed_seq > after, criterion(Case, reach))
        .order_by(CaseEvent.feed_seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return FeedPage([event_json(row) for row in rows], rows[-1].feed_seq if rows else after, more)
