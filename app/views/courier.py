"""寄递跟踪: the shipments in the user's scope with their booking and the courier's tracking events.

Read-only: parcels are put on record and booked by the ``book_parcel`` job, filled in by the
clerk's steps on the case page, and tracked by ``kytb.track_shipments``. A shipment's scope is its
case's (``Shipment.__scope__``), so a shipment outside it answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField

from app.models.case import Shipment
from app.views.base import READ_ONLY_ROUTES, AppModelView
from app.platform.fab import ScopedInterface
from app.labels import BOOKING_STATUSES, BOOKING_WARNINGS, COURIER_PROVIDERS, SHIPMENT_DIRECTIONS, TRACKING_STATUSES, choices, label

_BOOKING_CLASSES = {"planned": "label-default", "booked": "label-success", "failed": "label-danger",
                    "cancelled": "label-default"}
_WARNING_CLASSES = {"yellow": "label-warning", "red": "label-danger"}

SHIPMENT_LABELS = {
    "case": _l("Case number"),
    "direction": _l("Contents"),
    "carrier": _l("Courier"),
    "waybill_number": _l("Waybill number"),
    "from_center": _l("From"),
    "destination": _l("To"),
    "provider": _l("Booked through"),
    "booking_key": _l("Booking key"),
    "booking_status": _l("Booking"),
    "booked_on": _l("Booked on"),
    "booking_attempts": _l("Booking attempts"),
    "booking_error": _l("Last booking error"),
    "booking_warning": _l("Booking deadline"),
    "send_deadline": _l("Booking deadline"),
    "tracking_status": _l("Tracking"),
    "courier_delivered_at": _l("Delivered (courier)"),
    "last_tracked_on": _l("Last tracked"),
    "tracking_error": _l("Last tracking error"),
    "sent_on": _l("Sent on"),
    "received_on": _l("Received on"),
    "note": _l("Note"),
    "events": _l("Tracking events"),
    "last_event": _l("Last event"),
}


def _when(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def case_link(case: Any) -> Markup:
    if case is None:
        return Markup("")
    return Markup('<a href="{}">{}</a>').format(url_for("CaseWorkView.detail", case_id=case.id), case.label)


def booking_badge(status: str | None) -> Markup:
    return Markup('<span class="label {}">{}</span>').format(_BOOKING_CLASSES.get(status or "", "label-default"),
                                                             label(BOOKING_STATUSES, status))


def warning_badge(level: str | None) -> Markup:
    if level not in _WARNING_CLASSES:
        return Markup("")
    return Markup('<span class="label {} warning-badge">{}</span>').format(_WARNING_CLASSES[level],
                                                                          label(BOOKING_WARNINGS, level))


def send_deadline(value: tuple[date | None, str]) -> Markup:
    """寄出期限: the day the parcel must leave, with its warning while it is not booked in time."""
    due, level = value
    day = Markup('<span class="send-by">{}</span>').format(due.isoformat() if due else "—")
    return day + (Markup(" ") + warning_badge(level) if level in _WARNING_CLASSES else Markup(""))


def event_line(event: Any) -> str:
    if event is None:
        return ""
    return " ".join(part for part in (_when(event.at), event.description or event.code, event.location) if part)


def events_table(events: Any) -> Markup:
    """Every tracking event of the parcel, oldest first (one line: the show page keeps line breaks)."""
    if not events:
        return Markup('<span class="text-muted">{}</span>').format(_l("The courier has reported nothing yet."))
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>").format(
            _when(e.at), e.description, e.location, e.code) for e in events)
    head = Markup("<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>").format(
        _l("Time"), _l("Event"), _l("Place"), _l("Code"))
    return Markup('<table class="table table-condensed courier-events">{}<tbody>{}</tbody></table>').format(head, rows)


class ShipmentView(AppModelView):
    """寄递跟踪: read-only list and detail of the shipments of the cases in scope."""

    datamodel = ScopedInterface(Shipment, eager=("case", "events"))
    class_permission_name = "Shipment"
    base_permissions = ["can_read"]
    # Parcels are never typed in, changed nor deleted here: those routes do not exist.
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = _l("Shipment tracking")
    show_title = _l("Shipment")
    label_columns = SHIPMENT_LABELS
    list_columns = ["case", "direction", "waybill_number", "from_center", "destination", "booking_status",
                    "send_deadline", "tracking_status", "last_event", "sent_on", "received_on"]
    show_columns = ["case", "direction", "carrier", "waybill_number", "from_center", "destination", "sent_on",
                    "received_on", "provider", "booking_key", "booking_status", "booked_on", "booking_attempts",
                    "booking_error", "booking_warning", "tracking_status", "courier_delivered_at", "last_tracked_on",
                    "tracking_error", "note", "events"]
    add_columns = edit_columns = ["note"]  # never shown (no such routes); keeps FAB's forms small
    search_columns = ["waybill_number", "direction", "booking_status", "booking_warning", "tracking_status",
                      "sent_on", "received_on"]
    search_form_extra_fields = {
        "direction": SelectField(_l("Contents"), choices=choices(SHIPMENT_DIRECTIONS)),
        "booking_status": SelectField(_l("Booking"), choices=choices(BOOKING_STATUSES)),
        "booking_warning": SelectField(_l("Booking deadline"), choices=choices(BOOKING_WARNINGS)),
        "tracking_status": SelectField(_l("Tracking"), choices=choices(TRACKING_STATUSES)),
    }
    base_order = ("id", "desc")
    order_columns = ["waybill_number", "booking_status", "booking_warning", "tracking_status", "sent_on",
                     "received_on"]
    formatters_columns = {
        "case": case_link,
        "direction": lambda v: label(SHIPMENT_DIRECTIONS, v),
        "provider": lambda v: label(COURIER_PROVIDERS, v),
        "booking_status": booking_badge,
        "booking_warning": warning_badge,
        "send_deadline": send_deadline,
        "tracking_status": lambda v: label(TRACKING_STATUSES, v or ""),
        "last_event": event_line,
        "events": events_table,
        "booked_on": _when,
        "courier_delivered_at": _when,
        "last_tracked_on": _when,
        "sent_on": _when,
        "received_on": _when,
    }


def register_views(appbuilder: AppBuilder) -> None:
    """Adds this module's views and menu entries."""
    appbuilder.add_view(ShipmentView, "Shipment tracking", label=_l("Shipment tracking"), icon="fa-truck",
                        category="Cases")
