"""对账: the daily reconciliation finds each kind of problem for the side that must act, resolves it once it
cleared, is idempotent, measures the transit time per route, and costs a fixed number of statements."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.domain.reconciliation import FindingKind, percentile, transit_threshold
from app.models.case import OutboxMessage, Shipment
from app.models.courier import CourierEvent
from app.models.reconciliation import ReconciliationFinding, ReconciliationRun
from app.scope import reach_of
from app.services import reconciliation
from app.services.reconciliation.dashboard import reconciliation_panel
from tests import factories
from tests.conftest import config_override, count_statements

MON, TUE, THU = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)
NEXT_MON = date(2026, 3, 9)


def _findings(db, case=None, kind=None, *, open_only=False):
    db.expire_all()
    stmt = select(ReconciliationFinding).order_by(ReconciliationFinding.id)
    if case is not None:
        stmt = stmt.where(ReconciliationFinding.case_id == case.id)
    if kind is not None:
        stmt = stmt.where(ReconciliationFinding.kind == kind)
    if open_only:
        stmt = stmt.where(ReconciliationFinding.is_open.is_(True))
    return db.scalars(stmt).all()


# --- the pure part -----------------------------------------------------------------------------------


def test_the_threshold_of_a_route_is_the_90th_percentile_once_measured_enough():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 9
    assert transit_threshold([2, 2, 3, 3, 4, 4, 4, 5, 6, 9], default=3) == 6
    assert transit_threshold([9, 9, 9, 9], default=3) == 3  # four parcels: too few, the default
    assert transit_threshold([0, 0, 0, 0, 0], default=3) == 1  # same-day parcels: never below one day


# --- each kind, found and resolved ------------------------------------------------------------------


def test_accepted_not_dispatched_is_found_for_the_receiving_window_and_resolved_once_sent(db):
    case = factories.accepted_case(db, MON)  # 利州区's window for 苍溪县: due to leave on Tuesday
    reconciliation.reconcile(db, TUE)
    assert _findings(db, case) == []  # not overdue on its due day
    summary = reconciliation.reconcile(db, THU)
    [finding] = _findings(db, case)
    assert summary.found[FindingKind.NOT_DISPATCHED] >= 1 and summary.new >= 1
    assert (finding.kind, finding.subject, finding.is_open) == ("not_dispatched", f"case:{case.id}", True)
    assert finding.center_id == case.origin_center_id and finding.department_id is None
    assert finding.county.code == "510802"
    assert finding.detail == {"due": "2026-03-03", "days": 2}
    assert (finding.first_found_on, finding.last_seen_on, finding.resolved_on) == (THU, THU, None)

    factories.step(db, "lz_window", case, "dispatch", THU, waybill_number="EMS1234567890CN")
    reconciliation.reconcile(db, date(2026, 3, 6))
    [finding] = _findings(db, case, FindingKind.NOT_DISPATCHED)
    assert (finding.is_open, finding.open_subject, finding.resolved_on) == (False, None, date(2026, 3, 6))


def test_two_runs_keep_one_finding_and_a_finding_that_comes_back_is_a_new_one(db):
    case = factories.accepted_case(db, MON)
    reconciliation.reconcile(db, THU)
    second = reconciliation.reconcile(db, date(2026, 3, 6))
    [finding] = _findings(db, case)
    assert (finding.first_found_on, finding.last_seen_on, finding.detail["days"]) == (THU, date(2026, 3, 6), 3)
    assert second.new == 0
    assert db.scalar(select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(1)).day == date(2026, 3, 6)
    assert reconciliation.last_run(db).counts["found"]["not_dispatched"] >= 1

    reconciliation.reconcile(db, TUE)  # e.g. a run for an earlier day: not found then, resolved
    reconciliation.reconcile(db, THU)  # found again: a new finding, the old one stays resolved
    rows = _findings(db, case)
    assert [(f.is_open, f.first_found_on) for f in rows] == [(False, THU), (True, THU)]


def test_dispatched_not_signed_uses_the_default_threshold_on_an_unmeasured_route(db):
    case = factories.accepted_case(db, MON)
    case = factories.step(db, "lz_window", case, "dispatch", MON, waybill_number="EMS1234567890CN")
    reconciliation.reconcile(db, THU)  # 3 working days on the way: the default allows 3
    assert _findings(db, case) == []
    reconciliation.reconcile(db, date(2026, 3, 6))
    [finding] = _findings(db, case)
    shipment = factories.shipments_of(db, case)[0]
    assert (finding.kind, finding.subject) == ("not_signed", f"shipment:{shipment.id}")
    assert finding.center_id == case.home_center_id  # the home window signs for it
    assert finding.detail | {"route": ""} == {"sent_on": "2026-03-02", "waybill": "EMS1234567890CN", "days": 4,
                                              "route": "", "threshold": 3, "samples": 0, "measured": False}
    assert finding.detail["route"] == "利州区 → 苍溪县"

    factories.step(db, "cx_window", case, "receive", date(2026, 3, 9))
    reconciliation.reconcile(db, date(2026, 3, 9))
    assert [f.is_open for f in _findings(db, case)] == [False]


FAR = date(2029, 6, 1)  # a Friday of a year without calendar data: Monday to Friday are the working days


def _signed_parcels(db, count, sent_on, received_on):
    for _ in range(count):
        case = factories.at_the_department(db)
        db.execute(update(Shipment).where(Shipment.case_id == case.id)
                   .values(sent_on=sent_on, received_on=received_on))


def _in_transit(db, sent_on):
    case = factories.accepted_case(db)
    case = factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    db.execute(update(Shipment).where(Shipment.case_id == case.id).values(sent_on=sent_on))
    return case


def test_the_threshold_of_a_route_comes_from_its_measured_transit_times(db):
    _signed_parcels(db, 5, date(2029, 5, 7), date(2029, 5, 15))  # six working days each
    six_days = _in_transit(db, date(2029, 5, 24))  # Thursday: six working days before FAR
    seven_days = _in_transit(db, date(2029, 5, 23))

    calendar = reconciliation.load_calendar(db)
    places, _ = reconciliation._places(db)
    thresholds = reconciliation.route_thresholds(db, calendar, FAR, places)
    route = reconciliation._route(places, six_days.origin_center_id, six_days.home_center_id)
    assert thresholds[route] == (6, 5)

    reconciliation.reconcile(db, FAR)
    assert _findings(db, six_days, FindingKind.NOT_SIGNED) == []  # within what this route usually takes
    [finding] = _findings(db, seven_days, FindingKind.NOT_SIGNED)
    assert (finding.detail["days"], finding.detail["threshold"], finding.detail["samples"],
            finding.detail["measured"]) == (7, 6, 5, True)


def test_completed_not_delivered_is_found_for_the_home_window(db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "complete", **factories.completion())
    later = case.delivery_due + timedelta(days=7)
    reconciliation.reconcile(db, case.delivery_due)
    assert _findings(db, case, FindingKind.NOT_DELIVERED) == []  # on its due day
    reconciliation.reconcile(db, later)
    [finding] = _findings(db, case, FindingKind.NOT_DELIVERED)
    assert finding.center_id == case.home_center_id and finding.detail["days"] >= 4
    assert finding.county.code == "510824"

    factories.deliver_result(db, case, later)
    reconciliation.reconcile(db, later)
    assert [f.is_open for f in _findings(db, case, FindingKind.NOT_DELIVERED)] == [False]


def test_courier_tracking_silent_for_days_is_found_for_the_sender(db, app):
    case = factories.accepted_case(db)
    case = factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    shipment = factories.shipments_of(db, case)[0]
    at = datetime(2026, 12, 20, 9, 0)
    db.execute(update(Shipment).where(Shipment.id == shipment.id)
               .values(provider="http", booking_status="booked", booked_on=at - timedelta(days=5)))
    with config_override(app, RECONCILIATION_TRACKING_SILENT_DAYS=3):
        reconciliation.reconcile(db, at.date(), at)
        [finding] = _findings(db, case, FindingKind.TRACKING_SILENT)
        assert (finding.subject, finding.center_id) == (f"shipment:{shipment.id}", case.origin_center_id)
        assert finding.detail == {"waybill": "EMS1234567890CN", "last": "2026-12-15 09:00", "days": 5}

        db.add(CourierEvent(shipment_id=shipment.id, at=at - timedelta(days=1), code="in_transit",
                            description="运输中"))
        db.flush()
        reconciliation.reconcile(db, at.date(), at)
        assert [f.is_open for f in _findings(db, case, FindingKind.TRACKING_SILENT)] == [False]


def _notice_message(db, case):
    return db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                 OutboxMessage.topic == "render_notice",
                                                 OutboxMessage.key == "acceptance"))


def test_a_notice_that_failed_to_render_is_found_and_resolved_once_rendered(db):
    case = factories.accepted_case(db)
    message = _notice_message(db, case)
    message.attempts, message.last_error = 2, "OSError: font not found"
    db.flush()
    at = message.created_on + timedelta(hours=1)
    reconciliation.reconcile(db, at.date(), at)
    [finding] = _findings(db, case, FindingKind.NOTICE_FAILED)
    assert (finding.subject, finding.outbox_id, finding.center_id) == (f"outbox:{message.id}", message.id,
                                                                       case.origin_center_id)
    assert finding.detail == {"notice": "acceptance", "attempts": 2, "error": "OSError: font not found"}
    stale = [f for f in _findings(db, kind=FindingKind.OUTBOX_STALE) if f.outbox_id == message.id]
    assert stale == []  # one finding for it, not two

    factories.run_outbox(db, "render_notice", case.id)
    reconciliation.reconcile(db, at.date(), at)
    assert [f.is_open for f in _findings(db, case, FindingKind.NOTICE_FAILED)] == [False]


def test_outbox_rows_older_than_the_stale_limit_are_system_findings(db, app):
    case = factories.accepted_case(db)
    message = _notice_message(db, case)
    with config_override(app, OUTBOX_STALE_SECONDS=600):
        reconciliation.reconcile(db, None, message.created_on + timedelta(seconds=300))
        assert [f for f in _findings(db, kind=FindingKind.OUTBOX_STALE) if f.outbox_id == message.id] == []
        reconciliation.reconcile(db, None, message.created_on + timedelta(seconds=900))
    [finding] = [f for f in _findings(db, kind=FindingKind.OUTBOX_STALE) if f.outbox_id == message.id]
    assert (finding.case_id, finding.center_id, finding.department_id) == (None, None, None)
    assert finding.detail["job"] == "render_notice:acceptance" and finding.detail["case_id"] == case.id


# --- scope, queue, panel -----------------------------------------------------------------------------


@pytest.fixture()
def two_findings(db):
    """A case finding (利州区's window, for 苍溪县) and a system finding (a stale outbox row)."""
    case = factories.accepted_case(db, MON)
    message = _notice_message(db, case)
    reconciliation.reconcile(db, THU, message.created_on + timedelta(days=1))
    case_finding = _findings(db, case, FindingKind.NOT_DISPATCHED)[0]
    system_finding = next(f for f in _findings(db, kind=FindingKind.OUTBOX_STALE) if f.outbox_id == message.id)
    return case, case_finding, system_finding


@pytest.mark.parametrize(("username", "sees_case", "sees_system"), [
    ("admin", True, True), ("city_super", True, True), ("lz_admin", True, False), ("cx_admin", True, False),
    ("lz_window", True, False), ("cx_window", True, False), ("cx_hrss", True, False),
    ("lz_police", False, False), ("city_hrss", True, False),
])
def test_findings_are_scoped_through_their_case_and_system_findings_only_for_everything_roles(
        db, two_findings, username, sees_case, sees_system):
    _, case_finding, system_finding = two_findings
    reach = reach_of(factories.user(db, username))
    _, rows = reconciliation.findings(db, reach, state="all", page_size=10_000)
    ids = {f.id for f in rows}
    assert (case_finding.id in ids, system_finding.id in ids) == (sees_case, sees_system)


def test_the_queue_shows_the_findings_of_the_responsible_side_only(db, two_findings):
    _, case_finding, _ = two_findings
    assert case_finding.id in [f.id for f in reconciliation.for_queue(db, reach_of(factories.user(db, "lz_window")))]
    assert reconciliation.for_queue(db, reach_of(factories.user(db, "cx_window"))) == []  # sees it, does not act
    assert reconciliation.for_queue(db, reach_of(factories.user(db, "city_super"))) == []


def test_the_dashboard_panel_counts_open_findings_per_kind_in_one_statement(db, two_findings):
    city = reconciliation_panel(db, reach_of(factories.user(db, "city_super")))
    rows = {row.url: row for row in city.rows}
    assert city.key == "reconciliation" and len(city.rows) == len(FindingKind)
    assert rows["/reconciliation/?kind=not_dispatched&state=open"].count >= 1
    assert rows["/reconciliation/?kind=outbox_stale&state=open"].level == "red"
    county = reconciliation_panel(db, reach_of(factories.user(db, "lz_admin")))
    assert "outbox_stale" not in " ".join(row.url for row in county.rows)
    reach = reach_of(factories.user(db, "cx_admin"))
    assert count_statements(lambda: reconciliation_panel(db, reach), savepoints=False) == 1


def test_the_statements_of_a_run_do_not_grow_with_the_cases(db):
    factories.accepted_case(db, MON)
    reconciliation.reconcile(db, THU)
    factories.accepted_case(db, MON)
    one = count_statements(lambda: reconciliation.reconcile(db, THU), savepoints=False)
    for _ in range(4):
        case = factories.accepted_case(db, MON)
    factories.step(db, "lz_window", case, "dispatch", MON, waybill_number="EMS1234567890CN")
    many = count_statements(lambda: reconciliation.reconcile(db, NEXT_MON), savepoints=False)
    assert many == one, (one, many)
