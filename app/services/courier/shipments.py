"""The shipments a user may read (寄递跟踪), as the shipment tracking page lists them: within the scope of
their cases (``Shipment.__scope__``), filtered by the page's search columns, the newest first; one shipment
with its tracking events. Read only: parcels are booked by the ``book_parcel`` job and filled in by the
clerk's steps on the case page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound, ProblemCollector
from app.models.case import BookingStatus, Shipment, ShipmentDirection, TrackingStatus
from app.scope import OutOfScope, Reach, criterion, get_in_scope

#: the choice filters of the page's search form and the values each takes
CHOICES: dict[str, tuple[str, ...]] = {
    "direction": tuple(d.value for d in ShipmentDirection),
    "booking_status": tuple(s.value for s in BookingStatus),
    "booking_warning": ("none", "yellow", "red"),
    "tracking_status": tuple(s.value for s in TrackingStatus),
}
#: the date filters: (column, bound)
DATES: dict[str, tuple[str, str]] = {"sent_from": ("sent_on", ">="), "sent_to": ("sent_on", "<="),
                                     "received_from": ("received_on", ">="), "received_to": ("received_on", "<=")}
FILTERS = ("waybill_number", *CHOICES, *DATES)


@dataclass(frozen=True)
class ShipmentFilter:
    """The page's search columns: a part of the waybill number, the choices, and ranges of the sent and
    received days."""

    waybill_number: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    days: tuple[tuple[str, str, date], ...] = ()

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> ShipmentFilter:
        """From the REST API's query; every value that cannot be read at once (ValidationFailed)."""
        problems = ProblemCollector()
        chosen: list[tuple[str, str]] = []
        days: list[tuple[str, str, date]] = []
        for name, allowed in CHOICES.items():
            value = values.get(name)
            if value is None or (value == "" and name != "tracking_status"):
                continue
            if value not in allowed:
                problems.add(name, _l("Choose one of: %(values)s.", values=", ".join(v or '""' for v in allowed)))
            else:
                chosen.append((name, value))
        for name, (column, bound) in DATES.items():
            value = values.get(name)
            if value in (None, ""):
                continue
            try:
                days.append((column, bound, date.fromisoformat(str(value))))
            except ValueError:
                problems.add(name, _l("Enter the date as YYYY-MM-DD."))
        problems.raise_if_any()
        return cls(waybill_number=str(values.get("waybill_number") or ""), choices=tuple(chosen), days=tuple(days))

    def where(self) -> list[Any]:
        clauses: list[Any] = []
        if self.waybill_number:
            clauses.append(Shipment.waybill_number.contains(self.waybill_number, autoescape=True))
        clauses.extend(getattr(Shipment, name) == value for name, value in self.choices)
        for column, bound, day in self.days:
            field = getattr(Shipment, column)
            clauses.append(field >= day if bound == ">=" else field <= day)
        return clauses


def shipments_in(session: Session, reach: Reach, flt: ShipmentFilter, *, offset: int = 0,
                 limit: int = 50) -> tuple[int, list[Shipment]]:
    """(how many, one page of) the shipments in scope and filter, the newest first, with their events."""
    where = [criterion(Shipment, reach), *flt.where()]
    total = session.scalar(select(func.count(Shipment.id)).where(*where)) or 0
    rows = session.scalars(select(Shipment).where(*where).options(selectinload(Shipment.case),
                                                                   selectinload(Shipment.events))
                           .order_by(Shipment.id.desc()).offset(offset).limit(limit)).all()
    return total, list(rows)


def shipment_in(session: Session, reach: Reach, shipment_id: Any) -> Shipment:
    """One shipment in scope, with its tracking events; NotFound for one out of scope or missing."""
    try:
        return get_in_scope(session, Shipment, shipment_id, reach)
    except OutOfScope:
        raise NotFound() from None
