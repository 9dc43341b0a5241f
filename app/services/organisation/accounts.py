"""Accounts: locks after repeated failed logins, lifted by time or by an administrator; passwords and the
token generation that ends every session and token of a user."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Iterable

from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models.staff import StaffUser
from app.scope import Reach, is_in_scope

log = logging.getLogger(__name__)


def lock_account(session: Session, user: StaffUser, until: datetime) -> None:
    user.locked_until = until
    session.commit()
    log.warning("account %s locked until %s after %s failed logins", user.username, until, user.fail_login_count)


def clear_expired_lock(session: Session, user: StaffUser) -> None:
    """A lock that has run out: the failure count starts again from zero."""
    user.locked_until = None
    user.fail_login_count = 0
    session.commit()


def unlock_accounts(session: Session, users: Iterable[StaffUser], reach: Reach) -> int:
    """An administrator lifts the lock of users within its scope; all or nothing."""
    users = list(users)
    if any(not is_in_scope(session, user, reach, write=True) for user in users):
        raise NotFound()
    for user in users:
        user.locked_until = None
        user.fail_login_count = 0
    session.commit()
    log.info("unlocked accounts %s (by user %s)", [u.username for u in users], reach.user_id)
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
