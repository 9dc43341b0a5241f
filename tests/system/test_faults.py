"""Jobs that never lose work, against a real broker (Redis when REDIS_URL is set — CI — otherwise the
embedded SQLAlchemy transport) and real Celery worker processes on a database of their own:

- a committed step whose queued job is wiped from the broker still gets its job, once;
- a worker SIGKILLed while rendering a notice: the notice is finished once in effect;
- a jobs queue that keeps rows waiting longer than the stale limit: every row is delivered once;
- a relay killed after sending some rows but before recording them (now: after recording all of them,
  before sending the rest): every job runs once and nothing done is counted as unpublished;
- a Redis restarted empty (one of the test's own): the jobs it lost are handed over at the next relay
  run, not after the stale limit.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import func, select

from tests import factories
from tests.conftest import database_of_its_own
from tests.fakes import free_port
from tests.processes import CeleryProcess, RedisServer

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 7


@pytest.fixture(scope="module")
def system(app, tmp_path_factory):
    """An app on a database of its own with the demo loaded, and the environment of its workers."""
    from app.cli import setup
    from app.factory import create_app

    tmp = tmp_path_factory.mktemp("faults")
    (tmp / "instance").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"APP_ENV": "test", "INSTANCE_DIR": str(tmp / "instance"), "STORAGE_DIR": str(tmp / "storage"),
            "PYTHONPATH": str(ROOT)}
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        env["REDIS_URL"] = broker = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    else:
        broker = f"sqla+sqlite:///{tmp / 'instance' / 'celery-broker.sqlite'}"
    overrides = {"STORAGE_DIR": tmp / "storage"}

    def started(url: str):
        env["DATABASE_URL"] = url
        other = create_app(overrides | {"SQLALCHEMY_DATABASE_URI": url})
        with other.app_context():
            setup(with_demo=True)
            from app.extensions import db
            from tests.factories import run_outbox

            run_outbox(db.session)  # what set-up queued (the portal's build): each test counts only its own jobs
            db.session.remove()
        return other

    with database_of_its_own(app, "kytb_faults", tmp / "faults.sqlite") as url:
        other = started(url)
        yield other, env, broker
        _dispose(other)


def _dispose(app) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def start_worker(env: dict[str, str], log: Path) -> CeleryProcess:
    """A real ``celery worker`` process, stopped (or killed) by the test."""
    return CeleryProcess(["worker", "--loglevel", "INFO", "--concurrency", "1", "--hostname",
                          f"fault-{uuid.uuid4().hex[:6]}@%h", "--without-mingle", "--without-gossip"], env, log)


def _sender(broker: str):
    client = Celery("fault-test", broker=broker)
    return lambda message_id: client.send_task("kytb.run_outbox_message", args=[message_id])


def _wipe(broker: str) -> None:
    """Empties the queue, as a Redis restart does (it keeps nothing on disk)."""
    if broker.startswith("redis"):
        import redis

        redis.Redis.from_url(broker).flushdb()
    else:  # every queued message of the embedded broker
        import sqlite3

        path = broker.removeprefix("sqla+sqlite:///")
        with sqlite3.connect(path) as conn:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'kombu_message'").fetchone():
                conn.execute("DELETE FROM kombu_message")


def _accepted_case_id(app) -> int:
    """A case accepted in the system's own database (its three jobs in the outbox)."""
    from app.extensions import db

    with app.app_context():
        case_id = factories.accepted_case(db.session).id
        db.session.remove()
    return case_id


def _publish(app, broker: str, stale: bool = False) -> list[int]:
    from app.extensions import db
    from app.models.base import now
    from app.platform.outbox import publish_pending

    with app.app_context():
        at = now() + timedelta(hours=1) if stale else None
        published = publish_pending(db.session, _sender(broker), at=at)
        db.session.remove()
    return published


def _state(app, case_id: int) -> dict[str, int]:
    from app.extensions import db
    from app.models.case import CaseDocument, Notification, OutboxMessage, Shipment

    with app.app_context():
        session = db.session
        count = lambda model, *where: session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
        state = {
            "documents": count(CaseDocument, CaseDocument.case_id == case_id),
            "sms": count(Notification, Notification.case_id == case_id),
            "shipments": count(Shipment, Shipment.case_id == case_id),
            "unfinished": count(OutboxMessage, OutboxMessage.case_id == case_id, OutboxMessage.done_on.is_(None)),
            "started": count(OutboxMessage, OutboxMessage.case_id == case_id, OutboxMessage.attempts > 0),
        }
        session.remove()
    return state


def _wait_done(app, message_id: int, timeout: float = 60) -> None:
    from app.extensions import db
    from app.models.case import OutboxMessage

    deadline = time.monotonic() + timeout
    with app.app_context():
        while db.session.get(OutboxMessage, message_id).done_on is None and time.monotonic() < deadline:
            db.session.remove()
            time.sleep(0.5)
        db.session.remove()


def _wait(app, case_id: int, condition, timeout: float = 90) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    state = _state(app, case_id)
    while time.monotonic() < deadline and not condition(state):
        time.sleep(0.5)
        state = _state(app, case_id)
    return state


def test_a_queue_wiped_before_and_after_publishing_still_runs_every_job_once(system, tmp_path):
    app, env, broker = system
    case_id = _accepted_case_id(app)
    _wipe(broker)  # the broker restarts before the relay ran: the rows are in the database
    assert len(_publish(app, broker)) == 3
    _wipe(broker)  # and again after publishing: the jobs themselves are gone
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        time.sleep(3)
        assert _state(app, case_id)["unfinished"] == 3  # nothing left to run …
        [probe] = _publish(app, broker, stale=True)  # … the relay asks how far the queue got …
        _wait_done(app, probe)
        assert len(_publish(app, broker, stale=True)) == 3  # … and publishes again the rows it passed
        state = _wait(app, case_id, lambda s: s["unfinished"] == 0)
        assert _publish(app, broker, stale=True) == []  # done rows are never published again
        time.sleep(2)
    finally:
        worker.stop()
    assert state == {"documents": 1, "sms": 1, "shipments": 1, "unfinished": 0, "started": 3}, \
        (tmp_path / "worker.log").read_text()[-3000:]


def test_a_worker_killed_while_rendering_a_notice_leaves_it_finished_once(system, tmp_path):
    app, env, broker = system
    case_id = _accepted_case_id(app)
    worker = start_worker(env, tmp_path / "worker-1.log")
    try:
        _publish(app, broker)
        state = _wait(app, case_id, lambda s: s["started"] >= 1, timeout=60)
        assert state["started"] >= 1
    finally:
        worker.kill()  # SIGKILL: no chance to finish or to acknowledge
    replacement = start_worker(env, tmp_path / "worker-2.log")
    try:
        time.sleep(2)
        _publish(app, broker, stale=True)
        state = _wait(app, case_id, lambda s: s["unfinished"] == 0)
    finally:
        replacement.stop()
    assert state["documents"] == 1 and state["sms"] == 1 and state["shipments"] == 1 and state["unfinished"] == 0


# --- the relay: a queue backlog is not a loss; a relay killed between its send and its record --------


def _duplicates(log: str) -> int:
    """Deliveries of outbox rows that found their row done or held by another (the runner answers False)."""
    return len(re.findall(r"Task kytb\.run_outbox_message\[[^\]]+\] succeeded in [\d.]+s: False", log))


def _rows(app) -> list:
    from app.extensions import db
    from app.models.case import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        db.session.remove()
    return rows


def _relay(app, broker: str, send=None) -> list[int]:
    """One run of the relay as beat runs it, with a stale limit of 2 s."""
    from app.extensions import db
    from app.platform.outbox import publish_pending

    with app.app_context():
        try:
            return publish_pending(db.session, send or _sender(broker), stale_after=timedelta(seconds=2))
        finally:
            db.session.remove()


def _backlog(app):
    from app.extensions import db
    from app.platform.outbox import backlog

    with app.app_context():
        figures = backlog(db.session)
        db.session.remove()
    return figures


def _relay_until_done(app, broker: str, case_ids: list[int], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_state(app, c)["unfinished"] for c in case_ids):
        _relay(app, broker)
        time.sleep(0.5)


def test_a_queue_backlog_longer_than_the_stale_limit_runs_every_job_once(system, tmp_path):
    app, env, broker = system
    _wipe(broker)
    case_ids = [_accepted_case_id(app) for _ in range(6)]
    _relay(app, broker)  # 18 jobs queued at once; one worker process takes them one by one
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        _relay_until_done(app, broker, case_ids)  # the relay keeps running every half second meanwhile
        time.sleep(3)
    finally:
        worker.stop()
    log = worker.text()
    ours = [row for row in _rows(app) if row.case_id in case_ids]
    assert all(row.done_on for row in ours), log[-3000:]
    assert _duplicates(log) == 0, log[-3000:]
    assert max(row.started_on - row.published_on for row in ours) > timedelta(seconds=2)  # a real backlog
    assert [_state(app, c) for c in case_ids] == [
        {"documents": 1, "sms": 1, "shipments": 1, "unfinished": 0, "started": 3}] * len(case_ids)


class RelayKilled(BaseException):
    """The relay's process dies (not an error it could handle)."""


def test_a_relay_killed_between_sending_and_recording_leaves_no_row_unpublished_and_runs_each_job_once(
        system, tmp_path):
    app, env, broker = system
    _wipe(broker)
    case_ids = [_accepted_case_id(app) for _ in range(2)]
    send, sent = _sender(broker), []

    def killed_after_the_third(message_id: int) -> None:
        send(message_id)
        sent.append(message_id)
        if len(sent) == 3:
            raise RelayKilled()

    with pytest.raises(RelayKilled):
        _relay(app, broker, killed_after_the_third)
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        _relay_until_done(app, broker, case_ids)
        time.sleep(3)
    finally:
        worker.stop()
    log = worker.text()
    ours = [row for row in _rows(app) if row.case_id in case_ids]
    assert all(row.done_on for row in ours), log[-3000:]
    unfinished, oldest_unpublished = _backlog(app)
    assert oldest_unpublished is None  # nothing done is counted as unpublished
    assert unfinished == len([row for row in _rows(app) if row.done_on is None and row.topic == "queue_mark"])
    assert _duplicates(log) == 0, log[-3000:]
    assert [_state(app, c) for c in case_ids] == [
        {"documents": 1, "sms": 1, "shipments": 1, "unfinished": 0, "started": 3}] * len(case_ids)


# --- Redis restarted empty: the jobs it held are handed over at the next relay run ----------------------


def test_jobs_lost_with_a_redis_restarted_empty_are_handed_over_at_once_not_after_the_stale_limit(system, tmp_path):
    import redis as redis_client

    from workers.broker import MARK

    app, env, _ = system
    redis = RedisServer(free_port(), tmp_path)
    # the stale limit far beyond the test: only knowing that the broker lost its queues can recover them
    env = env | {"REDIS_URL": redis.url, "OUTBOX_STALE_SECONDS": "600", "OUTBOX_RELAY_SECONDS": "1"}
    beat = CeleryProcess(["beat", "--loglevel", "INFO", "-s", str(tmp_path / "schedule"),
                          "--pidfile", str(tmp_path / "beat.pid")], env, tmp_path / "beat.log")
    worker = start_worker(env, tmp_path / "worker-1.log")
    try:
        deadline = time.monotonic() + 60
        while not redis_client.Redis.from_url(redis.url).exists(MARK) and time.monotonic() < deadline:
            time.sleep(0.5)  # the relay has run against this Redis: it holds the mark
        worker.stop()
        case_id = _accepted_case_id(app)
        assert len(_publish(app, redis.url)) >= 3  # queued, no worker to take them …
        redis.kill()
        redis.start()  # … and lost: Redis comes back empty
        worker = start_worker(env, tmp_path / "worker-2.log")
        state = _wait(app, case_id, lambda s: s["unfinished"] == 0, timeout=60)
    finally:
        worker.stop()
        beat.stop()
        redis.kill()
    log = worker.text()
    assert state == {"documents": 1, "sms": 1, "shipments": 1, "unfinished": 0, "started": 3}, log[-3000:]
    assert _duplicates(log) == 0, log[-3000:]


# --- the SMS gateway down longer than the retry budget: parked, red, resent, delivered once -------------


def test_an_sms_through_a_gateway_down_past_its_budget_is_parked_red_on_health_and_resent_once(system, tmp_path):
    from app.extensions import db
    from app.models.case import Notification
    from app.scope import SYSTEM
    from app.services.notifications.messages import resend_parked
    from tests.fakes.messaging import SmsGateway

    app, env, broker = system
    _wipe(broker)
    gateway = SmsGateway().start()
    gateway.down = True
    # the promised schedule (1, 2, 4 … minutes within a day) shrunk to seconds: 1, 2, 2, 2 s within 8 s
    env = env | {key: str(value) for key, value in gateway.config().items()} | {
        "NOTIFY_RETRY_FIRST_SECONDS": "1", "NOTIFY_RETRY_LONGEST_SECONDS": "2", "NOTIFY_RETRY_BUDGET_SECONDS": "8",
        "NOTIFY_SEND_SECONDS": "1", "OUTBOX_RELAY_SECONDS": "1"}
    beat = CeleryProcess(["beat", "--loglevel", "INFO", "-s", str(tmp_path / "schedule"),
                          "--pidfile", str(tmp_path / "beat.pid")], env, tmp_path / "beat.log")
    worker = start_worker(env, tmp_path / "worker.log")

    def sms() -> Notification | None:
        with app.app_context():
            message = db.session.scalar(select(Notification).where(Notification.case_id == case_id,
                                                                   Notification.channel == "sms"))
            db.session.expunge_all()
            db.session.remove()
        return message

    def wait_for(status: str, timeout: float = 90) -> Notification | None:
        deadline = time.monotonic() + timeout
        while (message := sms()) is None or message.status != status:
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return message

    try:
        case_id = _accepted_case_id(app)
        parked = wait_for(Notification.PARKED)
        assert parked is not None and parked.status == Notification.PARKED, worker.text()[-3000:]
        attempts = len(gateway.requests)
        assert attempts >= 4  # retried on its schedule, not given up after one try
        with app.app_context():
            health = app.test_client().get("/health")
            assert health.status_code == 503 and "messages" in health.get_json()["failing"]
            gateway.down = False  # the gateway is back; a person presses 重新发送
            resend_parked(db.session, SYSTEM, [parked.id])
            db.session.remove()
        sent = wait_for("sent")
    finally:
        worker.stop()
        beat.stop()
        gateway.stop()
    assert sent is not None and sent.status == "sent", worker.text()[-3000:]
    assert len(gateway.deliveries) == 1 and gateway.deliveries[0]["request_id"] == sent.request_id
