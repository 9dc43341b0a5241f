"""Reports on demand (issue 14 item 4): a period checked with every problem at once, a scope within reach (a
county administrator its county; another county is as if missing), built in the background through the outbox
with its progress, asked twice while under way gives one, the on-time rate's definition printed in the XLSX and
the PDF, and an empty history that says when the next scheduled reports come and offers 立即生成."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from app.adapters import storage
from app.domain.reporting import next_run, period_problems
from app.errors import NotFound, ValidationFailed
from app.models.case import OutboxMessage
from app.models.notify import Report, ReportRequest
from app.services.notifications import report_requests, reports
from tests import factories

WEEK = (date(2026, 3, 2), date(2026, 3, 8))
TODAY = date(2026, 3, 20)


def _ask(db, username, start=WEEK[0], end=WEEK[1], region_id=None, today=TODAY):
    return report_requests.request_report(db, factories.user(db, username), start.isoformat() if start else start,
                                          end.isoformat() if end else end, region_id, today=today)


def _county(db, code):
    return factories.region(db, code)


def test_the_schedule_says_when_the_next_reports_come():
    # Thursday 3 December 2026, noon: the next Monday 07:00, and the first of January at 07:15
    assert next_run("weekly", datetime(2026, 12, 3, 12)) == datetime(2026, 12, 7, 7, 0)
    assert next_run("weekly", datetime(2026, 12, 7, 7, 0)) == datetime(2026, 12, 14, 7, 0)
    assert next_run("monthly", datetime(2026, 12, 3, 12)) == datetime(2027, 1, 1, 7, 15)
    assert next_run("monthly", datetime(2026, 12, 1, 7, 0)) == datetime(2026, 12, 1, 7, 15)


def test_every_problem_of_the_period_is_told_at_once(db):
    assert period_problems(date(2026, 4, 2), date(2026, 4, 1), TODAY) == ["start_future", "end_future",
                                                                         "start_after_end"]
    with pytest.raises(ValidationFailed) as refused:
        _ask(db, "city_super", TODAY + timedelta(days=10), TODAY + timedelta(days=5))
    fields = [p.field for p in refused.value.problems]
    messages = [str(p.message) for p in refused.value.problems]
    assert fields == ["start", "end", "end"] and len(set(messages)) == 3
    with pytest.raises(ValidationFailed) as refused:
        report_requests.request_report(db, factories.user(db, "city_super"), "", "2026-02-30", today=TODAY)
    assert [p.field for p in refused.value.problems] == ["end", "start"]  # no date, and none given
    with pytest.raises(ValidationFailed) as refused:
        _ask(db, "city_super", date(2024, 1, 1), date(2026, 3, 1))
    assert [p.field for p in refused.value.problems] == ["end"] and "366" in str(refused.value.problems[0].message)
    assert db.scalar(select(func.count(ReportRequest.id))) == 0


def test_a_county_administrator_asks_for_its_own_county_only(db):
    cangxi, lizhou = _county(db, "510824"), _county(db, "510802")
    with pytest.raises(NotFound):
        _ask(db, "cx_admin", region_id=lizhou.id)
    with pytest.raises(NotFound):
        _ask(db, "cx_admin", region_id=2**31 + 5)
    with pytest.raises(ValidationFailed):  # the city-wide report holds every county's figures
        _ask(db, "cx_admin", region_id=None)
    own = _ask(db, "cx_admin", region_id=cangxi.id).request
    city = _ask(db, "city_super").request
    lz = _ask(db, "lz_admin", region_id=str(lizhou.id)).request
    seen = report_requests.requests_seen_by(db, _reach(db, "cx_admin"))
    assert [r.id for r in seen] == [own.id]
    assert {r.id for r in report_requests.requests_seen_by(db, _reach(db, "city_super"))} == {own.id, city.id, lz.id}
    with pytest.raises(NotFound):
        report_requests.request_of(db, _reach(db, "cx_admin"), lz.id)


def _reach(db, username):
    from app.scope import reach_of

    return reach_of(factories.user(db, username))


@pytest.fixture()
def a_week(db):
    """Case A accepted Monday 2 March 2026, completed Thursday; case E accepted Monday, still open."""
    a = factories.accepted_case(db, WEEK[0])
    a = factories.step(db, "lz_window", a, "dispatch", date(2026, 3, 3), waybill_number="A1")
    a = factories.step(db, "cx_window", a, "receive", date(2026, 3, 3))
    a = factories.step(db, "cx_window", a, "forward", date(2026, 3, 3))
    factories.step(db, "cx_hrss", a, "complete", date(2026, 3, 5), **factories.completion())
    factories.accepted_case(db, WEEK[0])


def _steps_written(db):
    """The progress steps the build writes (each UPDATE of the request's ``step``), as the session runs them."""
    seen: list[int] = []
    session = db() if callable(db) and not hasattr(db, "execute") else getattr(db, "registry", lambda: db)()

    def record(state):
        statement = state.statement
        if state.is_update and getattr(statement, "table", None) is not None and \
                statement.table.name == "report_request":
            values = statement.compile().params
            if "step" in values:
                seen.append(values["step"])

    event.listen(session, "do_orm_execute", record)
    return seen, lambda: event.remove(session, "do_orm_execute", record)


def test_a_report_is_built_in_the_background_with_its_progress_and_listed_in_the_history(db, a_week):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    asked = _ask(db, "city_super")
    request = asked.request
    assert asked.created and request.status == "queued" and (request.step, request.steps) == (0, 5)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == "build_report_request"))
    assert message.payload["request_id"] == request.id
    again = _ask(db, "city_super")  # a second click while it waits: the same request
    assert again.request.id == request.id and not again.created
    assert db.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.topic == "build_report_request")) == 1

    seen, stop = _steps_written(db)
    try:
        factories.run_outbox(db, "build_report_request")
    finally:
        stop()
    assert seen == [0, 1, 2, 3, 4, 5]  # claimed (running at step 0), a step at a time, then done
    request = db.get(ReportRequest, request.id)
    db.refresh(request)
    assert request.status == "done" and request.step == request.steps == 5 and request.attempts == 1
    report = db.get(Report, request.report_id)
    assert report.kind == "custom" and (report.period_start, report.period_end) == WEEK
    assert report.title == "广元市政务服务“跨域通办”工作统计报表（2026年3月2日—3月8日）"
    assert report.figures["total"]["completed"] == 1 and report.figures["total"]["on_time_rate"] == 1.0

    book = load_workbook(io.BytesIO(storage.path_of(report.xlsx_key).read_bytes()))
    assert book.sheetnames == ["汇总", "按县(区)", "按窗口", "按通办类型", "按事项", "好差评"]  # the weekly layout
    lines = [row[0] for row in book["汇总"].iter_rows(values_only=True) if isinstance(row[0], str)]
    formula = next(line for line in lines if line.startswith("按时办结率 ="))
    assert formula == reports.ON_TIME_FORMULA and "÷ 本期内办结的件数" in formula and "延期" in formula
    text = "".join(page.extract_text() for page in PdfReader(storage.path_of(report.pdf_key).open("rb")).pages)
    flat = "".join(text.split())
    assert "按时办结率=本期内在办理时限内办结的件数÷本期内办结的件数" in flat and "统计报表" in flat

    later = _ask(db, "city_super")  # asked again once done: a fresh build of its own
    assert later.created and later.request.id != request.id
    factories.run_outbox(db, "build_report_request")
    assert db.scalar(select(func.count(Report.id)).where(Report.kind == "custom")) == 2


def test_a_failed_request_is_tried_again(db, a_week):
    request = _ask(db, "city_super").request
    request.status, request.error = "failed", "OperationalError: database is locked"  # as a failed attempt leaves it
    db.commit()
    state = report_requests.requests_seen_by(db, _reach(db, "city_super"))
    assert [(r.id, r.status) for r in state] == [(request.id, "failed")]
    with pytest.raises(NotFound):
        report_requests.retry_request(db, factories.user(db, "cx_admin"), request.id)  # the city's: out of reach
    retried = report_requests.retry_request(db, factories.user(db, "city_super"), request.id)
    assert retried.status == "queued" and retried.error == ""
    factories.run_outbox(db, "build_report_request")
    db.refresh(retried)
    assert retried.status == "done" and retried.report_id is not None
    assert db.scalar(select(func.count(Report.id)).where(Report.kind == "custom")) == 1


def test_the_history_page_shows_requests_and_explains_an_empty_history(db, client, login):
    login("cx_admin")
    page = client.get("/reports/list/").get_data(as_text=True)
    nexts = report_requests.next_scheduled()
    assert "report-history-empty" in page
    assert nexts["weekly"].strftime("%Y-%m-%d %H:%M") in page and nexts["monthly"].strftime("%Y-%m-%d %H:%M") in page
    assert "立即生成" in page and "按需生成报表" in page and "苍溪县" in page and "全市" not in page
    token = _csrf(page)
    refused = client.post("/reports/request", data={"start": "2030-01-02", "end": "2030-01-01", "region_id": "",
                                                     "csrf_token": token}, follow_redirects=True)
    shown = refused.get_data(as_text=True)
    assert "统计期间的最后一天晚于今天" in shown and "最后一天早于第一天" in shown
    lizhou = _county(db, "510802")
    other = client.post("/reports/request", data={"start": "2026-03-02", "end": "2026-03-08",
                                                  "region_id": str(lizhou.id), "csrf_token": token})
    assert other.status_code == 404
    cangxi = _county(db, "510824")
    asked = client.post("/reports/request", data={"start": "2026-03-02", "end": "2026-03-08",
                                                  "region_id": str(cangxi.id), "csrf_token": token},
                        follow_redirects=True)
    shown = asked.get_data(as_text=True)
    assert "report-request" in shown and "排队中" in shown and "2026-03-02 – 2026-03-08" in shown
    status = client.get("/reports/requests/status").get_json()
    assert [r["status"] for r in status["requests"]] == ["queued"]

    built = client.post("/reports/generate/weekly", data={"csrf_token": token}, follow_redirects=True)
    assert built.status_code == 200
    own = db.scalars(select(Report).where(Report.kind == "weekly")).all()
    assert [r.region.code for r in own] == ["510824"]  # its county's only, not the city's
    assert "report-history-empty" not in client.get("/reports/list/").get_data(as_text=True)


def _csrf(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_reports_through_the_api(db, api):
    cangxi, lizhou = _county(db, "510824"), _county(db, "510802")
    county = api("cx_admin")
    answer = county.post("/api/v1/report/", json={"start": "2026-03-02", "end": "2026-03-08", "region_id": cangxi.id})
    assert answer.status_code == 202 and answer.get_json()["created"] is True
    request_id = answer.get_json()["id"]
    assert answer.get_json()["result"]["status"] == "queued"
    same = county.post("/api/v1/report/", json={"start": "2026-03-02", "end": "2026-03-08", "region_id": cangxi.id})
    assert same.get_json()["id"] == request_id and same.get_json()["created"] is False
    assert county.post("/api/v1/report/", json={"start": "2026-03-02", "end": "2026-03-08",
                                                "region_id": lizhou.id}).status_code == 404
    problems = county.post("/api/v1/report/", json={"start": "2099-01-02", "end": "2099-01-01",
                                                    "region_id": cangxi.id})
    assert problems.status_code == 422 and len(problems.get_json()["errors"]) == 3
    city = api("city_super")
    city_request = city.post("/api/v1/report/", json={"start": "2026-03-02", "end": "2026-03-08"}).get_json()["id"]
    factories.run_outbox(db, "build_report_request")

    progress = county.get(f"/api/v1/report/request/{request_id}").get_json()["result"]
    assert progress["status"] == "done" and progress["step"] == progress["steps"] and progress["files"]["pdf"]
    assert county.get(f"/api/v1/report/request/{city_request}").status_code == 404
    listing = county.get("/api/v1/report/").get_json()
    assert [r["region_name"] for r in listing["result"]] == ["苍溪县"]
    pdf = county.get(progress["files"]["pdf"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    city_report = db.get(ReportRequest, city_request).report_id
    assert county.get(f"/api/v1/report/{city_report}").status_code == 404
    assert county.get(f"/api/v1/report/{city_report}/file/xlsx").status_code == 404
    assert api("lz_window").get("/api/v1/report/").status_code == 403


def test_the_requester_gets_the_report_by_mail_when_mail_is_on(db, mail_on, a_week):
    from app.models.case import Notification

    request = _ask(db, "cx_admin", region_id=_county(db, "510824").id).request
    factories.run_outbox(db, "build_report_request")
    report = db.get(Report, db.get(ReportRequest, request.id).report_id)
    assert report.mailed_to == "cx_admin@gy-demo.example.cn"
    mail = db.scalars(select(Notification).where(Notification.event == "report")).all()
    assert [m.recipient for m in mail] == ["cx_admin@gy-demo.example.cn"]
    assert sorted(a["name"] for a in mail[0].attachments) == sorted([f"{report.title}.pdf", f"{report.title}.xlsx"])
