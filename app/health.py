"""``GET /health``: database, broker, the heartbeats of worker and beat, the outbox backlog, the courier
and the SMS gateway, messages given up on (``app.platform.system.health``). 200 when every check is
within its limit (config.py, ``HEALTH_*``); 503 naming the failing checks otherwise. No personal data,
no login."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from kombu import Connection

from app.platform.system import HealthLimits, health

blueprint = Blueprint("health", __name__)


def _broker() -> tuple[bool, str]:
    # The broker the workers use, reached with kombu directly: the web process needs no Celery app.
    try:
        with Connection(current_app.config["CELERY_BROKER_URL"]) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True, ""
    except Exception as error:  # any failure to reach the broker is the answer itself
        return False, type(error).__name__


@blueprint.route("/health")
def health_page():
    ok, error = _broker()
    report = health(current_app.appbuilder.session, ok, error, HealthLimits.from_config(current_app.config))
    return jsonify(report), 200 if report["ok"] else 503
