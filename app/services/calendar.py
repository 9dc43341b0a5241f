"""The work calendar: seeding from chinesecalendar, importing a year, and the calendar deadlines use."""

from __future__ import annotations

import logging
from datetime import date
from typing import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, extract, select
from sqlalchemy.orm import Session

from app.domain import calendar_files
from app.domain.calendar_files import CalendarDay
from app.domain.upload_checks import SheetLimits
from app.domain.workdays import WorkCalendar
from app.errors import Problem, ValidationFailed
from app.models.calendar import CalendarSource, WorkCalendarDay, WorkCalendarYear
from app.models.base import now
from app.scope import Reach
from app.platform.records import rule_for
from app.errors import ProblemCollector

log = logging.getLogger(__name__)


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar as stored: every exception day and every year whose arrangement is known."""
    days = session.execute(select(WorkCalendarDay.day, WorkCalendarDay.is_working)).all()
    years = session.execute(select(WorkCalendarYear.year)).scalars().all()
    return WorkCalendar.from_days(((d, w) for d, w in days), years)


def known_years(session: Session) -> list[int]:
    return sorted(session.execute(select(WorkCalendarYear.year)).scalars())


def missing_years_ahead(session: Session, today: date) -> list[int]:
    """This year and the coming one, where no arrangement is loaded yet (the admin is warned)."""
    known = set(known_years(session))
    return [year for year in (today.year, today.year + 1) if year not in known]


def replace_year(
    session: Session, year: int, days: Iterable[CalendarDay], source: CalendarSource, note: str = "", *, commit: bool = True
) -> int:
    """Makes ``days`` the whole arrangement of ``year`` and marks the year as known; one transaction."""
    days = [d for d in days if d.is_working != (d.date.weekday() < 5)]  # keep real exceptions only
    session.execute(delete(WorkCalendarDay).where(extract("year", WorkCalendarDay.day) == year))
    for day in days:
        session.add(WorkCalendarDay(day=day.date, is_working=day.is_working, name=day.name, source=source))
    marker = session.scalar(select(WorkCalendarYear).where(WorkCalendarYear.year == year))
    if marker is None:
        marker = WorkCalendarYear(year=year)
        session.add(marker)
    marker.source, marker.note, marker.loaded_on = source, note, now()
    if commit:
        session.commit()
    log.debug("work calendar %s: %d exception days from %s", year, len(days), source)
    return len(days)


def seed_from_chinese_calendar(session: Session, years: Iterable[int] | None = None) -> list[int]:
    """Loads every year the chinesecalendar package knows and the database does not; idempotent."""
    known = set(known_years(session))
    wanted = list(years) if years is not None else list(calendar_files.chinese_calendar_years())
    seeded = []
    for year in wanted:
        if year in known:
            continue
        replace_year(session, year, calendar_files.days_from_chinese_calendar(year),
                     CalendarSource.CHINESE_CALENDAR, note="chinesecalendar", commit=False)
        seeded.append(year)
    session.commit()
    if seeded:  # one line, not one per year: a new installation seeds twenty years at its first start
        log.info("work calendar: %d year(s) from chinesecalendar, %s–%s", len(seeded), seeded[0], seeded[-1])
    return seeded


def import_year_file(session: Session, filename: str, data: bytes, reach: Reach) -> tuple[int, int]:
    """Imports a holiday-cn JSON file or our XLSX; every problem is reported and nothing changes."""
    if not reach.everything:
        raise ValidationFailed([Problem(None, _l("Only an administrator maintains the work calendar."))])
    name = (filename or "").lower()
    if name.endswith(".json"):
        year, days, problems = calendar_files.parse_holiday_cn_json(data)
    elif name.endswith(".xlsx"):
        year, days, problems = calendar_files.parse_calendar_xlsx(data, SheetLimits.from_settings(current_app.config))
    else:
        raise ValidationFailed([Problem("file", _l("Upload a holiday-cn .json file or an .xlsx file."))])
    if problems or year is None:
        raise ValidationFailed([Problem(p.column or "file", p.message, p.row) for p in problems] or
                               [Problem("file", _l("The file names no year."))])
    count = replace_year(session, year, days, CalendarSource.IMPORT, note=filename)
    log.info("work calendar %s: %d exception days imported from %s", year, count, filename)
    return year, count


def export_year_xlsx(session: Session, year: int) -> bytes:
    rows = session.execute(
        select(WorkCalendarDay).where(extract("year", WorkCalendarDay.day) == year).order_by(WorkCalendarDay.day)
    ).scalars()
    return calendar_files.write_calendar_xlsx(year, [CalendarDay(r.day, r.is_working, r.name) for r in rows])


@rule_for(WorkCalendarDay)
def calendar_day_rules(session: Session, day: WorkCalendarDay, reach: Reach, problems: ProblemCollector) -> None:
    if day.day is None:
        problems.add("day", _l("Enter the date."))
        return
    if day.is_working == (day.day.weekday() < 5):
        problems.add(
            "is_working",
            _l("%(day)s is already a working day or a weekend by the ordinary rule; only exceptions are kept.",
               day=day.day.isoformat()),
        )
    day.source = CalendarSource.MANUAL
