"""``GET /health`` against real worker and beat processes: green while they run, red naming the worker
within the heartbeat limit once the worker is stopped, and naming beat once beat is stopped too."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import database_of_its_own
from tests.processes import CeleryProcess

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 8
HEARTBEAT_SECONDS, MAX_AGE_SECONDS = 1, 6


@pytest.fixture(scope="module")
def system(app, tmp_path_factory):
    """An app on a database of its own, its health limits tight, and the environment of its processes."""
    from app.cli import setup
    from app.extensions import db
    from app.factory import create_app

    tmp = tmp_path_factory.mktemp("health")
    (tmp / "instance").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"APP_ENV": "test", "INSTANCE_DIR": str(tmp / "instance"), "STORAGE_DIR": str(tmp / "storage"),
            "PYTHONPATH": str(ROOT), "HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS), "OUTBOX_RELAY_SECONDS": "1",
            "DEADLINE_CHECK_SECONDS": "3600", "TRACKING_SECONDS": "3600"}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = broker = os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{REDIS_DB}"
    else:
        broker = f"sqla+sqlite:///{tmp / 'instance' / 'celery-broker.sqlite'}"
    with database_of_its_own(app, "kytb_health", tmp / "health.sqlite") as url:
        env["DATABASE_URL"] = url
        other = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": tmp / "storage",
                            "CELERY_BROKER_URL": broker, "HEALTH_HEARTBEAT_MAX_AGE_SECONDS": MAX_AGE_SECONDS})
        with other.app_context():
            setup(with_demo=False)
            db.session.remove()
        yield other, env, tmp
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _health(app) -> dict:
    from app.extensions import db

    with app.app_context():
        response = app.test_client().get("/health")
        db.session.remove()
    body = response.get_json()
    assert (response.status_code == 200) is body["ok"]
    return body


def _wait_for(app, condition, seconds: float) -> tuple[dict, float]:
    """The health report once ``condition(report)`` holds (or the last one), and how long it took."""
    started = time.monotonic()
    body = _health(app)
    while not condition(body) and time.monotonic() - started < seconds:
        time.sleep(0.5)
        body = _health(app)
    return body, time.monotonic() - started


@pytest.mark.real_worker
def test_stopped_worker_then_stopped_beat_turn_health_red_within_the_limit(system):
    app, env, tmp = system
    worker = CeleryProcess(["worker", "--loglevel", "INFO", "--concurrency", "1", "--hostname",
                            f"health-{uuid.uuid4().hex[:6]}@%h", "--without-mingle", "--without-gossip"],
                           env, tmp / "worker.log")
    beat = CeleryProcess(["beat", "--loglevel", "INFO", "-s", str(tmp / "schedule"), "--pidfile",
                          str(tmp / "beat.pid")], env, tmp / "beat.log")
    try:
        body, _ = _wait_for(app, lambda b: b["ok"], 90)
        assert body["ok"], (body, worker.text()[-3000:], beat.text()[-3000:])
        assert body["worker"]["age_seconds"] <= MAX_AGE_SECONDS and body["beat"]["age_seconds"] <= MAX_AGE_SECONDS

        worker.kill()
        body, waited = _wait_for(app, lambda b: not b["ok"], MAX_AGE_SECONDS + 10)
        assert body["failing"] == ["worker"], body
        assert waited <= MAX_AGE_SECONDS + 2 * HEARTBEAT_SECONDS + 1

        beat.kill()
        body, _ = _wait_for(app, lambda b: "beat" in b["failing"], MAX_AGE_SECONDS + 10)
        assert body["failing"] == ["worker", "beat"], body
    finally:
        worker.stop()
        beat.stop()


@pytest.mark.real_worker
def test_a_worker_just_started_reports_at_once_not_after_the_first_heartbeat_period(system):
    """Beat's first heartbeat task comes one period after it starts (a minute by default): the worker
    reports as soon as it is ready, so /health is not red for that first period."""
    app, env, tmp = system
    worker = CeleryProcess(["worker", "--loglevel", "INFO", "--concurrency", "1", "--hostname",
                            f"health-{uuid.uuid4().hex[:6]}@%h", "--without-mingle", "--without-gossip"],
                           env | {"HEARTBEAT_SECONDS": "3600"}, tmp / "worker-ready.log")
    try:
        body, _ = _wait_for(app, lambda b: b["worker"]["ok"], 45)
        assert body["worker"]["ok"], (body, worker.text()[-3000:])
    finally:
        worker.stop()
