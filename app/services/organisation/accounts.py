"""Account locks: set after repeated failed logins, lifted by time or by an administrator."""

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
