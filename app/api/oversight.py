"""The oversight pages through the REST API, through the pages' own services:

* /api/v1/reconciliation/ — 对账发现 (app.views.reconciliation): the findings within the caller's scope, by kind,
  open or resolved, and county, with the last run;
* /api/v1/access_log/ — 个人信息访问日志 (app.views.access_log): the entries, by who, what, channel and day;
* /api/v1/audit/ — 审计导出 (app.views.audit): one case's audit XLSX at once, a period's as a background job under
  我的导出 (202, its progress at /api/v1/export/<id>). Each export is an entry of the access log.

Permissions are the pages' (``ReconciliationFinding``, ``AccessLog``, ``Audit``); a record out of scope is 404;
every problem at once: 422. Documented in /api/v1/_openapi.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from flask import request, send_file, url_for
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, json_object, page_number, responses_of
from app.api.exports import ExportJobSchema
from app.domain.reconciliation import FindingKind
from app.labels import ACCESS_KINDS, label
from app.platform.fab import LocalDateTime, MalformedRequest, answers_service_errors, current_reach
from app.services import reconciliation
from app.services.audit import access_log
from app.services.audit import export as audit
from app.services.cases.access import Viewer
from app.services.reconciliation.labels import ADVICE, describe, kind_label

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_DAY: dict[str, Any] = {"type": "string", "format": "date"}
_XLSX = {audit.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}



def _page_parameter() -> dict[str, Any]:
    return in_query("page", {"type": "integer", "minimum": 0}, "the page, from 0")


class ReconciliationFindingSchema(Schema):
    """A finding of the daily reconciliation of both ends."""

    __component_name__ = "ReconciliationFinding"

    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda f: kind_label(f.kind))
    description = fields.Function(lambda f: describe(f.kind, f.detail), metadata={"description": "the facts"})
    advice = fields.Function(lambda f: str(ADVICE.get(f.kind, "")), metadata={"description": "what to do"})
    is_open = fields.Boolean()
    case_id = fields.Integer(allow_none=True)
    case_number = fields.Function(lambda f: (f.case.number or "") if f.case is not None else "")
    center_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    county_id = fields.Integer(allow_none=True)
    first_found_on = fields.Date()
    last_seen_on = fields.Date()
    resolved_on = fields.Date(allow_none=True)


class ReconciliationApi(DeclaredApi):
    """/api/v1/reconciliation/: 对账发现."""

    resource_name = "reconciliation"
    class_permission_name = "ReconciliationFinding"
    method_permission_name = {"get_list": "read"}
    openapi_spec_tag = "Reconciliation findings"
    openapi_spec_component_schemas = (ReconciliationFindingSchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The findings within the caller's scope (open ones by default), with the last run",
            "parameters": [
                _page_parameter(),
                in_query("kind", {"type": "string", "enum": [k.value for k in FindingKind]},
                         "the kind (the system's own: for those who reach everything)"),
                in_query("state", {"type": "string", "enum": list(reconciliation.STATES)}, "open (default), "
                                                                                          "resolved or all"),
                in_query("county_id", {"type": "integer", "minimum": 1}, "the county")],
            "responses": responses_of({"200": {"description": "The findings", "content": json_content(obj(
                count=_INT, result=array_of(ref("ReconciliationFinding")),
                last_run={**obj(ran_at=_STRING, day=_DAY, counts={"type": "object"}), "nullable": True,
                          "description": "the latest reconciliation run (empty before the first)"}))}},
                "400", "401", "403", "422"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The findings"""
        page, reach = page_number(), current_reach()
        chosen = reconciliation.checked_filters(reach, request.args)
        total, items = reconciliation.findings(self._session, reach, **chosen, page=page, page_size=PAGE_SIZE)
        run = reconciliation.last_run(self._session)
        last = None if run is None else {"ran_at": run.ran_at.isoformat(sep=" ", timespec="seconds"),
                                         "day": run.day.isoformat(), "counts": run.counts if reach.everything else {}}
        return self.response(200, count=total, result=ReconciliationFindingSchema(many=True).dump(items),
                             last_run=last)


class AccessLogEntrySchema(Schema):
    """An entry of the access log of personal data."""

    __component_name__ = "AccessLogEntry"

    id = fields.Integer()
    at = LocalDateTime()
    username = fields.String()
    address = fields.String()
    channel = fields.String(metadata={"description": "web, api or job"})
    kind = fields.String(metadata={"description": "what was seen"})
    kind_label = fields.Function(lambda e: label(ACCESS_KINDS, e.kind))
    case_id = fields.Integer(allow_none=True)
    case_number = fields.Function(lambda e: (e.case.number or "") if e.case is not None else "")
    detail = fields.String()
    reason = fields.String()
    valid_until = LocalDateTime(allow_none=True)


class AccessLogApi(DeclaredApi):
    """/api/v1/access_log/: 个人信息访问日志."""

    resource_name = "access_log"
    class_permission_name = "AccessLog"
    method_permission_name = {"get_list": "read", "get": "read"}
    openapi_spec_tag = "Personal data access log"
    openapi_spec_component_schemas = (AccessLogEntrySchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The access log, the newest first, with the page's filters",
            "parameters": [
                _page_parameter(), in_query("username", _STRING, "a part of the user name"),
                in_query("kind", {"type": "string", "enum": list(access_log.KINDS)}, "what was seen"),
                in_query("channel", {"type": "string", "enum": list(access_log.CHANNELS)}, "web, api or job"),
                in_query("at_from", _DAY, "from this day"), in_query("at_to", _DAY, "until this day")],
            "responses": responses_of({"200": {"description": "The entries", "content": json_content(obj(
                count=_INT, result=array_of(ref("AccessLogEntry"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One entry",
            "parameters": [in_path("log_entry_id")],
            "responses": responses_of({"200": {"description": "The entry", "content": json_content(
                obj(id=_INT, result=ref("AccessLogEntry")))}}, "401", "403", "404"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The access log"""
        page = page_number()
        total, rows = access_log.entries(self._session, current_reach(), request.args, offset=page * PAGE_SIZE,
                                         limit=PAGE_SIZE)
        return self.response(200, count=total, result=AccessLogEntrySchema(many=True).dump(rows))

    @expose("/<int:log_entry_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, log_entry_id: int):
        """One entry"""
        item = access_log.entry(self._session, current_reach(), log_entry_id)
        return self.response(200, id=item.id, result=AccessLogEntrySchema().dump(item))


class AuditApi(DeclaredApi):
    """/api/v1/audit/: 审计导出."""

    resource_name = "audit"
    class_permission_name = "Audit"
    method_permission_name = {"case_export": "read", "period": "read"}
    openapi_spec_tag = "Audit export"
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "case_export": {"get": {
            "summary": "One case's history and access log as XLSX (logged in the access log)",
            "parameters": [in_path("case_id")],
            "responses": responses_of({"200": {"description": "The file", "content": _XLSX}}, "401", "403", "404"),
        }},
        "period": {"post": {
            "summary": "The history and access log of a period as XLSX, made in the background under My exports",
            "requestBody": {"required": True, "content": json_content({
                "type": "object", "required": ["start", "end"], "properties": {
                    "start": {**_DAY, "description": "the first day"},
                    "end": {**_DAY, "description": "the last day, at most today; at most 366 days after the first"},
                    "region_id": {"type": "integer", "nullable": True,
                                  "description": "a county (a county administrator: its own); empty: the city"}}})},
            "responses": responses_of({"202": {"description": "The export job; follow it at progress_url",
                                               "content": json_content(obj(id=_INT, progress_url=_STRING,
                                                                           result=ref("ExportJob")))}},
                                      "400", "401", "403", "404", "422"),
        }},
    }

    @expose("/case/<int:case_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("case_export")
    @answers_service_errors
    def case_export(self, case_id: int):
        """One case's audit export"""
        viewer = Viewer(self._user(), current_reach(), request.remote_addr or "", "api")
        made = audit.case_audit(self._session, viewer, case_id)
        return send_file(io.BytesIO(made.data), mimetype=made.content_type, as_attachment=True,
                         download_name=made.name, max_age=0)

    @expose("/period", methods=["POST"])
    @protect()
    @safe
    @permission_name("period")
    @answers_service_errors
    def period(self):
        """A period's audit export"""
        data = json_object()
        region_id = data.get("region_id")
        if region_id is not None and (isinstance(region_id, bool) or not isinstance(region_id, int)):
            raise MalformedRequest("region_id must be an integer or null")
        job = audit.request_period_audit(self._session, self._user(), data.get("start"), data.get("end"), region_id)
        progress = url_for("ExportJobApi.get", job_id=job.id)
        answer = self.response(202, id=job.id, progress_url=progress, result=ExportJobSchema().dump(job))
        answer.headers["Location"] = progress
        return answer
