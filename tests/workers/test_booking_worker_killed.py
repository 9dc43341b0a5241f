"""A real Celery worker is SIGKILLed in the middle of a booking; a new worker finishes it, once.

The worker runs as `make run` runs it (with its beat embedded, so the outbox relay runs), on a database
of its own (PostgreSQL beside the test database, or an SQLite file) and a broker of its own (Redis db 5,
or the SQLAlchemy transport on an SQLite file). The fake courier answers the first booking only after
30 s — it has created the order — and the worker is killed while it waits. The killed worker's task is
never acknowledged; the relay republishes the outbox row the dead worker held after OUTBOX_HELD_SECONDS (6 s
here), the new worker asks the courier for the order of the shipment's key and records its waybill:
one order at the courier, one waybill on the shipment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import database_of_its_own
from tests.fakes.ems import KEY, SECRET

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

ACCEPT_A_CASE = """
from app.factory import create_app
from tests import factories

app = create_app()
with app.app_context():
    print(factories.accepted_case(app.appbuilder.session).id)
"""


@pytest.fixture()
def worker_database(app, tmp_path) -> Iterator[str]:
    """PostgreSQL beside the tests' own, or the SQLite file the workers use by default."""
    with database_of_its_own(app, "kytb_courier_worker", tmp_path / "instance" / "app.sqlite") as url:
        yield url


@pytest.fixture()
def worker_redis() -> Iterator[str | None]:
    """Redis database 5 of the test's Redis server (never the test's own), emptied before and after."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        yield None
        return
    import redis

    own = url.rsplit("/", 1)[0] + "/5"
    client = redis.Redis.from_url(own)
    client.flushdb()
    yield own
    client.flushdb()
    client.close()


class Workers:
    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env, self.tmp_path, self.procs = env, tmp_path, []

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "w")
        proc = subprocess.Popen(
            [str(BIN / "celery"), "-A", "workers.celery_app", "worker", "--queues", "celery,relay", "--beat",
             "--schedule",
             str(self.tmp_path / f"{name}-beat"), "--concurrency", "1", "--loglevel", "INFO", "--hostname",
             f"{name}@%h"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((proc, log))
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL to the worker and its embedded beat (its process group), as a lost machine."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.tmp_path.glob("w*.log")))

    def stop_all(self) -> None:
        for proc, log in self.procs:
            self.kill(proc)
            log.close()


@contextmanager
def _engine(url: str):
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        yield engine
    finally:
        engine.dispose()


def _shipment(url: str, case_id: int):
    with _engine(url) as engine, engine.connect() as conn:
        return conn.execute(text(
            "SELECT id, booking_status, waybill_number, booking_key, booking_attempts FROM shipment "
            "WHERE case_id = :case AND direction = 'materials'"), {"case": case_id}).all()


def _dispatch_done(url: str, case_id: int) -> bool:
    with _engine(url) as engine, engine.connect() as conn:
        return conn.execute(text("SELECT done_on FROM outbox_message WHERE case_id = :case AND topic = "
                                 "'book_parcel'"), {"case": case_id}).scalar() is not None


def _wait(predicate, seconds: float, what: str, logs) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n{logs()}")


@pytest.mark.real_worker
def test_a_worker_killed_in_the_middle_of_a_booking_leaves_one_parcel(worker_database, worker_redis, ems, tmp_path):
    started = time.monotonic()
    timings: dict[str, float] = {}
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUTH_RATE_LIMIT") and not k.startswith("COURIER_")}
    env |= {"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT),
            "COURIER_PROVIDER": "http", "COURIER_BASE_URL": ems.url, "COURIER_KEY": KEY, "COURIER_SECRET": SECRET,
            "COURIER_TIMEOUT_SECONDS": "60", "OUTBOX_RELAY_SECONDS": "1", "OUTBOX_STALE_SECONDS": "6", "OUTBOX_HELD_SECONDS": "6",
            "HEARTBEAT_SECONDS": "3600", "TRACKING_SECONDS": "3600", "DEADLINE_CHECK_SECONDS": "3600"}
    if worker_database.startswith("postgresql"):
        env["DATABASE_URL"] = worker_database
    if worker_redis:
        env["REDIS_URL"] = worker_redis
    setup = subprocess.run([str(BIN / "flask"), "--app", "app.factory:create_app", "setup", "--demo"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-4000:]
    accepted = subprocess.run([sys.executable, "-c", ACCEPT_A_CASE], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
    assert accepted.returncode == 0, accepted.stderr[-4000:]
    case_id = int(accepted.stdout.strip().splitlines()[-1])
    timings["setup"] = time.monotonic() - started

    ems.slow(30.0)  # the first booking creates the order, then keeps the worker waiting
    workers = Workers(env, tmp_path)
    try:
        first = workers.start("w1")
        _wait(ems.booking_arrived.is_set, 90, "the first booking request", workers.logs)
        timings["first booking request"] = time.monotonic() - started
        time.sleep(0.5)
        workers.kill(first)
        killed_at = time.monotonic()
        [(_, status, waybill, key, attempts)] = _shipment(worker_database, case_id)
        assert (status, waybill, attempts) == ("planned", "", 1), "the kill landed during the booking"
        assert key.startswith("kytb-shipment-") and list(ems.by_key) == [key]

        workers.start("w2")
        _wait(lambda: _shipment(worker_database, case_id)[0][1] == "booked", 90, "the booking to finish",
              workers.logs)
        timings["recovered after the kill"] = time.monotonic() - killed_at
        _wait(lambda: _dispatch_done(worker_database, case_id), 30, "the outbox row to be done", workers.logs)
    finally:
        workers.stop_all()

    [(_, status, waybill, key, attempts)] = _shipment(worker_database, case_id)
    assert len(ems.orders) == 1 and list(ems.orders) == [waybill], "one order at the courier, its waybill on record"
    assert ems.orders[waybill]["idempotency_key"] == key and attempts == 2
    assert len(ems.calls("GET", "/v1/orders?idempotency_key=")) >= 1  # the new worker asked for the key's order
    timings["total"] = time.monotonic() - started
    print("real-worker timings (s):", {k: round(v, 1) for k, v in timings.items()})
