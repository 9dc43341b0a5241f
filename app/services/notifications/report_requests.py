"""按需报表: reports on demand (issue 14 item 4).

A supervisor (administrator, city supervisor: the city or any county; county administrator: its own county)
asks for the report of any period — from ≤ to, neither in the future, at most ``MAX_SPAN_DAYS`` days
(every problem told at once) — and a scope. ``request_report`` writes a :class:`ReportRequest` and its
outbox row (topic ``build_report_request``) in one transaction; asking again for the same period and scope
while one is queued or running gives that one. The outbox runner carries it out (``run_request``) in
``STEPS`` steps, writing the step reached after each (the history page shows it), and the report joins the
history as kind ``custom``, with the same figures, XLSX and PDF as the weekly report (``reports``). A failed
request is tried again with ``retry_request``. When mail is on, the requester gets a mail with the files.

``next_scheduled`` tells when beat builds the next weekly and monthly report (``app.domain.reporting``,
the schedule's one source of truth); ``generate_now`` builds the last complete week's or month's reports
at once (the same idempotent ``reports.build_reports`` beat runs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from app.adapters import storage
from app.adapters.messaging import mail_enabled
from app.domain.reporting import MAX_SPAN_DAYS, next_run, period_problems
from app.domain.validators import parse_date
from app.domain.workflow import Effect
from app.errors import NotFound, Problem, ValidationFailed
from app.models.base import now
from app.models.notify import Report, ReportKind, ReportRequest, ReportRequestStatus
from app.models.org import Region
from app.models.staff import StaffUser
from app.platform import outbox
from app.scope import Reach, as_record_id, criterion, reach_of
from app.services.notifications import reports

log = logging.getLogger(__name__)

TOPIC = "build_report_request"
#: the steps of a build, as the progress shows them
STEP_NAMES = (_l("Reading the cases"), _l("Computing the figures"), _l("Writing the XLSX file"),
              _l("Writing the PDF file"), _l("Storing the report"))
STEPS = len(STEP_NAMES)
#: a running request whose step has not moved for this long lost its worker (a PDF of a year takes well under it)
STALE_AFTER = timedelta(minutes=10)

PROBLEMS = {
    "start_missing": ("start", _l("Enter the first day of the period (YYYY-MM-DD).")),
    "end_missing": ("end", _l("Enter the last day of the period (YYYY-MM-DD).")),
    "start_future": ("start", _l("The first day of the period lies in the future.")),
    "end_future": ("end", _l("The last day of the period lies in the future: a report covers days that have passed.")),
    "start_after_end": ("end", _l("The last day of the period comes before its first day.")),
    "too_long": ("end", _l("A report covers at most %(days)s days; split the period.", days=MAX_SPAN_DAYS)),
}


def _date(value: Any) -> date | None | str:
    """A date, None when nothing was given, or "bad" for what is no date."""
    try:
        return parse_date(value)
    except ValueError:
        return "bad"


def checked_period(start: Any, end: Any, today: date, problems: list[Problem]) -> tuple[date, date]:
    """The period asked for; what is wrong with it is added to ``problems`` (every problem at once)."""
    first, last = _date(start), _date(end)
    if first == "bad":
        problems.append(Problem("start", _l("The first day is no date (YYYY-MM-DD).")))
    if last == "bad":
        problems.append(Problem("end", _l("The last day is no date (YYYY-MM-DD).")))
    codes = period_problems(first if isinstance(first, date) else None, last if isinstance(last, date) else None,
                            today)
    codes = [c for c in codes if not (c == "start_missing" and first == "bad")
             and not (c == "end_missing" and last == "bad")]
    problems += [Problem(*PROBLEMS[code]) for code in codes]
    return first, last  # type: ignore[return-value]  (dates when no problem was added)


# --- scopes --------------------------------------------------------------------------------------


def counties_within(session: Session, reach: Reach) -> list[Region]:
    """The counties whose reports the reach may ask for (those with a window of ours)."""
    counties = reports.report_counties(session)
    if reach.everything:
        return counties
    return [c for c in counties if any(c.path.startswith(p) for p in reach.county_paths)]


def may_request_city(reach: Reach) -> bool:
    return reach.everything


CITY_REFUSED = _l("Choose your county: the city-wide report holds every county's figures.")


def _scope_of(session: Session, reach: Reach, region_id: Any, problems: list[Problem]) -> Region | None:
    """The county asked for (None: the city); NotFound for any county out of the reach, a problem (added to
    ``problems``) for the city asked by whom may not read it."""
    if region_id in (None, "", "city"):
        if not may_request_city(reach):
            problems.append(Problem("region_id", CITY_REFUSED))
        return None
    wanted = as_record_id(region_id)
    county = next((c for c in counties_within(session, reach) if c.id == wanted), None)
    if county is None:
        raise NotFound()
    return county


# --- asking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requested:
    request: ReportRequest
    created: bool  # False: an equal request was already queued or running


def request_report(session: Session, user: StaffUser, start: Any, end: Any, region_id: Any = None,
                   *, today: date | None = None) -> Requested:
    """Asks for the report of [start, end] for the city (``region_id`` empty) or one county."""
    reach = reach_of(user)
    problems: list[Problem] = []
    county = _scope_of(session, reach, region_id, problems)
    first, last = checked_period(start, end, today or date.today(), problems)
    if problems:
        raise ValidationFailed(problems)
    scope_key = reports.scope_key(county)
    reports_lock(session)
    existing = session.scalar(select(ReportRequest).where(
        ReportRequest.scope_key == scope_key, ReportRequest.period_start == first, ReportRequest.period_end == last,
        ReportRequest.status.in_([ReportRequestStatus.QUEUED, ReportRequestStatus.RUNNING]))
        .order_by(ReportRequest.id).limit(1))
    if existing is not None:
        session.commit()
        return Requested(existing, False)
    request = ReportRequest(user_fk=user.id, period_start=first, period_end=last, scope_key=scope_key,
                            region_id=county.id if county is not None else None, status=ReportRequestStatus.QUEUED,
                            step=0, steps=STEPS)
    session.add(request)
    session.flush()
    outbox.queue(session, Effect(TOPIC, str(request.id)), None, request_id=request.id)
    session.commit()
    log.info("report requested: %s %s–%s by %s (request %s)", scope_key, first, last, user.username, request.id)
    return Requested(request, True)


def reports_lock(session: Session) -> None:
    """One request is written at a time (two clicks of the same button give one request)."""
    from app.services.notifications.reminders import serialise

    session.commit()
    serialise(session, "kytb.report-request")


def requests_seen_by(session: Session, reach: Reach, *, limit: int = 20) -> list[ReportRequest]:
    """The requests the reach may read that are not done (queued, running, failed), the newest first."""
    return list(session.scalars(select(ReportRequest).where(
        criterion(ReportRequest, reach), ReportRequest.status != ReportRequestStatus.DONE)
        .order_by(ReportRequest.id.desc()).limit(limit)))


def request_of(session: Session, reach: Reach, request_id: Any) -> ReportRequest:
    """One request within the reach; NotFound otherwise."""
    wanted = as_record_id(request_id)
    found = None if wanted is None else session.scalar(
        select(ReportRequest).where(ReportRequest.id == wanted, criterion(ReportRequest, reach)))
    if found is None:
        raise NotFound()
    return found


def retry_request(session: Session, user: StaffUser, request_id: Any) -> ReportRequest:
    """Queues a failed request again (through the outbox, like the first time)."""
    request = request_of(session, reach_of(user), request_id)
    if request.status != ReportRequestStatus.FAILED:
        return request
    request.status, request.error, request.step, request.updated_on = ReportRequestStatus.QUEUED, "", 0, now()
    outbox.queue(session, Effect(TOPIC, str(request.id)), None, request_id=request.id, retry=True)
    session.commit()
    return request


# --- building --------------------------------------------------------------------------------------


def _claim(session: Session, request_id: int, seen: int, at: datetime) -> int | None:
    session.commit()
    row = ReportRequest
    claimed = session.execute(
        update(row).where(row.id == request_id, row.attempts == seen, or_(
            row.status.in_([ReportRequestStatus.QUEUED, ReportRequestStatus.FAILED]),
            and_(row.status == ReportRequestStatus.RUNNING, row.updated_on < at - STALE_AFTER)))
        .values(status=ReportRequestStatus.RUNNING, attempts=seen + 1, step=0, steps=STEPS, started_on=at,
                updated_on=at, finished_on=None, error="")).rowcount
    session.commit()
    return seen + 1 if claimed else None


def _set(session: Session, request_id: int, attempt: int, **values: Any) -> None:
    session.commit()
    session.execute(update(ReportRequest).where(ReportRequest.id == request_id, ReportRequest.attempts == attempt)
                    .values(updated_on=now(), **values))
    session.commit()


def run_request(session: Session, request_id: int) -> ReportRequest | None:
    """Builds the report of the request, once; returns the request (None when it no longer exists)."""
    request = session.get(ReportRequest, request_id)
    if request is None:
        log.warning("report request %s no longer exists", request_id)
        return None
    if request.status == ReportRequestStatus.DONE:
        return request
    attempt = _claim(session, request_id, request.attempts, now())
    if attempt is None:
        return session.get(ReportRequest, request_id)  # done or running elsewhere
    request = session.get(ReportRequest, request_id)
    start, end, county = request.period_start, request.period_end, request.region
    report_key = f"{request.scope_key}~{request_id}"
    built = session.scalar(select(Report.id).where(Report.kind == ReportKind.CUSTOM, Report.scope_key == report_key))
    if built is not None:  # an earlier run stored it and then lost its request's end: done with that report
        _set(session, request_id, attempt, status=ReportRequestStatus.DONE, step=STEPS, report_id=built,
             finished_on=now(), error="")
        return session.get(ReportRequest, request_id)
    keys: list[str] = []
    try:
        _set(session, request_id, attempt, step=1)
        figures = reports.compute_figures(session, ReportKind.CUSTOM, start, end, county)
        _set(session, request_id, attempt, step=2)
        title = reports.title_of(ReportKind.CUSTOM, start, end, county)
        xlsx = reports.report_xlsx(title, figures)
        _set(session, request_id, attempt, step=3)
        pdf = reports.report_pdf(title, figures, date.today())
        _set(session, request_id, attempt, step=4)
        xlsx_key, xlsx_sha = storage.put(xlsx)
        keys.append(xlsx_key)
        pdf_key, pdf_sha = storage.put(pdf)
        keys.append(pdf_key)
        report = Report(kind=ReportKind.CUSTOM, period_start=start, period_end=end,
                        scope_key=report_key, region_id=request.region_id, title=title,
                        xlsx_key=xlsx_key, xlsx_sha256=xlsx_sha, xlsx_size=len(xlsx), pdf_key=pdf_key,
                        pdf_sha256=pdf_sha, pdf_size=len(pdf), figures=figures)
        session.add(report)
        session.flush()
        finished = session.execute(
            update(ReportRequest).where(ReportRequest.id == request_id, ReportRequest.attempts == attempt)
            .values(status=ReportRequestStatus.DONE, step=STEPS, report_id=report.id, finished_on=now(),
                    updated_on=now(), error="")).rowcount
        if not finished:  # taken over meanwhile: keep the other run's report
            session.rollback()
            for key in keys:
                storage.remove(key)
            return session.get(ReportRequest, request_id)
        requester = session.get(StaffUser, request.user_fk) if request.user_fk else None
        if requester is not None and mail_enabled(current_app.config):
            report.mailed_to = ", ".join(_mail_requester(session, report, requester))
        session.commit()
    except Exception as error:
        session.rollback()
        for key in keys:
            storage.remove(key)
        log.exception("report request %s failed", request_id)
        first_line = (str(error).strip().splitlines() or [""])[0]
        _set(session, request_id, attempt, status=ReportRequestStatus.FAILED, finished_on=now(),
             error=f"{type(error).__name__}: {first_line}"[:500])
        raise
    log.info("report request %s done: %s", request_id, title)
    return session.get(ReportRequest, request_id)


def _mail_requester(session: Session, report: Report, user: StaffUser) -> list[str]:
    """The report's files to whoever asked for it (the weekly report's mail text)."""
    from app.services.notifications.messages import queue_mail, render, staff_languages

    if not user.email:
        return []
    total = report.figures["total"]
    base_url = current_app.config["APP_URL"]
    rendered = render(session, "report", "mail", staff_languages(session, [user.id]).get(user.id, "zh"), {
        "title": report.title, "period": f"{report.period_start.isoformat()} – {report.period_end.isoformat()}",
        "accepted": total["accepted"], "declined": total["declined"], "completed": total["completed"],
        "on_time_rate": reports.cell_text("on_time_rate", total["on_time_rate"]), "overdue": total["overdue"],
        "url": f"{base_url}/reports/" if base_url else ""})
    if rendered is None:
        return []
    attachments = [
        {"key": report.xlsx_key, "name": reports.file_name(report, "xlsx"), "content_type": reports.XLSX_TYPE},
        {"key": report.pdf_key, "name": reports.file_name(report, "pdf"), "content_type": "application/pdf"}]
    queue_mail(session, to=user.email, subject=rendered.subject, body=rendered.body, event="report",
               language=rendered.language, user_id=user.id, attachments=attachments)
    return [user.email]


@outbox.handles(TOPIC)
def run_request_message(session: Session, message: Any) -> ReportRequest | None:
    """The outbox handler of topic ``build_report_request`` (payload ``request_id``)."""
    return run_request(session, int(message.payload["request_id"]))


# --- the scheduled reports -------------------------------------------------------------------------


def next_scheduled(at: datetime | None = None) -> dict[str, datetime]:
    """When beat builds the next weekly and monthly report."""
    at = at or now()
    return {kind: next_run(kind, at) for kind in (ReportKind.WEEKLY, ReportKind.MONTHLY)}


def generate_now(session: Session, user: StaffUser, kind: Any, *, today: date | None = None) -> list[Report]:
    """立即生成: the reports of the last complete week or month, built now where missing (administrators and
    the city supervisor: the city's and every county's; a county administrator: its county's)."""
    if kind not in (ReportKind.WEEKLY, ReportKind.MONTHLY):
        raise NotFound()
    reach = reach_of(user)
    start, end = reports.period_of(kind, today or date.today())
    scopes: list[Region | None] = ([None] if may_request_city(reach) else []) + counties_within(session, reach)
    if not scopes:
        raise NotFound()
    return [reports.build_report(session, kind, start, end, county)[0] for county in scopes]
