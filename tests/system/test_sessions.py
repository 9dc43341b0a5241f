"""Sessions and tokens end when they should (issue 9, defect 4): a password change by an administrator, by
the user or by any other path ends the user's web sessions, access tokens and refresh tokens; a web logout
signs the user out everywhere (every session and every token of the user)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests import factories
from tests.conftest import DEMO_PASSWORD, csrf_token, web_login

NEW_PASSWORD = "Changed#2026gy"


class Browser(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in a real server: the
    tests' app context (the `db` fixture) would otherwise keep the signed-in user of the first request in
    `g` for every later request and every other client."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _browser(app) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


def _tokens(client, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db", "refresh": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _admin_resets_password(app, db, username: str, password: str = NEW_PASSWORD) -> None:
    admin = _browser(app)
    assert web_login(admin, "lz_admin").status_code == 302
    user_id = factories.user(db, username).id
    url = f"/resetpassword/form?pk={user_id}"
    response = admin.post(url, data={"password": password, "conf_password": password,
                                     "csrf_token": csrf_token(admin, url)})
    assert response.status_code == 302, response.get_data(as_text=True)


def _signed_in(client) -> bool:
    response = client.get("/users/userinfo/")
    return response.status_code == 200


def test_an_access_token_is_refused_after_an_administrator_resets_the_password(app, db):
    client = _browser(app)
    tokens = _tokens(client, "lz_window")
    assert client.get("/api/v1/center/", headers=_bearer(tokens["access_token"])).status_code == 200
    _admin_resets_password(app, db, "lz_window")
    assert client.get("/api/v1/center/", headers=_bearer(tokens["access_token"])).status_code == 401


def test_a_refresh_token_is_refused_after_an_administrator_resets_the_password(app, db):
    client = _browser(app)
    tokens = _tokens(client, "lz_window")
    _admin_resets_password(app, db, "lz_window")
    response = client.post("/api/v1/security/refresh", headers=_bearer(tokens["refresh_token"]))
    assert response.status_code == 401
    # The new password gives new tokens that work.
    fresh = _tokens(client, "lz_window", NEW_PASSWORD)
    assert client.get("/api/v1/center/", headers=_bearer(fresh["access_token"])).status_code == 200
    assert client.post("/api/v1/security/refresh", headers=_bearer(fresh["refresh_token"])).status_code == 200


def test_an_open_web_session_ends_after_an_administrator_resets_the_password(app, db):
    client = _browser(app)
    assert web_login(client, "lz_window").status_code == 302
    assert _signed_in(client)
    _admin_resets_password(app, db, "lz_window")
    response = client.get("/users/userinfo/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_token_is_refused_after_the_user_logs_out_of_the_web(app, db):
    client = _browser(app)
    tokens = _tokens(_browser(app), "lz_window")
    assert web_login(client, "lz_window").status_code == 302
    client.get("/logout/")
    assert client.get("/api/v1/center/", headers=_bearer(tokens["access_token"])).status_code == 401
    assert client.post("/api/v1/security/refresh", headers=_bearer(tokens["refresh_token"])).status_code == 401


def test_web_logout_signs_the_user_out_everywhere(app, db):
    client = _browser(app)
    other_browser = _browser(app)
    assert web_login(other_browser, "lz_window").status_code == 302
    assert web_login(client, "lz_window").status_code == 302
    client.get("/logout/")
    assert not _signed_in(other_browser)


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(app, db):
    client = _browser(app)
    other_browser = _browser(app)
    assert web_login(other_browser, "lz_window").status_code == 302
    tokens = _tokens(_browser(app), "lz_window")
    assert web_login(client, "lz_window").status_code == 302
    url = "/resetmypassword/form"
    response = client.post(url, data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD,
                                      "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_browser)
    assert client.get("/api/v1/center/", headers=_bearer(tokens["access_token"])).status_code == 401


def test_a_password_set_through_the_security_manager_ends_the_tokens(app, db):
    client = _browser(app)
    """Any path that changes a password (the `flask fab reset-password` command calls this) revokes."""
    tokens = _tokens(client, "lz_window")
    sm = app.appbuilder.sm
    sm.reset_password(factories.user(db, "lz_window").id, NEW_PASSWORD)
    assert client.get("/api/v1/center/", headers=_bearer(tokens["access_token"])).status_code == 401


def test_a_token_without_the_generation_claim_is_refused(app, db):
    client = _browser(app)
    """Tokens issued before this rule (no generation claim) are treated as revoked."""
    from flask_jwt_extended import create_access_token

    user = factories.user(db, "lz_window")
    with app.test_request_context():
        old_style = create_access_token(identity=str(user.id), fresh=True, additional_claims={"gen": None})
    assert client.get("/api/v1/center/", headers=_bearer(old_style)).status_code == 401
