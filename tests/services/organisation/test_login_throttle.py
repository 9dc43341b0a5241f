"""Failed sign-ins slow down one account name from one client address, with a wait that doubles, instead of
locking the account for everybody (issue 9, defect 9)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.services.organisation import login_throttle
from app.services.organisation.login_throttle import ThrottlePolicy

POLICY = ThrottlePolicy(failures=3, first_wait=timedelta(seconds=30), longest_wait=timedelta(seconds=100),
                        forget_after=timedelta(hours=1))
T0 = datetime(2026, 12, 1, 9, 0, 0)
ADDRESS = "198.51.100.20"


def _fail(db, now: datetime, account: str = "cx_police", address: str = ADDRESS) -> int:
    return login_throttle.record_failure(db, account, address, now, POLICY)


def test_the_wait_starts_at_the_threshold_and_doubles_up_to_the_longest(db):
    assert [_fail(db, T0), _fail(db, T0)] == [0, 0]
    assert _fail(db, T0) == 30
    assert login_throttle.seconds_to_wait(db, "cx_police", ADDRESS, T0 + timedelta(seconds=10)) == 20
    assert login_throttle.seconds_to_wait(db, "cx_police", ADDRESS, T0 + timedelta(seconds=30)) == 0
    later = T0 + timedelta(seconds=31)
    assert _fail(db, later) == 60
    assert _fail(db, later + timedelta(seconds=61)) == 100  # 120, capped


def test_another_address_of_the_same_account_does_not_wait(db):
    for _ in range(POLICY.failures):
        _fail(db, T0)
    assert login_throttle.seconds_to_wait(db, "cx_police", "198.51.100.21", T0) == 0


def test_unknown_and_existing_account_names_are_counted_alike_and_without_case(db):
    for _ in range(POLICY.failures):
        _fail(db, T0, account="No_Such_User")
    assert login_throttle.seconds_to_wait(db, "no_such_user", ADDRESS, T0) == 30


def test_a_success_or_a_long_quiet_time_starts_the_count_again(db):
    _fail(db, T0)
    _fail(db, T0)
    login_throttle.record_success(db, "cx_police", ADDRESS)
    assert _fail(db, T0) == 0
    _fail(db, T0)
    assert _fail(db, T0 + POLICY.forget_after + timedelta(seconds=1)) == 0


def test_clearing_an_account_clears_it_from_every_address(db):
    for address in (ADDRESS, "198.51.100.22"):
        for _ in range(POLICY.failures):
            _fail(db, T0, address=address)
    login_throttle.clear_accounts(db, ["CX_police"])
    assert login_throttle.seconds_to_wait(db, "cx_police", ADDRESS, T0) == 0
    assert login_throttle.seconds_to_wait(db, "cx_police", "198.51.100.22", T0) == 0
