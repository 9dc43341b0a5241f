"""Work-calendar imports against hostile files (issue 9, defect 5): an XLSX with one 200 MB cell, more rows
than IMPORT_MAX_ROWS, a cell longer than IMPORT_MAX_CELL_CHARS, a JSON nested beyond the parser's depth.
Each is refused with a Chinese message naming the limit and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.models.calendar import WorkCalendarDay
from app.scope import SYSTEM
from app.services import calendar as calendar_service
from tests import hostile_files
from tests.conftest import config_override


def _messages(refused) -> str:
    return " ".join(str(p.message) for p in refused.value.problems)


def _calendar_days(db) -> int:
    return db.scalar(select(func.count()).select_from(WorkCalendarDay))


def test_a_calendar_workbook_with_one_200_mb_cell_is_refused(db):
    bomb = hostile_files.with_big_cell(calendar_service.export_year_xlsx(db, 2026), 200 * 1024 * 1024, cell="B2")
    before = _calendar_days(db)
    with pytest.raises(ValidationFailed) as refused:
        calendar_service.import_year_file(db, "2026.xlsx", bomb, SYSTEM)
    assert "解压后超过20MB" in _messages(refused)
    assert _calendar_days(db) == before


def test_a_calendar_with_more_rows_than_the_cap_is_refused(app, db):
    data = calendar_service.export_year_xlsx(db, 2026)
    with config_override(app, IMPORT_MAX_ROWS=3), pytest.raises(ValidationFailed) as refused:
        calendar_service.import_year_file(db, "2026.xlsx", data, SYSTEM)
    assert "超过3行" in _messages(refused)


def test_a_calendar_cell_longer_than_the_cap_is_refused(app, db):
    data = hostile_files.with_big_cell(calendar_service.export_year_xlsx(db, 2026), 5000, cell="B2")
    with config_override(app, IMPORT_MAX_CELL_CHARS=1000), pytest.raises(ValidationFailed) as refused:
        calendar_service.import_year_file(db, "2026.xlsx", data, SYSTEM)
    assert "超过1000个字符" in _messages(refused)


def test_a_deeply_nested_calendar_json_is_refused_not_a_server_error(db):
    nested = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(ValidationFailed) as refused:
        calendar_service.import_year_file(db, "2027.json", nested, SYSTEM)
    assert "JSON" in _messages(refused)
