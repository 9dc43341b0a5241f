"""寄递跟踪 through the REST API: /api/v1/shipment/ — the shipments of the cases in the caller's scope with the
shipment tracking page's filters (app.views.courier.ShipmentView), and one shipment with every tracking event.
Read only, as the page: parcels are booked by the ``book_parcel`` job and filled in by the clerk's steps (the
case API). A shipment out of scope is 404; every problem of a filter at once: 422. Documented in
/api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, page_number, responses_of
from app.labels import (
    BOOKING_STATUSES,
    BOOKING_WARNINGS,
    COURIER_PROVIDERS,
    SHIPMENT_DIRECTIONS,
    TRACKING_STATUSES,
    label,
)
from app.platform.fab import LocalDateTime, answers_service_errors, current_reach
from app.services.courier import shipments
from app.services.courier.shipments import CHOICES, ShipmentFilter

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_DAY: dict[str, Any] = {"type": "string", "format": "date"}


class CourierEventSchema(Schema):
    """One event of the courier's tracking."""

    __component_name__ = "CourierEvent"

    at = LocalDateTime()
    code = fields.String()
    description = fields.String()
    location = fields.String()


class ShipmentSchema(Schema):
    """A parcel of a case: its booking with the courier and its tracking."""

    __component_name__ = "Shipment"

    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda s: (s.case.number if s.case is not None else "") or "")
    direction = fields.String(metadata={"description": "materials, supplement, result or result_to_window"})
    direction_label = fields.Function(lambda s: label(SHIPMENT_DIRECTIONS, s.direction))
    carrier = fields.String()
    waybill_number = fields.String()
    from_center_id = fields.Integer(allow_none=True)
    from_center_name = fields.Function(lambda s: s.from_center.name if s.from_center is not None else "")
    to_center_id = fields.Integer(allow_none=True)
    destination = fields.String(metadata={"description": "the window, or the mailing address"})
    send_by = fields.Date(allow_none=True, metadata={"description": "寄出期限: the day the parcel must leave"})
    sent_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    provider = fields.String()
    provider_label = fields.Function(lambda s: label(COURIER_PROVIDERS, s.provider))
    booking_key = fields.String()
    booking_status = fields.String()
    booking_status_label = fields.Function(lambda s: label(BOOKING_STATUSES, s.booking_status))
    booked_on = LocalDateTime(allow_none=True)
    booking_attempts = fields.Integer()
    booking_error = fields.String()
    booking_warning = fields.String(metadata={"description": "none, yellow (book today) or red (not booked in time)"})
    booking_warning_label = fields.Function(lambda s: label(BOOKING_WARNINGS, s.booking_warning))
    tracking_status = fields.String()
    tracking_status_label = fields.Function(lambda s: label(TRACKING_STATUSES, s.tracking_status or ""))
    courier_delivered_at = LocalDateTime(allow_none=True)
    last_tracked_on = LocalDateTime(allow_none=True)
    tracking_error = fields.String()
    note = fields.String()
    last_event = fields.Nested(CourierEventSchema, allow_none=True)


class ShipmentDetailSchema(ShipmentSchema):
    """A parcel with every event of its tracking, oldest first."""

    __component_name__ = "ShipmentDetail"

    events = fields.List(fields.Nested(CourierEventSchema))


def _parameters() -> list[dict[str, Any]]:
    return [
        in_query("page", {"type": "integer", "minimum": 0}, "the page (50), from 0"),
        in_query("waybill_number", _STRING, "a part of the waybill number"),
        *(in_query(name, {"type": "string", "enum": list(values)}, name.replace("_", " "))
          for name, values in CHOICES.items()),
        in_query("sent_from", _DAY, "sent on or after (YYYY-MM-DD)"),
        in_query("sent_to", _DAY, "sent on or before"),
        in_query("received_from", _DAY, "received on or after"),
        in_query("received_to", _DAY, "received on or before"),
    ]


class ShipmentApi(DeclaredApi):
    """/api/v1/shipment/: shipment tracking."""

    resource_name = "shipment"
    class_permission_name = "Shipment"
    method_permission_name = {"get_list": "read", "get": "read"}
    openapi_spec_tag = "Shipment tracking"
    openapi_spec_component_schemas = (CourierEventSchema, ShipmentSchema, ShipmentDetailSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The shipments of the cases in the caller's scope, the newest first, with the page's filters",
            "parameters": _parameters(),
            "responses": responses_of({"200": {"description": "The shipments", "content": json_content(obj(
                count=_INT, result=array_of(ref("Shipment"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One shipment with every tracking event",
            "parameters": [in_path("shipment_id")],
            "responses": responses_of({"200": {"description": "The shipment", "content": json_content(
                obj(id=_INT, result=ref("ShipmentDetail")))}}, "401", "403", "404"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The shipments"""
        page = page_number()
        flt = ShipmentFilter.from_fields(request.args)
        total, rows = shipments.shipments_in(self._session, current_reach(), flt, offset=page * PAGE_SIZE,
                                             limit=PAGE_SIZE)
        return self.response(200, count=total, result=ShipmentSchema(many=True).dump(rows))

    @expose("/<int:shipment_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, shipment_id: int):
        """One shipment"""
        item = shipments.shipment_in(self._session, current_reach(), shipment_id)
        return self.response(200, id=item.id, result=ShipmentDetailSchema().dump(item))
