"""审计导出: the history (流转记录, ``CaseEvent``) and the personal-data access log (``CaseAccessLog``) as an
XLSX of two sheets, for complaints and inspections.

* One case (``case_audit``): made in the request, for whoever may read the case (404 otherwise); the
  sheets hold that case's rows.
* A period (``request_period_audit``): administrators and the city supervisor (the city, or one county),
  a county administrator its own county; every problem of the period told at once (as the reports on
  demand). Made in the background as an export job of subject ``audit`` (the ledger's machinery:
  ``app.services.exports.jobs``), read with the owner's scope when it runs, found in 我的导出.
* Either export is an entry of the access log itself (kind ``audit``: who exported what, when): the case's
  id for one case; no case and the period and scope in ``detail`` for a period.

The labels are Chinese whatever the user's language (the file goes to inspectors).
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO, Callable

from flask_babel import force_locale
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.domain.privacy import AccessKind
from app.domain.workflow import Effect
from app.errors import NotFound, Problem, ValidationFailed
from app.labels import ACCESS_CHANNELS, ACCESS_KINDS, STATUS_LABELS, event_label, label
from app.models.base import now
from app.models.case import Case, CaseAccessLog, CaseEvent
from app.models.exports import ExportJob, ExportKind, ExportStatus
from app.models.org import Region
from app.models.staff import StaffUser
from app.platform import outbox
from app.scope import Reach, as_record_id, criterion, reach_of
from app.services.cases.access import Viewer, get_case
from app.services.exports import jobs
from app.services.notifications.report_requests import checked_period, counties_within

log = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUBJECT = "audit"
HISTORY_SHEET, ACCESS_SHEET = "流转记录", "个人信息访问日志"
HISTORY_COLUMNS = ("办件编号", "时间", "操作人", "所在单位", "操作", "原状态", "新状态", "备注")
ACCESS_COLUMNS = ("时间", "用户", "地址", "渠道", "访问内容", "办件编号", "详情", "事由", "有效期至")
#: rows read at a time, and between two progress writes
BATCH = 500


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _number(case: Case | None) -> str:
    if case is None:
        return ""
    return case.number or f"#{case.id}"


# --- the workbook ----------------------------------------------------------------------------------


def _history_row(event: CaseEvent, case: Case) -> list[Any]:
    return [_number(case), _moment(event.at), event.actor_name, event.actor_place, str(event_label(event.action, case)),
            label(STATUS_LABELS, event.from_status) if event.from_status else "", label(STATUS_LABELS, event.to_status),
            event.note or ""]


def _access_row(entry: CaseAccessLog, case: Case | None) -> list[Any]:
    return [_moment(entry.at), entry.username, entry.address, label(ACCESS_CHANNELS, entry.channel),
            label(ACCESS_KINDS, entry.kind), _number(case), entry.detail, entry.reason, _moment(entry.valid_until)]


def _write_workbook(out: BinaryIO, title: str, scope_line: str, histories: Any, accesses: Any,
                    on_progress: Callable[[int], None] | None = None) -> int:
    """Writes the two sheets (streamed, a write-only workbook) from iterables of rows; returns the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    book.properties.creator = "广元市政务服务和公共资源交易中心"
    book.properties.title = title
    rows = 0
    with force_locale("zh"):
        for name, columns, source in ((HISTORY_SHEET, HISTORY_COLUMNS, histories),
                                      (ACCESS_SHEET, ACCESS_COLUMNS, accesses)):
            sheet = book.create_sheet(name)
            sheet.column_dimensions["A"].width = 24
            for letter in "BCDEFGHI":
                sheet.column_dimensions[letter].width = 20
            heading = WriteOnlyCell(sheet, value=f"{title}·{name}")
            heading.font = Font(bold=True, size=13)
            sheet.append([heading])
            sheet.append([scope_line])
            header = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=column)
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            count = 0
            for row in source():
                sheet.append(row)
                count += 1
                rows += 1
                if on_progress is not None and rows % BATCH == 0:
                    on_progress(rows)
            if not count:
                sheet.append(["（无记录）"])
    book.save(out)
    return rows


# --- one case ------------------------------------------------------------------------------------


def case_audit(session: Session, viewer: Viewer, case_id: Any) -> jobs.ExportFile:
    """The audit XLSX of one case the viewer may read (NotFound otherwise); logged."""
    case = get_case(session, viewer.reach, case_id)
    number = _number(case)
    name = f"审计导出-{number}.xlsx"

    def histories():
        for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)):
            yield _history_row(event, case)

    def accesses():
        for entry in session.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case.id)
                                     .order_by(CaseAccessLog.at, CaseAccessLog.id)):
            yield _access_row(entry, case)

    out = io.BytesIO()
    rows = _write_workbook(out, f"办件{number}审计记录", f"办件编号：{number}    导出时间：{_moment(now())}    "
                           f"导出人：{viewer.user.username}", histories, accesses)
    _log(session, viewer, case.id, name)
    return jobs.ExportFile(name=name, content_type=XLSX_TYPE, data=out.getvalue(), rows=rows)


def _log(session: Session, viewer: Viewer, case_id: int | None, detail: str) -> None:
    session.add(CaseAccessLog(case_id=case_id, user_fk=viewer.user.id, username=viewer.user.username,
                              address=(viewer.address or "")[:64], channel=viewer.channel, kind=AccessKind.AUDIT,
                              detail=detail[:255], at=now()))
    session.commit()


# --- a period --------------------------------------------------------------------------------------


def _county(session: Session, reach: Reach, region_id: Any) -> Region | None:
    """The county chosen (None: the whole reach); NotFound for one outside the reach."""
    if region_id in (None, "", "city"):
        return None
    wanted = as_record_id(region_id)
    county = next((c for c in counties_within(session, reach) if c.id == wanted), None)
    if county is None:
        raise NotFound()
    return county


def _case_scope(reach: Reach, county_path: str | None):
    """The cases of the export: the owner's scope, narrowed to the county's (its administrator's rule)."""
    parts = [criterion(Case, reach)]
    if county_path:
        parts.append(criterion(Case, Reach(county_paths=frozenset({county_path}))))
    return and_(*parts)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def _period_queries(reach: Reach, filter: dict[str, Any]):
    """The history and the access log of the period (ordered by id: the order they were written)."""
    start, end = date.fromisoformat(filter["start"]), date.fromisoformat(filter["end"])
    since, until = _bounds(start, end)
    cases = select(Case.id).where(_case_scope(reach, filter.get("county_path")))
    events = (select(CaseEvent, Case).join(Case, Case.id == CaseEvent.case_id)
              .where(CaseEvent.case_id.in_(cases), CaseEvent.at >= since, CaseEvent.at < until))
    accesses = (select(CaseAccessLog, Case).join(Case, Case.id == CaseAccessLog.case_id)
                .where(CaseAccessLog.case_id.in_(cases), CaseAccessLog.at >= since, CaseAccessLog.at < until))
    return events, accesses


def _batches(session: Session, query: Any, model: type):
    """The rows of ``query`` a batch at a time by id (no cursor stays open while the progress is committed)."""
    last = 0
    while True:
        batch = session.execute(query.where(model.id > last).order_by(model.id).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1][0].id


def describe(filter: dict[str, Any]) -> str:
    return f"{filter['scope']} {filter['start']} 至 {filter['end']}"


def request_period_audit(session: Session, user: StaffUser, start: Any, end: Any, region_id: Any = None,
                         *, today: date | None = None) -> ExportJob:
    """The audit export of a period, queued as an export job (with its outbox row) of the user."""
    reach = reach_of(user)
    if not (reach.everything or reach.county_paths):
        raise NotFound()
    county = _county(session, reach, region_id)
    problems: list[Problem] = []
    first, last = checked_period(start, end, today or date.today(), problems)
    if problems:
        raise ValidationFailed(problems)
    scope = county.full_name if county is not None else ("广元市" if reach.everything else "本县(区)")
    filter = {"start": first.isoformat(), "end": last.isoformat(), "region_id": county.id if county else None,
              "county_path": county.path if county else None, "scope": scope}
    events, accesses = _period_queries(reach, filter)
    total = sum(session.scalar(select(func.count()).select_from(query.with_only_columns(model.id).subquery())) or 0
                for query, model in ((events, CaseEvent), (accesses, CaseAccessLog)))
    name = f"审计导出-{scope}-{first.isoformat()}至{last.isoformat()}.xlsx"
    job = ExportJob(user_fk=user.id, subject=SUBJECT, kind=ExportKind.XLSX.value, filter=filter,
                    description=describe(filter), status=ExportStatus.QUEUED, total_rows=total, file_name=name,
                    content_type=XLSX_TYPE)
    session.add(job)
    session.flush()
    outbox.queue(session, Effect("build_export", str(job.id)), None, job_id=job.id)
    session.commit()
    log.info("audit export job %s queued: %s, %d rows, for %s", job.id, describe(filter), total, user.username)
    return job


def _write_period(session: Session, reach: Reach, filter: dict[str, Any], out: BinaryIO,
                  on_progress: Callable[[int], None]) -> int:
    events, accesses = _period_queries(reach, filter)

    def histories():
        for event, case in _batches(session, events, CaseEvent):
            yield _history_row(event, case)

    def access_rows():
        for entry, case in _batches(session, accesses, CaseAccessLog):
            yield _access_row(entry, case)

    title = f"跨域通办审计记录（{filter['scope']}）"
    scope_line = f"统计范围：{filter['scope']}    期间：{filter['start']} 至 {filter['end']}    导出时间：{_moment(now())}"
    return _write_workbook(out, title, scope_line, histories, access_rows, on_progress)


def _logged(session: Session, viewer: Viewer, job: ExportJob) -> None:
    _log(session, viewer, None, f"{job.file_name}（{job.description}）")


jobs.register_subject(SUBJECT, jobs.Subject(write=_write_period, logged=_logged))
