"""Tracking (beat, ``kytb.track_shipments``): polls booked parcels still on their way and
records each courier event once; safe when two beats trigger it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.adapters.courier import (
    CourierError,
    CourierNotConfigured,
    CourierProvider,
    TrackingEvent,
    get_provider,
)
from app.domain.workflow import FROZEN_STATUSES
from app.models.base import now
from app.models.case import (
    BookingStatus,
    Case,
    Shipment,
    ShipmentDirection,
    TrackingStatus,
)
from app.models.courier import CourierEvent

log = logging.getLogger(__name__)

#: a courier event code -> what it says about the parcel (unknown codes: still on its way)
TRACKING_OF_CODE = {
    "delivered": TrackingStatus.DELIVERED,
    "exception": TrackingStatus.EXCEPTION,
    "returned": TrackingStatus.RETURNED,
}


#: tracking stops once the courier reports one of these
FINAL_TRACKING = (TrackingStatus.DELIVERED.value, TrackingStatus.RETURNED.value)


@dataclass
class TrackingRun:
    polled: int = 0
    new_events: int = 0
    delivered: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    skipped: int = 0

    def __str__(self) -> str:
        return (f"{self.polled} shipment(s) polled, {self.new_events} new event(s), {len(self.delivered)} delivered, "
                f"{len(self.failed)} failed, {self.skipped} skipped")


def _open_for_tracking(at: datetime, min_interval: timedelta):
    return (select(Shipment.id)
            .join(Case, Case.id == Shipment.case_id)
            .where(Shipment.booking_status == BookingStatus.BOOKED, Shipment.provider != "manual",
                   Shipment.waybill_number != "", Shipment.received_on.is_(None),
                   Shipment.tracking_status.not_in(FINAL_TRACKING),
                   Case.status.not_in([s.value for s in FROZEN_STATUSES]),
                   or_(Shipment.last_tracked_on.is_(None), Shipment.last_tracked_on <= at - min_interval)))


def _claim_batch(session: Session, at: datetime, min_interval: timedelta, limit: int) -> list[int]:
    """Takes up to ``limit`` due shipments by stamping them: a second run (two beats) skips them."""
    stmt = (_open_for_tracking(at, min_interval)
            .order_by(Shipment.last_tracked_on.is_(None).desc(), Shipment.last_tracked_on, Shipment.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Shipment, skip_locked=True)
    ids = list(session.scalars(stmt))
    if ids:
        session.execute(update(Shipment).where(Shipment.id.in_(ids)).values(last_tracked_on=at)
                        .execution_options(synchronize_session=False))
    session.commit()
    return ids


def _insert_ignoring_duplicates(session: Session, shipment_id: int, event: TrackingEvent) -> int:
    values = {"shipment_id": shipment_id, "at": event.at, "code": event.code, "description": event.description,
              "location": event.location, "recorded_on": now()}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: look before inserting
        exists = session.scalar(select(CourierEvent.id).where(CourierEvent.shipment_id == shipment_id,
                                                              CourierEvent.at == event.at,
                                                              CourierEvent.code == event.code))
        if exists:
            return 0
        session.add(CourierEvent(**values))
        session.flush()
        return 1
    stmt = (insert(CourierEvent).values(**values)
            .on_conflict_do_nothing(index_elements=["shipment_id", "at", "code"]).returning(CourierEvent.id))
    return len(session.execute(stmt).all())  # a row back only when it was inserted (rowcount is -1 with psycopg)


def record_events(session: Session, shipment: Shipment, events: list[TrackingEvent], at: datetime | None = None) -> int:
    """Records the events not yet on record and what they say about the parcel; returns how many were new."""
    new = sum(_insert_ignoring_duplicates(session, shipment.id, event) for event in events)
    latest = max(events, key=lambda e: e.at) if events else None
    if latest is not None:
        status = TRACKING_OF_CODE.get(latest.code, TrackingStatus.IN_TRANSIT)
        delivered = next((e for e in sorted(events, key=lambda e: e.at) if e.code == "delivered"), None)
        if delivered is not None and status != TrackingStatus.RETURNED:
            status = TrackingStatus.DELIVERED
            shipment.courier_delivered_at = shipment.courier_delivered_at or delivered.at
        shipment.tracking_status = status.value
    shipment.last_tracked_on, shipment.tracking_error = at or now(), ""
    session.commit()
    return new


def track_open_shipments(session: Session, *, at: datetime | None = None, batch: int | None = None,
                         min_interval: timedelta | None = None,
                         providers: dict[str, CourierProvider] | None = None) -> TrackingRun:
    """Polls every booked parcel that is still on its way, in batches, and records new events once.

    Safe to run twice at once: each batch is claimed by stamping ``last_tracked_on`` (rows locked
    with SKIP LOCKED on PostgreSQL), and an event already on record is never inserted again. A parcel
    the courier reports delivered is only recorded: the receiving window still confirms it."""
    at = at or now()
    batch = batch or current_app.config["COURIER_TRACKING_BATCH"]
    if min_interval is None:
        min_interval = timedelta(seconds=current_app.config["TRACKING_SECONDS"] / 2)
    providers = dict(providers or {})
    run = TrackingRun()
    while ids := _claim_batch(session, at, min_interval, batch):
        for shipment_id in ids:
            shipment = session.get(Shipment, shipment_id)
            try:
                provider = providers.get(shipment.provider) or providers.setdefault(
                    shipment.provider, get_provider(shipment.provider))
            except CourierNotConfigured as error:
                run.skipped += 1
                log.warning("tracking: shipment %s: %s", shipment_id, error)
                continue
            if not provider.tracks:
                run.skipped += 1
                continue
            try:
                events = provider.track(shipment.waybill_number)
            except CourierError as error:
                shipment.tracking_error = f"{type(error).__name__}: {error}"[:2000]
                session.commit()
                run.failed[shipment_id] = str(error)
                log.warning("tracking: shipment %s (waybill %s) failed: %s", shipment_id, shipment.waybill_number, error)
                continue
            was = shipment.tracking_status
            run.polled += 1
            run.new_events += record_events(session, shipment, events, at)
            if shipment.tracking_status == TrackingStatus.DELIVERED and was != TrackingStatus.DELIVERED:
                run.delivered.append(shipment_id)
                log.info("tracking: the courier delivered shipment %s (%s) of case %s; %s", shipment_id,
                         shipment.direction, shipment.case_id,
                         "the applicant has the result" if shipment.direction == ShipmentDirection.RESULT
                         else "the receiving window confirms the parcel")
    return run
