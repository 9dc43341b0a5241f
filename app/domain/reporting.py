"""When the scheduled reports are built, and what period a report on demand may cover (pure).

``REPORT_SCHEDULE`` is the one source of truth of the beat's report runs: ``workers/celery_app.py`` builds
its crontabs from it, and the report history tells from it when the next weekly and monthly report comes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

#: kind -> when beat builds it: weekday (Monday 0) or day of the month, hour, minute (local time)
REPORT_SCHEDULE: dict[str, dict[str, int]] = {
    "weekly": {"day_of_week": 1, "hour": 7, "minute": 0},  # crontab's day_of_week: Sunday 0, Monday 1
    "monthly": {"day_of_month": 1, "hour": 7, "minute": 15},
}
#: the longest period a report on demand may cover, in days (a leap year)
MAX_SPAN_DAYS = 366


def next_run(kind: str, now: datetime) -> datetime:
    """The next time after ``now`` that beat builds the ``kind`` report."""
    rule = REPORT_SCHEDULE[kind]
    at = time(rule["hour"], rule["minute"])
    if "day_of_week" in rule:
        weekday = (rule["day_of_week"] - 1) % 7  # crontab counts from Sunday, Python from Monday
        day = now.date() + timedelta(days=(weekday - now.weekday()) % 7)
        candidate = datetime.combine(day, at)
        return candidate if candidate > now else candidate + timedelta(days=7)
    day_of_month = rule["day_of_month"]
    candidate = datetime.combine(now.date().replace(day=day_of_month), at)
    if candidate > now:
        return candidate
    first_next = (now.date().replace(day=1) + timedelta(days=32)).replace(day=day_of_month)
    return datetime.combine(first_next, at)


def crontab_args(kind: str) -> dict[str, int]:
    """The keyword arguments of Celery's ``crontab`` for the ``kind`` report."""
    return dict(REPORT_SCHEDULE[kind])


def period_problems(start: date | None, end: date | None, today: date, max_days: int = MAX_SPAN_DAYS) -> list[str]:
    """What is wrong with a requested period, every problem at once, as codes: ``start_missing``,
    ``end_missing``, ``start_after_end``, ``start_future``, ``end_future``, ``too_long``."""
    problems = []
    if start is None:
        problems.append("start_missing")
    if end is None:
        problems.append("end_missing")
    if start is not None and start > today:
        problems.append("start_future")
    if end is not None and end > today:
        problems.append("end_future")
    if start is not None and end is not None:
        if start > end:
            problems.append("start_after_end")
        elif (end - start).days + 1 > max_days:
            problems.append("too_long")
    return problems
