"""Thin tasks: each calls one service and logs what it did."""

from __future__ import annotations

import logging
import socket
from datetime import date

from flask import current_app

from app.services import calendar as calendar_service
from app.services import system
from app.services.warnings import refresh_warnings
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="kytb.heartbeat")
def heartbeat() -> int:
    """Proves that beat schedules and a worker runs; the health page reads it."""
    beats = system.record_heartbeat(current_app.appbuilder.session, "worker", socket.gethostname())
    log.info("heartbeat %d from %s", beats, socket.gethostname())
    return beats


@celery.task(name="kytb.check_calendar_coverage")
def check_calendar_coverage() -> list[int]:
    missing = calendar_service.missing_years_ahead(current_app.appbuilder.session, date.today())
    if missing:
        log.warning("work calendar has no official arrangement for %s: deadlines there are provisional", missing)
    else:
        log.info("work calendar covers this year and the next")
    return missing


@celery.task(name="kytb.refresh_warnings")
def refresh_case_warnings() -> int:
    """Yellow and red cards for every open case, in one set-based statement."""
    changed = refresh_warnings(current_app.appbuilder.session)
    log.info("deadline warnings refreshed: %d case(s) changed level", changed)
    return changed
