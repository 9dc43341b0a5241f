"""The system tests' fixtures: the product started as `make run` starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import database_of_its_own
from tests.fakes import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def own_database(app, tmp_path):
    """PostgreSQL beside the tests' own, or the SQLite file the launcher uses under its INSTANCE_DIR."""
    with database_of_its_own(app, "kytb_smoke", tmp_path / "instance" / "app.sqlite") as url:
        yield url


@pytest.fixture()
def running(own_database, tmp_path):
    """`make run` on a database of its own: the launcher (setup, web, worker and beat) as a real process;
    yields the base URL, the process, its environment and its log. Stopped with Ctrl-C afterwards."""
    port = free_port()
    unset = ("DATABASE_URL", "SECRET_KEY", "AUTH_RATE_LIMIT", "LOG_LEVEL")  # LOG_LEVEL: the default start
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env |= {"APP_ENV": "demo", "INSTANCE_DIR": str(tmp_path / "instance"), "PORT": str(port),
            "HEARTBEAT_SECONDS": "2", "OUTBOX_RELAY_SECONDS": "1", "RATELIMIT_KEY_PREFIX": f"kytb-smoke-{uuid.uuid4().hex[:8]}"}
    if own_database.startswith("postgresql"):
        env["DATABASE_URL"] = own_database  # without it, the launcher's default: SQLite under INSTANCE_DIR
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/9"  # a Redis database of its own
    log = open(tmp_path / "run.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "app.devserver"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make run's launcher exited early:\n{(tmp_path / 'run.log').read_text()[-4000:]}")
        try:
            if requests.get(f"{base}/login/", timeout=10).status_code == 200:
                break
        except requests.RequestException:  # not listening yet, or still starting up
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail(f"the web app did not answer:\n{(tmp_path / 'run.log').read_text()[-4000:]}")
    yield base, proc, env, tmp_path / "run.log"
    if proc.poll() is None:  # the test failed before its Ctrl-C: stop as a user would, then for sure
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    log.close()
