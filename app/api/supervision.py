"""督办 through the REST API: /api/v1/supervision_order/ — the orders the caller reads (filtered as the list page:
``state`` open / red / answered / late, ``issuer``, ``side``, ``case``), issuing orders on one case or several
(all or nothing), the responsible side's reply, and 催办 (a nudge on a case).

Thin, as the case API: each endpoint reads the request and calls one command of
``app.services.supervision.orders``. A body that is no JSON object is 400; every problem of a request at once is
422 with ``{"errors": [...]}``; a second reply is 409; a case or an order out of scope (or an order of another
side, for a reply) is 404, like a missing one. Documented in /api/v1/_openapi.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from flask import request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, json_object, responses_of
from app.platform.fab import answers_service_errors, current_reach
from app.services.supervision import export, orders
from app.services.supervision.queries import PAGE_SIZE, SIDES, STATES, OrderFilter, list_orders, nudge_count

_STRING: dict[str, Any] = {"type": "string"}
_INTEGER: dict[str, Any] = {"type": "integer"}


class SupervisionOrderSchema(Schema):
    """A 督办单 with its reply."""

    __component_name__ = "SupervisionOrder"

    id = fields.Integer()
    number = fields.String()
    case_id = fields.Integer()
    case_number = fields.Function(lambda o: o.case.number or "")
    issued_by_name = fields.String()
    issued_by_place = fields.String()
    issued_on = fields.DateTime()
    instruction = fields.String()
    responsible_side = fields.String()
    responsible_unit = fields.String()
    reply_days = fields.Integer()
    reply_due = fields.Date()
    due_provisional = fields.Boolean()
    status = fields.String()
    warning_level = fields.String()
    reply = fields.String()
    replied_by_name = fields.String()
    replied_on = fields.DateTime()
    answered_late = fields.Boolean()


_NEW_ORDER = {
    "type": "object",
    "required": ["case_ids", "instruction", "responsible_side", "reply_days"],
    "properties": {
        "case_ids": {"type": "array", "items": _INTEGER, "description": "one case or several: all get the order, or "
                                                                        "none (every problem is named)"},
        "instruction": {"type": "string", "maxLength": orders.TEXT_MAX_CHARS},
        "responsible_side": {"type": "string", "enum": list(SIDES),
                             "description": "who answers: the accepting window, the home window or the department"},
        "reply_days": {"type": "integer", "minimum": 1, "maximum": orders.MAX_REPLY_DAYS,
                       "description": "working days from today"},
    },
}
_REPLY = {"type": "object", "required": ["reply"],
          "properties": {"reply": {"type": "string", "maxLength": orders.TEXT_MAX_CHARS}}}
_NUDGE = {"type": "object", "required": ["case_id"],
          "properties": {"case_id": _INTEGER, "note": {"type": "string", "maxLength": orders.NOTE_MAX_CHARS}}}


class SupervisionOrderApi(DeclaredApi):
    """/api/v1/supervision_order/: 督办单, 反馈 and 催办."""

    resource_name = "supervision_order"
    page_size = PAGE_SIZE
    class_permission_name = "SupervisionOrder"
    method_permission_name = {"get_list": "read", "export_xlsx": "read", "post": "issue", "reply": "reply",
                              "nudge": "nudge"}
    openapi_spec_tag = "Supervision orders"
    openapi_spec_component_schemas = (SupervisionOrderSchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The supervision orders the caller reads (through their cases' scope), the newest first",
            "parameters": [
                in_query("state", {"type": "string", "enum": list(STATES)},
                         "open: awaiting the reply; red: overdue, not answered; answered; late: answered late"),
                in_query("issuer", _INTEGER, "the user who issued them"),
                in_query("side", {"type": "string", "enum": list(SIDES)}, "the side that answers"),
                in_query("case", _INTEGER, "the orders of one case"),
                in_query("page", {"type": "integer", "minimum": 0}, f"{PAGE_SIZE} per page, from 0"),
            ],
            "responses": responses_of({"200": {"description": "The orders", "content": json_content(
                obj(count=_INTEGER, result={"type": "array", "items": ref("SupervisionOrder")}))}}, "401", "403"),
        }},
        "export_xlsx": {"get": {
            "summary": "The supervision orders the caller reads as a workbook (XLSX), with the list's filters (the "
                       "page's 导出)",
            "parameters": [
                in_query("state", {"type": "string", "enum": list(STATES)},
                         "open: awaiting the reply; red: overdue, not answered; answered; late: answered late"),
                in_query("issuer", _INTEGER, "the user who issued them"),
                in_query("side", {"type": "string", "enum": list(SIDES)}, "the side that answers"),
                in_query("case", _INTEGER, "the orders of one case"),
            ],
            "responses": responses_of({"200": {"description": "The workbook", "content": {
                export.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}, "401", "403"),
        }},
        "post": {"post": {
            "summary": "Issues a supervision order on one case or several (city supervisor; county administrator in "
                       "its county)",
            "requestBody": {"required": True, "content": json_content(_NEW_ORDER)},
            "responses": responses_of({"201": {"description": "The orders issued, one per case", "content":
                json_content(obj(count=_INTEGER, result={"type": "array", "items": ref("SupervisionOrder")}))}},
                "400", "401", "403", "404", "422"),
        }},
        "reply": {"post": {
            "summary": "The responsible side's reply (反馈), once",
            "parameters": [in_path("order_id")],
            "requestBody": {"required": True, "content": json_content(_REPLY)},
            "responses": responses_of({"200": {"description": "The order answered", "content": json_content(
                obj(id=_INTEGER, result=ref("SupervisionOrder")))}}, "400", "401", "403", "404", "409", "422"),
        }},
        "nudge": {"post": {
            "summary": "催办: nudges a case (logged in its history and counted)",
            "requestBody": {"required": True, "content": json_content(_NUDGE)},
            "responses": responses_of({"200": {"description": "The case nudged, and how often it was", "content":
                json_content(obj(case_id=_INTEGER, nudges=_INTEGER))}}, "400", "401", "403", "404", "409", "422"),
        }},
    }

    @staticmethod
    def json_object() -> dict[str, Any]:
        data = json_object()
        return data

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The supervision orders the caller reads"""
        from app.scope import as_record_id

        page = as_record_id(request.args.get("page", "0")) or 0
        total, rows = list_orders(self._session, current_reach(), OrderFilter.from_args(request.args), max(page, 0))
        return self.response(200, count=total, result=SupervisionOrderSchema(many=True).dump(rows))

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("export_xlsx")
    @answers_service_errors
    def export_xlsx(self):
        """The supervision orders the caller reads, as a workbook"""
        data = export.export_xlsx(self._session, current_reach(), OrderFilter.from_args(request.args))
        answer = send_file(io.BytesIO(data), mimetype=export.XLSX_TYPE, as_attachment=True,
                           download_name=export.file_name())
        answer.headers["Cache-Control"] = "private, no-store"
        return answer

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @answers_service_errors
    def post(self):
        """Issues supervision orders"""
        data = json_object()
        case_ids = data.get("case_ids")
        if case_ids is None and data.get("case_id") is not None:
            case_ids = [data["case_id"]]
        made = orders.issue_orders(self._session, self._user(), case_ids if case_ids is not None else [],
                                   {name: data.get(name) for name in ("instruction", "responsible_side", "reply_days")})
        return self.response(201, count=len(made), result=SupervisionOrderSchema(many=True).dump(made))

    @expose("/<int:order_id>/reply", methods=["POST"])
    @protect()
    @safe
    @permission_name("reply")
    @answers_service_errors
    def reply(self, order_id: int):
        """Answers a supervision order"""
        data = json_object()
        order = orders.reply_to_order(self._session, self._user(), order_id, {"reply": data.get("reply")})
        return self.response(200, id=order.id, result=SupervisionOrderSchema().dump(order))

    @expose("/nudge", methods=["POST"])
    @protect()
    @safe
    @permission_name("nudge")
    @answers_service_errors
    def nudge(self):
        """Nudges a case"""
        data = json_object()
        case = orders.nudge_case(self._session, self._user(), data.get("case_id"), {"note": data.get("note")})
        return self.response(200, case_id=case.id, nudges=nudge_count(self._session, case.id))
