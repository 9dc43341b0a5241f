"""Our FAB security manager: staff users, scoped user admin, throttled failed sign-ins, limits on both logins,
sessions and tokens that end with a password change or a logout.

Revocation: every staff user has a ``token_generation``. It is written into every JWT (claim ``gen``) and
into the web session at sign-in; a token or session whose generation is not the user's current one is
refused (401 for the API, the login page for the web). The generation goes up when the password changes
(any path: FAB's reset forms and ``flask fab reset-password`` all call ``reset_password``) and at web
logout. Logout therefore signs the user out everywhere, every browser and every token: a JWT carries no
link to the browser session it was taken beside, so "this session and its tokens" cannot be told apart
from the user's other tokens, and at a shared service window "log out" must mean nobody can go on
working under this name."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request, session
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import JWTManager
from flask_login import LoginManager, current_user, user_logged_in
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.staff import StaffUser
from app.services.organisation import accounts, login_throttle

log = logging.getLogger(__name__)

#: the JWT claim and the session key that carry the user's token generation
GENERATION_CLAIM = "gen"
SESSION_GENERATION_KEY = "token_generation"


def _throttle_message(seconds: int) -> str:
    return str(_l("Too many failed sign-ins. Try again in %(seconds)d seconds.", seconds=seconds))


class AppAuthDBView(AuthDBView):
    """The login form; one answer for unknown and existing names: a wrong password, or a wait."""

    @property
    def invalid_login_message(self) -> str:  # type: ignore[override]
        seconds = getattr(g, "login_wait_seconds", 0)
        if seconds:
            return _throttle_message(seconds)
        return str(_l("Wrong user name or password."))


class AppSecurityApi(SecurityApi):
    """The API login; a throttled attempt is answered 429 with the wait (Retry-After), as the web form."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self) -> Response:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and body.get("provider") != "db":
            # FAB reads the provider unchecked (a missing one was a 500); we sign in against our own users only.
            return self.response_400(message={"provider": [str(_l("Must be \"db\"."))]})
        response = super().login()
        seconds = getattr(g, "login_wait_seconds", 0)
        if response.status_code == 401 and seconds:
            response = self.response(429, message=_throttle_message(seconds))
            response.headers["Retry-After"] = str(seconds)
        return response

    # FAB's OpenAPI description of the login, with the answers of the limit and the throttle added
    login.__doc__ = (SecurityApi.login.__doc__ or "").replace(
        "            500:",
        "            429:\n"
        "              description: Too many attempts from this address (rate limit), or too many failed\n"
        "                sign-ins with this name from this address (the message names the wait; Retry-After)\n"
        "            500:",
    )


class AppSecurityManager(SecurityManager):
    user_model = StaffUser
    authdbview = AppAuthDBView
    security_api = AppSecurityApi
    # FAB's chart of users by a column fails on some of its own columns, and our reports count what matters
    userstatschartview = None

    def __init__(self, appbuilder: Any) -> None:
        from app.platform.fab import ScopedInterface
        from app.views.staff import ScopedResetPasswordView, StaffUserView

        self.userdbmodelview = StaffUserView
        self.resetpasswordview = ScopedResetPasswordView
        super().__init__(appbuilder)
        # User administration goes through the one scope rule, like every other record.
        self.userdbmodelview.datamodel = ScopedInterface(self.user_model, eager=("roles",))

    # --- login -----------------------------------------------------------------------------

    def auth_user_db(self, username: str, password: str) -> StaffUser | None:
        """FAB's check, behind the throttle of failed sign-ins per name and address (see
        app/services/organisation/login_throttle.py); the wait, if any, is left in ``g.login_wait_seconds``."""
        config = current_app.config
        address = (request.remote_addr or "") if has_request_context() else ""
        now = datetime.now()
        g.login_wait_seconds = login_throttle.seconds_to_wait(self.session, username, address, now)
        if g.login_wait_seconds:
            # Spend the time of a password check, known name or not: a wait tells nothing about the name.
            check_password_hash(config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password")
            return None
        user = super().auth_user_db(username, password)
        if user is None:
            policy = login_throttle.ThrottlePolicy.from_config(config)
            g.login_wait_seconds = login_throttle.record_failure(self.session, username, address, now, policy)
        else:
            login_throttle.record_success(self.session, username, address)
        return user

    # --- sessions and tokens (see the module's docstring) -----------------------------------------

    def create_jwt_manager(self, app: Flask) -> JWTManager:
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(self._generation_claim)
        jwt_manager.token_in_blocklist_loader(self._token_is_revoked)  # access and refresh tokens: 401
        return jwt_manager

    def _generation_claim(self, identity: Any) -> dict[str, Any]:
        user = self.get_user_by_id(int(identity))
        return {GENERATION_CLAIM: user.token_generation if user is not None else None}

    def _token_is_revoked(self, _header: dict[str, Any], payload: dict[str, Any]) -> bool:
        user = self.get_user_by_id(int(payload["sub"]))
        return user is None or payload.get(GENERATION_CLAIM) != user.token_generation

    def create_login_manager(self, app: Flask) -> LoginManager:
        login_manager = super().create_login_manager(app)
        login_manager.user_loader(self._load_session_user)
        # FAB hands us current_app, a proxy: the signal is sent by the app object itself.
        user_logged_in.connect(self._remember_generation, current_app._get_current_object())
        return login_manager

    def _load_session_user(self, pk: Any) -> StaffUser | None:
        """The session's user, unless the session was opened before the user's last password change or
        logout: then nobody is signed in and protected pages send the browser to the login page."""
        user = self.load_user(pk)
        if user is None or session.get(SESSION_GENERATION_KEY) != user.token_generation:
            return None
        return user

    @staticmethod
    def _remember_generation(_app: Flask, user: StaffUser, **_extra: Any) -> None:
        session[SESSION_GENERATION_KEY] = user.token_generation

    def on_user_logout(self, user: StaffUser) -> None:
        accounts.end_sessions(self.session, user)

    def reset_password(self, userid: Any, password: str) -> None:
        """FAB's password change (the user's own, an administrator's reset, the command), ending every
        session and token of the user; the browser that changed its own password stays signed in."""
        config = current_app.config
        user = self.get_user_by_id(int(userid))
        password_hash = generate_password_hash(password, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                               salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
        accounts.set_password(self.session, user, password_hash)
        if has_request_context() and current_user.is_authenticated and current_user.id == user.id:
            session[SESSION_GENERATION_KEY] = user.token_generation

    # --- views -----------------------------------------------------------------------------

    def register_views(self) -> None:
        super().register_views()
        # FAB limits only the web form; the API login gets the same limit here.
        if self.is_auth_limited:
            api = next(v for v in self.appbuilder.baseviews if isinstance(v, self.security_api))
            self.limiter.limit(self.auth_rate_limit, methods=["POST"])(api.blueprint)
