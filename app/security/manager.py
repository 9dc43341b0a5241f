"""Our FAB security manager: staff users, scoped user admin, account lockout, limits on both logins."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from app.models.staff import StaffUser
from app.services.organisation import accounts

log = logging.getLogger(__name__)


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

    # --- views -----------------------------------------------------------------------------

    def register_views(self) -> None:
        super().register_views()
        # FAB limits only the web form; the API login gets the same limit here.
        if self.is_auth_limited:
            api = next(v for v in self.appbuilder.baseviews if isinstance(v, self.security_api))
            self.limiter.limit(self.auth_rate_limit, methods=["POST"])(api.blueprint)
