"""The worker's consumer: Celery's, trying a lost broker again every second or two.

Celery backs off to 30 s between attempts to reach a broker that went away (kombu's defaults: 2, 4, 6 …
30 s), so after a Redis outage of a minute a worker may start consuming only 10–30 s after Redis is back.
A local Redis costs nothing to ask more often; the relay, which runs on a worker, then hands over what the
outage lost within seconds (``workers/broker.py``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from celery.worker.consumer import Consumer

import config


class PromptConsumer(Consumer):
    def ensure_connected(self, conn: Any) -> Any:
        seconds = config.BROKER_RETRY_SECONDS
        conn.ensure_connection = partial(conn.ensure_connection, interval_start=seconds, interval_step=seconds,
                                         interval_max=seconds)
        return super().ensure_connected(conn)
