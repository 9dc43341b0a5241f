"""The transactional outbox: side effects are rows written in the same transaction as the case change,
so a committed step always gets its jobs and a rolled-back one never does.

- ``queue`` writes a row (called by the step commands).
- ``publish_pending`` (the relay, run by beat every few seconds) hands unpublished rows to the job
  queue, and re-publishes rows that were published long ago but never finished — a Redis restart
  (this Redis keeps nothing on disk) or a lost worker costs a delay, never a job.
- ``run_message`` (the worker) carries one row out, once: handlers are idempotent, keyed by the row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain.workflow import Effect
from app.models.base import now
from app.models.case import Case, OutboxMessage

log = logging.getLogger(__name__)

def queue(session: Session, effect: Effect, case: Case | None, **payload: Any) -> OutboxMessage:
    message = OutboxMessage(topic=effect.topic, key=effect.key, case_id=case.id if case else None,
                            payload={"case_version": case.version if case else None, **payload})
    session.add(message)
    return message


def publish_pending(session: Session, send: Callable[[int], Any], *, at: datetime | None = None,
                    stale_after: timedelta | None = None, limit: int = 200) -> list[int]:
    """Hands due rows to ``send`` (which enqueues a job) and marks them published; returns their ids."""
    at = at or now()
    if stale_after is None:
        # a published row not finished after this long is published again
        stale_after = timedelta(seconds=current_app.config["OUTBOX_STALE_SECONDS"])
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.done_on.is_(None),
                   or_(OutboxMessage.published_on.is_(None), OutboxMessage.published_on < at - stale_after))
            .order_by(OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two relays never publish the same row
    published = []
    for message in session.scalars(stmt):
        send(message.id)
        message.published_on = at
        published.append(message.id)
    session.commit()
    if published:
        log.info("outbox: published %d message(s): %s", len(published), published)
    return published


Handler = Callable[[Session, OutboxMessage], Any]

#: job name (the topic of an outbox row) -> the function that carries it out; filled by ``@handles``
HANDLERS: dict[str, Handler] = {}


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Registers the function that carries out the job ``topic`` (one per topic). The modules that
    declare handlers are imported at start-up by ``app.services.load_use_cases``."""

    def register(handler: Handler) -> Handler:
        if topic in HANDLERS and HANDLERS[topic] is not handler:
            raise LookupError(f"two handlers for the outbox topic {topic!r}")
        HANDLERS[topic] = handler
        return handler

    return register


def run_message(session: Session, message_id: int) -> bool:
    """Carries out one outbox row; False when it was done already (a duplicate delivery)."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.done_on is not None:
        return False
    handler = HANDLERS.get(message.topic)
    if handler is None:
        raise LookupError(f"no handler for outbox topic {message.topic!r}")
    message.attempts += 1
    try:
        handler(session, message)
        message = session.get(OutboxMessage, message_id)  # a handler may have committed
        message.done_on, message.last_error = now(), ""
        session.commit()
    except Exception as error:
        session.rollback()
        _record_failure(session, message_id, error)
        raise
    log.info("outbox: %s:%s of case %s done (message %d)", message.topic, message.key, message.case_id, message_id)
    return True


def _record_failure(session: Session, message_id: int, error: Exception) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is not None:
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        session.commit()


def backlog(session: Session) -> tuple[int, datetime | None]:
    """How many rows are unfinished, and when the oldest unpublished one was written (health page)."""
    pending = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.done_on.is_(None)))
    oldest = session.scalar(select(func.min(OutboxMessage.created_on)).where(OutboxMessage.published_on.is_(None)))
    return pending or 0, oldest
