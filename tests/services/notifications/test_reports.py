"""Weekly and monthly reports: figures on a known set of cases, XLSX and PDF files with their
checksums, built once per period however often asked, mailed to the supervisors, and a report history
that a county administrator sees for its own county only."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.models.case import Case, Notification
from app.models.notify import Report
from app.services.notifications import reports
from app.adapters import storage
from app.services.calendar import load_calendar
from tests import factories
from tests.conftest import config_override

D = {name: date(2026, 3, day) for name, day in
     (("mon", 2), ("tue", 3), ("wed", 4), ("thu", 5), ("fri", 6), ("next_mon", 9))}
WEEK = (date(2026, 3, 2), date(2026, 3, 8))


@pytest.fixture()
def week_of_cases(db):
    """Five cases around the week of 2 March 2026 (利州区 → 苍溪县人社局, promised 10 working days):

    A accepted Mon, dispatched Tue, completed Thu, sent back to the window and delivered Fri;  B accepted and
    dispatched Tue, correction requested Wed, supplied Thu, completed Fri;  C declined Wed;  D accepted in January,
    completed (late) Wed;  E accepted Mon and never dispatched (overdue, still open)."""
    a = factories.accepted_case(db, D["mon"])
    a = factories.step(db, "lz_window", a, "dispatch", D["tue"], waybill_number="A1")
    a = factories.step(db, "cx_window", a, "receive", D["tue"])
    a = factories.step(db, "cx_window", a, "forward", D["tue"])
    a = factories.step(db, "cx_hrss", a, "complete", D["thu"], **factories.completion())
    a = factories.deliver_result(db, a, D["fri"])  # sent back to 利州区 and delivered there

    b = factories.accepted_case(db, D["tue"])
    b = factories.step(db, "lz_window", b, "dispatch", D["tue"], waybill_number="B1")
    b = factories.step(db, "cx_window", b, "receive", D["tue"])
    b = factories.step(db, "cx_window", b, "forward", D["tue"])
    b = factories.step(db, "cx_hrss", b, "request_correction", D["wed"], items=[{"name": "照片", "reason": "非白底"}])
    b = factories.supplement(db, b, D["thu"])
    b = factories.step(db, "cx_hrss", b, "complete", D["fri"], **factories.completion())

    c = factories.make_case(db, applied_on=D["wed"].isoformat(), today=D["wed"])
    c = factories.step(db, "lz_window", c, "reject", D["wed"], reasons=["不属于本事项受理范围"])

    jan = date(2026, 1, 5)
    d = factories.accepted_case(db, jan)
    d = factories.step(db, "lz_window", d, "dispatch", date(2026, 1, 6), waybill_number="D1")
    d = factories.step(db, "cx_window", d, "receive", date(2026, 1, 6))
    d = factories.step(db, "cx_window", d, "forward", date(2026, 1, 6))
    d = factories.step(db, "cx_hrss", d, "complete", D["wed"], **factories.completion())

    e = factories.accepted_case(db, D["mon"])
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_weekly_figures_of_a_known_week(db, week_of_cases):
    calendar = load_calendar(db)
    d = db.get(Case, week_of_cases["d"].id)
    d_days = calendar.working_days_between(date(2026, 1, 5), D["wed"])
    figures = reports.compute_figures(db, "weekly", *WEEK)
    total = figures["total"]
    assert (total["accepted"], total["declined"], total["completed"], total["completed_on_time"]) == (3, 1, 3, 2)
    assert total["on_time_rate"] == 0.6667
    assert total["avg_dispatch_days"] == 0.5  # A: Mon → Tue 1, B: Tue → Tue 0
    assert total["avg_process_days"] == round((3 + 2 + d_days) / 3, 1)  # B: 3 minus 1 day awaiting correction
    assert total["avg_delivery_days"] == 1.0
    assert total["overdue"] == 2  # D completed late, E still not dispatched
    assert (total["corrected"], total["correction_rate"]) == (1, 0.3333)
    assert d.completed_on > d.process_due
    assert [row["name"] for row in figures["by_county"]] == ["广元市利州区"]
    assert figures["by_center"][0]["name"] == "利州区政务服务中心" or figures["by_center"][0]["accepted"] == 3
    assert figures["by_matter"] == [dict(total, name="社会保障卡申领")]
    assert len(figures["by_handling_type"]) == 1 and figures["by_handling_type"][0]["completed"] == 3
    # the week before and after hold none of it
    assert reports.compute_figures(db, "weekly", date(2026, 3, 9), date(2026, 3, 15))["total"]["accepted"] == 0


def test_a_county_report_holds_the_cases_touching_the_county(db, week_of_cases):
    from app.models.org import Region

    cangxi = db.scalar(select(Region).where(Region.code == "510824"))
    zhaohua = db.scalar(select(Region).where(Region.code == "510811"))
    assert reports.compute_figures(db, "weekly", *WEEK, cangxi)["total"]["completed"] == 3
    assert reports.compute_figures(db, "weekly", *WEEK, zhaohua)["total"]["accepted"] == 0


def test_the_report_is_built_once_per_period_as_xlsx_and_pdf(db, week_of_cases):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    assert reports.period_of("weekly", D["next_mon"]) == WEEK
    assert reports.period_of("monthly", date(2026, 4, 1)) == (date(2026, 3, 1), date(2026, 3, 31))
    built = reports.build_reports(db, "weekly", D["next_mon"])
    counties = reports.report_counties(db)
    assert len(built) == 1 + len(counties) and len(counties) >= 7
    assert reports.build_reports(db, "weekly", D["next_mon"]) == []  # a second beat, a re-run: nothing new
    assert reports.build_reports(db, "weekly", date(2026, 3, 12)) == []  # any day of the next week: same period
    assert db.scalar(select(func.count()).select_from(Report).where(Report.kind == "weekly")) == len(built)

    city = next(r for r in built if r.scope_key == "city")
    again, new = reports.build_report(db, "weekly", *WEEK)
    assert again.id == city.id and not new
    assert city.title == "广元市政务服务“跨域通办”工作周报（2026年3月2日—3月8日）"
    assert city.figures["total"]["accepted"] == 3

    xlsx = storage.path_of(city.xlsx_key).read_bytes()
    assert hashlib.sha256(xlsx).hexdigest() == city.xlsx_sha256 and len(xlsx) == city.xlsx_size
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["汇总", "按县(区)", "按窗口", "按通办类型", "按事项", "好差评"]
    summary = [c.value for c in book["汇总"][4]]
    assert summary[:6] == ["合计", 3, 1, 3, 2, 0.6667] and summary[11:14] == [2, 1, 0.3333]
    assert summary[8:10] == [round(1 / 3, 1), 0]  # stopped (B: 1 day of correction) and extended days beside them
    assert summary[14:] == [0, 0, 0]  # 远程预审: none pre-checked that week
    assert [c.value for c in book["汇总"][3]][:4] == ["名称", "受理", "不予受理", "办结"]

    pdf = storage.path_of(city.pdf_key).read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == city.pdf_sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "工作周报" in text and "按时办结率" in text and "66.7%" in text and "广元市利州区" in text

    lz = next(r for r in built if r.region is not None and r.region.code == "510802")
    assert lz.title.endswith("·利州区（2026年3月2日—3月8日）") and lz.figures["total"]["accepted"] == 3


def test_reports_are_mailed_to_supervisors_with_their_files(db, app, week_of_cases, mail_on):
    from app.services.notifications.messages import send_due_mail

    with config_override(app, REPORT_RECIPIENTS=["leader@gy-demo.example.cn"]):
        built = reports.build_reports(db, "monthly", date(2026, 4, 1))
    city = next(r for r in built if r.scope_key == "city")
    assert city.mailed_to == "city_super@gy-demo.example.cn, leader@gy-demo.example.cn"
    lz = next(r for r in built if r.region is not None and r.region.code == "510802")
    assert lz.mailed_to == "lz_admin@gy-demo.example.cn"
    send_due_mail(db)
    mail_on.sink.wait_for(3)
    message = mail_on.sink.to("city_super@gy-demo.example.cn")[0]
    assert message["Subject"] == "【跨域通办】" + city.title
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == sorted([f"{city.title}.pdf", f"{city.title}.xlsx"])
    assert "受理3件" in message.get_body(("plain",)).get_content()
    assert mail_on.sink.to("leader@gy-demo.example.cn") and mail_on.sink.to("lz_admin@gy-demo.example.cn")
    assert mail_on.sink.to("cx_admin@gy-demo.example.cn")  # 苍溪县's own report
    reports.build_reports(db, "monthly", date(2026, 4, 2))  # the same month: nothing built, nothing mailed
    assert db.scalar(select(func.count()).select_from(Notification).where(Notification.event == "report")) == \
        len([r for r in built if r.mailed_to]) + 1  # + the extra address of the city report


def test_the_report_history_is_scoped(db, client, login, week_of_cases):
    built = reports.build_reports(db, "weekly", D["next_mon"])
    city = next(r for r in built if r.scope_key == "city")
    lz = next(r for r in built if r.region is not None and r.region.code == "510802")
    cx = next(r for r in built if r.region is not None and r.region.code == "510824")

    login("lz_admin")
    listing = client.get("/reports/list/").get_data(as_text=True)
    assert lz.title in listing and cx.title not in listing and city.title not in listing
    assert f"/reports/file/{lz.id}/xlsx" in listing and f"/reports/file/{lz.id}/pdf" in listing
    own = client.get(f"/reports/file/{lz.id}/xlsx")
    assert own.status_code == 200 and hashlib.sha256(own.data).hexdigest() == lz.xlsx_sha256
    assert client.get(f"/reports/file/{city.id}/pdf").status_code == 404
    assert client.get(f"/reports/file/{cx.id}/xlsx").status_code == 404
    assert client.get(f"/reports/show/{city.id}").status_code == 404
    client.get("/logout/")

    login("city_super")
    listing = client.get("/reports/list/").get_data(as_text=True)
    assert city.title in listing and lz.title in listing
    pdf = client.get(f"/reports/file/{city.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    client.get("/logout/")

    login("lz_window")
    assert client.get("/reports/list/").status_code == 403
    assert client.get(f"/reports/file/{lz.id}/xlsx").status_code == 403


def test_stopped_and_extended_days_stand_beside_the_processing_days_instead_of_being_hidden_in_them(db):
    """X (week of 9 March 2026): accepted Mon, a test from Tue to Thu (2 working days stopped), 3 days of
    extension approved Thu, completed Fri: 4 working days elapsed, 2 counted;  Y: accepted Mon, completed Tue."""
    mon, tue, thu, fri = date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 12), date(2026, 3, 13)
    x = factories.accepted_case(db, mon)
    for who, name in (("lz_window", "dispatch"), ("cx_window", "receive"), ("cx_window", "forward")):
        x = factories.step(db, who, x, name, mon, **({"waybill_number": "X1"} if name == "dispatch" else {}))
    x = factories.step(db, "cx_hrss", x, "start_special_procedure", tue, procedure="testing", expected_days="2",
                       reason="复检。")
    x = factories.step(db, "cx_hrss", x, "end_special_procedure", thu, outcome="合格。")
    x = factories.step(db, "cx_hrss", x, "request_extension", thu, days="3", reason="需专家论证。")
    x = factories.step(db, "cx_hrss_head", x, "approve_extension", thu)
    x = factories.step(db, "cx_hrss", x, "complete", fri, **factories.completion())
    y = factories.accepted_case(db, mon)
    for who, name in (("lz_window", "dispatch"), ("cx_window", "receive"), ("cx_window", "forward")):
        y = factories.step(db, who, y, name, mon, **({"waybill_number": "Y1"} if name == "dispatch" else {}))
    y = factories.step(db, "cx_hrss", y, "complete", tue, **factories.completion())

    total = reports.compute_figures(db, "weekly", mon, date(2026, 3, 15))["total"]
    assert (total["completed"], total["completed_on_time"]) == (2, 2)
    assert total["avg_process_days"] == 1.5  # X: 4 elapsed less 2 stopped; Y: 1
    assert total["avg_stopped_days"] == 1.0 and total["avg_extended_days"] == 1.5
    keys = [key for key, _ in reports.COLUMNS]
    assert keys.index("avg_stopped_days") == keys.index("avg_process_days") + 1
    assert keys.index("avg_extended_days") == keys.index("avg_stopped_days") + 1
    headings = dict(reports.COLUMNS)
    assert "补正" in headings["avg_stopped_days"] and "特别程序" in headings["avg_stopped_days"]
    assert "延期" in headings["avg_extended_days"]
    assert any("暂停" in line and "延期" in line for line in reports.DEFINITIONS)
