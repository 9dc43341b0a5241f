"""Security from the first day: CSRF, rate limits on both logins, lockout, cookies, no security API,
no self-registration, an empty public role, a required SECRET_KEY outside demo mode."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest

from tests import factories
from tests.conftest import DEMO_PASSWORD, api_token, csrf_token, web_login


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


def test_a_wrong_password_locks_the_account_after_the_threshold(app, client, db):
    threshold = app.config["AUTH_LOCKOUT_THRESHOLD"]
    for _ in range(threshold):
        response = web_login(client, "cx_police", "wrong-password-1A!")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    user = factories.user(db, "cx_police")
    db.refresh(user)
    assert user.locked_until is not None and user.locked_until > datetime.now()
    # Even the right password is refused now, on the web and in the API.
    response = web_login(client, "cx_police")
    assert "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "锁定" in page or "locked" in page
    assert client.post("/api/v1/security/login", json={"username": "cx_police", "password": DEMO_PASSWORD,
                                                        "provider": "db"}).status_code == 401


def test_a_lock_runs_out_after_the_configured_time(app, client, db):
    user = factories.user(db, "cx_hrss")
    user.fail_login_count = app.config["AUTH_LOCKOUT_THRESHOLD"]
    user.locked_until = datetime.now() - timedelta(minutes=1)
    db.commit()
    assert api_token(client, "cx_hrss")
    db.refresh(user)
    assert user.locked_until is None and user.fail_login_count == 0


def test_an_administrator_unlocks_an_account(app, client, login, db):
    user = factories.user(db, "lz_police")
    user.fail_login_count = app.config["AUTH_LOCKOUT_THRESHOLD"]
    user.locked_until = datetime.now() + timedelta(hours=1)
    db.commit()
    login("lz_admin")  # the county administrator of 利州区 manages its officers
    token = csrf_token(client, "/users/list/")
    response = client.post(f"/users/action/unlock/{user.id}", data={"csrf_token": token})
    assert response.status_code == 302
    db.refresh(user)
    assert user.locked_until is None
    client.get("/logout/")
    assert api_token(client, "lz_police")


def test_a_county_administrator_cannot_unlock_another_countys_account(app, client, login, db):
    user = factories.user(db, "cx_window")
    user.locked_until = datetime.now() + timedelta(hours=1)
    db.commit()
    login("lz_admin")
    token = csrf_token(client, "/users/list/")
    assert client.post(f"/users/action/unlock/{user.id}", data={"csrf_token": token}).status_code == 404
    db.refresh(user)
    assert user.locked_until is not None


@pytest.fixture()
def limited_app(app):
    """A second app with a tiny login limit and its own limiter keys (Redis when REDIS_URL is set)."""
    from app.factory import create_app

    return create_app({"AUTH_RATE_LIMIT": "3 per minute", "RATELIMIT_KEY_PREFIX": f"kytb-limit-{uuid.uuid4().hex}"})


def test_web_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    codes = []
    for _ in range(5):
        token = csrf_token(client)
        codes.append(client.post("/login/", data={"username": "nobody", "password": "x", "csrf_token": token}).status_code)
    assert codes[:3] == [302, 302, 302] and codes[-1] == 429


def test_api_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/api/v1/security/login", json={"username": "nobody", "password": "x", "provider": "db"}).status_code
             for _ in range(5)]
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
