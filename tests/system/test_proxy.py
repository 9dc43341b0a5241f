"""Behind the reverse proxy the README recommends (issue 9, defect 10): with PROXY_FIX_X_FOR trusted proxies,
the login limits, the login throttle and the access log see the client's address from X-Forwarded-For;
without it the header is not trusted (a client could name any address)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.models.case import CaseAccessLog
from tests import factories
from tests.conftest import config_override

PROXY = "10.0.0.2"
CLIENT = "203.0.113.9"
#: a client may send its own X-Forwarded-For; the proxy appends the address it saw
SPOOFED = f"198.51.100.99, {CLIENT}"


def _case_page_address(client, db, login) -> str:
    case = factories.make_case(db)
    login("lz_window")
    response = client.get(f"/cases/{case.id}/", headers={"X-Forwarded-For": SPOOFED},
                          environ_base={"REMOTE_ADDR": PROXY})
    assert response.status_code == 200
    log = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case.id)).one()
    return log.address


def test_with_one_trusted_proxy_the_access_log_keeps_the_clients_address(app, client, login, db):
    with config_override(app, PROXY_FIX_X_FOR=1):
        assert _case_page_address(client, db, login) == CLIENT


def test_without_trusted_proxies_the_access_log_ignores_x_forwarded_for(app, client, login, db):
    assert app.config["PROXY_FIX_X_FOR"] == 0
    assert _case_page_address(client, db, login) == PROXY


def _limited_app(trusted_proxies: int):
    from app.factory import create_app

    return create_app({"AUTH_RATE_LIMIT": "3 per minute", "PROXY_FIX_X_FOR": trusted_proxies,
                       "RATELIMIT_KEY_PREFIX": f"kytb-proxy-{uuid.uuid4().hex}"})


def _login_status(client, attempt: int, forwarded_for: str) -> int:
    return client.post("/api/v1/security/login", json={"username": f"nobody_proxy{attempt}", "password": "x",
                                                       "provider": "db"},
                       headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": PROXY}).status_code


@pytest.mark.parametrize(("trusted_proxies", "other_client_limited"), [(1, False), (0, True)])
def test_the_login_limit_counts_per_client_only_behind_trusted_proxies(app, trusted_proxies, other_client_limited):
    client = _limited_app(trusted_proxies).test_client()
    codes = [_login_status(client, attempt, CLIENT) for attempt in range(4)]
    assert codes == [401, 401, 401, 429]
    other = _login_status(client, 4, "203.0.113.10")
    assert (other == 429) is other_client_limited
