"""我的代理 (stand-ins) through the REST API: /api/v1/stand_in/ — the caller's own stand-ins (away, or
standing in; an administrator's: everybody's), naming one, ending one.

Thin, as the case API: each endpoint reads the request and calls one service of
``app.services.organisation.stand_ins``, which decides who may do what (only one's own; an administrator
everybody's) and checks a stand-in (every problem at once: 422 with ``{"errors": [...]}``). A body that is
no JSON object is 400; somebody else's stand-in is as if missing (404). Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from app.api.case_openapi import in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, json_object, responses_of
from app.platform.fab import answers_service_errors
from app.services.organisation import stand_ins

ENDED = _l("The stand-in was removed.")
#: what a stand-in takes (documentation; the service checks every field)
_FIELDS = ("stand_in_user_id", "starts_on", "ends_on", "note", "absent_user_id")


class StandInSchema(Schema):
    """A stand-in: who is away, who stands in, from when to when."""

    __component_name__ = "StandIn"

    id = fields.Integer()
    absent_user_id = fields.Integer()
    absent_name = fields.Function(lambda s: s.absent_user.name if s.absent_user else "")
    stand_in_user_id = fields.Integer()
    stand_in_name = fields.Function(lambda s: s.stand_in_user.name if s.stand_in_user else "")
    starts_on = fields.Date()
    ends_on = fields.Date()
    note = fields.String()


_STRING: dict[str, Any] = {"type": "string"}
_NEW_STAND_IN = {
    "type": "object",
    "required": ["stand_in_user_id", "starts_on", "ends_on"],
    "properties": {
        "stand_in_user_id": {"type": "integer", "description": "a colleague of the same window or department "
                                                               "with the same role"},
        "starts_on": {"type": "string", "format": "date", "description": "the first day away (YYYY-MM-DD)"},
        "ends_on": {"type": "string", "format": "date", "description": "the last day away (YYYY-MM-DD)"},
        "note": {"type": "string", "maxLength": stand_ins.NOTE_LENGTH},
        "absent_user_id": {"type": "integer", "description": "who is away: an administrator only (everybody "
                                                             "else names their own stand-in)"},
    },
}


class StandInApi(DeclaredApi):
    """/api/v1/stand_in/: the caller's stand-ins (我的代理)."""

    resource_name = "stand_in"
    class_permission_name = "StandIn"
    method_permission_name = {"get_list": "read", "post": "write", "delete": "write"}
    openapi_spec_tag = "Stand-ins"
    openapi_spec_component_schemas = (StandInSchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The caller's stand-ins (away, or standing in); an administrator's: everybody's",
            "responses": responses_of({"200": {"description": "The stand-ins, the latest first", "content":
                json_content(obj(count={"type": "integer"}, result={"type": "array", "items": ref("StandIn")}))}},
                "401", "403"),
        }},
        "post": {"post": {
            "summary": "Names a stand-in for the caller (an administrator: for anybody)",
            "requestBody": {"required": True, "content": json_content(_NEW_STAND_IN)},
            "responses": responses_of({"201": {"description": "The stand-in named", "content": json_content(
                obj(id={"type": "integer"}, result=ref("StandIn")))}}, "400", "401", "403", "422"),
        }},
        "delete": {"delete": {
            "summary": "Ends (removes) one of the caller's stand-ins; somebody else's is 404",
            "parameters": [in_path("stand_in_id")],
            "responses": responses_of({"200": {"description": "Removed", "content": json_content(
                obj(message=_STRING))}}, "401", "403", "404"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The caller's stand-ins"""
        rows = StandInSchema(many=True).dump(stand_ins.stand_ins_seen_by(self._session, self._user()))
        return self.response(200, count=len(rows), result=rows)

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @answers_service_errors
    def post(self):
        """Names a stand-in"""
        data = json_object()
        values = {name: data.get(name) for name in _FIELDS}
        record = stand_ins.save_stand_in(self._session, self._user(), values)
        return self.response(201, id=record.id, result=StandInSchema().dump(record))

    @expose("/<int:stand_in_id>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    @answers_service_errors
    def delete(self, stand_in_id: int):
        """Ends a stand-in"""
        stand_ins.delete_stand_in(self._session, self._user(), stand_in_id)
        return self.response(200, message=str(ENDED))
