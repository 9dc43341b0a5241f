"""The registration directory for a clerk's API client: /api/v1/registration_directory/.

What the registration page's pickers offer (``CaseRegisterView.options``), for a client that registers cases
through POST /api/v1/case/: the receiving windows (the clerk's own, and windows outside the system that mail
cases to it), the matters and handling types the clerk may register, the home windows and approving
departments that take the chosen matter and handling type, and the fields required now. Each choice narrows the
next: ``matter``, ``handling_type``, ``origin_center``, ``home_center`` (ids from an earlier answer).

``registration_options`` is the authority, for the page and for this resource alike; the registration itself
checks everything again. Same scope as the page (the clerk's own window) and the same refusals: an id the
directory does not offer is 404, as on the page; a role that registers nothing is 403 (Case ``can_write``, the
page's permission).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.api.case_openapi import json_content, obj
from app.api.declared import DeclaredApi, in_query, responses_of
from app.platform.fab import answers_service_errors
from app.services.cases.registration_options import registration_options

_INTEGER: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_BOOLEAN: dict[str, Any] = {"type": "boolean"}
_REGION = obj(id=_INTEGER, code={"type": "string", "nullable": True}, name=_STRING)
_NAMED = obj(id=_INTEGER, code=_STRING, name=_STRING)
_WINDOW = obj(id=_INTEGER, code=_STRING, name=_STRING, external=_BOOLEAN, region=_REGION,
              county={**_REGION, "nullable": True}, address=_STRING, postcode=_STRING, phone=_STRING,
              hotline=_STRING, hours=_STRING)
_MATTER = obj(id=_INTEGER, code=_STRING, name=_STRING, line=_STRING, promised_limit_days=_INTEGER,
              handling_type_ids={"type": "array", "items": _INTEGER})
_DEPARTMENT = obj(id=_INTEGER, name=_STRING, short_name=_STRING, line=_STRING, region=_REGION,
                  county={**_REGION, "nullable": True}, center_id={"type": "integer", "nullable": True},
                  phone=_STRING, address=_STRING)
_DIRECTORY = obj(
    origin_centers={"type": "array", "items": _WINDOW,
                    "description": "the receiving windows: the clerk's own first, then those outside the system"},
    matters={"type": "array", "items": _MATTER, "description": "the published matters the clerk may register"},
    handling_types={"type": "array", "items": _NAMED,
                    "description": "the handling types of the matter that cover the receiving window"},
    home_centers={"type": "array", "items": _WINDOW,
                  "description": "the home windows that take the matter and handling type"},
    departments={"type": "array", "items": _DEPARTMENT,
                 "description": "the approving departments of the matter's line in the home window's county"},
    required={"type": "array", "items": _STRING,
              "description": "the fields of POST /api/v1/case/ required with these choices"},
)


def _region(region: Any) -> dict[str, Any] | None:
    return None if region is None else {"id": region.id, "code": region.code, "name": region.name}


def _window(center: Any) -> dict[str, Any]:
    return {"id": center.id, "code": center.code, "name": center.name, "external": center.external,
            "region": _region(center.region), "county": _region(center.region.county), "address": center.address,
            "postcode": center.postcode, "phone": center.phone, "hotline": center.hotline, "hours": center.hours}


def directory_of(offered: Any) -> dict[str, Any]:
    """The answer: every choice with what a form needs of it."""
    return {
        "origin_centers": [_window(c) for c in offered.origins],
        "matters": [{"id": m.id, "code": m.code, "name": m.name, "line": m.line,
                     "promised_limit_days": m.promised_limit_days,
                     "handling_type_ids": sorted(t.id for t in m.handling_types)} for m in offered.matters],
        "handling_types": [{"id": t.id, "code": t.code, "name": t.name} for t in offered.handling_types],
        "home_centers": [_window(c) for c in offered.homes],
        "departments": [{"id": d.id, "name": d.name, "short_name": d.short_name, "line": d.line,
                         "region": _region(d.region), "county": _region(d.region.county), "center_id": d.center_id,
                         "phone": d.phone, "address": d.address} for d in offered.departments],
        "required": list(offered.required),
    }


#: query parameter → the choice of ``registration_options`` it names
CHOICES = {"origin_center": "origin_center_id", "matter": "matter_id", "handling_type": "handling_type_id",
           "home_center": "home_center_id"}


class RegistrationDirectoryApi(DeclaredApi):
    """/api/v1/registration_directory/: what a clerk may register, and where."""

    resource_name = "registration_directory"
    class_permission_name = "Case"
    method_permission_name: ClassVar[dict[str, str]] = {"get": "write"}
    openapi_spec_tag = "Registration directory"
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get": {"get": {
            "summary": "What the clerk may register and where: matters, handling types, home windows, departments "
                       "and the fields required, narrowed by the choices so far (as the registration page's pickers)",
            "parameters": [
                in_query("matter", _INTEGER, "the matter chosen (narrows the handling types, windows, departments)"),
                in_query("handling_type", _INTEGER, "the handling type chosen (narrows the home windows)"),
                in_query("origin_center", _INTEGER, "the receiving window: the clerk's own (the default) or a "
                                                    "window outside the system that mailed the case"),
                in_query("home_center", _INTEGER, "the home window chosen (narrows the departments)"),
            ],
            "responses": responses_of({"200": {"description": "The directory", "content": json_content(_DIRECTORY)}},
                                      "401", "403", "404"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self):
        """What the clerk may register and where"""
        chosen = {name: request.args.get(parameter) for parameter, name in CHOICES.items()}
        return self.response(200, **directory_of(registration_options(self._session, self._user(), **chosen)))
