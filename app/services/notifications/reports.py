"""Weekly and monthly reports (issue 5): figures per county, window, handling type and matter, as XLSX
and PDF, kept in a report history and mailed to the supervisors.

**Periods.** Weekly: the last complete week, Monday to Sunday, before the day the job runs; monthly:
the last complete calendar month. ``build_reports`` is idempotent per (kind, period): a report that
exists is never built again (two beats, or a re-run, build one), guarded by a lock and by the unique
(kind, period start, scope) of ``Report``.

**Scopes.** One city-wide report (every case), read by administrators and the city supervisor, and one
report per county with a window of ours, holding the cases that touch the county (its window accepted
or received them, or its department handles them) — what its county administrator may see of cases,
so a county administrator reads its own county's reports and nothing else.

**Figures** of a set of cases in period P (working days from the work calendar):

- accepted: accepted in P; declined: declined in P; completed: completed (办结) in P;
- on-time rate: completed in P on or before the processing due date / completed in P;
- on time means by the due day of the legal clock (``app.services.cases.clock``): the promised limit,
  the approved extensions (延期) added, the days it stood stopped (补正, 特别程序) not counted;
- average working days per stage, of the stages finished in P: dispatch (acceptance → materials sent),
  processing (acceptance → completion, the days the clock stood stopped excluded), delivery (completion →
  result delivered);
- beside the processing days, never hidden in them: the average working days the clock stood stopped
  (补正 and 特别程序) and the average working days approved extensions added, of the cases completed in P;
- overdue: cases with a stage finished late in P (dispatch, completion, the result sent back to the window
  where it is collected, or delivery after its due date),
  or open now with the running stage's due date before the end of P;
- correction rate: completed in P that needed at least one correction / completed in P.

The on-time rate's definition is printed in every report, XLSX and PDF alike (``ON_TIME_FORMULA``).

**Reports on demand** (``app.services.notifications.report_requests``): the same figures and files for any
period and scope a supervisor asks for, kind ``custom``, built in the background; each request has a report
of its own (scope key ``<scope>~<request id>``), so asking again later gives fresh figures.

Each case is grouped under the window of ours that handled it at the front desk (the origin window, or
the home window for a case sent by a window outside the system), that window's county, the case's
handling type and its matter.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from statistics import mean
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters import storage
from app.adapters.messaging import mail_enabled
from app.domain.deadlines import STAGE_OF_STATUS, delivery_due
from app.domain.ratings import RATING_LEVELS
from app.domain.roles import RoleName
from app.domain.workdays import WorkCalendar
from app.domain.workflow import Status, StepName
from app.models.case import Case, CaseEvent, Correction
from app.models.clock import ClockSegment, ClockSegmentKind, ExtensionDecision
from app.models.notify import Report, ReportKind
from app.models.org import Region, ServiceCenter
from app.models.precheck import PrecheckOutcome, PrecheckRound
from app.models.staff import StaffUser
from app.services.calendar import load_calendar
from app.services.ratings.rating import satisfaction_of

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "templates" / "reports"
CITY_NAME = "广元市"
TITLE = "广元市政务服务“跨域通办”工作{kind}"
KIND_NAMES = {"weekly": "周报", "monthly": "月报", "custom": "统计报表"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: the columns of every table: (key, heading)
COLUMNS = (
    ("name", "名称"), ("accepted", "受理"), ("declined", "不予受理"), ("completed", "办结"),
    ("completed_on_time", "按时办结"), ("on_time_rate", "按时办结率"),
    ("avg_dispatch_days", "平均寄出用时（工作日）"), ("avg_process_days", "平均办理用时（工作日）"),
    ("avg_stopped_days", "平均暂停计时（补正/特别程序，工作日）"), ("avg_extended_days", "平均延期（工作日）"),
    ("avg_delivery_days", "平均送达用时（工作日）"), ("overdue", "逾期件数"), ("corrected", "补正件数"),
    ("correction_rate", "补正率"), ("prechecked", "远程预审件数"), ("precheck_corrections", "预审发现补正"),
    ("round_trips_saved", "节省补正寄递"),
)
GROUPS = (("by_county", "按县(区)"), ("by_center", "按窗口"), ("by_handling_type", "按通办类型"), ("by_matter", "按事项"))
#: the on-time rate as a formula (the definition above, in the words of the report)
ON_TIME_FORMULA = ("按时办结率 = 本期内在办理时限内办结的件数 ÷ 本期内办结的件数 × 100%（办理时限为承诺时限加上经批准的延期，"
                   "补正和特别程序期间暂停计时、不计入时限）")
DEFINITIONS = (
    "受理、不予受理、办结：本期内受理（代收）、不予受理、办结的件数。",
    "按时办结率：本期办结件中，在办理时限内办结的比例；办理时限为承诺时限加上经批准的延期，补正和特别程序期间暂停计时、不计入时限。",
    "平均用时：本期内完成该环节的办件所用工作日的平均数——寄出：受理至材料寄出；办理：受理至办结，扣除暂停计时的工作日；送达：办结至结果送达。",
    "平均暂停计时、平均延期：本期办结件中，因补正、特别程序暂停计时的工作日和经批准延期的工作日的平均数，与平均办理用时分列，受理至办结实际经过的工作日为平均办理用时与平均暂停计时之和。",
    "逾期件数：本期内有环节超时完成的办件，以及报表生成时仍在办且当前环节期限早于本期末的办件。",
    "补正率：本期办结件中，曾要求补正材料的比例。",
    "远程预审：本期受理的办件中经部门远程预审的件数；预审发现补正：预审要求补正的次数；节省补正寄递：预审要求的补正在窗口当场补齐、"
    "材料一次寄出的件数（每件省去一次补正材料的往返寄递）。",
    "归属：办件计入接件窗口（本系统内的受理窗口；外地窗口转来的计入承接窗口）及其所在县(区)。",
)


# --- periods -------------------------------------------------------------------------------------


def period_of(kind: str, today: date) -> tuple[date, date]:
    """The last complete week (Monday–Sunday) or calendar month before ``today``."""
    if kind == ReportKind.WEEKLY:
        end = today - timedelta(days=today.weekday() + 1)
        return end - timedelta(days=6), end
    if kind == ReportKind.MONTHLY:
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    raise ValueError(f"unknown report kind {kind!r}")


def period_label(kind: str, start: date, end: date) -> str:
    if kind == ReportKind.MONTHLY:
        return f"{start.year}年{start.month}月"
    tail = f"{end.month}月{end.day}日" if end.year == start.year else f"{end.year}年{end.month}月{end.day}日"
    return f"{start.year}年{start.month}月{start.day}日—{tail}"


def title_of(kind: str, start: date, end: date, county: Region | None = None) -> str:
    scope = f"·{county.name}" if county is not None else ""
    return TITLE.format(kind=KIND_NAMES[kind]) + scope + f"（{period_label(kind, start, end)}）"


# --- figures -------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What one case contributes to the figures of a period."""

    county: str
    center: str
    handling_type: str
    matter: str
    accepted: bool = False
    declined: bool = False
    completed: bool = False
    on_time: bool = False
    overdue: bool = False
    corrected: bool = False
    #: 远程预审 (counted with the acceptance): pre-checked, the rounds that asked corrections, and whether a
    #: correction asked was supplied at the window (one mail round trip saved)
    prechecked: bool = False
    precheck_corrections: int = 0
    round_trip_saved: bool = False
    dispatch_days: int | None = None
    process_days: int | None = None
    #: a case completed in the period: working days its clock stood stopped (补正, 特别程序), and added
    #: by approved extensions (延期)
    stopped_days: int | None = None
    extended_days: int | None = None
    delivery_days: int | None = None


@dataclass
class Tally:
    name: str
    facts: list[Facts] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        f = self.facts
        completed = [x for x in f if x.completed]
        on_time = sum(1 for x in completed if x.on_time)
        corrected = sum(1 for x in completed if x.corrected)

        def avg(values: Iterable[int | None]) -> float | None:
            values = [v for v in values if v is not None]
            return round(mean(values), 1) if values else None

        return {
            "name": self.name,
            "accepted": sum(1 for x in f if x.accepted),
            "declined": sum(1 for x in f if x.declined),
            "completed": len(completed),
            "completed_on_time": on_time,
            "on_time_rate": round(on_time / len(completed), 4) if completed else None,
            "avg_dispatch_days": avg(x.dispatch_days for x in f),
            "avg_process_days": avg(x.process_days for x in f),
            "avg_stopped_days": avg(x.stopped_days for x in f),
            "avg_extended_days": avg(x.extended_days for x in f),
            "avg_delivery_days": avg(x.delivery_days for x in f),
            "overdue": sum(1 for x in f if x.overdue),
            "corrected": corrected,
            "correction_rate": round(corrected / len(completed), 4) if completed else None,
            "prechecked": sum(1 for x in f if x.prechecked),
            "precheck_corrections": sum(x.precheck_corrections for x in f),
            "round_trips_saved": sum(1 for x in f if x.round_trip_saved),
        }


def _within(d: date | None, start: date, end: date) -> bool:
    return d is not None and start <= d <= end


def _county_of(region: Region | None) -> Region | None:
    return region.county if region is not None else None


def our_window(case: Case) -> ServiceCenter:
    return case.origin_center if not case.origin_center.external else case.home_center


def touches(case: Case, county: Region) -> bool:
    regions = [case.origin_center.region, case.home_center.region,
               case.department.region if case.department is not None else None]
    return any(r is not None and r.path.startswith(county.path) for r in regions)


def _cases(session: Session, start: date, end: date) -> list[Case]:
    open_with_stage = [s.value for s in STAGE_OF_STATUS]
    # dispatched (or the result sent back to the window) in the period: the step is written when it is recorded (on or after the day it names)
    dispatched = select(CaseEvent.case_id).where(CaseEvent.action.in_([StepName.DISPATCH, StepName.SEND_RESULT]),
                                                 CaseEvent.at >= start)
    return list(session.scalars(select(Case).where(or_(
        Case.accepted_on.between(start, end),
        and_(Case.status == Status.REJECTED.value, Case.decided_on.between(start, end)),
        Case.completed_on.between(start, end),
        Case.delivered_on.between(start, end),
        Case.id.in_(dispatched),
        and_(Case.status.in_(open_with_stage), Case.accepted_on <= end),
    )).order_by(Case.id)))


def _dispatch_dates(session: Session, case_ids: list[int], step: StepName = StepName.DISPATCH) -> dict[int, date]:
    """When the materials left (or, with ``step`` send_result, the result left for the window where it is
    collected): the date recorded with the step, or the step's own date."""
    dates: dict[int, date] = {}
    for chunk in range(0, len(case_ids), 1000):
        ids = case_ids[chunk:chunk + 1000]
        for case_id, data, at in session.execute(
                select(CaseEvent.case_id, CaseEvent.data, CaseEvent.at)
                .where(CaseEvent.action == step, CaseEvent.case_id.in_(ids)).order_by(CaseEvent.seq)):
            if case_id in dates:
                continue
            sent = (data or {}).get("sent_on")
            try:
                dates[case_id] = date.fromisoformat(sent) if sent else at.date()
            except ValueError:
                dates[case_id] = at.date()
    return dates


def _corrected(session: Session, case_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in range(0, len(case_ids), 1000):
        ids = case_ids[chunk:chunk + 1000]
        found.update(session.scalars(select(Correction.case_id).where(Correction.case_id.in_(ids)).distinct()))
    return found


def _extended(session: Session, case_ids: list[int]) -> dict[int, int]:
    """Working days the approved extensions added, per case."""
    found: dict[int, int] = {}
    for chunk in range(0, len(case_ids), 1000):
        ids = case_ids[chunk:chunk + 1000]
        found.update(session.execute(
            select(ClockSegment.case_id, func.sum(ClockSegment.days))
            .where(ClockSegment.case_id.in_(ids), ClockSegment.kind == ClockSegmentKind.EXTENSION,
                   ClockSegment.decision == ExtensionDecision.APPROVED)
            .group_by(ClockSegment.case_id)).tuples().all())
    return found
def _prechecks(session: Session, case_ids: list[int]) -> dict[int, list[PrecheckRound]]:
    """The pre-check rounds of the cases, by case."""
    rounds: dict[int, list[PrecheckRound]] = defaultdict(list)
    for chunk in range(0, len(case_ids), 1000):
        ids = case_ids[chunk:chunk + 1000]
        for item in session.scalars(select(PrecheckRound).where(PrecheckRound.case_id.in_(ids))
                                    .order_by(PrecheckRound.case_id, PrecheckRound.round)):
            rounds[item.case_id].append(item)
    return rounds


def precheck_facts(facts: Facts, rounds: list[PrecheckRound]) -> None:
    """远程预审 of a case accepted in the period: pre-checked, corrections caught, a mail round trip saved."""
    if not facts.accepted or not rounds:
        return
    facts.prechecked = True
    caught = [r for r in rounds if r.outcome == PrecheckOutcome.CORRECTIONS]
    facts.precheck_corrections = len(caught)
    facts.round_trip_saved = any(item.get("supplied") for r in caught for item in r.items)


def facts_of(case: Case, start: date, end: date, calendar: WorkCalendar, dispatched_on: date | None,
             corrected: bool, result_sent_on: date | None = None, extended_days: int = 0) -> Facts:
    window = our_window(case)
    county = _county_of(window.region)
    facts = Facts(county=county.full_name if county is not None else window.region.full_name, center=window.name,
                  handling_type=case.handling_type.name, matter=case.matter.name)
    facts.accepted = _within(case.accepted_on, start, end)
    facts.declined = case.status == Status.REJECTED and _within(case.decided_on, start, end)
    late = False
    if case.accepted_on and _within(dispatched_on, start, end):
        facts.dispatch_days = calendar.working_days_between(case.accepted_on, dispatched_on)
        late |= case.dispatch_due is not None and dispatched_on > case.dispatch_due
    if _within(case.completed_on, start, end):
        facts.completed = True
        facts.on_time = case.process_due is None or case.completed_on <= case.process_due
        facts.corrected = corrected
        late |= not facts.on_time
        if case.accepted_on:
            # the stops (补正, 特别程序) are counted apart, in stopped_days, and shown beside
            facts.stopped_days, facts.extended_days = case.paused_days or 0, extended_days
            facts.process_days = max(calendar.working_days_between(case.accepted_on, case.completed_on)
                                     - facts.stopped_days, 0)
    if case.completed_on and _within(case.delivered_on, start, end):
        facts.delivery_days = calendar.working_days_between(case.completed_on, case.delivered_on)
        late |= case.delivery_due is not None and case.delivered_on > case.delivery_due
    if case.completed_on and _within(result_sent_on, start, end):  # the home window's day to send it back
        late |= result_sent_on > delivery_due(calendar, case.completed_on).due
    due = case.current_due
    open_late = case.status in STAGE_OF_STATUS and due is not None and due < end
    facts.overdue = late or open_late
    return facts


def compute_figures(session: Session, kind: str, start: date, end: date, county: Region | None = None) -> dict:
    calendar = load_calendar(session)
    cases = _cases(session, start, end)
    if county is not None:
        cases = [c for c in cases if touches(c, county)]
    ids = [c.id for c in cases]
    dispatched = _dispatch_dates(session, ids)
    results_sent = _dispatch_dates(session, ids, StepName.SEND_RESULT)
    corrected = _corrected(session, ids)
    extended = _extended(session, ids)
    prechecks = _prechecks(session, ids)
    all_facts = [facts_of(c, start, end, calendar, dispatched.get(c.id), c.id in corrected, results_sent.get(c.id),
                          int(extended.get(c.id) or 0))
                 for c in cases]
    for case, facts in zip(cases, all_facts):
        precheck_facts(facts, prechecks.get(case.id, []))
    relevant = [f for f in all_facts if f.accepted or f.declined or f.completed or f.overdue
                or f.dispatch_days is not None or f.delivery_days is not None]

    def grouped(key: str) -> list[dict]:
        tallies: dict[str, Tally] = defaultdict(lambda: Tally(""))
        for f in relevant:
            name = getattr(f, key)
            tallies[name].name = name
            tallies[name].facts.append(f)
        return [tallies[name].row() for name in sorted(tallies)]

    total = Tally("合计", relevant).row()
    return {
        "kind": kind, "start": start.isoformat(), "end": end.isoformat(),
        "scope": county.full_name if county is not None else CITY_NAME,
        "total": total,
        "by_county": grouped("county"), "by_center": grouped("center"),
        "by_handling_type": grouped("handling_type"), "by_matter": grouped("matter"),
        "satisfaction": satisfaction_figures(session, start, end, county),
    }


def satisfaction_figures(session: Session, start: date, end: date, county: Region | None = None) -> dict:
    """好差评 of the period: ratings per level and the satisfaction rate (非常满意、满意、基本满意 of the ratings
    that count; those of an upheld appeal left out), of the county's windows or the whole city."""
    figures = satisfaction_of(session, datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1),
                              time.min), county_id=county.id if county is not None else None)
    return {"per_level": {str(level): n for level, n in figures.per_level.items()}, "counted": figures.counted,
            "excluded": figures.excluded, "satisfaction_rate": figures.rate}


# --- files ---------------------------------------------------------------------------------------


def cell_text(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.endswith("_rate"):
        return f"{value * 100:.1f}%"
    return str(value)


def report_xlsx(title: str, figures: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = [("汇总", [figures["total"]])] + [(label, figures[key]) for key, label in GROUPS]
    satisfaction = figures.get("satisfaction")
    for sheet_name, rows in sheets:
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append([f"统计范围：{figures['scope']}    统计期间：{figures['start']} 至 {figures['end']}"])
        sheet.append([heading for _, heading in COLUMNS])
        for cell in sheet[3]:
            cell.font, cell.border = Font(bold=True), border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        body = list(rows) + ([figures["total"]] if sheet_name != "汇总" and rows else [])
        for row in body:
            values = []
            for key, _ in COLUMNS:
                value = row.get(key)
                values.append(value if value is not None else "—")
            sheet.append(values)
            for index, (key, _) in enumerate(COLUMNS, start=1):
                cell = sheet.cell(row=sheet.max_row, column=index)
                cell.border = border
                if key.endswith("_rate") and isinstance(cell.value, (int, float)):
                    cell.number_format = "0.0%"
        if not rows:
            sheet.append(["本期无数据"])
        sheet.append([])
        for line in (ON_TIME_FORMULA, *DEFINITIONS):
            sheet.append([line])
        sheet.column_dimensions["A"].width = 36
        for index in range(2, len(COLUMNS) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 13
        sheet.freeze_panes = "B4"
    if satisfaction:
        sheet = workbook.create_sheet("好差评")
        sheet.append([title])
        sheet.append([f"统计范围：{figures['scope']}    统计期间：{figures['start']} 至 {figures['end']}"])
        sheet.append(["评价等级", "评价数"])
        for level, name in RATING_LEVELS.items():
            sheet.append([name, satisfaction["per_level"].get(str(level), 0)])
        sheet.append(["计入评价数", satisfaction["counted"]])
        sheet.append(["申诉成立不计入", satisfaction["excluded"]])
        sheet.append(["满意率", cell_text("satisfaction_rate", satisfaction["satisfaction_rate"])])
        sheet.column_dimensions["A"].width = 36
    workbook.properties.creator = "广元市政务服务和公共资源交易中心"
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cell_filter(value: Any, key: str) -> str:
    """The template's ``cell`` filter: ``{{ row[key]|cell(key) }}``."""
    return cell_text(key, value)


def report_pdf(title: str, figures: dict, created: date) -> bytes:
    """The report as an A4 landscape PDF with the embedded Chinese font of the notices
    (``app.documents.render``: its font selection, resource policy, CJK line breaking and lock)."""
    from app.documents.render import Metadata, render_pdf

    context = {"title": title, "figures": figures, "columns": COLUMNS, "groups": GROUPS,
               "definitions": DEFINITIONS, "created": created, "on_time_formula": ON_TIME_FORMULA}
    return render_pdf("report.html", context, Metadata(title=title, subject="跨域通办统计报表"),
                      template_dir=TEMPLATE_DIR, filters={"cell": cell_filter})


# --- building ------------------------------------------------------------------------------------


def report_counties(session: Session) -> list[Region]:
    """The counties with a window of ours (the county reports), in code order."""
    centers = session.scalars(select(ServiceCenter).where(ServiceCenter.external.is_(False))).all()
    counties = {county.id: county for county in (_county_of(c.region) for c in centers) if county is not None}
    return sorted(counties.values(), key=lambda r: (r.code or "999999", r.name))


def scope_key(county: Region | None) -> str:
    return f"county:{county.id}" if county is not None else "city"


def find_report(session: Session, kind: str, start: date, county: Region | None = None) -> Report | None:
    return session.scalar(select(Report).where(Report.kind == kind, Report.period_start == start,
                                               Report.scope_key == scope_key(county)))


def file_name(report: Report, extension: str) -> str:
    return f"{report.title}.{extension}"


def _recipients(session: Session, county: Region | None) -> list[tuple[str, int | None]]:
    """(address, user id): city supervisors and REPORT_RECIPIENTS for the city-wide report, the
    county's administrators for a county report."""
    from flask_appbuilder.security.sqla.models import Role

    if county is None:
        users = session.scalars(select(StaffUser).where(
            StaffUser.active.is_(True), StaffUser.roles.any(Role.name == RoleName.CITY_SUPERVISOR.value))).all()
        extra = [(address, None) for address in current_app.config["REPORT_RECIPIENTS"]]
    else:
        users = session.scalars(select(StaffUser).where(
            StaffUser.active.is_(True), StaffUser.region_id == county.id,
            StaffUser.roles.any(Role.name == RoleName.COUNTY_ADMIN.value))).all()
        extra = []
    seen: set[str] = set()
    out = []
    for address, user_id in [(u.email, u.id) for u in users if u.email] + extra:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append((address, user_id))
    return out


def _queue_report_mail(session: Session, report: Report, county: Region | None) -> list[str]:
    from app.services.notifications.messages import queue_mail, render, staff_languages

    recipients = _recipients(session, county)
    languages = staff_languages(session, [uid for _, uid in recipients if uid])
    total = report.figures["total"]
    base_url = current_app.config["APP_URL"]
    attachments = [{"key": report.xlsx_key, "name": file_name(report, "xlsx"), "content_type": XLSX_TYPE},
                   {"key": report.pdf_key, "name": file_name(report, "pdf"), "content_type": "application/pdf"}]
    mailed = []
    for address, user_id in recipients:
        language = languages.get(user_id, "zh") if user_id else "zh"
        rendered = render(session, "report", "mail", language, {
            "title": report.title, "period": f"{report.period_start.isoformat()} – {report.period_end.isoformat()}",
            "accepted": total["accepted"], "declined": total["declined"], "completed": total["completed"],
            "on_time_rate": cell_text("on_time_rate", total["on_time_rate"]), "overdue": total["overdue"],
            "url": f"{base_url}/reports/" if base_url else ""})
        if rendered is None:
            break
        queue_mail(session, to=address, subject=rendered.subject, body=rendered.body, event="report",
                   language=rendered.language, user_id=user_id, attachments=attachments)
        mailed.append(address)
    return mailed


def build_report(session: Session, kind: str, start: date, end: date, county: Region | None = None,
                 *, created: date | None = None) -> tuple[Report, bool]:
    """The report of (kind, period, county), built now unless it exists: (report, built now)."""
    from app.services.notifications.reminders import serialise

    session.commit()
    serialise(session, f"kytb.report.{kind}")
    existing = find_report(session, kind, start, county)
    if existing is not None:
        session.commit()
        return existing, False
    figures = compute_figures(session, kind, start, end, county)
    title = title_of(kind, start, end, county)
    xlsx = report_xlsx(title, figures)
    pdf = report_pdf(title, figures, created or date.today())
    xlsx_key, xlsx_sha = storage.put(xlsx)
    pdf_key, pdf_sha = storage.put(pdf)
    report = Report(kind=kind, period_start=start, period_end=end, scope_key=scope_key(county),
                    region_id=county.id if county is not None else None, title=title, xlsx_key=xlsx_key,
                    xlsx_sha256=xlsx_sha, xlsx_size=len(xlsx), pdf_key=pdf_key, pdf_sha256=pdf_sha, pdf_size=len(pdf),
                    figures=figures)
    session.add(report)
    try:
        session.flush()
        if mail_enabled(current_app.config):
            report.mailed_to = ", ".join(_queue_report_mail(session, report, county))
        session.commit()
    except IntegrityError:  # built meanwhile elsewhere: keep that one
        session.rollback()
        storage.remove(xlsx_key)
        storage.remove(pdf_key)
        return find_report(session, kind, start, county), False
    log.info("report built: %s", title)
    return report, True


def build_reports(session: Session, kind: str, today: date | None = None) -> list[Report]:
    """The city-wide report and every county's report of the last complete period; only those
    that do not exist yet are built. Returns the reports built now."""
    start, end = period_of(kind, today or date.today())
    built = []
    for county in [None, *report_counties(session)]:
        report, new = build_report(session, kind, start, end, county)
        if new:
            built.append(report)
    return built
