"""对账: the daily reconciliation of both ends (issue 14 item 3; docs/RECONCILIATION.md).

``reconcile`` looks at every open case, parcel and side effect at once — one SELECT per kind of finding,
never a query per case — and brings the findings up to date in one transaction:

- a problem found for the first time becomes an open finding for the side that must act (its window or
  department; system problems for nobody's queue, the administrators and the city supervisors see them);
- a problem still there is marked seen today, with today's facts (days overdue …);
- an open finding no longer found is resolved today.

Idempotent: the open findings are unique per (kind, subject), so a second run (two beats, a re-run) finds
what the first wrote and only marks it seen; runs are serialised by a lock (an advisory lock on PostgreSQL,
the write lock on SQLite).

The transit threshold of "dispatched, not signed" is measured per route (the county of the receiving window
→ the county of the home window): the 90th percentile, in working days, of the route's parcels signed for in
the last year (``app.domain.reconciliation.transit_threshold``), or RECONCILIATION_TRANSIT_DAYS on a route
with too few of them.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, not_, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from app.domain.reconciliation import MIN_SAMPLES, SYSTEM_KINDS, FindingKind, transit_threshold
from app.domain.workdays import WorkCalendar
from app.domain.workflow import FROZEN_STATUSES, Status
from app.errors import ProblemCollector
from app.models.base import now
from app.models.case import BookingStatus, Case, OutboxMessage, Shipment, ShipmentDirection
from app.models.courier import CourierEvent
from app.models.org import Department, Region, RegionLevel, ServiceCenter
from app.models.reconciliation import ReconciliationFinding, ReconciliationRun
from app.platform.outbox import QUEUE_MARK
from app.scope import Reach, as_record_id, criterion
from app.services.calendar import load_calendar
from app.services.courier.tracking import FINAL_TRACKING

log = logging.getLogger(__name__)

#: how far back signed parcels are measured for the transit threshold of their route
MEASURED_DAYS = 365
#: the statuses in which the materials still have to leave the receiving window
BEFORE_DISPATCH = (Status.ACCEPTED.value, Status.PRECHECK.value, Status.PRECHECK_CORRECTION.value)
#: the statuses in which the result still has to reach the applicant
BEFORE_DELIVERY = (Status.COMPLETED.value, Status.RESULT_SENT.value)
RENDER_NOTICE = "render_notice"
LOCK_NAME = "kytb-reconciliation"


@dataclass(frozen=True)
class Found:
    """A problem as one run finds it."""

    kind: FindingKind
    subject: str
    case_id: int | None = None
    outbox_id: int | None = None
    center_id: int | None = None
    department_id: int | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class Summary:
    """What one run did."""

    day: date
    found: dict[str, int] = field(default_factory=dict)
    new: int = 0
    resolved: int = 0
    still_open: int = 0
    thresholds: dict[str, int] = field(default_factory=dict)

    def as_counts(self) -> dict[str, Any]:
        return {"found": dict(self.found), "new": self.new, "resolved": self.resolved, "open": self.still_open}

    def __str__(self) -> str:
        return (f"reconciliation {self.day.isoformat()}: {sum(self.found.values())} found ({self.new} new), "
                f"{self.resolved} resolved")


@dataclass(frozen=True)
class Place:
    """A service center as the reconciliation needs it: outside the system or not, and its county."""

    external: bool
    county_id: int | None
    county_name: str


def _serialise(session: Session) -> None:
    """One run at a time across processes, until the transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(LOCK_NAME))))
    elif dialect == "sqlite":
        session.execute(text("UPDATE reconciliation_run SET id = id WHERE 0"))


def _places(session: Session) -> tuple[dict[int, Place], dict[int, int | None]]:
    """Every center's county (the region itself when it lies in no county), and every department's: two
    statements, whatever the number of cases."""
    region, county = aliased(Region), aliased(Region)
    in_county = and_(county.level == RegionLevel.COUNTY.value, region.path.startswith(county.path))
    centers = session.execute(
        select(ServiceCenter.id, ServiceCenter.external, func.coalesce(county.id, region.id),
               func.coalesce(county.name, region.name))
        .join(region, region.id == ServiceCenter.region_id).outerjoin(county, in_county))
    places = {row[0]: Place(bool(row[1]), row[2], row[3] or "") for row in centers}
    departments = session.execute(
        select(Department.id, func.coalesce(county.id, region.id))
        .join(region, region.id == Department.region_id).outerjoin(county, in_county))
    return places, {row[0]: row[1] for row in departments}


def _ours(places: dict[int, Place], *center_ids: int | None) -> int | None:
    """The first of the centers that is in the system (a window outside it has no queue)."""
    for center_id in center_ids:
        place = places.get(center_id) if center_id is not None else None
        if place is not None and not place.external:
            return center_id
    return None


def _not_dispatched(session: Session, calendar: WorkCalendar, today: date, places: dict[int, Place]) -> list[Found]:
    rows = session.execute(select(Case.id, Case.origin_center_id, Case.dispatch_due)
                           .where(Case.status.in_(BEFORE_DISPATCH), Case.dispatch_due < today))
    return [Found(FindingKind.NOT_DISPATCHED, f"case:{case_id}", case_id=case_id, center_id=_ours(places, origin),
                  detail={"due": due.isoformat(), "days": calendar.working_days_between(due, today)})
            for case_id, origin, due in rows if _ours(places, origin) is not None]


def _not_delivered(session: Session, calendar: WorkCalendar, today: date, places: dict[int, Place]) -> list[Found]:
    rows = session.execute(select(Case.id, Case.status, Case.origin_center_id, Case.home_center_id, Case.delivery_due)
                           .where(Case.status.in_(BEFORE_DELIVERY), Case.delivery_due < today))
    found = []
    for case_id, status, origin, home, due in rows:
        # completed: the home window mails the result or sends it to the window where it is collected; on its
        # way there (result_sent): that window hands it over
        center = _ours(places, origin) if status == Status.RESULT_SENT else _ours(places, home, origin)
        found.append(Found(FindingKind.NOT_DELIVERED, f"case:{case_id}", case_id=case_id, center_id=center,
                           detail={"due": due.isoformat(), "days": calendar.working_days_between(due, today)}))
    return found


def _route(places: dict[int, Place], origin: int, home: int) -> tuple[Any, Any]:
    a, b = places.get(origin), places.get(home)
    return (a.county_id if a else None, b.county_id if b else None)


def route_thresholds(session: Session, calendar: WorkCalendar, today: date,
                     places: dict[int, Place]) -> dict[tuple[Any, Any], tuple[int, int]]:
    """Per route (county of the receiving window, county of the home window): (threshold in working days,
    parcels measured), from the parcels signed for in the last MEASURED_DAYS days (one statement)."""
    default = current_app.config["RECONCILIATION_TRANSIT_DAYS"]
    rows = session.execute(
        select(Case.origin_center_id, Case.home_center_id, Shipment.sent_on, Shipment.received_on)
        .join(Case, Case.id == Shipment.case_id)
        .where(Shipment.direction.in_([ShipmentDirection.MATERIALS.value, ShipmentDirection.SUPPLEMENT.value]),
               Shipment.sent_on.is_not(None), Shipment.received_on.is_not(None),
               Shipment.received_on >= today - timedelta(days=MEASURED_DAYS)))
    measured: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    for origin, home, sent_on, received_on in rows:
        measured[_route(places, origin, home)].append(calendar.working_days_between(sent_on, received_on))
    return {route: (transit_threshold(days, default), len(days)) for route, days in measured.items()}


def _not_signed(session: Session, calendar: WorkCalendar, today: date, places: dict[int, Place]) -> list[Found]:
    default = current_app.config["RECONCILIATION_TRANSIT_DAYS"]
    thresholds = route_thresholds(session, calendar, today, places)
    waiting = or_(and_(Case.status == Status.IN_TRANSIT.value,
                       Shipment.direction == ShipmentDirection.MATERIALS.value),
                  and_(Case.status == Status.SUPPLEMENT_SENT.value,
                       Shipment.direction == ShipmentDirection.SUPPLEMENT.value))
    rows = session.execute(
        select(Shipment.id, Shipment.case_id, Shipment.sent_on, Shipment.waybill_number, Case.origin_center_id,
               Case.home_center_id)
        .join(Case, Case.id == Shipment.case_id)
        .where(waiting, Shipment.sent_on.is_not(None), Shipment.received_on.is_(None), Shipment.sent_on < today))
    found = []
    for shipment_id, case_id, sent_on, waybill, origin, home in rows:
        route = _route(places, origin, home)
        threshold, samples = thresholds.get(route, (default, 0))
        days = calendar.working_days_between(sent_on, today)
        if days <= threshold:
            continue
        names = [places[c].county_name if c in places else "" for c in (origin, home)]
        found.append(Found(FindingKind.NOT_SIGNED, f"shipment:{shipment_id}", case_id=case_id,
                           center_id=_ours(places, home, origin),
                           detail={"sent_on": sent_on.isoformat(), "waybill": waybill, "days": days,
                                   "route": " → ".join(names), "threshold": threshold, "samples": samples,
                                   "measured": samples >= MIN_SAMPLES}))
    return found


def _tracking_silent(session: Session, at: datetime, places: dict[int, Place]) -> list[Found]:
    days = current_app.config["RECONCILIATION_TRACKING_SILENT_DAYS"]
    last = (select(CourierEvent.shipment_id, func.max(CourierEvent.at).label("last"))
            .group_by(CourierEvent.shipment_id).subquery())
    heard = func.coalesce(last.c.last, Shipment.booked_on)
    rows = session.execute(
        select(Shipment.id, Shipment.case_id, Shipment.waybill_number, Shipment.from_center_id, Shipment.to_center_id,
               Case.origin_center_id, heard)
        .join(Case, Case.id == Shipment.case_id).outerjoin(last, last.c.shipment_id == Shipment.id)
        .where(Shipment.booking_status == BookingStatus.BOOKED.value, Shipment.provider != "manual",
               Shipment.waybill_number != "", Shipment.received_on.is_(None),
               Shipment.tracking_status.not_in(FINAL_TRACKING),
               Case.status.not_in([s.value for s in FROZEN_STATUSES]),
               heard.is_not(None), heard < at - timedelta(days=days)))
    return [Found(FindingKind.TRACKING_SILENT, f"shipment:{shipment_id}", case_id=case_id,
                  center_id=_ours(places, sender, receiver, origin),
                  detail={"waybill": waybill, "last": _moment(heard_at), "days": (at - _as_datetime(heard_at)).days})
            for shipment_id, case_id, waybill, sender, receiver, origin, heard_at in rows]


def _as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> str:
    return _as_datetime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _failed_notices(session: Session, places: dict[int, Place]) -> list[Found]:
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.case_id, OutboxMessage.key, OutboxMessage.attempts,
               OutboxMessage.last_error, Case.origin_center_id, Case.home_center_id, Case.department_id)
        .join(Case, Case.id == OutboxMessage.case_id)
        .where(OutboxMessage.topic == RENDER_NOTICE, OutboxMessage.done_on.is_(None), OutboxMessage.last_error != ""))
    found = []
    for message_id, case_id, kind, attempts, error, origin, home, department in rows:
        # the correction notice is the department's (附件2); the others the window's that issues them
        by_department = kind == "correction" and department is not None
        found.append(Found(FindingKind.NOTICE_FAILED, f"outbox:{message_id}", case_id=case_id, outbox_id=message_id,
                           center_id=None if by_department else _ours(places, origin, home),
                           department_id=department if by_department else None,
                           detail={"notice": kind, "attempts": attempts, "error": (error or "")[:200]}))
    return found


def _stale_outbox(session: Session, at: datetime) -> list[Found]:
    stale = timedelta(seconds=current_app.config["OUTBOX_STALE_SECONDS"])
    failed_notice = and_(OutboxMessage.topic == RENDER_NOTICE, OutboxMessage.last_error != "")
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.key, OutboxMessage.case_id,
               OutboxMessage.created_on, OutboxMessage.attempts)
        .where(OutboxMessage.done_on.is_(None), OutboxMessage.created_on < at - stale,
               OutboxMessage.topic != QUEUE_MARK, not_(failed_notice)))
    return [Found(FindingKind.OUTBOX_STALE, f"outbox:{message_id}", outbox_id=message_id,
                  detail={"job": f"{topic}:{key}" if key else topic, "case_id": case_id,
                          "since": _moment(created_on), "attempts": attempts})
            for message_id, topic, key, case_id, created_on, attempts in rows]


def find_all(session: Session, today: date, at: datetime) -> list[Found]:
    """Every problem there is now: a fixed number of statements, whatever the number of cases."""
    calendar = load_calendar(session)
    places, _ = _places(session)
    return [*_not_dispatched(session, calendar, today, places), *_not_signed(session, calendar, today, places),
            *_not_delivered(session, calendar, today, places), *_tracking_silent(session, at, places),
            *_failed_notices(session, places), *_stale_outbox(session, at)]


def reconcile(session: Session, today: date | None = None, at: datetime | None = None) -> Summary:
    """Brings the findings up to date (new ones opened, seen ones refreshed, gone ones resolved) and records
    the run, in one transaction; returns what it did."""
    at = at or now()
    today = today or at.date()
    _serialise(session)
    places, department_counties = _places(session)
    found = {(f.kind.value, f.subject): f for f in find_all(session, today, at)}
    finding = ReconciliationFinding
    open_ids = {(kind, subject): finding_id for finding_id, kind, subject in session.execute(
        select(finding.id, finding.kind, finding.subject).where(finding.is_open.is_(True)))}

    def county_of(item: Found) -> int | None:
        if item.center_id is not None and item.center_id in places:
            return places[item.center_id].county_id
        return department_counties.get(item.department_id) if item.department_id is not None else None

    def values(item: Found) -> dict[str, Any]:
        return {"case_id": item.case_id, "outbox_id": item.outbox_id, "center_id": item.center_id,
                "department_id": item.department_id, "county_id": county_of(item), "detail": item.detail,
                "last_seen_on": today}

    new = [{"kind": key[0], "subject": key[1], "open_subject": key[1], "is_open": True, "first_found_on": today,
            **values(item)} for key, item in found.items() if key not in open_ids]
    seen = [{"id": open_ids[key], **values(item)} for key, item in found.items() if key in open_ids]
    gone = [finding_id for key, finding_id in open_ids.items() if key not in found]
    if new:
        session.execute(insert(finding), new)
    if seen:
        session.execute(update(finding), seen)
    if gone:
        session.execute(update(finding).where(finding.id.in_(gone))
                        .values(is_open=False, open_subject=None, resolved_on=today)
                        .execution_options(synchronize_session=False))
    summary = Summary(today, found=dict(Counter(kind for kind, _ in found)), new=len(new), resolved=len(gone),
                      still_open=len(found))
    session.add(ReconciliationRun(ran_at=at, day=today, counts=summary.as_counts()))
    session.commit()
    log.info("%s", summary)
    return summary


# --- reading --------------------------------------------------------------------------------------


def last_run(session: Session) -> ReconciliationRun | None:
    """The latest run (the findings list shows when it ran and what it counted)."""
    return session.scalar(select(ReconciliationRun).order_by(ReconciliationRun.ran_at.desc(),
                                                             ReconciliationRun.id.desc()).limit(1))


def scoped(reach: Reach):
    return select(ReconciliationFinding).where(criterion(ReconciliationFinding, reach))


def for_queue(session: Session, reach: Reach, limit: int = 100) -> list[ReconciliationFinding]:
    """对账异常 of the user's side: open findings whose responsible window or department is the user's own."""
    mine = [ReconciliationFinding.center_id.in_(sorted(reach.center_ids))] if reach.center_ids else []
    if reach.department_ids:
        mine.append(ReconciliationFinding.department_id.in_(sorted(reach.department_ids)))
    if not mine:
        return []
    return list(session.scalars(scoped(reach).where(ReconciliationFinding.is_open.is_(True), or_(*mine))
                                .order_by(ReconciliationFinding.first_found_on, ReconciliationFinding.id)
                                .limit(limit)))


STATES = ("open", "resolved", "all")


def findings(session: Session, reach: Reach, *, kind: str | None = None, state: str = "open",
             county_id: int | None = None, page: int = 0, page_size: int = 100) -> tuple[int, list[ReconciliationFinding]]:
    """The findings list (scoped): filtered by kind, open or resolved, and county; (total, one page)."""
    stmt = scoped(reach)
    if kind:
        stmt = stmt.where(ReconciliationFinding.kind == kind)
    if state == "open":
        stmt = stmt.where(ReconciliationFinding.is_open.is_(True))
    elif state == "resolved":
        stmt = stmt.where(ReconciliationFinding.is_open.is_(False))
    if county_id is not None:
        stmt = stmt.where(ReconciliationFinding.county_id == county_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ReconciliationFinding.is_open.desc(), ReconciliationFinding.first_found_on,
                                         ReconciliationFinding.id)
                           .offset(page * page_size).limit(page_size))
    return total, list(rows)


def counties_of_findings(session: Session, reach: Reach) -> list[Region]:
    """The counties the user's findings lie in (the list's county filter)."""
    ids = select(ReconciliationFinding.county_id).where(criterion(ReconciliationFinding, reach),
                                                        ReconciliationFinding.county_id.is_not(None)).distinct()
    return list(session.scalars(select(Region).where(Region.id.in_(ids)).order_by(Region.code)))


def visible_kinds(reach: Reach) -> list[FindingKind]:
    """The kinds of finding the reader may filter by: the system's own only for those who reach everything."""
    return [k for k in FindingKind if reach.everything or k not in SYSTEM_KINDS]


def checked_filters(reach: Reach, values: Any) -> dict[str, Any]:
    """The findings list's filters of the REST API (kind, state, county_id), every unreadable one at once."""
    problems = ProblemCollector()
    kind, state, county = values.get("kind") or None, values.get("state") or "open", values.get("county_id")
    if kind is not None and kind not in {k.value for k in visible_kinds(reach)}:
        problems.add("kind", _l("Choose one of: %(values)s.", values=", ".join(k.value for k in visible_kinds(reach))))
    if state not in STATES:
        problems.add("state", _l("Choose one of: %(values)s.", values=", ".join(STATES)))
    county_id = None
    if county not in (None, ""):
        county_id = as_record_id(county)
        if county_id is None:
            problems.add("county_id", _l("Not the id of a record."))
    problems.raise_if_any()
    return {"kind": kind, "state": state, "county_id": county_id}


__all__ = ["Found", "Summary", "counties_of_findings", "find_all", "findings", "for_queue", "last_run",
           "reconcile", "route_thresholds"]
