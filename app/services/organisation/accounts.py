"""Accounts: an administrator clears the failed logins of its users; passwords and the token generation
that ends every session and token of a user."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.errors import NotFound, ProblemCollector
from app.models.staff import StaffUser
from app.scope import OutOfScope, Reach, get_in_scope, is_in_scope
from app.services.organisation import login_throttle
from app.services.organisation.staff import new_password_problems

log = logging.getLogger(__name__)


def user_to_manage(session: Session, pk: Any, reach: Reach) -> StaffUser:
    """The staff user ``pk`` if ``reach`` manages it (a county administrator: the clerks and officers of its
    county); any other is as if missing (NotFound)."""
    try:
        return get_in_scope(session, StaffUser, pk, reach, write=True)
    except OutOfScope:
        raise NotFound() from None


def check_new_password(password: Any) -> None:
    """Refuses (every rule broken at once, under ``password``) a password the password rules refuse."""
    problems = ProblemCollector()
    new_password_problems(problems, password)
    problems.raise_if_any()


def clear_failed_logins(session: Session, users: Iterable[StaffUser], reach: Reach) -> int:
    """An administrator lets users within its scope sign in again at once from any address (their
    names and e-mails are no longer throttled); all or nothing."""
    users = list(users)
    if any(not is_in_scope(session, user, reach, write=True) for user in users):
        raise NotFound()
    for user in users:
        user.fail_login_count = 0
    login_throttle.clear_accounts(session, [name for u in users for name in (u.username, u.email)])
    log.info("failed logins cleared for %s (by user %s)", [u.username for u in users], reach.user_id)
    return len(users)


def end_sessions(session: Session, user: StaffUser) -> None:
    """Every web session and JWT (access and refresh) issued to ``user`` so far stops working: they carry
    the generation that was current when they were issued."""
    user.token_generation = (user.token_generation or 0) + 1
    session.commit()
    log.info("sessions and tokens of %s ended (generation %s)", user.username, user.token_generation)


def set_password(session: Session, user: StaffUser, password_hash: str) -> None:
    """A new password (set by the user, an administrator or a command) ends every session and token
    issued with the old one, in the same commit."""
    user.password = password_hash
    end_sessions(session, user)
