"""Catalog imports against spreadsheet bombs (issue 9, defect 5): a 208 KB workbook with
one 200 MB cell, a ZIP whose directory lies about a part's size, too many rows, too long a cell. Each is
refused with a Chinese message naming the limit (UPLOAD_MAX_UNPACKED_MB, IMPORT_MAX_ROWS,
IMPORT_MAX_CELL_CHARS in config.py), before the workbook is decoded where the limit allows, and nothing
changes. What the bombs cost without the limits: bench/uploads.py."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.models.catalog import Guide, Matter
from app.scope import SYSTEM
from app.services.catalog import transfer as catalog_transfer
from tests import hostile_files
from tests.conftest import config_override, csrf_token


def _counts(db) -> tuple[int, int]:
    return db.scalar(select(func.count()).select_from(Matter)), db.scalar(select(func.count()).select_from(Guide))


def _messages(refused) -> str:
    return " ".join(str(p.message) for p in refused.value.problems)


def _with_rows(data: bytes, copies: int) -> bytes:
    """The workbook with its first data row repeated ``copies`` times (each a new material of the matter)."""
    book = load_workbook(BytesIO(data))
    sheet = book.worksheets[0]
    first = [cell.value for cell in sheet[3]]
    seq_column = next(cell.column for cell in sheet[2] if cell.value == "材料序号")
    for n in range(copies):
        row = list(first)
        row[seq_column - 1] = 10 + n
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_with_one_200_mb_cell_is_refused_naming_the_unpacked_limit(db):
    bomb = hostile_files.with_big_cell(catalog_transfer.template(db), 200 * 1024 * 1024)
    assert len(bomb) < 400 * 1024
    before = _counts(db)
    with pytest.raises(ValidationFailed) as refused:
        catalog_transfer.import_catalog(db, bomb, SYSTEM)
    assert "解压后超过20MB" in _messages(refused)
    assert _counts(db) == before


def test_a_zip_whose_directory_lies_about_a_part_is_refused(db):
    big = hostile_files.with_big_cell(catalog_transfer.template(db), 2 * 1024 * 1024)
    lying = hostile_files.with_lying_directory(big, "xl/worksheets/sheet1.xml", 1000)
    before = _counts(db)
    with pytest.raises(ValidationFailed):
        catalog_transfer.import_catalog(db, lying, SYSTEM)
    assert _counts(db) == before


def test_the_unpacked_limit_is_a_setting(app, db):
    sheet = hostile_files.with_big_cell(catalog_transfer.template(db), 2 * 1024 * 1024)
    with config_override(app, UPLOAD_MAX_UNPACKED_MB=1), pytest.raises(ValidationFailed) as refused:
        catalog_transfer.import_catalog(db, sheet, SYSTEM)
    assert "解压后超过1MB" in _messages(refused)


def test_rows_beyond_the_configured_cap_are_refused(app, db):
    sheet = _with_rows(catalog_transfer.template(db), 5)  # 2 rows of the template + 5
    before = _counts(db)
    with config_override(app, IMPORT_MAX_ROWS=3), pytest.raises(ValidationFailed) as refused:
        catalog_transfer.import_catalog(db, sheet, SYSTEM)
    assert "超过3行" in _messages(refused)
    assert _counts(db) == before


def test_a_cell_longer_than_the_configured_cap_is_refused(app, db):
    sheet = hostile_files.with_big_cell(catalog_transfer.template(db), 5000, cell="J3")  # 受理条件
    with config_override(app, IMPORT_MAX_CELL_CHARS=1000), pytest.raises(ValidationFailed) as refused:
        catalog_transfer.import_catalog(db, sheet, SYSTEM)
    assert "第3行" in _messages(refused) and "超过1000个字符" in _messages(refused)


def test_the_import_page_shows_the_refusal_of_a_bomb(client, login, db):
    bomb = hostile_files.with_big_cell(catalog_transfer.template(db), 200 * 1024 * 1024)
    login("admin")
    token = csrf_token(client, "/catalog/")
    answer = client.post("/catalog/import", data={"csrf_token": token, "file": (BytesIO(bomb), "清单.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "解压后超过20MB" in answer.get_data(as_text=True)
