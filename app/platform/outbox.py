"""The transactional outbox: side effects are rows written in the same transaction as the case change,
so a committed step always gets its jobs and a rolled-back one never does.

- ``queue`` writes a row (called by the step commands).
- ``publish_pending`` (the relay, run by beat every few seconds on a queue of its own) records rows as
  published, commits, then hands them to the jobs queue. It publishes again only rows no worker holds
  and the queue lost: a row still waiting in a long queue is never sent twice (see ``_due``).
- ``run_message`` (the worker) takes a row (marks it started and held, counts the attempt), carries it
  out once (handlers are idempotent, keyed by the row) and gives it back done or failed.
- ``backlog`` and ``figures`` say how the outbox is doing (the health page); ``purge_probes`` removes old
  probe rows.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, NamedTuple

from flask import current_app
from sqlalchemy import and_, case, false, func, or_, select, update
from sqlalchemy import delete as sa_delete
from sqlalchemy.orm import Session

from app.domain.workflow import Effect
from app.models.base import now
from app.models.case import Case, OutboxMessage

log = logging.getLogger(__name__)

#: the topic of a probe row: it does nothing, but a worker taking it proves the jobs queue got that far
QUEUE_MARK = "queue_mark"
#: how long a worker may take between taking a task from the queue and recording the start of its row
#: (a fresh worker process builds the app first): the queue has passed a row only that long after
QUEUE_GRACE = timedelta(seconds=10)


def queue(session: Session, effect: Effect, case: Case | None, **payload: Any) -> OutboxMessage:
    message = OutboxMessage(topic=effect.topic, key=effect.key, case_id=case.id if case else None,
                            payload={"case_version": case.version if case else None, **payload})
    session.add(message)
    return message


#: the static portal rebuilt (``app.services.public.portal``): queued when a guide is published or an article saved
PUBLISH_PORTAL = Effect("publish_portal", "site")


def queue_once(session: Session, effect: Effect, **payload: Any) -> OutboxMessage:
    """Queues a job about no case unless the same job already waits, not handed to the queue yet: a job that
    redoes everything (the portal) asked for twice before the relay runs is done once."""
    waiting = session.scalar(select(OutboxMessage).where(
        OutboxMessage.topic == effect.topic, OutboxMessage.key == effect.key, OutboxMessage.done_on.is_(None),
        OutboxMessage.published_on.is_(None)).limit(1))
    return waiting if waiting is not None else queue(session, effect, None, **payload)


def _limits(stale_after: timedelta | None, held_after: timedelta | None) -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (timedelta(seconds=config["OUTBOX_STALE_SECONDS"]) if stale_after is None else stale_after,
            timedelta(seconds=config["OUTBOX_HELD_SECONDS"]) if held_after is None else held_after)


def publish_pending(session: Session, send: Callable[[int], Any], *, at: datetime | None = None,
                    stale_after: timedelta | None = None, held_after: timedelta | None = None,
                    queues_lost_before: Callable[[datetime], datetime | None] | None = None,
                    limit: int = 200) -> list[int]:
    """Records due rows as published, commits, then hands each to ``send`` (which enqueues a job); returns
    their ids. Recording first: a relay killed after the commit leaves rows the queue never got, which
    the next runs find lost (never rows done but counted unpublished). A failed send un-marks the rows
    not sent yet, and raises. ``queues_lost_before(at)`` asks the broker since when it holds its queues:
    rows published before that and not taken were lost with the old ones (Redis restarted empty) and
    are handed over again at once, oldest first, without waiting for the stale limit."""
    at = at or now()
    stale_after, held_after = _limits(stale_after, held_after)
    lost_before = queues_lost_before(at) if queues_lost_before else None
    passed = _queue_mark(session, at, stale_after + held_after)
    rows = _due(session, at, stale_after, held_after, passed, lost_before, limit)
    for row in rows:
        row.published_on, row.started_on, row.held_by, row.retry_on = at, None, "", None
    probe = _probe_if_needed(session, at, stale_after, passed)
    if probe is not None:
        rows.append(probe)
    session.commit()
    published = [row.id for row in rows]
    for position, message_id in enumerate(published):
        try:
            send(message_id)
        except Exception:
            _unmark(session, published[position:], at)
            raise
    if published:
        log.info("outbox: published %d message(s): %s", len(published), published)
    return published


def _due(session: Session, at: datetime, stale_after: timedelta, held_after: timedelta,
         passed: datetime | None, lost_before: datetime | None, limit: int) -> list[OutboxMessage]:
    """Rows to publish now: new ones; rows the queue lost (published, no worker took them, and a row
    published after them was taken: the queue passed them; or published before the broker lost its
    queues); failed rows whose retry never came; rows a worker took and neither finished nor gave back
    within the held limit (it died, or its retries ran out)."""
    row = OutboxMessage
    waiting = and_(row.started_on.is_(None), row.retry_on.is_(None))
    lost_in_queue = and_(waiting, row.published_on < at - stale_after, row.published_on < passed) if passed else false()
    lost_with_broker = and_(waiting, row.published_on < lost_before) if lost_before else false()
    stmt = (select(row)
            .where(row.done_on.is_(None),
                   or_(row.published_on.is_(None),
                       lost_in_queue,
                       lost_with_broker,
                       and_(row.retry_on.is_not(None), row.retry_on < at - stale_after),
                       and_(row.started_on.is_not(None), row.retry_on.is_(None), row.started_on < at - held_after)))
            .order_by(row.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two relays never publish the same row
    return list(session.scalars(stmt))


def _queue_mark(session: Session, at: datetime, window: timedelta) -> datetime | None:
    """How far the jobs queue got: the latest publication a worker has taken (at least QUEUE_GRACE ago,
    so rows taken beside it have recorded their start too). The queue is first in, first out: a row
    published before it and not taken was lost, not waiting."""
    row = OutboxMessage
    # a row taken before the time its relay wrote (another machine's clock) proves only its start
    reached = case((row.started_on < row.published_on, row.started_on), else_=row.published_on)
    return session.scalar(select(func.max(reached))
                          .where(row.published_on >= at - window, row.started_on.is_not(None),
                                 row.started_on <= at - QUEUE_GRACE))


def _probe_if_needed(session: Session, at: datetime, stale_after: timedelta,
                     passed: datetime | None) -> OutboxMessage | None:
    """A probe row when rows have waited past the stale limit and no later row was taken to tell whether
    the queue still holds them (no other traffic) — unless a probe sent within the stale limit is on its
    way. In a long queue that is one probe per stale period, never a copy of the rows."""
    row = OutboxMessage
    newest_waiting = session.scalar(select(func.max(row.published_on)).where(
        row.done_on.is_(None), row.started_on.is_(None), row.retry_on.is_(None), row.published_on < at - stale_after))
    if newest_waiting is None or (passed is not None and passed > newest_waiting):
        return None
    on_its_way = session.scalar(select(row.id).where(row.topic == QUEUE_MARK, row.done_on.is_(None),
                                                     row.published_on >= at - stale_after).limit(1))
    if on_its_way is not None:
        return None
    probe = OutboxMessage(topic=QUEUE_MARK, key="", payload={}, published_on=at)
    session.add(probe)
    session.flush()
    return probe


def purge_probes(session: Session, at: datetime | None = None) -> int:
    """Removes probe rows written more than a day ago (done or not): a probe is a mark only within the
    stale and held limits; kept, one per stale period of every long queue would pile up for ever.
    Returns how many it removed."""
    at = at or now()
    stale_after, held_after = _limits(None, None)
    kept = max(timedelta(days=1), 2 * (stale_after + held_after))
    removed = session.execute(sa_delete(OutboxMessage).where(OutboxMessage.topic == QUEUE_MARK,
                                                             OutboxMessage.created_on < at - kept)
                              .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return removed


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


def _unmark(session: Session, message_ids: list[int], at: datetime) -> None:
    """Rows recorded as published but not sent: unpublished again, so the next run sends them."""
    session.rollback()
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(message_ids), OutboxMessage.published_on == at)
                    .values(published_on=None).execution_options(synchronize_session=False))
    session.commit()


def run_message(session: Session, message_id: int, *, holder: str = "", retry_in: float | None = None) -> bool:
    """Carries out one outbox row; False when it was done already or another worker holds it (a duplicate
    delivery). ``holder`` names the worker and task; ``retry_in``: seconds until the task retries a failed
    attempt (None: it will not), so the relay leaves the row to that retry."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.done_on is not None:
        return False
    handler = HANDLERS.get(message.topic)
    if handler is None:
        raise LookupError(f"no handler for outbox topic {message.topic!r}")
    if not _take(session, message_id, holder or f"{socket.gethostname()}:{os.getpid()}"):
        log.info("outbox: message %d is done or held by another worker: left to it", message_id)
        return False
    message = session.get(OutboxMessage, message_id)
    try:
        handler(session, message)
        message = session.get(OutboxMessage, message_id)  # a handler may have committed
        message.done_on, message.last_error, message.held_by = now(), "", ""
        session.commit()
    except Exception as error:
        session.rollback()
        _record_failure(session, message_id, error, retry_in)
        raise
    log.info("outbox: %s:%s of case %s done (message %d)", message.topic, message.key, message.case_id, message_id)
    return True


def _take(session: Session, message_id: int, holder: str) -> bool:
    """Marks the row started and held by ``holder`` and counts the attempt (once), committed before the
    handler runs so the relay sees it; refused while another live worker holds it."""
    at = now()
    held_after = timedelta(seconds=current_app.config["OUTBOX_HELD_SECONDS"])
    row = OutboxMessage
    taken = session.execute(
        update(row).where(row.id == message_id, row.done_on.is_(None),
                          or_(row.held_by == "", row.started_on.is_(None), row.started_on < at - held_after))
        .values(started_on=at, held_by=holder[:128], retry_on=None, attempts=row.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    return taken.rowcount == 1


def _record_failure(session: Session, message_id: int, error: Exception, retry_in: float | None) -> None:
    """The attempt ended: not held any more, its error kept, its retry's time if one comes (the attempt
    was counted when it started)."""
    message = session.get(OutboxMessage, message_id)
    if message is not None:
        message.held_by = ""
        message.retry_on = now() + timedelta(seconds=retry_in) if retry_in is not None else None
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        session.commit()


@handles(QUEUE_MARK)
def _queue_reached(session: Session, message: OutboxMessage) -> None:
    """A probe: nothing to do; its start, recorded by ``run_message``, is the mark (see ``_queue_mark``)."""


class Backlog(NamedTuple):
    unfinished: int  #: rows not done
    oldest_unpublished: datetime | None  #: when the oldest row not done and not published was written


def backlog(session: Session) -> Backlog:
    """How many rows are not done, and when the oldest of them never handed to the queue was written."""
    row = OutboxMessage
    pending = session.scalar(select(func.count()).select_from(row).where(row.done_on.is_(None)))
    oldest = session.scalar(select(func.min(row.created_on)).where(row.done_on.is_(None), row.published_on.is_(None)))
    return Backlog(pending or 0, oldest)


@dataclass(frozen=True)
class OutboxFigures:
    """The outbox at a glance, for the health page (ages in seconds, None when there is no such row)."""

    unfinished: int  #: rows not done
    oldest_unfinished_age: float | None  #: since the oldest row not done was written
    unpublished: int  #: rows not done and not handed to the queue
    oldest_unpublished_age: float | None
    held: int  #: rows a worker is carrying out now
    stuck: int  #: rows held longer than OUTBOX_HELD_SECONDS: their worker probably died (sent again soon)
    oldest_held_age: float | None  #: since the longest-held row was taken
    waiting_retry: int  #: failed rows waiting for their retry
    failing: int  #: rows not done whose last attempt failed


def figures(session: Session, at: datetime | None = None) -> OutboxFigures:
    """Counts and ages of the rows not done (one query)."""
    at = at or now()
    row = OutboxMessage
    held_after = timedelta(seconds=current_app.config["OUTBOX_HELD_SECONDS"])
    held = row.held_by != ""
    result = session.execute(select(
        func.count(), func.min(row.created_on),
        _count(row.published_on.is_(None)), func.min(row.created_on).filter(row.published_on.is_(None)),
        _count(held), _count(held, row.started_on < at - held_after), func.min(row.started_on).filter(held),
        _count(row.retry_on.is_not(None)), _count(row.last_error != ""),
    ).where(row.done_on.is_(None))).one()

    def age(moment: datetime | None) -> float | None:
        return round((at - moment).total_seconds(), 1) if moment else None

    return OutboxFigures(result[0], age(result[1]), result[2], age(result[3]), result[4], result[5], age(result[6]),
                         result[7], result[8])


def _count(*where: Any) -> Any:
    return func.count().filter(and_(*where))
