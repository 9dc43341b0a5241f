"""Outages answer 503 with Retry-After, never 500 (issue 10, defect 6):

- the database goes away (an SQLite file whose directory is removed; on PostgreSQL a database of its own
  whose connections are terminated and which is dropped): pages answer a Chinese page that needs no
  database, the API a JSON body, the permission check of FAB included;
- Redis goes away (a redis-server of the test's own, killed): the rate limits of the logins and of the
  searches by personal data count in memory, the login answers 200 or 401.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import (
    DEMO_PASSWORD,
    api_token,
    database_of_its_own,
    rolled_back_session,
    web_login,
)
from tests.fakes import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


# --- the database ------------------------------------------------------------------------------


@pytest.fixture()
def lost_database(app, tmp_path):
    """An app on a database of its own with the demo loaded, and the function that takes that database away."""
    from sqlalchemy.pool import NullPool

    from app.cli import setup
    from app.extensions import db
    from app.factory import create_app

    folder = tmp_path / "database"
    folder.mkdir()
    with database_of_its_own(app, "kytb_outage", folder / "outage.sqlite") as url:
        options = {"poolclass": NullPool} if url.startswith("sqlite") else {"pool_pre_ping": True}
        other = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options,
                            "STORAGE_DIR": tmp_path / "storage"})
        with other.app_context():
            setup(with_demo=True)
            db.session.remove()

        def take_away() -> None:
            if url.startswith("sqlite"):
                shutil.rmtree(folder)  # nothing to open any more
                return
            server = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
            name = url.rsplit("/", 1)[1]
            with server.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name "
                                  "AND pid <> pg_backend_pid()"), {"name": name})
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            server.dispose()

        yield other, take_away
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _assert_unavailable(response, json: bool) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:2000]
    assert int(response.headers["Retry-After"]) > 0
    if json:
        assert response.is_json and response.get_json()["message"]
    else:
        assert response.mimetype == "text/html" and "暂时无法使用" in response.get_data(as_text=True)


def test_a_lost_database_answers_503_with_retry_after_on_pages_and_the_api(lost_database):
    other, take_away = lost_database
    browser, api = other.test_client(), other.test_client()
    assert web_login(browser, "lz_window").status_code == 302
    headers = {"Authorization": f"Bearer {api_token(api, 'lz_window')}"}
    assert browser.get("/caseview/list/").status_code == 200

    take_away()
    _assert_unavailable(browser.get("/caseview/list/"), json=False)  # the session's user cannot be loaded
    _assert_unavailable(other.test_client().get("/caseview/list/"), json=False)  # FAB's permission check
    _assert_unavailable(other.test_client().get("/login/"), json=False)
    _assert_unavailable(api.get("/api/v1/case/", headers=headers), json=True)  # the token's user
    _assert_unavailable(api.get("/api/v1/case/"), json=True)
    _assert_unavailable(other.test_client().post("/api/v1/security/login", json={
        "username": "lz_window", "password": DEMO_PASSWORD, "provider": "db"}), json=True)  # inside FAB's @safe
    health = other.test_client().get("/health")
    assert health.status_code == 503 and "database" in health.get_json()["failing"]


# --- Redis -------------------------------------------------------------------------------------


@pytest.fixture()
def redis_server(tmp_path):
    """A redis-server of the test's own on a free port, keeping nothing on disk; killed by the test."""
    port = free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    import redis

    client = redis.Redis(port=port)
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0", process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


@pytest.fixture()
def limited_by_redis(app, redis_server):
    """An app on the tests' database (rolled back) whose rate limits count in that Redis."""
    from app.factory import create_app

    url, process = redis_server
    other = create_app({"RATELIMIT_STORAGE_URI": url})
    with rolled_back_session(other):
        yield other, process


def _api_login(client, password: str = DEMO_PASSWORD):
    return client.post("/api/v1/security/login",
                       json={"username": "lz_window", "password": password, "provider": "db"})


def test_the_logins_go_on_when_redis_goes_away(limited_by_redis):
    other, redis_process = limited_by_redis
    client = other.test_client()
    assert _api_login(client).status_code == 200

    redis_process.kill()
    redis_process.wait(timeout=10)
    assert _api_login(client).status_code == 200
    assert _api_login(client, "wrong password").status_code == 401
    assert web_login(other.test_client(), "lz_window").status_code == 302


def test_searches_by_personal_data_go_on_when_redis_goes_away(limited_by_redis):
    other, redis_process = limited_by_redis
    client = other.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'lz_window')}"}
    search = "/api/v1/case/?q=(filters:!((col:applicant_phone,opr:eq,value:'13987650123')))"
    assert client.get(search, headers=headers).status_code == 200

    redis_process.kill()
    redis_process.wait(timeout=10)
    assert client.get(search, headers=headers).status_code == 200
