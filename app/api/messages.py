"""已发送消息 and 发送失败的消息 through the REST API, as their pages (app.views.notify NotificationView and
ParkedMessageView) offer them, through the same services:

* /api/v1/notification/ — every SMS and mail within the caller's scope with its delivery status, one message;
* /api/v1/parked_message/ — the messages whose retries ran out, one of them, and 重新发送 of the chosen ones
  (``resend_parked``: every id parked and in scope, or nothing is queued and 404);
* /api/v1/message_template/ — the templates, fixed by the code (one per event, channel and language): read and
  their texts edited, never added or deleted, as on their page.

Phones are masked as on the pages (the readers see masks). Permissions are the pages' (``Notification``,
``ParkedMessage``). Every problem of a filter at once: 422. Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, responses_of
from app.domain.privacy import mask_phone
from app.labels import CHANNEL_LABELS, MESSAGE_STATUSES, label
from app.models.notify import MessageTemplate
from app.platform.fab import (
    AppModelRestApi,
    LocalDateTime,
    MalformedRequest,
    ScopedInterface,
    answers_service_errors,
    current_reach,
)
from app.services.notifications import message_list
from app.services.notifications import messages as notifications

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}
_DAY: dict[str, Any] = {"type": "string", "format": "date"}


def _event_label(value: str) -> str:
    spec = next((s for (event, _), s in notifications.SPECS.items() if event == value), None)
    return str(spec.label) if spec is not None else value


class MessageSchema(Schema):
    """An SMS or mail, with its delivery status (the phone masked)."""

    __component_name__ = "Message"

    id = fields.Integer()
    created_on = LocalDateTime()
    channel = fields.String(metadata={"description": "sms or mail"})
    channel_label = fields.Function(lambda n: label(CHANNEL_LABELS, n.channel))
    event = fields.String()
    event_label = fields.Function(lambda n: _event_label(n.event))
    recipient = fields.Function(lambda n: n.recipient if "@" in (n.recipient or "") else mask_phone(n.recipient))
    case_id = fields.Integer(allow_none=True)
    case_number = fields.Function(lambda n: (n.case.number or "") if getattr(n, "case", None) is not None else "")
    status = fields.String()
    status_label = fields.Function(lambda n: label(MESSAGE_STATUSES, n.status))
    attempts = fields.Integer()
    sent_on = LocalDateTime(allow_none=True)
    last_error = fields.String()


class MessageDetailSchema(MessageSchema):
    """A message with its text."""

    __component_name__ = "MessageDetail"

    language = fields.String()
    subject = fields.String()
    body = fields.String()
    provider = fields.String()
    next_attempt_on = LocalDateTime(allow_none=True)
    provider_ref = fields.String()


def _page() -> int:
    raw = request.args.get("page", "0")
    if not raw.isdigit() or len(raw) > 6:
        raise MalformedRequest("page must be a number from 0")
    return int(raw)


def _parameters(parked: bool) -> list[dict[str, Any]]:
    return [
        in_query("page", {"type": "integer", "minimum": 0}, "the page (50), from 0"),
        in_query("channel", {"type": "string", "enum": list(message_list.CHANNELS)}, "sms or mail"),
        in_query("event", {"type": "string"}, "the message (accepted, correction, result_ready …)"),
        *([] if parked else [in_query("status", {"type": "string", "enum": list(message_list.STATUSES)},
                                      "the delivery status")]),
        in_query("created_from", _DAY, "written from this day"), in_query("created_to", _DAY, "until this day"),
    ]


def _spec(parked: bool, what: str) -> dict[str, Any]:
    return {
        "get_list": {"get": {
            "summary": f"The {what} within the caller's scope, the newest first, with the page's filters",
            "parameters": _parameters(parked),
            "responses": responses_of({"200": {"description": "The messages", "content": json_content(obj(
                count=_INT, result=array_of(ref("Message"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One message with its text",
            "parameters": [in_path("notification_id")],
            "responses": responses_of({"200": {"description": "The message", "content": json_content(
                obj(id=_INT, result=ref("MessageDetail")))}}, "401", "403", "404"),
        }},
    }


class _MessageList(DeclaredApi):
    parked = False

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The messages"""
        page = _page()
        total, rows = message_list.messages_in(self._session, current_reach(), request.args, parked=self.parked,
                                               offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        return self.response(200, count=total, result=MessageSchema(many=True).dump(rows))

    @expose("/<int:notification_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, notification_id: int):
        """One message"""
        item = message_list.message_in(self._session, current_reach(), notification_id, parked=self.parked)
        return self.response(200, id=item.id, result=MessageDetailSchema().dump(item))


class NotificationApi(_MessageList):
    """/api/v1/notification/: 已发送消息."""

    resource_name = "notification"
    class_permission_name = "Notification"
    method_permission_name = {"get_list": "read", "get": "read"}
    openapi_spec_tag = "Sent messages"
    openapi_spec_component_schemas = (MessageSchema, MessageDetailSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = _spec(False, "SMS and mails")


class ParkedMessageApi(_MessageList):
    """/api/v1/parked_message/: 发送失败的消息."""

    resource_name = "parked_message"
    class_permission_name = "ParkedMessage"
    method_permission_name = {"get_list": "read", "get": "read", "resend": "write"}
    parked = True
    openapi_spec_tag = "Failed messages"
    openapi_spec_component_schemas = (MessageSchema, MessageDetailSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        **_spec(True, "messages whose retries ran out"),
        "resend": {"post": {
            "summary": "重新发送: queues the chosen parked messages again (each parked and in scope, or none: 404)",
            "requestBody": {"required": True, "content": json_content({
                "type": "object", "required": ["ids"], "properties": {"ids": array_of(_INT)}})},
            "responses": responses_of({"200": {"description": "How many were queued", "content": json_content(
                obj(count=_INT))}}, "400", "401", "403", "404"),
        }},
    }

    @expose("/resend", methods=["POST"])
    @protect()
    @safe
    @permission_name("resend")
    @answers_service_errors
    def resend(self):
        """Sends parked messages again"""
        data = request.get_json(silent=True) if request.get_data(cache=True) else {}
        if not isinstance(data, dict):
            raise MalformedRequest("Request is not a JSON object")
        ids = data.get("ids") or []
        if not isinstance(ids, list) or not all(type(i) is int for i in ids):
            raise MalformedRequest("ids must be a list of integers")
        ids = [i for i in ids if 0 < i < 2 ** 31]  # no record has another id (SQLite cannot even compare one)
        count = notifications.resend_parked(self._session, current_reach(), ids)
        return self.response(200, count=count)


class MessageTemplateApi(AppModelRestApi):
    resource_name = "message_template"
    datamodel = ScopedInterface(MessageTemplate)
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "event", "channel", "language", "subject", "active", "changed_on"]
    show_columns = ["id", "event", "channel", "language", "subject", "body", "active", "changed_on"]
    edit_columns = ["subject", "body", "active"]
    search_columns = ["event", "channel", "language", "active"]
    order_columns = ["event", "channel", "language"]
    base_order = ("event", "asc")
