"""Beat's own heartbeat: Celery's scheduler, recording in the database when beat last scheduled (process
``beat``), every ``HEARTBEAT_SECONDS``. The worker's heartbeat is a task beat schedules, so it falls silent
with either; this one tells them apart on ``GET /health``."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

from celery.beat import PersistentScheduler

import config
from app.platform import system
from workers.celery_app import flask_app

log = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    """``celery beat``'s default scheduler, plus the heartbeat; a database that cannot be reached costs the
    heartbeat (health turns red), never the schedule."""

    _last_reported = float("-inf")

    def tick(self, *args: Any, **kwargs: Any) -> float:
        next_tick = super().tick(*args, **kwargs)
        if time.monotonic() - self._last_reported >= config.HEARTBEAT_SECONDS:
            self._report()
        return min(next_tick, config.HEARTBEAT_SECONDS)  # wake up in time for the next heartbeat

    def _report(self) -> None:
        try:
            with flask_app().app_context() as context:
                beats = system.record_heartbeat(context.app.appbuilder.session, "beat", socket.gethostname())
            self._last_reported = time.monotonic()
            log.debug("beat heartbeat %d", beats)
        except Exception as error:  # reported on /health by the heartbeat's age; tried again next tick
            log.warning("beat could not record its heartbeat: %s", error)

