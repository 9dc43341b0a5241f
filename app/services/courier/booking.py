"""Shipments (寄递): the parcel of materials to the home window, a supplement, the result to the applicant
(mailed) or to the window where the applicant collects it.

A step that needs a parcel (accept, supplement, complete) queues the job ``book_parcel``;
the job puts the shipment on record at once and books it with the courier. The clerk's step — dispatch,
supplement, send_result, deliver —
then fills in the waybill and the date of that same shipment, so a parcel is never recorded twice,
whichever of the two comes first. With the default ``manual`` courier the clerk types the waybill
printed by the courier's terminal; with the ``http`` courier the job books the pickup and the waybill
is on the case before the clerk's step.

Exactly one booking per shipment: the job claims its shipment by its outbox row and commits it, with
the idempotency key made when the row was (``kytb-shipment-<uuid>``: never the same for two parcels, even
after a restore hands out the same ids again), before the first call, and a retry (after a timeout, a dropped
answer, a lost worker) asks the courier for the order of that key before posting again — and a
post with a known key answers the existing order. A parcel booked by the clerk at the terminal
meanwhile is never booked again; a courier order that raced with it is cancelled. An answer for
another parcel (another reference or address under our key) is refused: its waybill is never attached.

Tracking is ``app.services.courier.tracking``; ``refresh_booking_warnings`` flags parcels of materials not booked by their
deadline, and ``overdue_shipments`` lists them for reminders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.courier import (
    BookingRequest,
    CourierError,
    CourierProvider,
    CourierRejected,
    Party,
    get_provider,
)
from app.domain.deadlines import DISPATCH_DAYS
from app.domain.workflow import OPEN_STATUSES, Effect
from app.models.base import now
from app.models.case import (
    BookingStatus,
    Case,
    OutboxMessage,
    Shipment,
    ShipmentDirection,
)
from app.platform import outbox

log = logging.getLogger(__name__)

PARCEL_DESCRIPTIONS = {
    ShipmentDirection.MATERIALS: "跨域通办申请材料",
    ShipmentDirection.SUPPLEMENT: "跨域通办补正材料",
    ShipmentDirection.RESULT: "跨域通办办理结果",
    ShipmentDirection.RESULT_TO_WINDOW: "跨域通办办理结果",
}


def _lock(session: Session, case: Case) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())


def _new_shipment(session: Session, case: Case, direction: ShipmentDirection,
                  outbox_message: OutboxMessage | None = None) -> Shipment:
    """A parcel on record; one a job puts on record has its courier key from the job's outbox row."""
    shipment = Shipment(case=case, direction=direction, carrier="EMS")
    if outbox_message is not None:
        shipment.booking_key = f"kytb-shipment-{outbox_message.idempotency_key}"
    if direction == ShipmentDirection.RESULT:
        window = case.home_center if not case.home_center.external else case.origin_center
        shipment.from_center, shipment.to_address = window, case.mail_address
    elif direction == ShipmentDirection.RESULT_TO_WINDOW:  # back to the window where it is collected
        shipment.from_center, shipment.to_center = case.home_center, case.origin_center
    else:
        shipment.from_center, shipment.to_center = case.origin_center, case.home_center
    session.add(shipment)
    session.flush()
    return shipment


# --- the clerk's steps -------------------------------------------------------------------------------


def planned_shipment(session: Session, case: Case, direction: ShipmentDirection) -> Shipment:
    """The shipment of ``direction`` not yet sent, put on record if there is none. Called within a step,
    which holds the case's lock already (``take_step``): the job's ``_claim`` takes the same lock."""
    for shipment in sorted(case.shipments, key=lambda s: s.id):
        if shipment.direction == direction and shipment.sent_on is None:
            return shipment
    return _new_shipment(session, case, direction)


def booked_waybill(case: Case, direction: ShipmentDirection) -> str:
    """The waybill the courier gave the unsent parcel of ``direction`` (empty if none was booked)."""
    for shipment in case.shipments:
        if (shipment.direction == direction and shipment.sent_on is None and shipment.provider != "manual"
                and shipment.booking_status == BookingStatus.BOOKED and shipment.waybill_number):
            return shipment.waybill_number
    return ""


def record_sent(session: Session, case: Case, direction: ShipmentDirection, *, carrier: str, waybill: str,
                sent_on: date) -> Shipment:
    """The clerk's step: the parcel left on ``sent_on``. Without a typed waybill the courier's is kept;
    a typed one books a parcel the job had not booked yet (the terminal's label)."""
    shipment = planned_shipment(session, case, direction)
    shipment.carrier = carrier or shipment.carrier
    shipment.waybill_number = waybill or shipment.waybill_number
    shipment.sent_on = sent_on
    if shipment.waybill_number and shipment.booking_status in (BookingStatus.PLANNED, BookingStatus.FAILED):
        shipment.booking_status, shipment.booked_on = BookingStatus.BOOKED, now()
        shipment.booking_warning = "none"
    return shipment


def record_received(session: Session, case: Case, direction: ShipmentDirection, *, carrier: str, waybill: str,
                    received_on: date) -> Shipment:
    """A parcel an outside window mailed, put on record when our window signs for it (it was never booked
    here: the waybill is the one on the parcel; when it left is the outside window's record)."""
    shipment = planned_shipment(session, case, direction)
    shipment.carrier = carrier or shipment.carrier
    shipment.waybill_number = waybill
    shipment.received_on = received_on
    shipment.provider = "manual"
    shipment.booking_status, shipment.booked_on, shipment.booking_warning = BookingStatus.BOOKED, now(), "none"
    return shipment
# --- booking again: 预约揽收 from the parcels of the day ---------------------------------------------


class Rebooking(StrEnum):
    """What asking the courier to book a parcel again came to."""

    QUEUED = "queued"  # a booking row is queued (committed with the shipment reset to planned)
    BOOKED = "booked"  # the parcel has its waybill already: nothing to book
    PENDING = "pending"  # a booking row of this parcel is still waiting for the job: not queued twice


def queue_booking(session: Session, case: Case, direction: ShipmentDirection) -> tuple[Rebooking, Shipment | None]:
    """Queues the ``book_parcel`` job for the unsent parcel of ``direction``, through the outbox as the
    accept step does, when it is not booked: planned without a waybill (the manual courier at the time, or
    the job's retries ran out), or refused by the courier (reset to planned, with a new key: the courier
    refused the old one). The shipment is tied to the new row, so the job books this parcel and no other;
    a planned one keeps its key, so a courier that booked it unanswered answers that order. The caller
    commits."""
    _lock(session, case)
    shipment = session.scalar(select(Shipment).where(Shipment.case_id == case.id, Shipment.direction == direction,
                                                     Shipment.sent_on.is_(None)).order_by(Shipment.id).limit(1))
    if shipment is not None and (shipment.waybill_number or shipment.booking_status not in
                                 (BookingStatus.PLANNED, BookingStatus.FAILED)):
        return Rebooking.BOOKED, shipment
    if _booking_waiting(session, case, direction, shipment):
        return Rebooking.PENDING, shipment
    message = outbox.queue(session, Effect("book_parcel", direction.value), case, transition="book_parcels")
    session.flush()
    if shipment is not None:
        if shipment.booking_status == BookingStatus.FAILED or not shipment.booking_key:
            shipment.booking_key = f"kytb-shipment-{message.idempotency_key}"
            shipment.booking_attempts = 0
        shipment.booking_status, shipment.booking_error = BookingStatus.PLANNED, ""
        shipment.outbox_id = message.id
        shipment.provider = _provider_name_for(shipment)
    return Rebooking.QUEUED, shipment


def _booking_waiting(session: Session, case: Case, direction: ShipmentDirection, shipment: Shipment | None) -> bool:
    """A ``book_parcel`` row of this parcel not done yet: the shipment's own, or (none claimed yet) the case's."""
    stmt = select(OutboxMessage.id).where(OutboxMessage.case_id == case.id, OutboxMessage.topic == "book_parcel",
                                          OutboxMessage.key == direction.value, OutboxMessage.done_on.is_(None))
    if shipment is not None and shipment.outbox_id is not None:
        stmt = stmt.where(OutboxMessage.id == shipment.outbox_id)
    elif shipment is not None:
        claimed = select(Shipment.outbox_id).where(Shipment.outbox_id.is_not(None))
        stmt = stmt.where(OutboxMessage.id.not_in(claimed))
    return session.scalar(stmt.limit(1)) is not None


# --- booking: the book_parcel job ----------------------------------------------------------------


def _provider_name_for(shipment: Shipment) -> str:
    """The courier books only parcels one of our windows sends; an outside window's parcel is typed in."""
    if shipment.from_center is not None and shipment.from_center.external:
        return "manual"
    return current_app.config["COURIER_PROVIDER"]


def _claim(session: Session, case: Case, message: OutboxMessage) -> Shipment:
    """The shipment of this outbox row: the one it claimed before, one the clerk's step recorded
    first, or a new one. It is stored (committed) with its idempotency key before any courier call."""
    _lock(session, case)
    shipment = session.scalar(select(Shipment).where(Shipment.outbox_id == message.id))
    if shipment is None:
        direction = ShipmentDirection(message.key)
        shipment = session.scalar(select(Shipment).where(Shipment.case_id == case.id, Shipment.direction == direction,
                                                         Shipment.outbox_id.is_(None)).order_by(Shipment.id).limit(1))
        if shipment is None:
            shipment = _new_shipment(session, case, direction, message)
        shipment.outbox_id = message.id
        if shipment.booking_status == BookingStatus.PLANNED and not shipment.waybill_number:
            shipment.provider = _provider_name_for(shipment)
        elif shipment.waybill_number and shipment.booking_status == BookingStatus.PLANNED:
            shipment.booking_status, shipment.booked_on = BookingStatus.BOOKED, now()  # the step came first
    session.commit()
    return shipment


def booking_request(shipment: Shipment) -> BookingRequest:
    case = shipment.case
    sender = shipment.from_center
    if shipment.direction == ShipmentDirection.RESULT:
        receiver = Party(name=case.mail_recipient or case.applicant_name, contact=case.mail_recipient,
                         phone=case.mail_phone or case.applicant_phone, address=case.mail_address,
                         postcode=case.mail_postcode)
    else:
        to = shipment.to_center
        receiver = Party(name=to.name, phone=to.phone, address=to.address, postcode=to.postcode)
    return BookingRequest(
        idempotency_key=shipment.booking_key,
        reference=case.number or f"#{case.id}",
        sender=Party(name=sender.name, phone=sender.phone, address=sender.address, postcode=sender.postcode),
        receiver=receiver,
        description=PARCEL_DESCRIPTIONS.get(ShipmentDirection(shipment.direction), "跨域通办"),
    )


def _locked(session: Session, shipment_id: int) -> Shipment:
    return session.get(Shipment, shipment_id, with_for_update=True, populate_existing=True)


def book(session: Session, shipment: Shipment, provider: CourierProvider | None = None) -> Shipment:
    """Books ``shipment`` with its courier, once. Raises :class:`CourierUnavailable` to be retried."""
    if shipment.booking_status != BookingStatus.PLANNED or shipment.waybill_number:
        return shipment  # booked (by the courier or at the terminal), refused, cancelled: nothing to do
    provider = provider or get_provider(shipment.provider)
    if not provider.books:
        log.info("shipment %s of case %s: waiting for the clerk to enter the waybill (%s courier)",
                 shipment.id, shipment.case_id, provider.name)
        return shipment
    shipment_id, retry = shipment.id, shipment.booking_attempts > 0
    request = booking_request(shipment)
    shipment.booking_attempts += 1
    session.commit()  # the attempt is on record before the courier hears of it
    try:
        booking = provider.book(request, lookup_first=retry)
    except CourierRejected as error:
        shipment = _locked(session, shipment_id)
        if shipment.booking_status == BookingStatus.PLANNED and not shipment.waybill_number:
            shipment.booking_status, shipment.booking_error = BookingStatus.FAILED, str(error)[:2000]
        session.commit()
        log.warning("shipment %s: the courier refused the order %s: %s", shipment_id, request.idempotency_key, error)
        return shipment
    except CourierError as error:
        shipment = _locked(session, shipment_id)
        shipment.booking_error = f"{type(error).__name__}: {error}"[:2000]
        session.commit()
        raise
    shipment = _locked(session, shipment_id)
    if shipment.booking_status == BookingStatus.PLANNED and not shipment.waybill_number:
        shipment.waybill_number, shipment.booking_status = booking.waybill_number, BookingStatus.BOOKED
        shipment.booked_on, shipment.booking_error, shipment.booking_warning = now(), "", "none"
        session.commit()
        log.info("shipment %s of case %s booked with the %s courier: waybill %s (%s)", shipment_id,
                 shipment.case_id, provider.name, booking.waybill_number,
                 "new order" if booking.created else "existing order of the key")
        return shipment
    session.commit()
    if shipment.waybill_number != booking.waybill_number:
        # The clerk booked this parcel at the terminal while the courier was answering: one parcel only.
        log.warning("shipment %s already has waybill %s: cancelling the courier's order %s", shipment_id,
                    shipment.waybill_number, booking.waybill_number)
        provider.cancel(booking.waybill_number)
    return shipment


@outbox.handles("book_parcel")
def book_parcel(session: Session, message: OutboxMessage) -> Shipment | None:
    """The job of ``book_parcel``: the shipment is put on record and booked once."""
    case = session.get(Case, message.case_id)
    if case is None:
        return None
    shipment = _claim(session, case, message)
    if case.status not in OPEN_STATUSES:  # withdrawn meanwhile: nothing to pick up
        return shipment
    return book(session, shipment)


def cancel_booking(session: Session, shipment: Shipment, provider: CourierProvider | None = None) -> Shipment:
    """Cancels the courier's order of a parcel not sent yet (a withdrawn case)."""
    if shipment.booking_status != BookingStatus.BOOKED or shipment.sent_on is not None:
        return shipment
    provider = provider or get_provider(shipment.provider)
    if provider.books and shipment.waybill_number:
        provider.cancel(shipment.waybill_number)
    shipment.booking_status = BookingStatus.CANCELLED
    session.commit()
    return shipment


# --- tracking: the track_shipments job -----------------------------------------------------------------


# --- the booking deadline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueShipment:
    """A parcel of materials one of our windows has not booked (no waybill) by its deadline."""

    shipment: Shipment
    due: date
    days_late: int  # working days since the deadline

    @property
    def case(self) -> Case:
        return self.shipment.case


def _unbooked_materials(session: Session) -> list[Shipment]:
    from app.models.org import ServiceCenter

    return list(session.scalars(
        select(Shipment).join(Case, Case.id == Shipment.case_id)
        .join(ServiceCenter, ServiceCenter.id == Shipment.from_center_id)
        .where(Shipment.direction == ShipmentDirection.MATERIALS,
               Shipment.booking_status.in_([BookingStatus.PLANNED, BookingStatus.FAILED]),
               Shipment.sent_on.is_(None), ServiceCenter.external.is_(False),
               Case.status.in_([s.value for s in OPEN_STATUSES]), Case.accepted_on.is_not(None))
        .order_by(Shipment.id)))


def booking_due(calendar: Any, case: Case, days: int | None = None) -> date:
    """The last day to book the parcel of materials: ``days`` working days after acceptance
    (COURIER_BOOKING_DAYS; at 1, the default, that is the case's ``dispatch_due``)."""
    days = current_app.config["COURIER_BOOKING_DAYS"] if days is None else days
    if days == DISPATCH_DAYS and case.dispatch_due is not None:
        return case.dispatch_due
    return calendar.add_working_days(case.accepted_on, days).due


def _levels(session: Session, today: date) -> list[tuple[Shipment, date, str, int]]:
    from app.services.calendar import load_calendar

    calendar = load_calendar(session)
    rows = []
    for shipment in _unbooked_materials(session):
        due = booking_due(calendar, shipment.case)
        if today > due:
            rows.append((shipment, due, "red", calendar.working_days_between(due, today)))
        elif today == due:
            rows.append((shipment, due, "yellow", 0))
    return rows


def overdue_shipments(session: Session, today: date | None = None) -> list[OverdueShipment]:
    """Parcels of materials not booked by their deadline (for reminders), the longest overdue first."""
    today = today or date.today()
    overdue = [OverdueShipment(s, due, late) for s, due, level, late in _levels(session, today) if level == "red"]
    return sorted(overdue, key=lambda o: (o.due, o.shipment.id))


def refresh_booking_warnings(session: Session, today: date | None = None) -> list[Shipment]:
    """Sets each unbooked parcel's warning (yellow on its last day, red after) and clears the others'.
    Returns the parcels that turned red in this run (each is logged once)."""
    today = today or date.today()
    levels = {s.id: (s, due, level) for s, due, level, _ in _levels(session, today)}
    flagged = session.scalars(select(Shipment).where(Shipment.booking_warning != "none")).all()
    for shipment in flagged:
        if shipment.id not in levels:
            shipment.booking_warning = "none"
    newly_red = []
    for shipment, due, level in levels.values():
        if level == "red" and shipment.booking_warning != "red":
            newly_red.append(shipment)
            log.warning("shipment %s of case %s (%s → %s) is not booked: it was due on %s",
                        shipment.id, shipment.case.label, shipment.from_center.name if shipment.from_center else "",
                        shipment.to_center.name if shipment.to_center else "", due.isoformat())
        shipment.booking_warning = level
    session.commit()
    return newly_red
