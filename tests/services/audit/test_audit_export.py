"""审计导出 (issue 14 item 5): the history and the personal-data access log of a case (at once, for whoever
reads the case; another county's case is 404) or of a period (a background export job; a county administrator
its county), as XLSX with two sheets, each export an entry of the access log itself."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.adapters import storage
from app.domain.privacy import AccessKind
from app.errors import NotFound, ValidationFailed
from app.models.case import CaseAccessLog
from app.models.exports import ExportJob
from app.services.audit import export as audit
from tests import factories

ACCEPT = "受理(代收)"


def _rows(book, sheet):
    return [list(row) for row in book[sheet].iter_rows(min_row=4, values_only=True)]


@pytest.fixture()
def two_cases(db):
    """One case of 利州区 for 苍溪县 (both counties see it), at the department, with a full view of it logged;
    one of 利州区 for 昭化区 (苍溪县 does not see it)."""
    shared = factories.at_the_department(db)
    db.add(CaseAccessLog(case_id=shared.id, user_fk=factories.user(db, "cx_hrss").id, username="cx_hrss",
                         address="10.0.0.8", channel="web", kind=AccessKind.PAGE))
    db.commit()
    own = factories.accepted_case(db, home="zh_center", department_key="zh_hrss")
    return shared, own


def test_the_audit_export_of_a_case_holds_its_history_and_access_log_and_is_logged(db, client, login, two_cases):
    shared, own = two_cases
    login("cx_window")  # works the case, but who looked at the applicant's data is not for the windows
    assert client.get(f"/audit/case/{shared.id}").status_code == 403
    assert f"/audit/case/{shared.id}" not in client.get(f"/cases/{shared.id}/").get_data(as_text=True)
    client.get("/logout/")
    login("cx_admin")
    answer = client.get(f"/audit/case/{shared.id}")
    assert answer.status_code == 200 and answer.mimetype == audit.XLSX_TYPE
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and disposition.isascii() and "filename*=UTF-8" in disposition
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["流转记录", "个人信息访问日志"]
    assert [c for c in next(book["流转记录"].iter_rows(min_row=3, max_row=3, values_only=True))] == \
        ["办件编号", "时间", "操作人", "所在单位", "操作", "原状态", "新状态", "备注"]
    history = _rows(book, "流转记录")
    actions = [row[4] for row in history]
    assert actions[0] == "登记" and ACCEPT in actions, actions
    accept = next(row for row in history if row[4] == ACCEPT)
    assert accept[0] == shared.number and accept[5] == "申报" and accept[6] == "已受理"
    assert any(row[4] == "签收" and row[3] for row in history)  # where: the home window
    access = _rows(book, "个人信息访问日志")
    assert ["cx_hrss", "10.0.0.8", "网页", "办件页面"] == access[0][1:5] and access[0][5] == shared.number

    logged = db.scalars(select(CaseAccessLog).where(CaseAccessLog.kind == AccessKind.AUDIT)).all()
    assert [(e.case_id, e.username, e.channel) for e in logged] == [(shared.id, "cx_admin", "web")]
    assert logged[0].detail == f"审计导出-{shared.number}.xlsx"
    again = load_workbook(io.BytesIO(client.get(f"/audit/case/{shared.id}").data))
    assert any(row[4] == "审计导出" and row[1] == "cx_admin" for row in _rows(again, "个人信息访问日志"))

    assert client.get(f"/audit/case/{own.id}").status_code == 404  # 利州区's own case: not 苍溪县's
    assert client.get("/audit/case/2147483648").status_code == 404
    assert db.scalars(select(CaseAccessLog).where(CaseAccessLog.kind == AccessKind.AUDIT,
                                                  CaseAccessLog.case_id == own.id)).all() == []
    page = client.get(f"/cases/{shared.id}/").get_data(as_text=True)
    assert f"/audit/case/{shared.id}" in page


def test_the_audit_export_of_a_period_runs_in_the_background_within_the_county(db, client, login, two_cases):
    shared, own = two_cases
    today = date.today()
    admin = factories.user(db, "cx_admin")
    lizhou = factories.region(db, "510802")
    with pytest.raises(NotFound):
        audit.request_period_audit(db, admin, today - timedelta(days=7), today, lizhou.id)
    with pytest.raises(ValidationFailed) as refused:
        audit.request_period_audit(db, admin, today + timedelta(days=3), today + timedelta(days=1))
    assert len(refused.value.problems) == 3

    job = audit.request_period_audit(db, admin, (today - timedelta(days=7)).isoformat(), today.isoformat())
    assert job.subject == "audit" and job.status == "queued" and job.total_rows > 0
    factories.run_outbox(db, "build_export")
    job = db.get(ExportJob, job.id)
    db.refresh(job)
    assert job.status == "done" and job.progress_rows == job.total_rows
    book = load_workbook(io.BytesIO(storage.path_of(job.file_key).read_bytes()))
    numbers = {row[0] for row in _rows(book, "流转记录")}
    assert shared.number in numbers and own.number not in numbers  # 苍溪县's cases only
    assert {row[5] for row in _rows(book, "个人信息访问日志")} >= {shared.number}
    logged = db.scalars(select(CaseAccessLog).where(CaseAccessLog.kind == AccessKind.AUDIT)).all()
    assert [(e.case_id, e.username, e.channel) for e in logged] == [(None, "cx_admin", "job")]
    assert today.isoformat() in logged[0].detail

    login("cx_admin")
    assert client.get(f"/exports/{job.id}/download").status_code == 200
    assert "审计导出" in client.get("/exports/").get_data(as_text=True)
    client.get("/logout/")
    login("lz_window")
    assert client.get("/audit/").status_code == 403  # period exports: supervisors and administrators
    assert client.get(f"/exports/{job.id}/download").status_code == 404  # the owner's only
