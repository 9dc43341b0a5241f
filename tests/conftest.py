"""Test set-up: one real database (PostgreSQL when DATABASE_URL is set, an SQLite file otherwise),
migrated from empty and loaded with the demo data once per session; every test runs inside a
transaction that is rolled back afterwards, so tests see the demo data and never each other.

With CI=true a database or Redis that cannot be reached fails the run instead of skipping tests.

Fixtures for every test: ``app``, ``db``, ``client``, ``login``, ``api``; ``postgresql`` (skip without
it) and ``postgresql_app`` (an app of its own that commits for real); ``ems`` and ``http_courier`` (the
fake courier). Plain helpers: ``config_override``, ``rolled_back_session``, ``count_statements``,
``csrf_token``, ``web_login``, ``api_token``, ``in_threads``, ``database_of_its_own``,
``instance_of_its_own``, ``postgresql_database_beside``. Records and cases come from ``tests/factories.py``.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="kytb-tests-"))
os.environ["APP_ENV"] = "test"
os.environ["INSTANCE_DIR"] = str(_TMP / "instance")
os.environ.setdefault("RATELIMIT_KEY_PREFIX", f"kytb-test-{uuid.uuid4().hex[:8]}")
os.environ.setdefault("DEMO_PASSWORD", "Demo#2026gy")
# Hundreds of logins from 127.0.0.1 in one run; the limit itself is tested with a tiny one.
os.environ.setdefault("AUTH_RATE_LIMIT", "10000 per minute")
# Likewise the public API (the catalog's tests and the schema fuzzing); its limit is tested with a tiny one.
os.environ.setdefault("PUBLIC_API_RATE_LIMIT", "10000 per minute")

DEMO_PASSWORD = os.environ["DEMO_PASSWORD"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def _check_services() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if IN_CI and not database_url:
        raise pytest.UsageError("CI=true but DATABASE_URL is not set: CI runs against PostgreSQL")
    if IN_CI and not redis_url:
        raise pytest.UsageError("CI=true but REDIS_URL is not set: CI runs against Redis")
    if database_url and not _reachable(database_url, 5432):
        raise pytest.UsageError(f"the database at {database_url} cannot be reached")
    if redis_url and not _reachable(redis_url, 6379):
        raise pytest.UsageError(f"Redis at {redis_url} cannot be reached")


def pytest_configure(config: pytest.Config) -> None:
    # FAB 5.3 still hands WTForms 3.3 raw tuples for choices: noise that is not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:wtforms.*")
    config.addinivalue_line("markers", "real_worker: starts real Celery worker processes (runs in CI as well)")
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through the served app (tests/browser/)")
    config.addinivalue_line("markers", "signed_in_as(username): the demo user of the browser tests' ``page``")
    _check_services()


def _reset_database(url: str) -> None:
    """Drops everything, so the session starts from an empty schema as a new installation would."""
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def postgresql_database_beside(url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``url``, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@contextmanager
def database_of_its_own(app, prefix: str, sqlite_file: Path) -> Iterator[str]:
    """A new database for the processes a test starts: on PostgreSQL beside the tests' own when they
    run on PostgreSQL, else the SQLite file ``sqlite_file``."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        yield f"sqlite:///{sqlite_file}"
        return
    with postgresql_database_beside(url, prefix) as own:
        yield own


@contextmanager
def instance_of_its_own(app, tmp_path: Path, name: str, *, set_up: bool = True, **config: Any) -> Iterator[Any]:
    """Another installation in this process (a database of its own and a file store of its own,
    committing for real), with ``config`` on top; inside its app context. With ``set_up`` it is migrated
    and loaded with the demo, as a new installation is; without, it is empty. Yields the app."""
    from app.cli import setup
    from app.extensions import db as database
    from app.factory import create_app

    with database_of_its_own(app, f"kytb_{name}", tmp_path / f"{name}.sqlite") as url:
        other = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": tmp_path / f"{name}-files",
                            "PORTAL_DIR": tmp_path / f"{name}-portal", **config})
        with other.app_context():
            if set_up:
                setup(with_demo=True)
            try:
                yield other
            finally:
                database.session.remove()
                database.engine.dispose()


@contextmanager
def config_override(app, **values: Any) -> Iterator[Any]:
    """Sets ``app.config`` values for the duration and puts the old ones back (removing those that were
    not set before): the session-wide app is shared by every test. ``with config_override(app, X=1):``"""
    missing = object()
    saved = {key: app.config.get(key, missing) for key in values}
    app.config.update(values)
    try:
        yield app
    finally:
        for key, value in saved.items():
            if value is missing:
                app.config.pop(key, None)
            else:
                app.config[key] = value


def count_statements(fn: Callable[[], Any], *, savepoints: bool = True) -> int:
    """The SQL statements ``fn()`` sends to the test database; with ``savepoints=False`` without the
    SAVEPOINT / RELEASE / ROLLBACK that the test's transaction puts around each commit."""
    from sqlalchemy import event

    from app.extensions import db as database

    bind = database.engines[None]  # the test's connection (see the db fixture), or the engine
    engine = getattr(bind, "engine", bind)
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if not savepoints:
        seen = [s for s in seen if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
    return len(seen)


def in_threads(app, fn, count: int, timeout: float = 120) -> list:
    """Runs ``fn(session)`` in ``count`` threads released together (each with its own app context,
    session and connection); returns each result or the exception it raised."""
    import threading

    from app.extensions import db

    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = fn(db.session)
            except Exception as error:  # collected and asserted by the test
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


@pytest.fixture(scope="session")
def app():
    from app.cli import setup
    from app.factory import create_app

    application = create_app()
    _reset_database(application.config["SQLALCHEMY_DATABASE_URI"])
    with application.app_context():
        setup(with_demo=True)
        from app.extensions import db
        from tests.factories import run_outbox

        run_outbox(db.session)  # what set-up queued (the portal's build): every test starts with none waiting
        db.session.remove()
    yield application


@pytest.fixture(scope="session")
def postgresql(app) -> str:
    """The URL of the PostgreSQL database the tests run on (DATABASE_URL). A test that needs
    PostgreSQL is skipped on SQLite, and fails with CI=true, where PostgreSQL is required."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        if IN_CI:
            pytest.fail("CI=true runs this test on PostgreSQL: DATABASE_URL must point at it")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    return url


@pytest.fixture(scope="module")
def postgresql_app(postgresql, tmp_path_factory, request):
    """An app of its own on a new PostgreSQL database beside the tests' one (dropped after the module),
    migrated and loaded with the demo data, with its own file storage. Nothing is rolled back there:
    requests and jobs commit for real, as the concurrency tests need."""
    from app.cli import setup
    from app.extensions import db as database
    from app.factory import create_app

    prefix = "kytb_" + request.module.__name__.rsplit(".", 1)[-1]
    with postgresql_database_beside(postgresql, prefix) as url:
        other = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": tmp_path_factory.mktemp("storage")})
        with other.app_context():
            setup(with_demo=True)
            database.session.remove()
        yield other
        with other.app_context():
            database.session.remove()
            database.engine.dispose()


@contextmanager
def rolled_back_session(app) -> Iterator[Any]:
    """The session of the app inside a transaction that is rolled back at the end (commits in the code
    under test become savepoints). The ``db`` fixture, and module fixtures that build once what many
    tests read (their tests then roll back to a savepoint of their own)."""
    from app.extensions import db as database

    with app.app_context():
        engines = database.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        connection.name = engine.name  # FAB asks the bind for its dialect name, as an Engine has it
        engines[None] = connection  # Flask-SQLAlchemy picks its bind from here
        database.session.remove()
        database.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield database.session
        finally:
            database.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture()
def db(app):
    """The session of the app, inside a transaction rolled back after the test."""
    with rolled_back_session(app) as session:
        yield session


@pytest.fixture()
def client(app, db):
    return app.test_client()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/login/") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def web_login(client, username: str, password: str = DEMO_PASSWORD):
    token = csrf_token(client)
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": token})


def api_token(client, username: str, password: str = DEMO_PASSWORD) -> str:
    response = client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db", "refresh": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


@pytest.fixture()
def login(client):
    """Signs the test client in through the real login form: ``login("lz_window")``."""

    def _login(username: str, password: str = DEMO_PASSWORD):
        response = web_login(client, username, password)
        assert response.status_code == 302 and "/login" not in response.headers["Location"], username
        return client

    return _login


@pytest.fixture()
def api(client):
    """A small JWT client: ``api("lz_admin").get("/api/v1/center/")``."""

    class Api:
        def __init__(self, username: str) -> None:
            self.headers = {"Authorization": f"Bearer {api_token(client, username)}"}

        def __getattr__(self, method: str):
            def call(url: str, **kwargs):
                return getattr(client, method)(url, headers=self.headers, **kwargs)

            return call

    return Api


@pytest.fixture()
def ems():
    """The fake courier API (``tests/fakes/ems.py``) on 127.0.0.1 for this test."""
    from tests.fakes.ems import FakeEms

    server = FakeEms().start()
    yield server
    server.stop()


@pytest.fixture()
def webhook_receiver():
    """A webhook receiver (``tests/fakes/webhook_receiver.py``) on 127.0.0.1 for this test."""
    from tests.fakes.webhook_receiver import WebhookReceiver

    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture()
def http_courier(app, ems):
    """The app books and tracks parcels through the fake courier; its client gives up after 1 s."""
    from tests.fakes.ems import KEY, SECRET

    with config_override(app, COURIER_PROVIDER="http", COURIER_BASE_URL=ems.url, COURIER_KEY=KEY,
                         COURIER_SECRET=SECRET, COURIER_TIMEOUT_SECONDS=1.0):
        yield ems
