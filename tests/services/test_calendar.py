"""The work calendar as administrators keep it: seeded from chinesecalendar, a new year imported,
the warning while next year is missing, and the deadlines computed from what is stored."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.models.calendar import WorkCalendarDay, WorkCalendarYear
from app.scope import SYSTEM, reach_of
from app.services import calendar as calendar_service
from app.web import forget_calendar_warning
from tests import factories
from tests.conftest import csrf_token

# The arrangement for 2027 as the State Council might publish it (holiday-cn JSON format).
HOLIDAY_CN_2027 = {
    "$schema": "https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/schema.json",
    "year": 2027,
    "papers": ["https://www.gov.cn/example-2027"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-05", "isOffDay": True},
        {"name": "春节", "date": "2027-02-08", "isOffDay": True},
        {"name": "春节", "date": "2027-02-09", "isOffDay": True},
        {"name": "春节", "date": "2027-02-10", "isOffDay": True},
        {"name": "春节", "date": "2027-02-11", "isOffDay": True},
        {"name": "春节", "date": "2027-02-13", "isOffDay": False},
        {"name": "国庆节", "date": "2027-10-01", "isOffDay": True},
        {"name": "国庆节", "date": "2027-10-04", "isOffDay": True},
        {"name": "国庆节", "date": "2027-10-05", "isOffDay": True},
        {"name": "国庆节", "date": "2027-10-06", "isOffDay": True},
        {"name": "国庆节", "date": "2027-10-07", "isOffDay": True},
        {"name": "国庆节", "date": "2027-09-26", "isOffDay": False},
    ],
}


def test_seeding_again_loads_nothing_new(db):
    assert calendar_service.seed_from_chinese_calendar(db) == []
    assert 2026 in calendar_service.known_years(db)


def test_the_stored_calendar_knows_the_2026_spring_festival(db):
    calendar = calendar_service.load_calendar(db)
    assert not calendar.is_working_day(date(2026, 2, 16))
    assert calendar.is_working_day(date(2026, 2, 14))  # adjusted working Saturday
    deadline = calendar.add_working_days(date(2026, 2, 13), 2)
    assert deadline.due == date(2026, 2, 24) and not deadline.provisional


def test_a_deadline_in_2027_is_provisional_until_the_year_is_imported(db):
    calendar = calendar_service.load_calendar(db)
    assert calendar.add_working_days(date(2026, 12, 30), 5).provisional
    calendar_service.import_year_file(db, "2027.json", json.dumps(HOLIDAY_CN_2027).encode(), SYSTEM)
    calendar = calendar_service.load_calendar(db)
    deadline = calendar.add_working_days(date(2026, 12, 30), 5)
    assert not deadline.provisional
    assert deadline.due == date(2027, 1, 7)  # 31 Dec, 4, 5, 6, 7 Jan: New Year's Day is off


def test_importing_a_year_replaces_it_as_a_whole(db):
    payload = json.dumps(HOLIDAY_CN_2027).encode()
    calendar_service.import_year_file(db, "2027.json", payload, SYSTEM)
    smaller = HOLIDAY_CN_2027 | {"days": HOLIDAY_CN_2027["days"][:1]}
    calendar_service.import_year_file(db, "2027.json", json.dumps(smaller).encode(), SYSTEM)
    days = db.scalars(select(WorkCalendarDay).where(WorkCalendarDay.day >= date(2027, 1, 1))).all()
    assert [d.day for d in days] == [date(2027, 1, 1)]


def test_a_bad_file_reports_every_problem_and_changes_nothing(db):
    bad = HOLIDAY_CN_2027 | {"days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": True},
                                      {"name": "春节", "date": "2025-02-05", "isOffDay": True},
                                      {"date": "2027-03-01"}]}
    before = db.scalar(select(func.count()).select_from(WorkCalendarDay))
    with pytest.raises(ValidationFailed) as refused:
        calendar_service.import_year_file(db, "2027.json", json.dumps(bad).encode(), SYSTEM)
    assert len(refused.value.problems) >= 3
    assert db.scalar(select(func.count()).select_from(WorkCalendarDay)) == before
    assert 2027 not in calendar_service.known_years(db)


def test_only_an_administrator_imports_a_year(db):
    with pytest.raises(ValidationFailed):
        calendar_service.import_year_file(db, "2027.json", json.dumps(HOLIDAY_CN_2027).encode(),
                                          reach_of(factories.user(db, "lz_admin")))


def test_a_year_exported_as_xlsx_imports_back_the_same(db):
    data = calendar_service.export_year_xlsx(db, 2026)
    before = {(d.day, d.is_working) for d in db.scalars(select(WorkCalendarDay).where(WorkCalendarDay.day >= date(2026, 1, 1), WorkCalendarDay.day < date(2027, 1, 1)))}
    year, count = calendar_service.import_year_file(db, "2026.xlsx", data, SYSTEM)
    after = {(d.day, d.is_working) for d in db.scalars(select(WorkCalendarDay).where(WorkCalendarDay.day >= date(2026, 1, 1), WorkCalendarDay.day < date(2027, 1, 1)))}
    assert year == 2026 and count == len(before) and after == before


def test_the_admin_is_warned_while_next_year_has_no_arrangement(client, login, db):
    forget_calendar_warning()
    login("admin")
    page = client.get("/").get_data(as_text=True)
    assert "calendar-warning" in page and "2027" in page


def test_window_clerks_are_not_bothered_with_the_calendar_warning(client, login, db):
    forget_calendar_warning()
    login("lz_window")
    assert "calendar-warning" not in client.get("/").get_data(as_text=True)


def test_importing_next_year_through_the_page_removes_the_warning(client, login, db):
    forget_calendar_warning()
    login("admin")
    token = csrf_token(client, "/workcalendaryearview/list/")
    response = client.post("/calendar/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (BytesIO(json.dumps(HOLIDAY_CN_2027).encode()), "2027.json")})
    assert response.status_code == 302
    forget_calendar_warning()
    assert "calendar-warning" not in client.get("/").get_data(as_text=True)
    assert db.scalar(select(WorkCalendarYear).where(WorkCalendarYear.year == 2027)) is not None


def test_a_manual_day_that_is_no_exception_is_refused_with_a_reason(client, login, db):
    login("admin")
    token = csrf_token(client, "/workcalendardayview/add")
    response = client.post("/workcalendardayview/add", data={"csrf_token": token, "day": "2026-12-01",
                                                              "name": "不是调休", "is_working": "y"})
    assert response.status_code == 200
    assert db.scalar(select(WorkCalendarDay).where(WorkCalendarDay.day == date(2026, 12, 1))) is None
