"""Batch work at the window through the REST API, as the pages of app.views.batch offer it:

* /api/v1/parcel_batch/ — 今日寄件: the parcels waiting to leave the caller's window; sending the chosen ones
  in one go (each case its own step; one 移交清单 per destination window); 预约揽收 of the chosen ones.
* /api/v1/transmittal/ — 移交清单: the lists the caller's windows sent or receive, one list with its cases
  (can each be signed for now, what should be in the parcel), its PDF, and 整包签收: signing for the cases of
  a list, or of a parcel found by its waybill, at once.

Thin: each endpoint calls the page's service of ``app.services.cases.batch``, which puts every id through the
scope rule first (one outside it: 404, nothing done) and takes each case's step in its own transaction. The
answer names every case done and every case refused with every reason: 200 when some were done (or none
refused), 422 when every row was refused. The permissions are the pages' (``Case``: dispatch, receive).
Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.adapters import storage
from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, json_object, record_ids, responses_of
from app.labels import BOOKING_STATUSES, SHIPMENT_DIRECTIONS, STATUS_LABELS, label
from app.platform.fab import LocalDateTime, MalformedRequest, answers_service_errors
from app.services.cases import batch
from app.services.cases.batch import BatchOutcome, ParcelInput, SignInput

_INT: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_DAY: dict[str, Any] = {"type": "string", "format": "date"}


class ParcelOfTheDaySchema(Schema):
    """A case whose parcel waits to leave the caller's window."""

    __component_name__ = "ParcelOfTheDay"

    case_id = fields.Function(lambda p: p.case.id)
    case_number = fields.Function(lambda p: p.case.number or "")
    case_status = fields.Function(lambda p: p.case.status)
    case_status_label = fields.Function(lambda p: label(STATUS_LABELS, p.case.status))
    step = fields.Function(lambda p: str(p.parcel.step), metadata={"description": "the step sending takes"})
    direction = fields.Function(lambda p: str(p.parcel.direction))
    direction_label = fields.Function(lambda p: label(SHIPMENT_DIRECTIONS, p.parcel.direction))
    destination = fields.String()
    booked_waybill = fields.String(metadata={"description": "the courier's waybill, once booked (empty: type the "
                                                            "terminal's when sending)"})
    shipment_id = fields.Function(lambda p: p.shipment.id if p.shipment is not None else None)
    booking_status = fields.Function(lambda p: p.shipment.booking_status if p.shipment is not None else "")
    booking_status_label = fields.Function(
        lambda p: label(BOOKING_STATUSES, p.shipment.booking_status) if p.shipment is not None else "")
    booking_error = fields.Function(lambda p: p.shipment.booking_error if p.shipment is not None else "")


class TransmittalSchema(Schema):
    """A 移交清单: the parcels one window sent another on one day."""

    __component_name__ = "Transmittal"

    id = fields.Integer()
    number = fields.String()
    from_center_id = fields.Integer()
    from_center_name = fields.Function(lambda t: t.from_center.name)
    to_center_id = fields.Integer()
    to_center_name = fields.Function(lambda t: t.to_center.name)
    sent_on = fields.Date()
    created_by_name = fields.String()
    created_on = LocalDateTime()
    cases = fields.Function(lambda t: len(t.items))
    received_on = fields.Date(allow_none=True, metadata={"description": "when every case of it was signed for"})
    received_by_name = fields.String()
    sha256 = fields.String(metadata={"description": "of the PDF"})


def _expected(case: Any) -> list[dict[str, Any]]:
    return [{"seq": m.seq, "name": m.name, "copies": m.copies} for m in case.materials if m.received]


class IncomingCaseSchema(Schema):
    """A case of an incoming list or parcel: can it be signed for now, and which materials should be in it."""

    __component_name__ = "IncomingCase"

    case_id = fields.Function(lambda r: r.case.id)
    case_number = fields.Function(lambda r: r.case.number or "")
    case_status = fields.Function(lambda r: r.case.status)
    matter_name = fields.Function(lambda r: r.case.matter.name if r.case.matter is not None else "")
    waybill_number = fields.String()
    signable = fields.Boolean(metadata={"description": "the caller may take its receive step now"})
    received_on = fields.Function(lambda r: r.item.received_on.isoformat() if r.item is not None and
                                  r.item.received_on else None)
    materials = fields.Function(lambda r: _expected(r.case), metadata={
        "description": "the materials the parcel should hold: tick their seq when signing"})


_FAILED = array_of(obj(case_id=_INT, label=_STRING, errors=array_of(
    obj(field={"type": "string", "nullable": True}, message=_STRING))))
_OUTCOME = json_content(obj(done=array_of(_INT), failed=_FAILED, transmittals=array_of(ref("Transmittal")),
                            already_booked=_FAILED))


def _outcome_answer(api: DeclaredApi, outcome: BatchOutcome):
    """Every row at once: 200 with what was done and what was refused, or 422 when every row was refused."""
    failed = [_failure(f) for f in outcome.failed]
    if outcome.failed and not outcome.done:
        errors = [{"field": f"cases[{f.case_id}]", "message": f"{f.label}：{p.message}"}
                  for f in outcome.failed for p in f.problems]
        return api.response(422, errors=errors, failed=failed)
    return api.response(200, done=[case.id for case in outcome.done], failed=failed,
                        transmittals=TransmittalSchema(many=True).dump(outcome.transmittals),
                        already_booked=[_failure(f) for f in outcome.already_booked])


def _failure(failure: Any) -> dict[str, Any]:
    return {"case_id": failure.case_id, "label": failure.label,
            "errors": [p.as_dict() for p in failure.problems]}



def _rows(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = data.get(name) or []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise MalformedRequest(f"{name} must be a list of objects")
    return rows


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedRequest(f"{name} must be a string")
    return value


_SIGN_BODY = {"type": "object", "properties": {
    "received_on": {**_DAY, "description": "the day the parcel arrived (empty: today)"},
    "cases": array_of({"type": "object", "required": ["case_id"], "properties": {
        "case_id": _INT, "materials": {**array_of(_INT), "description": "the seq of each material that arrived"}}}),
}}


class ParcelBatchApi(DeclaredApi):
    """/api/v1/parcel_batch/: 今日寄件."""

    resource_name = "parcel_batch"
    class_permission_name = "Case"
    method_permission_name = {"get_list": "dispatch", "send": "dispatch", "book": "dispatch"}
    openapi_spec_tag = "Parcels of the day"
    openapi_spec_component_schemas = (ParcelOfTheDaySchema, TransmittalSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The parcels waiting to leave the caller's window (the work queue's cases whose next step "
                       "sends a parcel)",
            "responses": responses_of({"200": {"description": "The parcels", "content": json_content(obj(
                count=_INT, courier_books={"type": "boolean"}, result=array_of(ref("ParcelOfTheDay"))))}},
                "401", "403"),
        }},
        "send": {"post": {
            "summary": "Sends the chosen parcels in one go: each case its step, one transmittal list per destination "
                       "window; every refused row with every reason",
            "requestBody": {"required": True, "content": json_content({"type": "object", "properties": {
                "sent_on": {**_DAY, "description": "the day they left (empty: today)"},
                "parcels": array_of({"type": "object", "required": ["case_id"], "properties": {
                    "case_id": _INT, "waybill_number": {**_STRING, "description": "empty: the courier's booked one"},
                    "carrier": _STRING}})}})},
            "responses": responses_of({"200": {"description": "What was done and what was refused",
                                               "content": _OUTCOME}}, "400", "401", "403", "404", "422"),
        }},
        "book": {"post": {
            "summary": "预约揽收: books the chosen parcels not booked yet with the courier (the waybill comes later)",
            "requestBody": {"required": True, "content": json_content({"type": "object", "properties": {
                "case_ids": array_of(_INT)}})},
            "responses": responses_of({"200": {"description": "What was queued and what was refused",
                                               "content": _OUTCOME}}, "400", "401", "403", "404", "422"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The parcels of the day"""
        parcels = batch.parcels_of_the_day(self._session, self._user())
        return self.response(200, count=len(parcels), courier_books=batch.courier_books(),
                             result=ParcelOfTheDaySchema(many=True).dump(parcels))

    @expose("/send", methods=["POST"])
    @protect()
    @safe
    @permission_name("send")
    @answers_service_errors
    def send(self):
        """Sends the chosen parcels"""
        data = json_object()
        rows = [ParcelInput(row.get("case_id"), _text(row.get("waybill_number"), "waybill_number"),
                            _text(row.get("carrier"), "carrier")) for row in _rows(data, "parcels")]
        outcome = batch.send_parcels(self._session, self._user(), rows, sent_on=_text(data.get("sent_on"), "sent_on"))
        return _outcome_answer(self, outcome)

    @expose("/book", methods=["POST"])
    @protect()
    @safe
    @permission_name("book")
    @answers_service_errors
    def book(self):
        """Books the chosen parcels"""
        ids = json_object().get("case_ids") or []
        if not isinstance(ids, list):
            raise MalformedRequest("case_ids must be a list")
        return _outcome_answer(self, batch.book_parcels(self._session, self._user(), ids))


class TransmittalApi(DeclaredApi):
    """/api/v1/transmittal/: 移交清单 and 整包签收."""

    resource_name = "transmittal"
    class_permission_name = "Case"
    method_permission_name = {"get_list": "receive", "get": "receive", "pdf": "receive", "receive": "receive",
                              "incoming": "receive", "receive_incoming": "receive"}
    openapi_spec_tag = "Transmittal lists"
    openapi_spec_component_schemas = (TransmittalSchema, IncomingCaseSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The lists the caller's windows sent or receive, the newest first",
            "responses": responses_of({"200": {"description": "The lists", "content": json_content(obj(
                count=_INT, result=array_of(ref("Transmittal"))))}}, "401", "403"),
        }},
        "get": {"get": {
            "summary": "One list with its cases: can each be signed for now, what should be in the parcel",
            "parameters": [in_path("transmittal_id")],
            "responses": responses_of({"200": {"description": "The list", "content": json_content(obj(
                id=_INT, result=ref("Transmittal"), cases=array_of(ref("IncomingCase"))))}}, "401", "403", "404"),
        }},
        "pdf": {"get": {
            "summary": "The list's PDF",
            "parameters": [in_path("transmittal_id")],
            "responses": responses_of({"200": {"description": "The PDF", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}, "401", "403", "404"),
        }},
        "receive": {"post": {
            "summary": "整包签收: signs for the chosen cases of the list at once, each with the materials that arrived",
            "parameters": [in_path("transmittal_id")],
            "requestBody": {"required": True, "content": json_content(_SIGN_BODY)},
            "responses": responses_of({"200": {"description": "What was signed for and what was refused",
                                               "content": _OUTCOME}}, "400", "401", "403", "404", "422"),
        }},
        "incoming": {"get": {
            "summary": "The cases on their way to the caller's window in the parcel of a waybill (a parcel without a "
                       "list of ours) that the caller may sign for now",
            "parameters": [in_query("waybill", _STRING, "the waybill number on the parcel")],
            "responses": responses_of({"200": {"description": "The cases", "content": json_content(obj(
                count=_INT, result=array_of(ref("IncomingCase"))))}}, "401", "403"),
        }},
        "receive_incoming": {"post": {
            "summary": "Signs for the chosen cases of a parcel without a list at once",
            "requestBody": {"required": True, "content": json_content(_SIGN_BODY)},
            "responses": responses_of({"200": {"description": "What was signed for and what was refused",
                                               "content": _OUTCOME}}, "400", "401", "403", "404", "422"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The lists"""
        lists = batch.transmittals_of(self._session, self._user())
        return self.response(200, count=len(lists), result=TransmittalSchema(many=True).dump(lists))

    @expose("/<int:transmittal_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, transmittal_id: int):
        """One list"""
        transmittal, rows = batch.incoming_of_transmittal(self._session, self._user(), transmittal_id)
        return self.response(200, id=transmittal.id, result=TransmittalSchema().dump(transmittal),
                             cases=IncomingCaseSchema(many=True).dump(rows))

    @expose("/<int:transmittal_id>/pdf", methods=["GET"])
    @protect()
    @safe
    @permission_name("pdf")
    @answers_service_errors
    def pdf(self, transmittal_id: int):
        """The list's PDF"""
        transmittal = batch.get_transmittal(self._session, self._user(), transmittal_id)
        return send_file(storage.path_of(transmittal.file_key), mimetype="application/pdf", as_attachment=True,
                         download_name=transmittal.file_name)

    @expose("/<int:transmittal_id>/receive", methods=["POST"])
    @protect()
    @safe
    @permission_name("receive")
    @answers_service_errors
    def receive(self, transmittal_id: int):
        """Signs for cases of the list"""
        batch.get_transmittal(self._session, self._user(), transmittal_id)  # out of scope: 404 before the body
        return self._sign(transmittal_id)

    @expose("/incoming", methods=["GET"])
    @protect()
    @safe
    @permission_name("incoming")
    @answers_service_errors
    def incoming(self):
        """The cases of a parcel by its waybill"""
        rows = batch.incoming_by_waybill(self._session, self._user(), request.args.get("waybill", ""))
        return self.response(200, count=len(rows), result=IncomingCaseSchema(many=True).dump(rows))

    @expose("/incoming", methods=["POST"])
    @protect()
    @safe
    @permission_name("receive_incoming")
    @answers_service_errors
    def receive_incoming(self):
        """Signs for cases of a parcel without a list"""
        return self._sign(None)

    def _sign(self, transmittal_id: int | None):
        data = json_object()
        rows = []
        for row in _rows(data, "cases"):
            materials = row.get("materials") or []
            record_ids(materials, "materials")
            rows.append(SignInput(row.get("case_id"), tuple(materials)))
        outcome = batch.sign_parcels(self._session, self._user(), rows, transmittal_id=transmittal_id,
                                     received_on=_text(data.get("received_on"), "received_on"))
        return _outcome_answer(self, outcome)
