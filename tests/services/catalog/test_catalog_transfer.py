"""Catalog import and export: every problem at once and nothing imported, idempotent re-import,
a new guide version only for what changed."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.models.catalog import Guide, Matter
from app.scope import SYSTEM, reach_of
from app.services.catalog import matters as catalog_matters
from app.services.catalog import transfer as catalog_transfer
from tests import factories
from tests.conftest import csrf_token

HEADER_ROW = 2  # row 1 is the title


def _edit(data: bytes, edits: dict[tuple[int, str], object]) -> bytes:
    """Changes cells of an exported catalog: {(row, column title): value}."""
    book = load_workbook(BytesIO(data))
    sheet = book.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[HEADER_ROW]}
    for (row, title), value in edits.items():
        sheet.cell(row=row, column=columns[title]).value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _counts(db) -> tuple[int, int]:
    return db.scalar(select(func.count()).select_from(Matter)), db.scalar(select(func.count()).select_from(Guide))


def _row_of(data: bytes, code: str) -> int:
    sheet = load_workbook(BytesIO(data)).worksheets[0]
    return next(cell.row for cell in sheet["A"] if cell.value == code)


def test_reimporting_the_exported_catalog_changes_nothing(db):
    before = _counts(db)
    result = catalog_transfer.import_catalog(db, catalog_transfer.export_catalog(db, SYSTEM), SYSTEM)
    assert result.created == [] and result.updated == [] and result.new_versions == 0
    assert len(result.unchanged) == before[0]
    assert _counts(db) == before


def test_a_changed_material_publishes_one_new_guide_version_and_keeps_the_old(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    old_guide = matter.current_guide
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    changed = _edit(exported, {(_row_of(exported, "KYTB-HRSS-001"), "份数"): 3})
    result = catalog_transfer.import_catalog(db, changed, SYSTEM)
    assert result.updated == ["KYTB-HRSS-001"] and result.new_versions == 1
    db.refresh(matter)
    assert matter.current_guide.version == old_guide.version + 1
    assert old_guide.content["materials"][0]["copies"] == 1  # the old version is frozen
    assert matter.current_guide.content["materials"][0]["copies"] == 3
    again = catalog_transfer.import_catalog(db, changed, SYSTEM)  # idempotent
    assert again.new_versions == 0 and again.updated == []


def test_a_new_matter_in_the_file_is_created_and_published(db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    row = _row_of(exported, "KYTB-HRSS-001")
    book = load_workbook(BytesIO(exported))
    sheet = book.worksheets[0]
    values = [c.value for c in sheet[row]]
    values[0], values[1] = "KYTB-NEW-001", "新增测试事项"
    sheet.append(values)
    out = BytesIO()
    book.save(out)
    result = catalog_transfer.import_catalog(db, out.getvalue(), SYSTEM)
    assert result.created == ["KYTB-NEW-001"]
    created = factories.matter(db, "KYTB-NEW-001")
    assert created.status == "published" and created.current_guide.version == 1


def test_a_file_full_of_errors_reports_every_one_and_imports_nothing(db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    row = _row_of(exported, "KYTB-HRSS-001")
    broken = _edit(exported, {
        (row, "事项名称"): "改过的名字",            # differs from the matter's other rows
        (row, "业务条线"): "不存在的条线",
        (row, "通办类型"): "火星通办",
        (row, "法定时限(工作日)"): "很快",
        (row, "份数"): "两份",
        (row, "材料形式"): "照片",
        (row + 1, "是否必需"): "也许",
    })
    before = _counts(db)
    name_before = factories.matter(db, "KYTB-HRSS-001").name
    with pytest.raises(ValidationFailed) as refused:
        catalog_transfer.import_catalog(db, broken, SYSTEM)
    messages = [str(p.message) for p in refused.value.problems]
    assert len(messages) >= 7
    for column in ("事项名称", "业务条线", "通办类型", "法定时限(工作日)", "份数", "材料形式", "是否必需"):
        assert any(column in m for m in messages), column
    assert all(f"第{row}行" in m or f"第{row + 1}行" in m for m in messages)
    assert _counts(db) == before
    db.expire_all()
    assert factories.matter(db, "KYTB-HRSS-001").name == name_before


def test_only_an_administrator_imports(db):
    with pytest.raises(ValidationFailed):
        catalog_transfer.import_catalog(db, catalog_transfer.export_catalog(db, SYSTEM),
                                        reach_of(factories.user(db, "lz_admin")))


def test_the_template_downloads_and_imports_cleanly_as_an_example(client, login, db):
    login("admin")
    response = client.get("/catalog/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    result = catalog_transfer.import_catalog(db, response.data, SYSTEM)
    assert len(result.created) == 1


def test_the_import_page_lists_every_problem_and_changes_nothing(client, login, db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    row = _row_of(exported, "KYTB-POL-001")
    broken = _edit(exported, {(row, "份数"): 0, (row, "材料名称"): None})
    login("admin")
    token = csrf_token(client, "/catalog/")
    response = client.post("/catalog/import", data={"csrf_token": token, "file": (BytesIO(broken), "清单.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("<li class=\"list-group-item\">") == 2
    assert "份数" in page and "材料名称" in page


def test_window_clerk_exports_but_cannot_import(client, login, db):
    login("lz_window")
    assert client.get("/catalog/export.xlsx").status_code == 200
    token = csrf_token(client, "/resetmypassword/form")
    response = client.post("/catalog/import", data={"csrf_token": token, "file": (BytesIO(b"x"), "a.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 403


# --- 容缺受理 and 远程预审 -----------------------------------------------------------------------


def _without_columns(data: bytes, titles: tuple[str, ...]) -> bytes:
    """An exported catalog as a file made before the given columns existed."""
    book = load_workbook(BytesIO(data))
    sheet = book.worksheets[0]
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(merged.coord)
    for title in titles:
        column = next(cell.column for cell in sheet[HEADER_ROW] if cell.value == title)
        sheet.delete_cols(column)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


LATER_TITLES = ("需远程预审", "预审时限（工作小时）", "可容缺")


def test_the_export_carries_pre_check_and_deferrable_and_reimports_unchanged(db):
    matter = factories.matter(db, "KYTB-HRSS-003")  # the demo's pre-checked matter
    material = sorted(matter.materials, key=lambda m: m.seq)[-1]
    material.deferrable = True
    catalog_matters.publish_matter(db, matter, SYSTEM)
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    sheet = load_workbook(BytesIO(exported)).worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[HEADER_ROW]}
    rows = [r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == "KYTB-HRSS-003"]
    assert {sheet.cell(r, columns["需远程预审"]).value for r in rows} == {"是"}
    assert {sheet.cell(r, columns["预审时限（工作小时）"]).value for r in rows} == {matter.precheck_hours}
    assert sheet.cell(rows[-1], columns["可容缺"]).value == "是"

    result = catalog_transfer.import_catalog(db, exported, SYSTEM)

    assert result.updated == [] and result.new_versions == 0


def test_pre_check_and_deferrable_edited_in_the_sheet_are_imported_and_published(db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    row = _row_of(exported, "KYTB-HRSS-001")
    rows = [r for r in range(row, row + 10) if load_workbook(BytesIO(exported)).worksheets[0].cell(r, 1).value
            == "KYTB-HRSS-001"]
    edits = {(r, "需远程预审"): "是" for r in rows} | {(r, "预审时限（工作小时）"): 6 for r in rows}
    edits[(rows[-1], "可容缺")] = "是"

    result = catalog_transfer.import_catalog(db, _edit(exported, edits), SYSTEM)

    assert result.updated == ["KYTB-HRSS-001"] and result.new_versions == 1
    db.expire_all()
    matter = factories.matter(db, "KYTB-HRSS-001")
    assert (matter.precheck, matter.precheck_hours) == (True, 6)
    assert [m.deferrable for m in sorted(matter.materials, key=lambda m: m.seq)][-1] is True
    assert (matter.current_guide.content["precheck"], matter.current_guide.content["precheck_hours"]) == (True, 6)


def test_an_older_file_without_the_new_columns_imports_with_the_defaults(db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    row = _row_of(exported, "KYTB-HRSS-001")
    book = load_workbook(BytesIO(exported))
    sheet = book.worksheets[0]
    values = [c.value for c in sheet[row]]
    values[0], values[1] = "KYTB-OLD-001", "旧文件中的事项"
    sheet.append(values)
    out = BytesIO()
    book.save(out)
    old = _without_columns(out.getvalue(), LATER_TITLES)
    assert not set(LATER_TITLES) & {c.value for c in load_workbook(BytesIO(old)).worksheets[0][HEADER_ROW]}

    result = catalog_transfer.import_catalog(db, old, SYSTEM)

    assert result.created == ["KYTB-OLD-001"]
    created = factories.matter(db, "KYTB-OLD-001")
    assert (created.precheck, created.precheck_hours) == (False, 4)
    assert not any(m.deferrable for m in created.materials)
    assert "KYTB-HRSS-001" in result.unchanged  # a matter at the defaults is not changed by an older file


def test_an_older_file_keeps_the_pre_check_and_the_deferrable_flags_of_the_matters_it_names(db):
    """An export made before the columns existed says nothing about them: re-importing it must not switch the
    pre-check of 失业保险金申领 off, nor clear a material's 可容缺."""
    precheck = factories.matter(db, "KYTB-HRSS-003")
    deferrable = {m.seq for m in precheck.materials if m.deferrable}
    assert precheck.precheck and precheck.precheck_hours == 4
    old = _without_columns(catalog_transfer.export_catalog(db, SYSTEM), LATER_TITLES)

    result = catalog_transfer.import_catalog(db, old, SYSTEM)

    assert "KYTB-HRSS-003" in result.unchanged and result.new_versions == 0
    db.expire_all()
    precheck = factories.matter(db, "KYTB-HRSS-003")
    assert precheck.precheck and precheck.precheck_hours == 4
    assert {m.seq for m in precheck.materials if m.deferrable} == deferrable
    assert any(m.deferrable for m in factories.matter(db, "KYTB-HF-001").materials)  # 授权委托书, 可容缺
