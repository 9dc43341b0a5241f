"""Failed sign-ins slow down one account name from one client address; nobody can lock anyone out.

After ``failures`` failures with a name from an address, that address must wait before it may try that
name again: ``first_wait``, doubled after each further failure, at most ``longest_wait``. The count
starts again after a success or ``forget_after`` without failures. Names are counted as typed
(lower-cased), whether an account has them or not, so the answers tell nothing about which names exist;
the owner signing in from another address is not slowed down. The state is in the database (table
``login_throttle``), shared by every web process. Guessing across many names from one address is bounded
by the per-address rate limit of both logins (AUTH_RATE_LIMIT).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.staff import LoginThrottle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottlePolicy:
    failures: int
    first_wait: timedelta
    longest_wait: timedelta
    forget_after: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottlePolicy:
        return cls(failures=config["AUTH_THROTTLE_FAILURES"],
                   first_wait=timedelta(seconds=config["AUTH_THROTTLE_FIRST_WAIT_SECONDS"]),
                   longest_wait=timedelta(seconds=config["AUTH_THROTTLE_LONGEST_WAIT_SECONDS"]),
                   forget_after=timedelta(minutes=config["AUTH_THROTTLE_FORGET_MINUTES"]))

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.failures:
            return timedelta(0)
        doublings = min(failures - self.failures, 32)  # 2**32 first waits is beyond any longest wait
        return min(self.first_wait * 2**doublings, self.longest_wait)


def _key(account: str, address: str) -> tuple[str, str]:
    return (account or "").strip().lower()[:256], (address or "")[:64]


def _seconds(delta: timedelta) -> int:
    return max(0, int(-(-delta.total_seconds() // 1)))  # rounded up: "try in 0 seconds" is never said


def seconds_to_wait(session: Session, account: str, address: str, now: datetime) -> int:
    """How long ``address`` must still wait before it may try ``account`` (0: it may now)."""
    row = session.get(LoginThrottle, _key(account, address))
    if row is None or row.blocked_until is None:
        return 0
    return _seconds(row.blocked_until - now)


def record_failure(session: Session, account: str, address: str, now: datetime, policy: ThrottlePolicy) -> int:
    """Counts a failed sign-in; the seconds the address must now wait for this name (0: none yet)."""
    try:
        return _count_failure(session, account, address, now, policy)
    except IntegrityError:  # another process inserted the same row first: count on it
        session.rollback()
        return _count_failure(session, account, address, now, policy)


def _count_failure(session: Session, account: str, address: str, now: datetime, policy: ThrottlePolicy) -> int:
    key = _key(account, address)
    row = session.execute(select(LoginThrottle).where(LoginThrottle.account == key[0],
                                                      LoginThrottle.address == key[1])
                          .with_for_update()).scalar_one_or_none()
    if row is None:
        row = LoginThrottle(account=key[0], address=key[1], failures=0, last_failure=now)
        session.add(row)
    elif now - row.last_failure > policy.forget_after:
        row.failures = 0
    row.failures += 1
    row.last_failure = now
    wait = policy.wait_after(row.failures)
    row.blocked_until = now + wait if wait else None
    session.commit()
    if wait:
        log.warning("sign-in throttled: %s failures with %r from %s, next try in %s s",
                    row.failures, key[0], key[1], _seconds(wait))
    return _seconds(wait)


def record_success(session: Session, account: str, address: str) -> None:
    account_key, address_key = _key(account, address)
    session.execute(delete(LoginThrottle).where(LoginThrottle.account == account_key,
                                                LoginThrottle.address == address_key))
    session.commit()


def clear_accounts(session: Session, names: Iterable[str]) -> int:
    """An administrator lets every address try these names again at once; the rows cleared."""
    keys = sorted({_key(name, "")[0] for name in names if name})
    if not keys:
        return 0
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.account.in_(keys)))  # stored lower-cased
    session.commit()
    return result.rowcount or 0
