"""The catalog and the work calendar as files through the REST API (issue 15, API parity): the export, the blank
template and the import of the pages /catalog/ and /calendar/, with the same permissions, the same checks (every
problem at once: 422, each naming its row and column; nothing imported) and the same files."""

from __future__ import annotations

import json
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.domain.form_fields_sheet import SHEET as FIELDS_SHEET
from app.models.calendar import WorkCalendarDay
from app.models.catalog import Guide, Matter
from app.scope import SYSTEM
from app.services import calendar as calendar_service
from app.services.catalog import transfer as catalog_transfer
from tests.services.catalog.test_catalog_transfer import _edit, _row_of
from tests.services.test_calendar import HOLIDAY_CN_2027

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _counts(db) -> tuple[int, int]:
    return db.scalar(select(func.count()).select_from(Matter)), db.scalar(select(func.count()).select_from(Guide))


def _upload(data: bytes, name: str) -> dict:
    return {"data": {"file": (BytesIO(data), name)}, "content_type": "multipart/form-data"}


def test_the_catalog_export_is_the_pages_workbook(api, client, login, db):
    answer = api("admin").get("/api/v1/catalog/export")
    assert answer.status_code == 200 and answer.mimetype == XLSX
    login("admin")
    page = client.get("/catalog/export.xlsx")
    assert load_workbook(BytesIO(answer.data)).sheetnames == load_workbook(BytesIO(page.data)).sheetnames
    rows = [r for r in load_workbook(BytesIO(answer.data)).worksheets[0].iter_rows(values_only=True)]
    assert rows == [r for r in load_workbook(BytesIO(page.data)).worksheets[0].iter_rows(values_only=True)]


def test_the_blank_template_has_the_form_fields_sheet_on_the_page_and_the_api(api, client, login):
    answer = api("admin").get("/api/v1/catalog/template")
    assert answer.status_code == 200 and answer.mimetype == XLSX
    assert FIELDS_SHEET in load_workbook(BytesIO(answer.data)).sheetnames
    login("admin")
    assert FIELDS_SHEET in load_workbook(BytesIO(client.get("/catalog/template.xlsx").data)).sheetnames


def test_the_blank_template_imports_back(db):
    result = catalog_transfer.import_catalog(db, catalog_transfer.template(db), SYSTEM)
    assert result.created == ["示例-HRSS-001"]


def test_importing_the_exported_catalog_changes_nothing(api, db):
    before = _counts(db)
    answer = api("admin").post("/api/v1/catalog/import",
                               **_upload(catalog_transfer.export_catalog(db, SYSTEM), "清单.xlsx"))
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == [] and answer.json["new_versions"] == 0
    assert len(answer.json["unchanged"]) == before[0]
    assert _counts(db) == before


def test_a_catalog_with_errors_answers_every_problem_with_its_row_and_imports_nothing(api, db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    row = _row_of(exported, "KYTB-POL-001")
    broken = _edit(exported, {(row, "份数"): 0, (row, "材料名称"): None, (row, "材料形式"): "照片"})
    before = _counts(db)
    answer = api("admin").post("/api/v1/catalog/import", **_upload(broken, "清单.xlsx"))
    assert answer.status_code == 422
    errors = answer.json["errors"]
    assert len(errors) == 3
    assert {e["field"] for e in errors} == {"份数", "材料名称", "材料形式"}
    assert all(e["row"] == row for e in errors)
    assert _counts(db) == before


def test_no_file_or_not_a_workbook_is_refused(api):
    caller = api("admin")
    assert caller.post("/api/v1/catalog/import", data={}, content_type="multipart/form-data").status_code == 422
    answer = caller.post("/api/v1/catalog/import", **_upload(b"not a workbook", "x.xlsx"))
    assert answer.status_code == 422 and answer.json["errors"]


def test_a_county_administrator_exports_but_cannot_import_the_catalog(api, db):
    caller = api("lz_admin")
    assert caller.get("/api/v1/catalog/export").status_code == 200
    assert caller.get("/api/v1/catalog/template").status_code == 200
    before = _counts(db)
    answer = caller.post("/api/v1/catalog/import", **_upload(catalog_transfer.template(db), "清单.xlsx"))
    assert answer.status_code == 403
    assert _counts(db) == before


# --- the work calendar ---------------------------------------------------------------------------------------

def test_the_calendar_export_of_a_year_is_the_pages_file(api, client, login):
    answer = api("lz_admin").get("/api/v1/work_calendar/2026/export")
    assert answer.status_code == 200 and answer.mimetype == XLSX
    login("admin")
    page = client.get("/calendar/export/2026")
    assert ([r for r in load_workbook(BytesIO(answer.data)).worksheets[0].iter_rows(values_only=True)]
            == [r for r in load_workbook(BytesIO(page.data)).worksheets[0].iter_rows(values_only=True)])


def test_a_calendar_year_imports_through_the_api(api, db):
    answer = api("admin").post("/api/v1/work_calendar/import",
                               **_upload(json.dumps(HOLIDAY_CN_2027).encode(), "2027.json"))
    assert answer.status_code == 200, answer.json
    assert answer.json["year"] == 2027 and answer.json["count"] == len(HOLIDAY_CN_2027["days"])
    assert 2027 in calendar_service.known_years(db)


def test_a_bad_calendar_answers_every_problem_and_changes_nothing(api, db):
    bad = HOLIDAY_CN_2027 | {"days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": True},
                                      {"name": "春节", "date": "2025-02-05", "isOffDay": True},
                                      {"date": "2027-03-01"}]}
    before = db.scalar(select(func.count()).select_from(WorkCalendarDay))
    answer = api("admin").post("/api/v1/work_calendar/import", **_upload(json.dumps(bad).encode(), "2027.json"))
    assert answer.status_code == 422 and len(answer.json["errors"]) >= 3
    assert db.scalar(select(func.count()).select_from(WorkCalendarDay)) == before
    assert 2027 not in calendar_service.known_years(db)


def test_a_county_administrator_cannot_import_a_calendar(api, db):
    answer = api("lz_admin").post("/api/v1/work_calendar/import",
                                  **_upload(json.dumps(HOLIDAY_CN_2027).encode(), "2027.json"))
    assert answer.status_code == 403
    assert 2027 not in calendar_service.known_years(db)
