"""补充信息 printed: the acceptance notice prints the case's extra values as rows of 申请信息 (in full, like
the applicant's phone), and the ledger spreadsheet has them in its 补充信息 column (masked where the phone is)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from app.models.catalog import MatterField
from app.platform import records
from app.scope import SYSTEM, reach_of
from app.services.cases.notices import render_case_notice
from app.services.catalog import matters as catalog
from app.services.exports.ledger import XLSX_HEADER, LedgerFilter, ledger_xlsx_bytes
from tests import factories
from tests.documents.notice_pdf import pdf_text, squash

ADDRESS = "四川省广元市昭化区元坝镇迎宾路十八号"


def accepted_with_values(db, on=None):
    matter = factories.matter(db, "KYTB-HRSS-001")
    records.save(db, MatterField(matter=matter, key="move_to", label="迁入地址", kind="address", required=True), SYSTEM)
    records.save(db, MatterField(matter=matter, key="contact", label="紧急联系电话", kind="phone"), SYSTEM)
    records.save(db, MatterField(matter=matter, key="local", label="是否本地户籍", kind="yes_no"), SYSTEM)
    catalog.publish_matter(db, matter, SYSTEM)
    return factories.accepted_case(db, on, form_values={"move_to": ADDRESS, "contact": "13908125678", "local": "是"})


def test_the_acceptance_notice_prints_the_extra_values(db):
    case = accepted_with_values(db)
    document = render_case_notice(db, case.id, "acceptance")
    from app.adapters import storage

    pages = pdf_text(storage.path_of(document.file_key).read_bytes())
    assert len(pages) == 3  # one page a copy still
    for page in pages:
        text = squash(page)
        assert f"迁入地址{ADDRESS}" in text
        assert "紧急联系电话13908125678" in text and "是否本地户籍是" in text


def test_the_ledger_spreadsheet_has_the_extra_values_masked_where_the_phone_is(db):
    accepted_with_values(db, date(2026, 3, 2))
    for username, phone in (("lz_window", "13908125678"), ("city_super", "139****5678")):
        sheet = load_workbook(BytesIO(ledger_xlsx_bytes(db, reach_of(factories.user(db, username)), LedgerFilter())))
        rows = list(sheet.worksheets[0].iter_rows(values_only=True))
        row = dict(zip(XLSX_HEADER, rows[2]))
        assert row["补充信息"] == f"迁入地址：{ADDRESS}；紧急联系电话：{phone}；是否本地户籍：是", username
