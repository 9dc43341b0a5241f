"""Courier bookings and tracking events of shipments.

The booking itself lives on the shipment (``app.models.case.Shipment``: provider, booking key and
status, tracking status); each event the courier reports is one ``CourierEvent`` row, recorded once
however often the parcel is polled (unique per shipment, time and code).
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Shipment
from app.scope import ScopeRule


class CourierEvent(Model):
    """揽收、运输、派送、签收 …: one step of a parcel as the courier's tracking reported it."""

    __tablename__ = "courier_event"
    __table_args__ = (UniqueConstraint("shipment_id", "at", "code", name="uq_courier_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), nullable=False, index=True)
    #: when it happened (the courier's time, Asia/Shanghai wall clock)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    #: accepted / in_transit / out_for_delivery / delivered / exception / returned (docs/COURIER.md)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    description: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    location: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    recorded_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    shipment: Mapped[Shipment] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.description or self.code}"


# An event belongs to a shipment, which belongs to a case: the case's scope rule, through the shipment.
CourierEvent.__scope__ = ScopeRule(
    read=lambda r: CourierEvent.shipment.has(Shipment.__scope__.read(r)),
    write=lambda r: CourierEvent.shipment.has(Shipment.__scope__.write(r)),
)
