"""The work calendar: exceptions to the Monday–Friday rule, and which years are known."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import now
from app.scope import ScopeRule, everyone, nobody


class CalendarSource(StrEnum):
    CHINESE_CALENDAR = "chinesecalendar"
    IMPORT = "import"
    MANUAL = "manual"


class WorkCalendarDay(Model):
    """One day that differs from Monday–Friday: a weekday holiday or a working weekend day (调休)."""

    __tablename__ = "work_calendar_day"
    __scope__ = ScopeRule(read=everyone, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True, nullable=False)
    is_working: Mapped[bool] = mapped_column(Boolean, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(32), nullable=False, default=CalendarSource.MANUAL)
    changed_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, onupdate=now)

    @property
    def year(self) -> int:
        return self.day.year

    @property
    def weekday(self) -> int:
        """0 for Monday … 6 for Sunday."""
        return self.day.weekday()

    def __repr__(self) -> str:
        return f"{self.day.isoformat()} {self.name}"


class WorkCalendarYear(Model):
    """A year whose official arrangement is loaded; deadlines in other years are provisional."""

    __tablename__ = "work_calendar_year"
    __scope__ = ScopeRule(read=everyone, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False, default=CalendarSource.MANUAL)
    note: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    loaded_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    def __repr__(self) -> str:
        return str(self.year)
