"""Starts the product the way `make run` does (setup, gunicorn, Celery worker and beat as real
processes, the ``running`` fixture of conftest.py) on a database of its own, signs in as every demo user
through the web form and the API, sees the worker and beat at work, and stops everything with Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from app.demo.data import USERS
from tests.conftest import CSRF, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _web_login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login/").text).group(1)
    response = session.post(f"{base}/login/", data={"username": username, "password": DEMO_PASSWORD,
                                                    "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302 and "/login" not in response.headers["Location"], username
    return session


def _count(env: dict[str, str], sql: str) -> int:
    url = env.get("DATABASE_URL") or f"sqlite:///{env['INSTANCE_DIR']}/app.sqlite"
    url = url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def _heartbeats(env: dict[str, str]) -> int:
    return _count(env, "SELECT coalesce(max(beats), 0) FROM heartbeat")


def _registration(env: dict[str, str], matter_id: int) -> dict:
    """A registration body at 利州区 for a 苍溪县 department, ids looked up in the running database."""
    from tests.factories import APPLICANT

    center = _count(env, "SELECT id FROM service_center WHERE code = 'GYCX'")
    department = _count(env, "SELECT id FROM department WHERE name = '苍溪县人力资源和社会保障局'")
    kuasheng = _count(env, "SELECT id FROM handling_type WHERE code = 'kuasheng'")
    return dict(APPLICANT) | {"matter_id": matter_id, "handling_type_id": kuasheng, "home_center_id": center,
                              "department_id": department}


def test_make_run_serves_every_demo_user_with_worker_and_beat_running(running):
    base, proc, env, log_path = running
    # A first start (migrations, roles, calendar, demo data) shows the address and the logins on the
    # first screen, not after hundreds of lines of library logs.
    first_screen = log_path.read_text().splitlines()[:25]
    shown = "\n".join(first_screen)
    url = next((i for i, line in enumerate(first_screen) if f"http://127.0.0.1:{env['PORT']}/" in line), None)
    assert url is not None, f"no address in the first 25 lines:\n{shown}"
    for user in USERS:
        login = re.compile(rf"\s+{user['username']}\s")
        assert any(login.match(line) for line in first_screen[url:]), f"{user['username']}:\n{shown}"
    assert "Demo#2026gy" in shown and "columns of notification" not in shown

    for user in USERS:
        session = _web_login(base, user["username"])
        home = session.get(f"{base}/")
        assert home.status_code == 200 and "欢迎" in home.text, user["username"]
        token = requests.post(f"{base}/api/v1/security/login", json={
            "username": user["username"], "password": DEMO_PASSWORD, "provider": "db"}).json()["access_token"]
        matters = requests.get(f"{base}/api/v1/matter/", headers={"Authorization": f"Bearer {token}"})
        assert matters.status_code == 200 and matters.json()["count"] >= 12, user["username"]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _heartbeats(env) < 2:
        time.sleep(1)
    assert _heartbeats(env) >= 2, "beat scheduled and the worker ran the heartbeat\n" + log_path.read_text()[-3000:]

    # With no further clicks, accepting a case leads to its notice, its parcel on record and the SMS record.
    token = requests.post(f"{base}/api/v1/security/login", json={
        "username": "lz_window", "password": DEMO_PASSWORD, "provider": "db"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    ids = requests.get(f"{base}/api/v1/matter/?q=(page_size:100)", headers=headers).json()["result"]
    matter = next(m for m in ids if m["code"] == "KYTB-HRSS-001")
    body = _registration(env, matter["id"])
    case = requests.post(f"{base}/api/v1/case/", json=body, headers=headers)
    assert case.status_code == 201, case.text
    case_id = case.json()["result"]["id"]
    seqs = [m["seq"] for m in case.json()["result"]["materials"]]
    accepted = requests.post(f"{base}/api/v1/case/{case_id}/accept", json={"verified": seqs}, headers=headers)
    assert accepted.status_code == 200, accepted.text
    deadline = time.monotonic() + 120
    notice = None
    while time.monotonic() < deadline:
        notice = requests.get(f"{base}/api/v1/case/{case_id}/notice/acceptance", headers=headers)
        if notice.status_code == 200:
            break
        time.sleep(1)
    assert notice is not None and notice.status_code == 200 and notice.content.startswith(b"%PDF"), log_path.read_text()[-3000:]
    sms = f"SELECT count(*) FROM notification WHERE case_id = {case_id} AND status = 'sent'"
    parcels = f"SELECT count(*) FROM shipment WHERE case_id = {case_id}"
    while time.monotonic() < deadline and (_count(env, sms), _count(env, parcels)) != (1, 1):
        time.sleep(1)
    assert (_count(env, sms), _count(env, parcels)) == (1, 1), log_path.read_text()[-3000:]

    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal of `make run`
    proc.wait(timeout=30)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/login/", timeout=2)
    leftovers = subprocess.run(["pgrep", "-f", f"127.0.0.1:{env['PORT']}"], capture_output=True, text=True).stdout
    assert leftovers.strip() == ""
