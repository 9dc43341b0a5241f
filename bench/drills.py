"""Fault drills on real processes (issue 10): web, worker and beat as separate processes on a database
and a Redis of their own, the HTTP courier and SMS providers pointed at the counting fakes of
``tests/fakes``, a steady load of API clients registering and accepting cases, and one fault at a time.

    .venv/bin/python bench/drills.py --quick                  # SQLite, every drill, ~5 minutes
    .venv/bin/python bench/drills.py                          # the same with longer faults (~15 minutes)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/drills.py --quick
    .venv/bin/python bench/drills.py --quick --only worker_kill,redis_loss

Everything listens on 127.0.0.1 only. With ``DATABASE_URL`` (PostgreSQL), the script creates a database
``kytb_drills_<random>`` through that server's ``postgres`` database and drops it at the end; it never
opens any other database (in particular never ``test``). Redis is a ``redis-server --save ''`` of its
own on a free port, killed and restarted empty by the Redis drill.

Per drill it prints:

- ``lost``: accepted cases of the drill without exactly one acceptance notice, SMS delivered by the
  gateway, and courier order at the end (``doubled``: more than one of any);
- ``5xx``: answers of 500 or more the load got (``conn``: requests that got no answer at all);
- ``recovery``: seconds from the end of the fault until every accepted case has all three and
  ``/health`` is green;
- ``red``: whether ``/health`` turned red (503, ``ok: false``) during the fault, after how many seconds
  and naming what; ``green after``: whether it is green at the end.

Settings shortened for the drill are printed at the start (``SETTINGS``); see docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib import error as urlerror
from urllib import request as urlrequest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.processes import GroupProcess  # after the path is set

BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo#2026gy")
CLERK = "lz_window"

#: settings shortened for the drills, and why (the rest are the defaults of config.py)
SETTINGS = {
    "quick": {
        # /health would turn red only 120 s after a worker died: 15 s keeps the worker drill short
        "HEARTBEAT_SECONDS": "5", "HEALTH_HEARTBEAT_MAX_AGE_SECONDS": "15",
        # a job held by a SIGKILLed worker is handed over again after this (default 300 s)
        "OUTBOX_HELD_SECONDS": "30",
        # the SMS retry schedule (default 1, 2, 4 … min, at most 1 h, for a day) shrunk 30-fold
        "NOTIFY_RETRY_FIRST_SECONDS": "2", "NOTIFY_RETRY_LONGEST_SECONDS": "8",
        "NOTIFY_RETRY_BUDGET_SECONDS": "3600", "NOTIFY_SEND_SECONDS": "2",
        # the provider window scaled like the faults (default 300 s; see docs/RELIABILITY.md)
        "HEALTH_PROVIDER_WINDOW_SECONDS": "30",
    },
    "full": {
        # the defaults, except the SMS schedule (an outage of several retry periods must fit in minutes)
        "NOTIFY_RETRY_FIRST_SECONDS": "10", "NOTIFY_RETRY_LONGEST_SECONDS": "40",
        "NOTIFY_RETRY_BUDGET_SECONDS": "7200", "NOTIFY_SEND_SECONDS": "5",
        "HEALTH_PROVIDER_WINDOW_SECONDS": "120",
    },
}
#: seconds: load before the fault, the fault, load after it, the wait for recovery
TIMES = {
    "quick": {"warm": 5, "after": 5, "recover": 100, "worker_kill": 22, "redis_loss": 15, "sms_down": 30,
              "courier_down": 30, "two_beats": 30},
    "full": {"warm": 10, "after": 10, "recover": 420, "worker_kill": 150, "redis_loss": 60, "sms_down": 240,
             "courier_down": 120, "two_beats": 90},
}
DRILLS = ["worker_kill", "redis_loss", "sms_down", "courier_down", "two_beats"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- HTTP ---------------------------------------------------------------------------------------------


def call(method: str, url: str, body: Any = None, token: str = "", timeout: float = 30) -> tuple[int, Any]:
    """(status, JSON answer or None); status 0 when no answer came (refused, reset, timed out)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urlrequest.Request(url, data=data, method=method, headers=headers)
    try:
        with urlrequest.urlopen(req, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urlerror.HTTPError as error:
        status, raw = error.code, error.read()
    except (urlerror.URLError, OSError):
        return 0, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


# --- processes ------------------------------------------------------------------------------------


class Process(GroupProcess):
    """A named child in a process group of its own, logging to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        super().__init__(argv, env, log)


class System:
    """Redis, web, worker(s) and beat(s) of one drill run, and the fakes they talk to."""

    def __init__(self, tmp: Path, env: dict[str, str], redis_port: int, web_port: int) -> None:
        self.tmp, self.env, self.redis_port, self.web_port = tmp, env, redis_port, web_port
        self.redis: Process | None = None
        self.web: Process | None = None
        self.workers: list[Process] = []
        self.beats: list[Process] = []
        self._count = Counter()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _log(self, name: str) -> Path:
        self._count[name] += 1
        return self.tmp / f"{name}-{self._count[name]}.log"

    def start_redis(self) -> None:
        self.redis = Process("redis", [REDIS_SERVER, "--port", str(self.redis_port), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"],
                             self.env, self._log("redis"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def start_web(self) -> None:
        gunicorn = BIN / "gunicorn"
        if gunicorn.exists():
            argv = [str(gunicorn), "--bind", f"127.0.0.1:{self.web_port}", "--workers", "1", "--threads", "4",
                    "--log-level", "warning", "app.factory:create_app()"]
        else:  # werkzeug's threaded server
            argv = [str(BIN / "flask"), "run", "--host", "127.0.0.1", "--port", str(self.web_port),
                    "--with-threads", "--no-reload", "--no-debugger"]
        self.web = Process("web", argv, self.env, self._log("web"))

    def start_worker(self) -> Process:
        n = len(self.workers) + 1
        worker = Process("worker", [str(BIN / "celery"), "-A", "workers.celery_app", "worker", "--loglevel", "INFO",
                                    "--concurrency", "2", "--hostname", f"drill-{n}-{uuid.uuid4().hex[:4]}@%h",
                                    "--queues", "celery,relay", "--without-mingle", "--without-gossip"],
                         self.env, self._log("worker"))
        self.workers.append(worker)
        return worker

    def start_beat(self) -> Process:
        n = len(self.beats) + 1
        beat = Process("beat", [str(BIN / "celery"), "-A", "workers.celery_app", "beat", "--loglevel", "INFO",
                                "-s", str(self.tmp / f"beat-{n}.schedule"), "--pidfile", str(self.tmp / f"beat-{n}.pid")],
                       self.env, self._log("beat"))
        self.beats.append(beat)
        return beat

    def duplicate_deliveries(self) -> int:
        """Deliveries of outbox rows that found their row done or held by another worker (the runner
        answers False), in every worker's log so far: harmless, but a measure of wasted re-sends."""
        pattern = re.compile(r"Task kytb\.run_outbox_message\[[^\]]+\] succeeded in [\d.]+s: False")
        return sum(len(pattern.findall(path.read_text(errors="replace"))) for path in self.tmp.glob("worker-*.log"))

    def stop(self) -> None:
        for process in [*self.beats, *self.workers, self.web, self.redis]:
            if process is not None:
                try:
                    process.stop()
                except Exception as error:  # noqa: BLE001 - stop the others anyway
                    say(f"stopping {process.name}: {error}")


# --- load -----------------------------------------------------------------------------------------


class Load:
    """``clients`` threads, each signed in as the window clerk with JWT, registering and accepting cases
    through the REST API with a pause between cases."""

    def __init__(self, base: str, fields: dict, clients: int, pause: float) -> None:
        self.base, self.fields, self.clients, self.pause = base, fields, clients, pause
        self.lock = threading.Lock()
        self.registered: list[int] = []
        self.accepted: list[int] = []
        self.statuses: Counter = Counter()
        self.errors: list[tuple[float, str, int]] = []  # (time, what, status) of 5xx and no answer
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop.clear()
        self._threads = [threading.Thread(target=self._client, daemon=True, name=f"client-{i}")
                         for i in range(self.clients)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _call(self, what: str, method: str, path: str, body: Any, token: str = "") -> tuple[int, Any]:
        status, answer = call(method, self.base + path, body, token)
        with self.lock:
            self.statuses[status] += 1
            if status == 0 or status >= 500:
                self.errors.append((time.time(), what, status))
        return status, answer

    def _client(self) -> None:
        token = ""
        while not self._stop.is_set():
            if not token:
                status, answer = self._call("login", "POST", "/api/v1/security/login",
                                            {"username": CLERK, "password": PASSWORD, "provider": "db"})
                if status != 200:
                    self._stop.wait(2)
                    continue
                token = answer["access_token"]
            status, answer = self._call("register", "POST", "/api/v1/case/", self.fields, token)
            if status == 401:
                token = ""
                continue
            if status == 201:
                case = answer["result"]
                with self.lock:
                    self.registered.append(case["id"])
                verified = {"verified": [m["seq"] for m in case["materials"]]}
                status, answer = self._call("accept", "POST", f"/api/v1/case/{case['id']}/accept", verified, token)
                if status == 200:
                    with self.lock:
                        self.accepted.append(case["id"])
            self._stop.wait(self.pause)


class HealthWatch:
    """GET /health every second: (time, status, failing)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: list[tuple[float, int, list[str]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="health")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            status, body = call("GET", self.base + "/health", timeout=10)
            failing = list(body.get("failing", [])) if isinstance(body, dict) else ["(no answer)"]
            self.seen.append((time.time(), status, failing))
            self._stop.wait(1)

    def now(self) -> tuple[int, list[str]]:
        status, body = call("GET", self.base + "/health", timeout=10)
        return status, (list(body.get("failing", [])) if isinstance(body, dict) else ["(no answer)"])

    def red_between(self, start: float, end: float) -> tuple[float | None, list[str]]:
        """Seconds after ``start`` of the first red answer before ``end``, and every check named red."""
        first, names = None, []
        for at, status, failing in self.seen:
            if start <= at <= end and status != 200:
                first = at - start if first is None else first
                names += [name for name in failing if name not in names]
        return first, names


# --- accounting -----------------------------------------------------------------------------------


class Books:
    """What each accepted case got: acceptance notices in the database, SMS the gateway delivered,
    courier orders the fake courier holds."""

    def __init__(self, app: Any, ems: Any, gateway: Any) -> None:
        self.app, self.ems, self.gateway = app, ems, gateway

    def of(self, case_ids: list[int]) -> dict[int, dict[str, int]]:
        from sqlalchemy import select

        from app.extensions import db
        from app.models.case import Case, CaseDocument, Notification

        with self.app.app_context():
            session = db.session
            try:
                cases = {c.id: c.number for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))
                         if c.accepted_on is not None}
                notices = Counter(session.scalars(select(CaseDocument.case_id).where(
                    CaseDocument.case_id.in_(list(cases)), CaseDocument.kind == "acceptance")))
                request_ids = dict(session.execute(select(Notification.request_id, Notification.case_id).where(
                    Notification.case_id.in_(list(cases)), Notification.channel == "sms")).all())
            finally:
                session.remove()
        with self.gateway.lock:
            delivered = [sms["request_id"] for sms in self.gateway.deliveries]
        sms = Counter(request_ids[r] for r in delivered if r in request_ids)
        with self.ems.lock:
            references = [o["reference"] for o in self.ems.orders.values() if o["status"] != "cancelled"]
        orders = Counter(references)
        return {case_id: {"notice": notices[case_id], "sms": sms[case_id], "booking": orders[number]}
                for case_id, number in cases.items()}

    @staticmethod
    def lost_and_doubled(books: dict[int, dict[str, int]]) -> tuple[dict[str, int], dict[str, int]]:
        lost = Counter({kind: 0 for kind in ("notice", "sms", "booking")})
        doubled = Counter(lost)
        for got in books.values():
            for kind, n in got.items():
                lost[kind] += n == 0
                doubled[kind] += n > 1
        return dict(lost), dict(doubled)


# --- drills ---------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    fault: str
    accepted: int = 0
    lost: dict = field(default_factory=dict)
    doubled: dict = field(default_factory=dict)
    errors_5xx: int = 0
    no_answer: int = 0
    other: str = ""
    recovery: float | None = None
    red_after: float | None = None
    red_names: list = field(default_factory=list)
    green_after: bool = False
    duplicate_tasks: int = 0
    case_ids: list = field(default_factory=list)

    def row(self) -> str:
        lost, doubled = sum(self.lost.values()), sum(self.doubled.values())
        detail = lambda counts: "" if not any(counts.values()) else " (" + ", ".join(
            f"{k} {v}" for k, v in counts.items() if v) + ")"
        recovery = f"{self.recovery:.0f} s" if self.recovery is not None else "NOT RECOVERED"
        red = (f"yes after {self.red_after:.0f} s: {', '.join(self.red_names)}" if self.red_after is not None
               else "no")
        return (f"| {self.name} | {self.fault} | {self.accepted} | {lost}{detail(self.lost)} | "
                f"{doubled}{detail(self.doubled)} | {self.errors_5xx} | {self.no_answer} | {recovery} | {red} | "
                f"{'yes' if self.green_after else 'NO'} | {self.duplicate_tasks} |")


HEADER = ("| drill | fault | accepted | lost | doubled | 5xx | no answer | recovery | /health red during fault | "
          "green after | duplicate task deliveries |\n|---|---|---|---|---|---|---|---|---|---|---|")


class Drills:
    def __init__(self, system: System, load_factory: Callable[[], Load], books: Books, watch: HealthWatch,
                 gateway: Any, ems: Any, times: dict[str, int]) -> None:
        self.system, self.load_factory, self.books, self.watch = system, load_factory, books, watch
        self.gateway, self.ems, self.times = gateway, ems, times

    # each fault: (description, inject, heal)
    def faults(self, name: str) -> tuple[str, Callable[[], None], Callable[[], None]]:
        s, down = self.system, self.times[name]
        if name == "worker_kill":
            return (f"worker SIGKILLed, restarted after {down} s",
                    lambda: s.workers[-1].kill(), lambda: s.start_worker())
        if name == "redis_loss":
            return (f"Redis SIGKILLed, restarted empty after {down} s",
                    lambda: s.redis.kill(), lambda: s.start_redis())
        if name == "sms_down":
            return (f"SMS gateway answers 503 for {down} s",
                    lambda: setattr(self.gateway, "down", True), lambda: setattr(self.gateway, "down", False))
        if name == "courier_down":
            return (f"courier answers 500 for {down} s",
                    lambda: self.ems.fail(10 ** 9), lambda: self.ems.fail(0))
        if name == "two_beats":
            return (f"a second beat for {down} s", lambda: s.start_beat(), lambda: s.beats.pop().stop())
        raise KeyError(name)

    def run(self, name: str) -> Result:
        fault, inject, heal = self.faults(name)
        result = Result(name, fault)
        load = self.load_factory()
        duplicates_before = self.system.duplicate_deliveries()
        say(f"drill {name}: {fault}")
        load.start()
        time.sleep(self.times["warm"])
        injected = time.time()
        inject()
        time.sleep(self.times[name])
        healed = time.time()
        heal()
        time.sleep(self.times["after"])
        load.stop()
        say(f"  load stopped: {len(load.accepted)} accepted, statuses {dict(load.statuses)}; waiting for recovery")
        result.red_after, result.red_names = self.watch.red_between(injected, healed + 2)
        deadline = healed + self.times["recover"]
        while True:
            books = self.books.of(load.registered)
            lost, _ = Books.lost_and_doubled(books)
            status, failing = self.watch.now()
            if not any(lost.values()) and status == 200:
                result.recovery, result.green_after = time.time() - healed, True
                break
            if time.time() > deadline:
                say(f"  not recovered: lost {lost}, /health {status} {failing}")
                break
            time.sleep(1)
        result.duplicate_tasks = self.system.duplicate_deliveries() - duplicates_before
        result.case_ids = list(load.registered)
        result.accepted = len(books)
        result.lost, result.doubled = Books.lost_and_doubled(books)
        result.errors_5xx = sum(1 for _, _, status in load.errors if status >= 500)
        result.no_answer = sum(1 for _, _, status in load.errors if status == 0)
        result.other = ", ".join(f"{status}: {n}" for status, n in sorted(load.statuses.items())
                                 if status not in (200, 201))
        if load.errors:
            say(f"  errors seen by the load: {Counter((what, status) for _, what, status in load.errors)}")
        say(f"  {result.row()}")
        return result


# --- set-up ----------------------------------------------------------------------------------------


def postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """A database of the drill's own on the server of ``url`` (created through its ``postgres`` database)."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url).set(drivername="postgresql", database="postgres")
    name = f"kytb_drills_{uuid.uuid4().hex[:8]}"
    dsn = server.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    own = make_url(url).set(database=name).render_as_string(hide_password=False)
    return own, drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short faults and shortened limits (~5 minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated drills of {', '.join(DRILLS)}")
    parser.add_argument("--clients", type=int, default=2,
                        help="concurrent API clients (default 2: within one 2-process worker's capacity)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds each client waits between cases")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    drills = [d for d in (args.only.split(",") if args.only else DRILLS) if d]
    unknown = set(drills) - set(DRILLS)
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")

    from tests.fakes.ems import KEY, SECRET, FakeEms
    from tests.fakes.messaging import SmsGateway

    tmp = Path(tempfile.mkdtemp(prefix="kytb-drills-"))
    (tmp / "instance").mkdir()
    given = os.environ.get("DATABASE_URL", "")
    drop: Callable[[], None] = lambda: None
    if given.startswith("postgresql"):
        database, drop = postgres_database(given)
    else:
        database = f"sqlite:///{tmp / 'drills.sqlite'}"
    ems, gateway = FakeEms().start(), SmsGateway().start()
    redis_port, web_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"APP_ENV": "demo", "INSTANCE_DIR": str(tmp / "instance"), "STORAGE_DIR": str(tmp / "storage"),
            "PYTHONPATH": str(ROOT), "FLASK_APP": "app.factory:create_app", "LOG_LEVEL": "INFO",
            "DATABASE_URL": database, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "COURIER_PROVIDER": "http", "COURIER_BASE_URL": ems.url, "COURIER_KEY": KEY, "COURIER_SECRET": SECRET,
            "SMS_PROVIDER": "http", "SMS_GATEWAY_URL": gateway.url, "SMS_GATEWAY_KEY": gateway.KEY,
            "SMS_GATEWAY_SECRET": gateway.SECRET, "DEMO_PASSWORD": PASSWORD}
    env |= SETTINGS[mode]
    say(f"mode {mode}; database {'PostgreSQL (own database)' if given.startswith('postgresql') else 'SQLite'}; "
        f"web on 127.0.0.1:{web_port} ({'gunicorn' if (BIN / 'gunicorn').exists() else 'werkzeug'}); "
        f"redis on 127.0.0.1:{redis_port}; logs in {tmp}")
    say(f"settings changed from the defaults: {SETTINGS[mode]}")
    system = System(tmp, env, redis_port, web_port)
    watch = HealthWatch(system.base)
    results: list[Result] = []
    app = None
    try:
        system.start_redis()
        setup = subprocess.run([str(BIN / "flask"), "setup"], check=False, cwd=ROOT, env=env, capture_output=True, text=True)
        if setup.returncode != 0:
            print(setup.stdout[-3000:], setup.stderr[-3000:], file=sys.stderr)
            return 2
        os.environ.update(env | {"LOG_LEVEL": "WARNING"})  # the driver reads the same database (set before
        # config is imported), without the libraries' chatter
        from app.extensions import db
        from app.factory import create_app
        from tests import factories

        app = create_app()
        with app.app_context():
            fields = factories.case_data(db.session)
            db.session.remove()
        system.start_web()
        system.start_worker()
        system.start_beat()
        started = time.monotonic()
        while time.monotonic() - started < 120:
            status, failing = watch.now()
            if status == 200:
                break
            time.sleep(1)
        else:
            say(f"the system did not turn green in 120 s: {failing}")
            return 2
        say(f"web, worker and beat up, /health green after {time.monotonic() - started:.0f} s")
        watch.start()
        books = Books(app, ems, gateway)
        runner = Drills(system, lambda: Load(system.base, fields, args.clients, args.pause), books, watch,
                        gateway, ems, TIMES[mode])
        for name in drills:
            results.append(runner.run(name))
        # the final word: every case of every drill once more, after all drills
        time.sleep(5)
        for result in results:
            books_now = books.of(result.case_ids)
            result.lost, result.doubled = Books.lost_and_doubled(books_now)
            result.accepted = len(books_now)
        status, failing = watch.now()
        print()
        print(f"mode {mode}, {args.clients} clients, pause {args.pause} s, "
              f"database {'PostgreSQL' if given.startswith('postgresql') else 'SQLite'}; "
              f"settings changed: {SETTINGS[mode] or 'none'}")
        print(HEADER)
        for result in results:
            print(result.row())
        print()
        for result in results:
            print(f"{result.name}: answers other than 200/201 seen by the load: {result.other or 'none'}")
        print(f"\nfinal /health: {status} {failing or 'green'}; courier orders {len(ems.orders)}, "
              f"SMS requests {len(gateway.requests)}, delivered {len(gateway.deliveries)}")
        bad = any(sum(r.lost.values()) or sum(r.doubled.values()) or r.errors_5xx or not r.green_after
                  for r in results)
        return 1 if bad else 0
    finally:
        if watch._thread.is_alive():
            watch.stop()
        system.stop()
        if app is not None:
            from app.extensions import db

            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        ems.stop()
        gateway.stop()
        drop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
