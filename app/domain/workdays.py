"""Official working-day arithmetic for 跨域通办 deadlines.

A working day is Monday–Friday, except where the State Council arrangement
says otherwise: public holidays falling on weekdays are days off, and
adjusted weekends (调休) are working days.  The arrangement is published one
year at a time, so a calendar also records which years it actually knows;
any result that depends on an unknown year is marked *provisional* (it was
computed with the plain Mon–Fri rule and may move once the year is loaded).

Pure domain code: no Flask, Celery or SQLAlchemy imports here.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Iterable, Mapping

# Ten years of days.  No real arrangement has more than ~9 consecutive days
# off, so hitting this means a broken calendar or an absurd n; failing loudly
# beats hanging a request or a Celery worker.
MAX_SCAN_DAYS = 3660

_ONE_DAY = timedelta(days=1)


def _is_plain_weekday(d: date) -> bool:
    return d.weekday() < 5


def _weekdays_through(d: date) -> int:
    """Number of Mon–Fri days from 0001-01-01 (a Monday) through d inclusive."""
    ordinal = d.toordinal()
    full_weeks, rest = divmod(ordinal, 7)
    return full_weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class Deadline:
    due: date
    # True when a day that was examined lies in a year the calendar does not
    # cover: the date may move when that year's arrangement is published.
    provisional: bool


@dataclass(frozen=True)
class Span:
    days: int
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    # hash=False: a mapping is unhashable; hashing on known_years alone keeps
    # the calendar usable as a cache key while equality still compares both.
    overrides: Mapping[date, bool] = field(default_factory=dict, hash=False)
    known_years: frozenset[int] = frozenset()
    # Sorted dates whose override really deviates from Mon–Fri, and the
    # running sum of their effect (+1 working weekend, -1 weekday off), so
    # counting a span costs two bisections instead of a day-by-day walk.
    _deviation_dates: tuple[date, ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _deviation_prefix: tuple[int, ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # Copy so that a caller mutating its dict cannot change a "frozen"
        # calendar behind our back (and invalidate the prefix sums).
        overrides = MappingProxyType(dict(self.overrides))
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "known_years", frozenset(self.known_years))
        deviations = sorted(
            (d, 1 if working else -1)
            for d, working in overrides.items()
            if working != _is_plain_weekday(d)
        )
        prefix = [0]
        for _, delta in deviations:
            prefix.append(prefix[-1] + delta)
        object.__setattr__(self, "_deviation_dates", tuple(d for d, _ in deviations))
        object.__setattr__(self, "_deviation_prefix", tuple(prefix))

    @classmethod
    def from_days(
        cls, days: Iterable[tuple[date, bool]], known_years: Iterable[int]
    ) -> WorkCalendar:
        """Build a calendar; a date listed twice with different values is an error
        because silently picking one would silently move deadlines."""
        overrides: dict[date, bool] = {}
        for d, working in days:
            if overrides.get(d, working) != working:
                raise ValueError(f"conflicting entries for {d.isoformat()}")
            overrides[d] = bool(working)
        return cls(overrides=overrides, known_years=frozenset(known_years))

    @classmethod
    def weekends_only(cls) -> WorkCalendar:
        """Plain Mon–Fri with no official data: every result is provisional."""
        return cls()

    # -- single days -------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        override = self.overrides.get(d)
        return _is_plain_weekday(d) if override is None else override

    def covers(self, d: date) -> bool:
        return d.year in self.known_years

    def _covers_range(self, first: date, last: date) -> bool:
        """True when every year touched by first..last (inclusive) is known."""
        return all(y in self.known_years for y in range(first.year, last.year + 1))

    def next_working_day(self, d: date, include_self: bool = True) -> date:
        candidate = d if include_self else d + _ONE_DAY
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += _ONE_DAY
        raise ValueError(f"no working day within {MAX_SCAN_DAYS} days of {d.isoformat()}")

    # -- deadlines ---------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day strictly after start (次日起算).

        The start day never counts, so a step done on a Saturday or on a
        holiday effectively starts counting from the next working day.
        n == 0 means "due today", or the next working day if today is off.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            due = self.next_working_day(start, include_self=True)
            return Deadline(due, not self._covers_range(start, due))
        day = start
        remaining = n
        for _ in range(MAX_SCAN_DAYS):
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
                if remaining == 0:
                    first_examined = start + _ONE_DAY
                    return Deadline(day, not self._covers_range(first_examined, day))
        raise ValueError(
            f"{n} working days after {start.isoformat()} exceeds {MAX_SCAN_DAYS} days"
        )

    def working_days_between_ex(self, a: date, b: date) -> Span:
        """Working days d with a < d <= b, and whether any such d is in an unknown year."""
        if b <= a:
            return Span(0, False)
        plain = _weekdays_through(b) - _weekdays_through(a)
        lo = bisect.bisect_right(self._deviation_dates, a)
        hi = bisect.bisect_right(self._deviation_dates, b)
        adjustment = self._deviation_prefix[hi] - self._deviation_prefix[lo]
        return Span(plain + adjustment, not self._covers_range(a + _ONE_DAY, b))

    def working_days_between(self, a: date, b: date) -> int:
        """Inverse of add_working_days: between(d, add(d, n).due) == n for n >= 1."""
        return self.working_days_between_ex(a, b).days

    def remaining_working_days(self, today: date, due: date) -> int:
        """Working days left after today up to and including due; negative when overdue.

        Due yesterday (a working day) gives -1.  Note that the count only moves
        on working days: the Saturday after a Friday deadline still gives 0, so
        "is it overdue?" must be decided with `today > due`, not with this number.
        """
        if due >= today:
            return self.working_days_between(today, due)
        return -self.working_days_between(due, today)


def missing_years(calendar: WorkCalendar, years: Iterable[int]) -> list[int]:
    """Sorted, de-duplicated years the calendar has no official arrangement for."""
    return sorted({y for y in years if y not in calendar.known_years})
