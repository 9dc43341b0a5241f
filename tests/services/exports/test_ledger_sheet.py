"""The ledger exported as attachment 3: title, header, footnote, the rows of a filter, scope."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from app.scope import reach_of
from app.services.exports.ledger import HEADER, TITLE, XLSX_HEADER, LedgerFilter, ledger_xlsx_bytes
from tests import factories


def _sheet(data: bytes):
    return load_workbook(BytesIO(data)).worksheets[0]


def test_the_export_has_the_attachments_title_header_and_footnote(db):
    factories.accepted_case(db, date(2026, 3, 2))
    sheet = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "lz_window")), LedgerFilter()))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == TITLE and "A1:L1" in {str(r) for r in sheet.merged_cells.ranges}
    assert rows[1] == XLSX_HEADER == HEADER + ("补充信息",)
    assert rows[-1][0].startswith("注：通办类型是指：跨省通办、省内通办、川渝通办、杭广通办、西南五省通办")


def test_a_date_filter_gives_the_rows_of_that_range_with_the_other_end_as_region(db):
    factories.accepted_case(db, date(2026, 3, 2))
    factories.accepted_case(db, date(2026, 3, 9))
    sheet = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "lz_window")),
                                     LedgerFilter(date_from=date(2026, 3, 5), date_to=date(2026, 3, 31))))
    data = _data_rows(sheet)
    assert len(data) == 1
    row = data[0]
    assert row["日期"].date() == date(2026, 3, 9) and row["申请人"] == "李晓梅" and row["联系电话"] == "13908121234"
    assert row["通办类型"] == "跨省通办" and row["通办具体地区"] == "广元市苍溪县" and row["事项名称"] == "社会保障卡申领"
    assert row["经办人"] == factories.user(db, "lz_window").name and row["办理情况"] == "已受理"


def test_another_countys_window_exports_none_of_these_rows_and_supervisors_see_masked_phones(db):
    factories.accepted_case(db, date(2026, 3, 2))
    other = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "cx_admin")), LedgerFilter()))
    assert not [r for r in _data_rows(other) if r["申请人"] == "李晓梅"]
    mine = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "lz_admin")), LedgerFilter()))
    phones = [r["联系电话"] for r in _data_rows(mine) if r["申请人"] == "李晓梅"]
    assert phones and all(p == "139****1234" for p in phones)


def _data_rows(sheet) -> list[dict]:
    header = [cell.value for cell in sheet[2]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=3, values_only=True)
            if row[0] and not str(row[0]).startswith("注")]


def test_every_row_names_the_window_whose_ledger_it_is_and_the_case_number(db):
    case = factories.accepted_case(db, date(2026, 3, 2))
    case = factories.run_steps(db, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
                                          ("cx_window", "receive", {})], today=date(2026, 3, 3))
    sheet = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "city_super")), LedgerFilter()))
    rows = {(r["窗口"], r["编号"]) for r in _data_rows(sheet) if r["编号"] == case.number}
    assert rows == {("广元市利州区政务服务中心", case.number), ("苍溪县政务服务中心", case.number)}


def test_a_declined_case_is_in_the_ledger_of_the_window_that_declined_it_with_its_outcome(db):
    case = factories.run_steps(db, factories.make_case(db, today=date(2026, 3, 2)),
                               [("lz_window", "reject", {"reasons": ["材料不全"]})], today=date(2026, 3, 2))
    sheet = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "lz_window")), LedgerFilter()))
    rows = [r for r in _data_rows(sheet) if r["编号"] == case.number]
    assert len(rows) == 1
    assert rows[0]["办理情况"] == "不予受理" and rows[0]["经办人"] == "张丽"
    assert rows[0]["日期"].date() == date(2026, 3, 2) and rows[0]["窗口"] == "广元市利州区政务服务中心"


def test_the_sheet_prints_landscape_fit_to_the_page_width_with_its_header_rows_on_every_page(db):
    factories.accepted_case(db, date(2026, 3, 2))
    sheet = _sheet(ledger_xlsx_bytes(db, reach_of(factories.user(db, "lz_window")), LedgerFilter()))
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)  # as many pages down as needed
    assert sheet.print_title_rows == "$1:$2"


def _declined_ledger_migration():
    import importlib.util
    from pathlib import Path

    import app as package
    path = Path(package.__file__).parent / "migrations" / "versions" / "0020_declined_ledger.py"
    spec = importlib.util.spec_from_file_location("declined_ledger", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_case_declined_before_declines_had_ledger_rows_gets_its_row_from_the_migration(db):
    from sqlalchemy import delete

    from app.models.case import LedgerEntry
    case = factories.run_steps(db, factories.make_case(db, today=date(2026, 3, 2)),
                               [("lz_window", "reject", {"reasons": ["材料不全"]})], today=date(2026, 3, 2))
    before = db.query(LedgerEntry).filter_by(case_id=case.id).one()
    written = (before.center_id, before.role, before.entry_date, before.handler_name, before.region_name,
               before.handling_type_name, before.matter_name, before.case_status, before.applicant_phone)
    db.execute(delete(LedgerEntry).where(LedgerEntry.case_id == case.id))  # as on a database of before the change
    db.commit()

    migration = _declined_ledger_migration()
    assert migration.backfill_declined_rows(db.connection()) == 1
    assert migration.backfill_declined_rows(db.connection()) == 0  # once only
    db.commit()
    after = db.query(LedgerEntry).filter_by(case_id=case.id).one()
    assert (after.center_id, after.role, after.entry_date, after.handler_name, after.region_name,
            after.handling_type_name, after.matter_name, after.case_status, after.applicant_phone) == written
