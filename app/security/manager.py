"""Our FAB security manager: staff users, scoped user admin, account lockout, limits on both logins,
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
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, has_request_context, session
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import JWTManager
from flask_login import LoginManager, current_user, user_logged_in
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.staff import StaffUser
from app.services.organisation import accounts

log = logging.getLogger(__name__)

#: the JWT claim and the session key that carry the user's token generation
GENERATION_CLAIM = "gen"
SESSION_GENERATION_KEY = "token_generation"


class AppAuthDBView(AuthDBView):
    """The login form; a locked account is told so (and until when) instead of "wrong password"."""

    @property
    def invalid_login_message(self) -> str:  # type: ignore[override]
        locked_until: datetime | None = getattr(g, "login_locked_until", None)
        if locked_until is not None:
            return str(
                _l(
                    "This account is locked after too many failed logins until %(time)s. "
                    "Ask an administrator to unlock it.",
                    time=locked_until.strftime("%Y-%m-%d %H:%M"),
                )
            )
        return str(_l("Wrong user name or password."))


class AppSecurityManager(SecurityManager):
    user_model = StaffUser
    authdbview = AppAuthDBView

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
        """FAB's check, plus a lock after repeated failures (FAB counts failures but never locks)."""
        config = current_app.config
        user = self._find_login_user(username)
        now = datetime.now()
        if user is not None and user.locked_until is not None:
            if user.is_locked(now):
                # Spend the same time as a password check, so a lock cannot be told from timing alone.
                check_password_hash(config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password")
                g.login_locked_until = user.locked_until
                log.info("login refused: account %s is locked until %s", user.username, user.locked_until)
                return None
            accounts.clear_expired_lock(self.session, user)
        authenticated = super().auth_user_db(username, password)
        if authenticated is None and user is not None and user.is_active:
            if (user.fail_login_count or 0) >= config["AUTH_LOCKOUT_THRESHOLD"]:
                until = now + timedelta(minutes=config["AUTH_LOCKOUT_MINUTES"])
                accounts.lock_account(self.session, user, until)
                g.login_locked_until = until
        return authenticated

    def _find_login_user(self, username: str) -> StaffUser | None:
        if not username:
            return None
        return self.find_user(username=username) or self.find_user(email=username)

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
