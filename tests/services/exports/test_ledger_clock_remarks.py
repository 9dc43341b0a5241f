"""备注 of the work ledger (issue 12): after the hand-typed remarks, the pauses and extensions of the case
in words, the same text in the XLSX and the PDF export (one function builds it)."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from app.models.case import LedgerEntry
from app.scope import reach_of
from app.services.calendar import load_calendar
from app.services.cases.clock import clock_remark, with_clock_remark
from app.services.exports.ledger import LedgerFilter, ledger_pdf_bytes, ledger_xlsx_bytes
from tests import factories
from tests.services.exports.test_ledger_sheet import _data_rows, _sheet

EXPECTED = "补正暂停3个工作日；特别程序（检验）2个工作日；延期5个工作日（罗建华批准）"


def _case_with_every_kind_of_stop(db):
    """Accepted Mon 2 March 2026; 补正 Tue 3 → Fri 6 (3 working days); a test Mon 9 → Wed 11 (2); 5 days of
    extension approved by 罗建华 on Wed 11."""
    case = factories.accepted_case(db, date(2026, 3, 2))
    case = factories.run_steps(db, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
                                          ("cx_window", "receive", {}), ("cx_window", "forward", {})],
                               today=date(2026, 3, 2))
    case = factories.step(db, "cx_hrss", case, "request_correction", date(2026, 3, 3),
                          items=[{"name": "户口簿", "reason": "复印件不清晰"}])
    case = factories.supplement(db, case, date(2026, 3, 6))
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", date(2026, 3, 9), procedure="testing",
                          expected_days="2", reason="复检。")
    case = factories.step(db, "cx_hrss", case, "end_special_procedure", date(2026, 3, 11), outcome="合格。")
    case = factories.step(db, "cx_hrss", case, "request_extension", date(2026, 3, 11), days="5", reason="需专家论证。")
    return factories.step(db, "cx_hrss_head", case, "approve_extension", date(2026, 3, 11))


def test_the_clock_remark_tells_each_pause_and_extension_with_its_working_days_and_approver(db):
    case = _case_with_every_kind_of_stop(db)
    calendar = load_calendar(db)
    assert clock_remark(calendar, case.corrections, case.clock_segments, date(2026, 3, 20)) == EXPECTED
    assert with_clock_remark("申请人已电话确认", EXPECTED) == "申请人已电话确认；" + EXPECTED
    assert with_clock_remark("申请人已电话确认。", EXPECTED) == "申请人已电话确认。" + EXPECTED
    assert with_clock_remark("", EXPECTED) == EXPECTED and with_clock_remark("备注", "") == "备注"


def test_a_running_stop_and_an_extension_awaiting_approval_say_so(db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需专家论证。")
    calendar = load_calendar(db)
    assert clock_remark(calendar, case.corrections, case.clock_segments, date.today()) == "申请延期2个工作日（待批准）"
    case = factories.step(db, "cx_hrss_head", case, "refuse_extension", reason="可在原时限内办结。")
    assert clock_remark(calendar, case.corrections, case.clock_segments, date.today()) == ""  # refused: nothing
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", procedure="hearing", expected_days="3",
                          reason="依申请举行听证。")
    later = calendar.add_working_days(date.today(), 2).due
    assert clock_remark(calendar, case.corrections, case.clock_segments, later) == "特别程序（听证）2个工作日（进行中）"


def test_both_exports_print_the_clock_after_the_hand_typed_remarks(db):
    case = _case_with_every_kind_of_stop(db)
    for entry in db.query(LedgerEntry).filter_by(case_id=case.id):
        entry.remarks = "申请人已电话确认"
    db.commit()
    reach = reach_of(factories.user(db, "lz_window"))
    rows = [r for r in _data_rows(_sheet(ledger_xlsx_bytes(db, reach, LedgerFilter()))) if r["编号"] == case.number]
    assert [r["备注"] for r in rows] == ["申请人已电话确认；" + EXPECTED]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(ledger_pdf_bytes(db, reach, LedgerFilter()))).pages)
    assert "申请人已电话确认；" + EXPECTED in re.sub(r"\s+", "", text)
