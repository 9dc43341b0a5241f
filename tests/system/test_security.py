"""Security from the first day: CSRF, rate limits on both logins, throttled failed logins, cookies, no security API,
no self-registration, an empty public role, a required SECRET_KEY outside demo mode."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest

from tests import factories
from tests.conftest import (
    DEMO_PASSWORD,
    api_token,
    count_statements,
    csrf_token,
    web_login,
)


def test_every_demo_user_signs_in_through_the_web_form_and_the_api(client, db):
    from app.demo.data import USERS

    for user in USERS:
        response = web_login(client, user["username"])
        assert response.status_code == 302 and "/login" not in response.headers["Location"], user["username"]
        client.get("/logout/")
        assert api_token(client, user["username"])


def test_login_form_without_csrf_token_is_refused(client, db):
    response = client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code in (200, 400)
    assert client.get("/users/list/").status_code in (302, 401, 403)


def test_forms_without_csrf_token_change_nothing(client, login, db):
    mine = factories.make_center(db, county="510802")
    db.commit()
    login("lz_admin")
    response = client.post(f"/centerview/delete/{mine.id}")
    assert response.status_code == 400
    assert db.get(type(mine), mine.id) is not None


def test_api_login_needs_no_csrf_token(client, db):
    assert api_token(client, "lz_window")


def _attempt(client, username: str, password: str, address: str):
    """One sign-in through the web form from the client address ``address``; the page it lands on."""
    token = csrf_token(client)
    response = client.post("/login/", data={"username": username, "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return response


def _api_attempt(client, username: str, password: str, address: str):
    return client.post("/api/v1/security/login", json={"username": username, "password": password, "provider": "db"},
                       environ_base={"REMOTE_ADDR": address})


def _flashed(client, response) -> str:
    """The warning the login page shows after ``response`` (seconds left reduced to N)."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    warning = re.search(r'class="alert[^"]*"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert warning, page
    return re.sub(r"\d+", "N", re.sub(r"<[^>]+>|&times;|\s+", " ", warning.group(1))).strip()


def _fail_until_throttled(app, client, username: str, address: str) -> None:
    for _ in range(app.config["AUTH_THROTTLE_FAILURES"]):
        _attempt(client, username, "wrong-password-1A!", address)


def test_unknown_and_existing_accounts_get_the_same_answers(app, client, db):
    """No username enumeration: the same message after a wrong password and after too many of them."""
    answers = {}
    for username, address in (("cx_police", "198.51.100.1"), ("no_such_user", "198.51.100.2")):
        first = _flashed(client, _attempt(client, username, "wrong-password-1A!", address))
        _fail_until_throttled(app, client, username, address)
        throttled = _flashed(client, _attempt(client, username, "wrong-password-1A!", address))
        api = _api_attempt(client, username, "wrong-password-1A!", address)
        answers[username] = (first, throttled, api.status_code, re.sub(r"\d+", "N", api.get_json()["message"]))
    assert answers["cx_police"] == answers["no_such_user"]
    first, throttled, status, _body = answers["cx_police"]
    assert first != throttled and "N" in throttled and status == 429


def test_after_repeated_failures_an_account_and_address_wait_even_with_the_right_password(app, client, db):
    _fail_until_throttled(app, client, "cx_police", "198.51.100.3")
    message = _flashed(client, _attempt(client, "cx_police", DEMO_PASSWORD, "198.51.100.3"))
    assert "秒" in message or "seconds" in message
    response = _api_attempt(client, "cx_police", DEMO_PASSWORD, "198.51.100.3")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "秒" in response.get_json()["message"] or "seconds" in response.get_json()["message"]


def test_an_outsider_cannot_keep_the_owner_out_from_another_address(app, client, db):
    """Failing as `admin` from one address used to lock the account for 30 minutes for everybody."""
    for _ in range(3):
        _fail_until_throttled(app, client, "admin", "203.0.113.66")
    response = _api_attempt(client, "admin", DEMO_PASSWORD, "198.51.100.4")
    assert response.status_code == 200
    response = _attempt(client, "admin", DEMO_PASSWORD, "198.51.100.4")
    assert "/login" not in response.headers["Location"]


def test_the_throttle_is_shared_by_both_logins(app, client, db):
    for _ in range(app.config["AUTH_THROTTLE_FAILURES"]):
        _api_attempt(client, "cx_hrss", "wrong-password-1A!", "198.51.100.5")
    assert "/login" in _attempt(client, "cx_hrss", DEMO_PASSWORD, "198.51.100.5").headers["Location"]


def test_an_administrator_clears_the_failed_logins_of_an_account(app, client, login, db):
    _fail_until_throttled(app, client, "lz_police", "198.51.100.6")
    assert _api_attempt(client, "lz_police", DEMO_PASSWORD, "198.51.100.6").status_code == 429
    user = factories.user(db, "lz_police")
    login("lz_admin")  # the county administrator of 利州区 manages its officers
    token = csrf_token(client, "/users/list/")
    response = client.post(f"/users/action/unlock/{user.id}", data={"csrf_token": token})
    assert response.status_code == 302
    client.get("/logout/")
    assert _api_attempt(client, "lz_police", DEMO_PASSWORD, "198.51.100.6").status_code == 200


def test_a_county_administrator_cannot_clear_another_countys_account(app, client, login, db):
    _fail_until_throttled(app, client, "cx_window", "198.51.100.7")
    user = factories.user(db, "cx_window")
    login("lz_admin")
    token = csrf_token(client, "/users/list/")
    assert client.post(f"/users/action/unlock/{user.id}", data={"csrf_token": token}).status_code == 404
    client.get("/logout/")
    assert _api_attempt(client, "cx_window", DEMO_PASSWORD, "198.51.100.7").status_code == 429


def test_unknown_and_existing_names_cost_the_same_work_when_throttled(app, client, db):
    """Same answer and same work (the same statements, one password hash each), so neither the answer nor
    its timing tells which names exist."""
    costs = {}
    for username, address in (("cx_police", "198.51.100.8"), ("no_such_user", "198.51.100.9")):
        _fail_until_throttled(app, client, username, address)
        costs[username] = count_statements(lambda u=username, a=address: _api_attempt(client, u, DEMO_PASSWORD, a))
    assert costs["cx_police"] == costs["no_such_user"]


def test_flooding_one_name_from_one_address_doubles_only_that_addresss_wait(app, client, db):
    from app.models.staff import LoginThrottle

    address = "203.0.113.70"
    waits = []
    for _ in range(3):
        _fail_until_throttled(app, client, "admin", address)  # refused at once while the wait runs
        response = _api_attempt(client, "admin", "wrong-password-1A!", address)
        # the message names the throttle's wait; Retry-After is the later of it and the rate limit's window
        wait = int(re.search(r"\d+", response.get_json()["message"]).group())
        assert int(response.headers["Retry-After"]) >= wait - 1  # the limiter rounds down
        waits.append(wait)
        row = db.get(LoginThrottle, ("admin", address))
        row.blocked_until = datetime.now() - timedelta(seconds=1)  # the wait has run out
        db.commit()
        _api_attempt(client, "admin", "wrong-password-1A!", address)  # one more failure: a longer wait
    first = app.config["AUTH_THROTTLE_FIRST_WAIT_SECONDS"]
    # The message counts down from the moment of the failure: allow a busy machine some seconds (SLACK is
    # well below ``first``, so the three ranges stay apart and the doubling is still proven).
    slack = 10
    assert first - slack <= waits[0] <= first and 2 * first - slack <= waits[1] <= 2 * first
    assert 4 * first - slack <= waits[2] <= 4 * first
    assert _api_attempt(client, "admin", DEMO_PASSWORD, "198.51.100.10").status_code == 200


def test_the_login_documents_its_answers_to_flooding(api):
    spec = api("lz_window").get("/api/v1/_openapi").get_json()
    responses = spec["paths"]["/api/v1/security/login"]["post"]["responses"]
    assert {"200", "401", "429"} <= set(responses)


@pytest.fixture()
def limited_app(app):
    """A second app with a tiny login limit and its own limiter keys (Redis when REDIS_URL is set)."""
    from app.factory import create_app

    return create_app({"AUTH_RATE_LIMIT": "3 per minute", "RATELIMIT_KEY_PREFIX": f"kytb-limit-{uuid.uuid4().hex}"})


def test_web_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    codes = []
    for attempt in range(5):  # a new name each time: the limit per address, not the throttle per name
        token = csrf_token(client)
        codes.append(client.post("/login/", data={"username": f"nobody{attempt}", "password": "x",
                                                  "csrf_token": token}).status_code)
    assert codes[:3] == [302, 302, 302] and codes[-1] == 429


def test_api_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/api/v1/security/login", json={"username": f"nobody{attempt}", "password": "x",
                                                          "provider": "db"}).status_code
             for attempt in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[-1] == 429


def test_session_cookie_is_http_only_and_same_site_lax(client, db):
    response = web_login(client, "admin")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("kytb_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_and_short_lifetimes_are_configured(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=8)
    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"] <= timedelta(hours=1)
    assert app.config["JWT_REFRESH_TOKEN_EXPIRES"] <= timedelta(days=1)


def test_security_api_is_off(api):
    assert api("admin").get("/api/v1/security/roles/").status_code == 404
    assert api("admin").post("/api/v1/security/roles/", json={"name": "Sneaky"}).status_code in (404, 405)


def test_no_self_registration(client, db):
    assert client.get("/register/form").status_code == 404


def test_the_public_role_holds_no_permission(app, db):
    role = app.appbuilder.sm.find_role("Public")
    assert role is not None and role.permissions == []


def test_anonymous_visitors_reach_no_data(client, db):
    assert client.get("/centerview/list/").status_code in (302, 401, 403)
    assert client.get("/api/v1/matter/").status_code == 401


def test_weak_passwords_are_refused_with_every_rule_named(app):
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    from app.security.passwords import validate_password_complexity

    with app.test_request_context():
        validate_password_complexity(DEMO_PASSWORD)
        with pytest.raises(PasswordComplexityValidationError) as error:
            validate_password_complexity("aaa")
        assert str(error.value).count(";") >= 2


def test_production_mode_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"APP_ENV": "production",
                                                                        "INSTANCE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import config"], env=env, capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("body", [
    {"username": "lz_window", "password": "x"},  # no provider
    {"username": "lz_window", "password": "x", "provider": "ldap"},  # a provider we do not run
    {"username": "lz_window", "password": "x", "provider": "db", "refresh": "maybe"},
])
def test_an_api_login_with_a_missing_or_unknown_provider_is_a_bad_request_not_a_server_error(client, db, body):
    answer = client.post("/api/v1/security/login", json=body)
    assert answer.status_code == 400, answer.get_data(as_text=True)
