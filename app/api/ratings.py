"""好差评 and 整改 through the REST API, as the 评价 and 差评整改 pages (app.views.ratings) offer them:

* /api/v1/rating/ — the ratings within the caller's scope with the page's filters, one rating, the XLSX export;
* /api/v1/rectification/ — the rectifications with their due days and warnings, one with its history, the
  commands of its page (回访, 整改措施, 整改完成, 申诉, the city supervisor's decision on an appeal) and the XLSX
  export.

Thin: the lists are ``app.services.ratings.listing``'s, the commands ``app.services.ratings.rectifications``'
(every problem at once: 422; another county's record: 404; a role that may not: 403), the exports
``app.services.ratings.export``'s. The permissions are the pages' (``Rating``, ``Rectification``).
Documented in /api/v1/_openapi.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from flask import request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, json_object, page_number, responses_of
from app.labels import (
    APPEAL_OUTCOME_LABELS,
    RATING_CHANNEL_LABELS,
    RATING_LEVEL_LABELS,
    RATING_TAG_LABELS,
    RECTIFICATION_EVENT_LABELS,
    RECTIFICATION_STATUS_LABELS,
    WARNING_LABELS,
    label,
)
from app.models.rating import Rating, Rectification
from app.platform.fab import LocalDateTime, answers_service_errors, current_reach
from app.services.ratings import export, listing
from app.services.ratings import rectifications as commands

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_DAY: dict[str, Any] = {"type": "string", "format": "date"}
_XLSX = {export.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}


class RatingSchema(Schema):
    """An applicant's rating of a case (好差评)."""

    __component_name__ = "Rating"

    id = fields.Integer()
    number = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    matter_name = fields.String()
    center_id = fields.Integer()
    center_name = fields.Function(lambda r: r.center.name)
    county_id = fields.Integer()
    county_name = fields.Function(lambda r: r.county.name)
    level = fields.Integer(metadata={"description": "5 very satisfied … 1 very dissatisfied"})
    level_label = fields.Function(lambda r: label(RATING_LEVEL_LABELS, r.level))
    tags = fields.List(fields.String())
    tag_labels = fields.Function(lambda r: [label(RATING_TAG_LABELS, t) for t in r.tags or []])
    comment = fields.String()
    channel = fields.String()
    channel_label = fields.Function(lambda r: label(RATING_CHANNEL_LABELS, r.channel))
    rated_at = LocalDateTime()
    excluded = fields.Boolean(metadata={"description": "not counted: an appeal against it was upheld"})
    rectification_id = fields.Function(lambda r: r.rectification.id if r.rectification is not None else None)


class RectificationEventSchema(Schema):
    """A step of a rectification's history."""

    __component_name__ = "RectificationEvent"

    seq = fields.Integer()
    action = fields.String()
    action_label = fields.Function(lambda e: label(RECTIFICATION_EVENT_LABELS, e.action))
    at = LocalDateTime()
    actor_name = fields.String()
    note = fields.String()


class RectificationSchema(Schema):
    """The rectification of a poor rating (差评整改)."""

    __component_name__ = "Rectification"

    id = fields.Integer()
    rating_id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    matter_name = fields.String()
    center_id = fields.Integer()
    center_name = fields.Function(lambda r: r.center.name)
    county_id = fields.Integer()
    level = fields.Integer()
    level_label = fields.Function(lambda r: label(RATING_LEVEL_LABELS, r.level))
    status = fields.String(metadata={"description": "open, appealed, closed or voided"})
    status_label = fields.Function(lambda r: label(RECTIFICATION_STATUS_LABELS, r.status))
    opened_on = fields.Date()
    due_on = fields.Date()
    warning_level = fields.String()
    warning_label = fields.Function(lambda r: label(WARNING_LABELS, r.warning_level))
    callback_at = LocalDateTime(allow_none=True)
    callback_contact = fields.String()
    callback_note = fields.String()
    actions = fields.String()
    closed_at = LocalDateTime(allow_none=True)
    appeal_reason = fields.String()
    appealed_at = LocalDateTime(allow_none=True)
    appeal_outcome = fields.String()
    appeal_outcome_label = fields.Function(lambda r: label(APPEAL_OUTCOME_LABELS, r.appeal_outcome))
    appeal_note = fields.String()
    appeal_decided_at = LocalDateTime(allow_none=True)


class RectificationDetailSchema(RectificationSchema):
    """A rectification with its history."""

    __component_name__ = "RectificationDetail"

    events = fields.List(fields.Nested(RectificationEventSchema))



def _page_parameter() -> dict[str, Any]:
    return in_query("page", {"type": "integer", "minimum": 0}, "the page (50), from 0")


def _choice_parameters(choices: dict[str, tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [in_query(name, {"type": "string", "enum": list(values)}, name.replace("_", " "))
            for name, values in choices.items()]


def _day_parameters(days: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    return [in_query(name, _DAY, f"{column.replace('_', ' ')} {'from' if bound == '>=' else 'until'} (YYYY-MM-DD)")
            for name, (column, bound) in days.items()]


class RatingApi(DeclaredApi):
    """/api/v1/rating/: 评价."""

    resource_name = "rating"
    class_permission_name = "Rating"
    method_permission_name = {"get_list": "read", "get": "read", "export_xlsx": "read"}
    openapi_spec_tag = "Ratings"
    openapi_spec_component_schemas = (RatingSchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The ratings within the caller's scope, the newest first, with the page's filters",
            "parameters": [_page_parameter(), *_choice_parameters(listing.RATING_CHOICES),
                           *_day_parameters(listing.RATING_DAYS)],
            "responses": responses_of({"200": {"description": "The ratings", "content": json_content(obj(
                count=_INT, result=array_of(ref("Rating"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One rating",
            "parameters": [in_path("rating_id")],
            "responses": responses_of({"200": {"description": "The rating", "content": json_content(
                obj(id=_INT, result=ref("Rating")))}}, "401", "403", "404"),
        }},
        "export_xlsx": {"get": {
            "summary": "The ratings within the caller's scope as XLSX (好差评明细)",
            "responses": responses_of({"200": {"description": "The file", "content": _XLSX}}, "401", "403"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The ratings"""
        page = page_number()
        total, rows = listing.ratings_in(self._session, current_reach(), request.args, offset=page * PAGE_SIZE,
                                         limit=PAGE_SIZE)
        return self.response(200, count=total, result=RatingSchema(many=True).dump(rows))

    @expose("/<int:rating_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, rating_id: int):
        """One rating"""
        item = listing.record_in(self._session, current_reach(), Rating, rating_id)
        return self.response(200, id=item.id, result=RatingSchema().dump(item))

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("export_xlsx")
    @answers_service_errors
    def export_xlsx(self):
        """The ratings as XLSX"""
        return _xlsx("ratings")


def _xlsx(which: str):
    from flask import current_app

    data = export.export_xlsx(current_app.appbuilder.session, current_reach(), which)
    return send_file(io.BytesIO(data), mimetype=export.XLSX_TYPE, as_attachment=True,
                     download_name=export.file_name(which))


def _command_body(*names: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    properties = {name: {**_STRING, **({"description": "YYYY-MM-DD HH:MM (empty: now)"} if name == "called_at"
                                       else {"enum": ["upheld", "rejected"]} if name == "outcome" else {})}
                  for name in names}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": json_content(schema)}


_COMMANDS: dict[str, tuple[str, Any, tuple[str, ...]]] = {
    "callback": ("回访: records the call back to the applicant", commands.record_callback,
                 ("called_at", "contact", "note")),
    "measures": ("整改措施: records the measures taken", commands.record_actions, ("actions",)),
    "close": ("整改完成: closes the rectification (needs the call back and the measures)", commands.close,
              ("actions", "note")),
    "appeal": ("申诉: appeals against the rating to the city supervisor", commands.appeal, ("reason",)),
    "decide": ("The city supervisor's decision on an appeal", commands.decide_appeal, ("outcome", "note")),
}


def _command_spec(name: str) -> dict[str, Any]:
    summary, _, names = _COMMANDS[name]
    return {"post": {
        "summary": summary,
        "parameters": [in_path("rectification_id")],
        "requestBody": _command_body(*names),
        "responses": responses_of({"200": {"description": "The rectification", "content": json_content(
            obj(id=_INT, result=ref("RectificationDetail")))}}, "400", "401", "403", "404", "409", "422"),
    }}


class RectificationApi(DeclaredApi):
    """/api/v1/rectification/: 差评整改."""

    resource_name = "rectification"
    class_permission_name = "Rectification"
    method_permission_name = {"get_list": "read", "get": "read", "export_xlsx": "read", "callback": "write",
                              "measures": "write", "close": "write", "appeal": "write", "decide": "decide"}
    openapi_spec_tag = "Rectifications"
    openapi_spec_component_schemas = (RectificationEventSchema, RectificationSchema, RectificationDetailSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The rectifications within the caller's scope, the soonest due first, with the page's filters",
            "parameters": [_page_parameter(), *_choice_parameters(listing.RECTIFICATION_CHOICES),
                           *_day_parameters(listing.RECTIFICATION_DAYS)],
            "responses": responses_of({"200": {"description": "The rectifications", "content": json_content(obj(
                count=_INT, result=array_of(ref("Rectification"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One rectification with its history",
            "parameters": [in_path("rectification_id")],
            "responses": responses_of({"200": {"description": "The rectification", "content": json_content(
                obj(id=_INT, result=ref("RectificationDetail")))}}, "401", "403", "404"),
        }},
        "export_xlsx": {"get": {
            "summary": "The rectifications within the caller's scope as XLSX (差评整改台账)",
            "responses": responses_of({"200": {"description": "The file", "content": _XLSX}}, "401", "403"),
        }},
        **{name: _command_spec(name) for name in _COMMANDS},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The rectifications"""
        page = page_number()
        total, rows = listing.rectifications_in(self._session, current_reach(), request.args,
                                                offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        return self.response(200, count=total, result=RectificationSchema(many=True).dump(rows))

    @expose("/<int:rectification_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, rectification_id: int):
        """One rectification"""
        item = listing.record_in(self._session, current_reach(), Rectification, rectification_id)
        return self.response(200, id=item.id, result=RectificationDetailSchema().dump(item))

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("export_xlsx")
    @answers_service_errors
    def export_xlsx(self):
        """The rectifications as XLSX"""
        return _xlsx("rectifications")

    def _run(self, name: str, rectification_id: int):
        data = json_object()
        _, command, names = _COMMANDS[name]
        command(self._session, self._user(), rectification_id, {key: data.get(key) for key in names})
        item = listing.record_in(self._session, current_reach(), Rectification, rectification_id)
        return self.response(200, id=item.id, result=RectificationDetailSchema().dump(item))

    @expose("/<int:rectification_id>/callback", methods=["POST"])
    @protect()
    @safe
    @permission_name("callback")
    @answers_service_errors
    def callback(self, rectification_id: int):
        """Records the call back"""
        return self._run("callback", rectification_id)

    @expose("/<int:rectification_id>/measures", methods=["POST"])
    @protect()
    @safe
    @permission_name("measures")
    @answers_service_errors
    def measures(self, rectification_id: int):
        """Records the measures"""
        return self._run("measures", rectification_id)

    @expose("/<int:rectification_id>/close", methods=["POST"])
    @protect()
    @safe
    @permission_name("close")
    @answers_service_errors
    def close(self, rectification_id: int):
        """Closes the rectification"""
        return self._run("close", rectification_id)

    @expose("/<int:rectification_id>/appeal", methods=["POST"])
    @protect()
    @safe
    @permission_name("appeal")
    @answers_service_errors
    def appeal(self, rectification_id: int):
        """Appeals against the rating"""
        return self._run("appeal", rectification_id)

    @expose("/<int:rectification_id>/decide", methods=["POST"])
    @protect()
    @safe
    @permission_name("decide")
    @answers_service_errors
    def decide(self, rectification_id: int):
        """Decides an appeal"""
        return self._run("decide", rectification_id)
