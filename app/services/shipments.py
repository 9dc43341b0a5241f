"""Shipments (寄递): the parcel of materials to the home window, a supplement, the result to the applicant.

A step that needs a parcel queues ``dispatch_shipment``; the job puts the shipment on record at once
(and, with a courier API, books it). The clerk's step — dispatch, supplement, deliver — then fills in
the waybill and the date of that same shipment, so a parcel is never recorded twice, whichever of the
two comes first. With the default ``manual`` courier the clerk types the waybill printed by the
courier's terminal.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.case import Case, OutboxMessage, Shipment, ShipmentDirection


def _lock(session: Session, case: Case) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())


def planned_shipment(session: Session, case: Case, direction: ShipmentDirection) -> Shipment:
    """The shipment of ``direction`` not yet sent, put on record if there is none."""
    _lock(session, case)
    for shipment in case.shipments:
        if shipment.direction == direction and shipment.sent_on is None:
            return shipment
    shipment = Shipment(case=case, direction=direction, carrier="EMS")
    if direction == ShipmentDirection.RESULT:
        window = case.home_center if not case.home_center.external else case.origin_center
        shipment.from_center, shipment.to_address = window, case.mail_address
    else:
        shipment.from_center, shipment.to_center = case.origin_center, case.home_center
    session.add(shipment)
    session.flush()
    return shipment


def record_sent(session: Session, case: Case, direction: ShipmentDirection, *, carrier: str, waybill: str,
                sent_on: date) -> Shipment:
    shipment = planned_shipment(session, case, direction)
    shipment.carrier, shipment.waybill_number, shipment.sent_on = carrier or shipment.carrier, waybill, sent_on
    return shipment


def book_shipment(session: Session, message: OutboxMessage) -> Shipment | None:
    """The job of ``dispatch_shipment``: the shipment is on record; ``manual`` books nothing else."""
    case = session.get(Case, message.case_id)
    if case is None:
        return None
    shipment = planned_shipment(session, case, ShipmentDirection(message.key))
    session.commit()
    return shipment
