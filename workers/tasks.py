"""Thin tasks: each calls one service and logs what it did."""

from __future__ import annotations

import logging
import socket
from datetime import date
from typing import Any

from celery.signals import worker_ready
from flask import current_app

from app.platform import outbox, system
from app.services import calendar as calendar_service
from workers import broker
from workers.celery_app import celery

log = logging.getLogger(__name__)

#: the relay publishes at most RELAY_BATCHES batches of RELAY_BATCH rows a run (each batch one transaction)
RELAY_BATCH, RELAY_BATCHES = 200, 25


@celery.task(name="kytb.heartbeat")
def heartbeat() -> int:
    """Proves that beat schedules and a worker runs; the health page reads it."""
    beats = system.record_heartbeat(current_app.appbuilder.session, "worker", socket.gethostname())
    log.info("heartbeat %d from %s", beats, socket.gethostname())
    return beats


@worker_ready.connect
def report_when_ready(**_: Any) -> None:
    """A worker that has just started queues a heartbeat at once (through the broker, so it proves that
    a worker consumes): beat's first one comes a whole period after beat starts, and /health would be red
    until then."""
    heartbeat.apply_async()


@celery.task(name="kytb.check_calendar_coverage")
def check_calendar_coverage() -> list[int]:
    missing = calendar_service.missing_years_ahead(current_app.appbuilder.session, date.today())
    if missing:
        log.warning("work calendar has no official arrangement for %s: deadlines there are provisional", missing)
    else:
        log.info("work calendar covers this year and the next")
    return missing


@celery.task(name="kytb.relay_outbox")
def relay_outbox() -> int:
    """Hands committed side effects to the workers; re-publishes those lost with a Redis restart."""
    session, published = current_app.appbuilder.session, 0
    with celery.connection_for_write() as connection:
        for _ in range(RELAY_BATCHES):  # after an outage, the whole backlog at once, not a batch per period
            batch = outbox.publish_pending(
                session, lambda message_id: run_outbox_message.apply_async(args=[message_id]),
                queues_lost_before=lambda at: broker.queues_lost_before(connection, at), limit=RELAY_BATCH)
            published += len(batch)
            if len(batch) < RELAY_BATCH:
                break
    outbox.purge_probes(session)
    return published


@celery.task(name="kytb.run_outbox_message", bind=True, acks_late=True, max_retries=8)
def run_outbox_message(self, message_id: int) -> bool:
    """One side effect (render a notice, send an SMS, book a parcel), once; retried with backoff."""
    countdown = min(2 ** self.request.retries * 5, 600)
    try:
        return outbox.run_message(current_app.appbuilder.session, message_id,
                                  holder=f"{self.request.hostname}/{self.request.id}",
                                  retry_in=countdown if self.request.retries < self.max_retries else None)
    except Exception as error:  # the service recorded it on the row; retry later, doubling the wait
        log.warning("outbox message %s failed (attempt %s): %s", message_id, self.request.retries + 1, error)
        raise self.retry(exc=error, countdown=countdown)
