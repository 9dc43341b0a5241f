"""Webhooks across a worker restart: a real Celery worker is SIGKILLed while a receiver on 127.0.0.1 holds one
of its deliveries; a new worker finishes. The receiver got every event of the cases, all signatures valid, and
after deduplicating by X-Kytb-Event-Id exactly one per event (the killed one again, under the same id).

Set up as ``test_booking_worker_killed``: a database and a broker of the test's own, the worker run as
``make run`` runs it (beat embedded, so the outbox relay runs); OUTBOX_HELD_SECONDS 6, so the row the dead
worker held is published again 6 s after it died.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import database_of_its_own
from tests.workers.test_booking_worker_killed import Workers

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "kytb-webhook-test-secret-0123456789"

WORK_CASES = """
import sys
from app.factory import create_app
from app.models.webhook import WebhookSubscriber
from tests import factories

app = create_app()
with app.app_context():
    session = app.appbuilder.session
    subscriber = WebhookSubscriber(name="12345热线", url=sys.argv[1], secret=sys.argv[2], active=True,
                                   account=factories.user(session, "lz_admin"))
    session.add(subscriber)
    session.commit()
    cases = [factories.accepted_case(session) for _ in range(2)]
    factories.step(session, "lz_window", cases[0], "dispatch", waybill_number="EMS1234567890CN")
    print(subscriber.id, *[case.id for case in cases])
"""


@pytest.fixture()
def webhook_database(app, tmp_path) -> Iterator[str]:
    """PostgreSQL beside the tests' own, or the SQLite file the workers use by default."""
    with database_of_its_own(app, "kytb_webhook_worker", tmp_path / "instance" / "app.sqlite") as url:
        yield url


@pytest.fixture()
def webhook_redis() -> Iterator[str | None]:
    """Redis database 6 of the test's Redis server (never the test's own), emptied before and after."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        yield None
        return
    import redis

    own = url.rsplit("/", 1)[0] + "/6"
    client = redis.Redis.from_url(own)
    client.flushdb()
    yield own
    client.flushdb()
    client.close()


def _rows(url: str, sql: str, **params):
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def _wait(predicate, seconds: float, what: str, logs) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n{logs()}")


@pytest.mark.real_worker
def test_every_event_reaches_the_receiver_once_in_effect_across_a_worker_kill(webhook_database, webhook_redis,
                                                                             webhook_receiver, tmp_path):
    webhook_receiver.secret = SECRET
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUTH_RATE_LIMIT") and not k.startswith("COURIER_")}
    env |= {"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT),
            "WEBHOOK_TIMEOUT_SECONDS": "60", "OUTBOX_RELAY_SECONDS": "1", "OUTBOX_STALE_SECONDS": "6",
            "OUTBOX_HELD_SECONDS": "6", "HEARTBEAT_SECONDS": "3600", "TRACKING_SECONDS": "3600",
            "DEADLINE_CHECK_SECONDS": "3600"}
    if webhook_database.startswith("postgresql"):
        env["DATABASE_URL"] = webhook_database
    if webhook_redis:
        env["REDIS_URL"] = webhook_redis
    setup = subprocess.run([str(BIN / "flask"), "--app", "app.factory:create_app", "setup", "--demo"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-4000:]
    worked = subprocess.run([sys.executable, "-c", WORK_CASES, webhook_receiver.url, SECRET], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert worked.returncode == 0, worked.stderr[-4000:]
    subscriber_id, *case_ids = map(int, worked.stdout.strip().splitlines()[-1].split())
    events = [row[0] for row in _rows(webhook_database, "SELECT id FROM case_event WHERE case_id IN (:a, :b) "
                                                       "ORDER BY id", a=case_ids[0], b=case_ids[1])]
    assert len(events) >= 5  # two registered and accepted, one dispatched
    expected = {f"kytb-{subscriber_id}-{event_id}" for event_id in events}

    def delivered() -> int:
        return _rows(webhook_database, "SELECT count(*) FROM webhook_delivery WHERE subscriber_id = :s AND "
                                      "status = 'delivered'", s=subscriber_id)[0][0]

    webhook_receiver.slow(30.0)  # the first delivery is received, then its answer keeps the worker waiting
    workers = Workers(env, tmp_path)
    try:
        first = workers.start("w1")
        _wait(webhook_receiver.arrived.is_set, 90, "the first delivery", workers.logs)
        time.sleep(0.5)
        workers.kill(first)
        assert delivered() < len(events), "the kill landed while deliveries were in flight"
        workers.start("w2")
        _wait(lambda: delivered() == len(events), 120, "every delivery", workers.logs)
    finally:
        workers.stop_all()

    received = webhook_receiver.received
    assert all(r.signature_ok for r in received)
    assert {r.delivery_id for r in received} == expected  # every event, nothing else
    for r in received:
        assert r.delivery_id == f"kytb-{subscriber_id}-{r.payload['event']['event_id']}"
    counts = {i: sum(1 for r in received if r.delivery_id == i) for i in expected}
    repeated = {i for i, n in counts.items() if n > 1}
    assert len(repeated) <= 1 and all(counts[i] == 2 for i in repeated)  # only the one the dead worker held
    attempts = _rows(webhook_database, "SELECT attempts FROM webhook_delivery WHERE subscriber_id = :s",
                     s=subscriber_id)
    assert sorted(a for (a,) in attempts)[:-1] == [1] * (len(events) - 1)
