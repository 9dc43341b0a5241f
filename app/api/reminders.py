"""我的提醒 through the REST API: /api/v1/reminder/ — the caller's own reminders and escalations (open, or all),
one marked read, all marked read: what the My reminders page (app.views.notify.ReminderView) offers, through
the same service (``app.services.notifications.reminders``). Anyone else's reminder is 404, administrators'
too. Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, json_object, page_number, record_ids, responses_of
from app.labels import LEVEL_LABELS, MAIL_STATUSES, REMINDER_KINDS, STAGE_LABELS, label
from app.platform.fab import LocalDateTime, answers_service_errors
from app.services.cases import conversation
from app.services.notifications import reminders

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}


class ReminderSchema(Schema):
    """A reminder (提醒) or an escalation (升级) of the caller."""

    __component_name__ = "Reminder"

    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda r: (r.case.number if r.case is not None else "") or "")
    kind = fields.String(metadata={"description": "reminder, or escalation (to the administrator)"})
    kind_label = fields.Function(lambda r: label(REMINDER_KINDS, r.kind))
    stage = fields.String(metadata={"description": "the stage of the case that is due"})
    stage_label = fields.Function(lambda r: label(STAGE_LABELS, r.stage))
    level = fields.String(metadata={"description": "the warning level reached"})
    level_label = fields.Function(lambda r: label(LEVEL_LABELS, r.level))
    due_on = fields.Date(allow_none=True, metadata={"description": "the stage's due date when written"})
    precheck_due = fields.Function(lambda r: reminders.precheck_due(r) or "",
                                   metadata={"description": "a pre-check's time to answer by, if it is one"})
    created_on = LocalDateTime()
    read_on = LocalDateTime(allow_none=True)
    resolved_on = LocalDateTime(allow_none=True, metadata={"description": "when the case left that stage or level"})
    mail_status = fields.String()
    mail_status_label = fields.Function(lambda r: label(MAIL_STATUSES, r.mail_status))


_MARKED = json_content(obj(count=_INT, unread=_INT))


class ConversationNoticeSchema(Schema):
    """A notice of a message in a case's conversation (沟通记录) to the caller: posted on its side, or naming it."""

    __component_name__ = "ConversationNotice"

    id = fields.Integer()
    message_id = fields.Integer()
    case_id = fields.Function(lambda n: n.message.case_id)
    author_name = fields.Function(lambda n: n.message.author_name)
    author_place = fields.Function(lambda n: n.message.author_place)
    body = fields.Function(lambda n: n.message.body)
    mentioned = fields.Boolean(metadata={"description": "the message names the caller or its side"})
    created_on = LocalDateTime()
    read_on = LocalDateTime(allow_none=True)


class PreferenceSchema(Schema):
    """The caller's message preferences."""

    __component_name__ = "MessagePreference"

    language = fields.String(metadata={"description": "zh or en: the language of the caller's mails"})
    mail_reminders = fields.Boolean(metadata={"description": "the reminders also by mail, as a daily digest"})


_SHOW = in_query("show", {"type": "string", "enum": ["open", "all"]}, "open (the default) or all")
_PREFERENCE = json_content(obj(result=ref("MessagePreference")))


class ReminderApi(DeclaredApi):
    """/api/v1/reminder/: the caller's reminders."""

    resource_name = "reminder"
    class_permission_name = "Reminder"
    method_permission_name = {"get_list": "read", "get": "read", "mark_read": "read", "mark_all_read": "read",
                              "messages": "read", "mark_messages_read": "read", "preferences": "read",
                              "save_preferences": "read"}
    openapi_spec_tag = "My reminders"
    openapi_spec_component_schemas = (ReminderSchema, ConversationNoticeSchema, PreferenceSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The caller's reminders, the newest first: open ones (unread and still current) or all",
            "parameters": [_SHOW, in_query("page", {"type": "integer", "minimum": 0}, "the page (50), from 0")],
            "responses": responses_of({"200": {"description": "The reminders", "content": json_content(obj(
                count=_INT, unread=_INT, result=array_of(ref("Reminder"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One of the caller's reminders",
            "parameters": [in_path("reminder_id")],
            "responses": responses_of({"200": {"description": "The reminder", "content": json_content(
                obj(id=_INT, result=ref("Reminder")))}}, "401", "403", "404"),
        }},
        "mark_read": {"post": {
            "summary": "Marks one of the caller's reminders read",
            "parameters": [in_path("reminder_id")],
            "responses": responses_of({"200": {"description": "The reminder", "content": json_content(
                obj(id=_INT, unread=_INT, result=ref("Reminder")))}}, "401", "403", "404"),
        }},
        "mark_all_read": {"post": {
            "summary": "Marks all the caller's reminders read",
            "responses": responses_of({"200": {"description": "How many were marked, and how many stay unread",
                                               "content": _MARKED}}, "401", "403"),
        }},
        "messages": {"get": {
            "summary": "The notices of case conversation messages to the caller (the latest 50): unread or all",
            "parameters": [_SHOW],
            "responses": responses_of({"200": {"description": "The notices", "content": json_content(obj(
                count=_INT, unread=_INT, result=array_of(ref("ConversationNotice"))))}}, "401", "403", "422"),
        }},
        "mark_messages_read": {"post": {
            "summary": "Marks the caller's conversation notices read: those ids, or all when ids is left out",
            "requestBody": {"required": False, "content": json_content(obj(ids=array_of(_INT)))},
            "responses": responses_of({"200": {"description": "How many were marked, and how many stay unread",
                                               "content": _MARKED}}, "400", "401", "403"),
        }},
        "preferences": {"get": {
            "summary": "The caller's message preferences",
            "responses": responses_of({"200": {"description": "The preferences", "content": _PREFERENCE}},
                                      "401", "403"),
        }},
        "save_preferences": {"put": {
            "summary": "Saves the caller's message preferences (each left out: as it was)",
            "requestBody": {"required": True, "content": json_content(obj(
                language={"type": "string", "enum": ["zh", "en"]}, mail_reminders={"type": "boolean"}))},
            "responses": responses_of({"200": {"description": "The preferences", "content": _PREFERENCE}},
                                      "400", "401", "403", "422"),
        }},
    }

    def _me(self) -> int:
        return self._user().id

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The caller's reminders"""
        page = page_number()
        show = reminders.check_shown(request.args.get("show"))
        total, items = reminders.reminders_of(self._session, self._me(), show=show, page=page,
                                              page_size=PAGE_SIZE)
        return self.response(200, count=total, unread=reminders.unread_count(self._session, self._me()),
                             result=ReminderSchema(many=True).dump(items))

    @expose("/<int:reminder_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, reminder_id: int):
        """One reminder"""
        item = reminders.reminder_of(self._session, self._me(), reminder_id)
        return self.response(200, id=item.id, result=ReminderSchema().dump(item))

    @expose("/<int:reminder_id>/read", methods=["POST"])
    @protect()
    @safe
    @permission_name("mark_read")
    @answers_service_errors
    def mark_read(self, reminder_id: int):
        """Marks one reminder read"""
        item = reminders.mark_one_read(self._session, self._me(), reminder_id)
        return self.response(200, id=item.id, unread=reminders.unread_count(self._session, self._me()),
                             result=ReminderSchema().dump(item))

    @expose("/read", methods=["POST"])
    @protect()
    @safe
    @permission_name("mark_all_read")
    @answers_service_errors
    def mark_all_read(self):
        """Marks all reminders read"""
        count = reminders.mark_read(self._session, self._me(), None)
        return self.response(200, count=count, unread=reminders.unread_count(self._session, self._me()))

    @expose("/messages", methods=["GET"])
    @protect()
    @safe
    @permission_name("messages")
    @answers_service_errors
    def messages(self):
        """The caller's conversation notices"""
        show = reminders.check_shown(request.args.get("show"))
        items = conversation.notices_of(self._session, self._me(), show=show)
        return self.response(200, count=len(items), unread=conversation.unread_notice_count(self._session, self._me()),
                             result=ConversationNoticeSchema(many=True).dump(items))

    @expose("/messages/read", methods=["POST"])
    @protect()
    @safe
    @permission_name("mark_messages_read")
    @answers_service_errors
    def mark_messages_read(self):
        """Marks conversation notices read"""
        data = json_object()
        ids = data.get("ids")
        if ids is not None:
            record_ids(ids, "ids")
        count = conversation.mark_notices_read(self._session, self._me(), ids)
        return self.response(200, count=count, unread=conversation.unread_notice_count(self._session, self._me()))

    @expose("/preferences", methods=["GET"])
    @protect()
    @safe
    @permission_name("preferences")
    @answers_service_errors
    def preferences(self):
        """The caller's message preferences"""
        return self.response(200, result=PreferenceSchema().dump(reminders.preference_of(self._session, self._me())))

    @expose("/preferences", methods=["PUT"])
    @protect()
    @safe
    @permission_name("save_preferences")
    @answers_service_errors
    def save_preferences(self):
        """Saves the caller's message preferences"""
        saved = reminders.save_preference_of(self._session, self._me(), json_object())
        return self.response(200, result=PreferenceSchema().dump(saved))

