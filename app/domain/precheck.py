"""远程预审 (remote pre-check, issue 12): the department looks at the scans before the parcel leaves, within a
set number of working hours (half a working day by default). Its due time is counted in the office hours of
working days; a non-working day has none.

Pure domain code: no Flask, Celery or SQLAlchemy imports here.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.domain.workdays import WorkCalendar

#: the default of a matter's ``precheck_hours``: half a working day
DEFAULT_PRECHECK_HOURS = 4
#: a week of office hours: a pre-check longer than that is a typo (the parcel must leave within a working day)
MAX_PRECHECK_HOURS = 40
#: the default of PRECHECK_OFFICE_HOURS
DEFAULT_OFFICE_HOURS = "09:00-12:00,13:30-17:30"

OfficeHours = tuple[tuple[time, time], ...]


def parse_office_hours(text: str) -> OfficeHours:
    """"09:00-12:00,13:30-17:30" as ((09:00, 12:00), (13:30, 17:30)): ascending, not overlapping, not empty.
    Raises ValueError with the reason."""
    periods = []
    for part in (p.strip() for p in text.split(",")):
        start_text, dash, end_text = part.partition("-")
        if not dash:
            raise ValueError(f"{part!r} is not a period like 09:00-12:00")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        if start >= end:
            raise ValueError(f"{part!r} ends before it starts")
        if periods and start < periods[-1][1]:
            raise ValueError(f"{part!r} overlaps or precedes the period before it")
        periods.append((start, end))
    if not periods:
        raise ValueError("no office hours")
    return tuple(periods)


def add_working_hours(calendar: WorkCalendar, start: datetime, hours: float,
                      office_hours: OfficeHours = parse_office_hours(DEFAULT_OFFICE_HOURS)) -> datetime:
    """The moment ``hours`` of office time after ``start``: only the office hours of working days count.
    A start outside office hours counts from the next period; a due time falls inside a period (its end,
    when the hours run out exactly there)."""
    left = timedelta(hours=hours)
    day = start.date()
    for _ in range(3660):  # ten years of days: a broken calendar fails loudly instead of hanging the worker
        if calendar.is_working_day(day):
            for begin, end in office_hours:
                period_start = max(datetime.combine(day, begin), start)
                period_end = datetime.combine(day, end)
                if period_start >= period_end:
                    continue
                if period_start + left <= period_end:
                    return period_start + left
                left -= period_end - period_start
        day += timedelta(days=1)
    raise ValueError("no office hours within ten years")
