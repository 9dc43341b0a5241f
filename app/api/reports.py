"""统计报表 through the REST API: /api/v1/report/ — the report history (weekly, monthly, on demand) within the
caller's scope, asking for a report on demand, following its progress, and the files.

Thin, as the case API: each endpoint reads the request and calls one service of
``app.services.notifications.report_requests``, which decides the scope (a county administrator its county;
another county is as if missing: 404) and checks the period (every problem at once: 422 with
``{"errors": [...]}``). Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import send_file, url_for
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields
from sqlalchemy import func, select

from app.adapters import storage
from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, json_object, page_number, responses_of
from app.errors import NotFound
from app.labels import REPORT_KINDS, REPORT_REQUEST_STATUSES, label
from app.models.notify import Report
from app.platform.fab import LocalDateTime, MalformedRequest, answers_service_errors, current_reach
from app.scope import OutOfScope, criterion, get_in_scope
from app.services.notifications import report_requests
from app.services.notifications.reports import XLSX_TYPE, file_name

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}


def _files(report: Report) -> dict[str, str]:
    return {fmt: url_for("ReportApi.file", report_id=report.id, fmt=fmt) for fmt in ("xlsx", "pdf")}


class ReportSchema(Schema):
    """A report of the history."""

    __component_name__ = "Report"

    id = fields.Integer()
    kind = fields.String(metadata={"description": "weekly, monthly or custom (on demand)"})
    kind_label = fields.Function(lambda r: label(REPORT_KINDS, r.kind))
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    region_id = fields.Integer(allow_none=True, metadata={"description": "the county; empty for the whole city"})
    region_name = fields.Function(lambda r: r.region.name if r.region is not None else "")
    created_on = LocalDateTime()
    xlsx_sha256 = fields.String()
    pdf_sha256 = fields.String()
    on_time_rate = fields.Function(lambda r: (r.figures or {}).get("total", {}).get("on_time_rate"),
                                   metadata={"description": "按时办结率 of the whole report (0–1), empty without "
                                                            "completed cases"})
    files = fields.Function(_files, metadata={"description": "download addresses: xlsx, pdf"})


class ReportRequestSchema(Schema):
    """A report asked for, and its progress."""

    __component_name__ = "ReportRequest"

    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    status_label = fields.Function(lambda r: label(REPORT_REQUEST_STATUSES, r.status))
    step = fields.Integer(metadata={"description": "the step reached"})
    steps = fields.Integer(metadata={"description": "the steps of a build"})
    period_start = fields.Date()
    period_end = fields.Date()
    region_id = fields.Integer(allow_none=True)
    created_on = LocalDateTime()
    finished_on = LocalDateTime(allow_none=True)
    error = fields.String()
    report_id = fields.Integer(allow_none=True, metadata={"description": "the report, once done"})
    files = fields.Function(lambda r: _files(r.report) if r.report is not None else {})


_NEW_REQUEST = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date", "description": "the first day (YYYY-MM-DD)"},
        "end": {"type": "string", "format": "date", "description": "the last day (YYYY-MM-DD), at most today; "
                                                                   "at most 366 days after the first"},
        "region_id": {"type": "integer", "nullable": True,
                      "description": "a county (a county administrator: its own); empty for the whole city"},
    },
}


_REQUEST_ANSWER = json_content(obj(id=_INT, created={"type": "boolean"}, result=ref("ReportRequest")))


class ReportApi(DeclaredApi):
    """/api/v1/report/: the report history and reports on demand."""

    resource_name = "report"
    page_size = PAGE_SIZE
    class_permission_name = "Report"
    method_permission_name = {"get_list": "read", "get": "read", "file": "read", "post": "write",
                              "get_request": "read", "retry_request": "write", "generate": "write"}
    openapi_spec_tag = "Reports"
    openapi_spec_component_schemas = (ReportSchema, ReportRequestSchema)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The report history within the caller's scope (the newest period first), and the requests "
                       "not done yet",
            "parameters": [{"in": "query", "name": "page", "required": False, "schema": {"type": "integer",
                                                                                        "minimum": 0}}],
            "responses": responses_of({"200": {"description": "The reports", "content": json_content(obj(
                count=_INT, result=array_of(ref("Report")), pending=array_of(ref("ReportRequest"))))}},
                "400", "401", "403"),
        }},
        "get": {"get": {
            "summary": "One report",
            "parameters": [in_path("report_id")],
            "responses": responses_of({"200": {"description": "The report", "content": json_content(
                obj(id=_INT, result=ref("Report")))}}, "401", "403", "404"),
        }},
        "file": {"get": {
            "summary": "The report's XLSX or PDF file",
            "parameters": [in_path("report_id"), in_path("fmt", {"type": "string", "enum": ["xlsx", "pdf"]})],
            "responses": responses_of({"200": {"description": "The file", "content": {
                XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}, "401", "403", "404"),
        }},
        "post": {"post": {
            "summary": "Asks for the report of a period and scope, built in the background (the same period and "
                       "scope while one is queued or running: that one)",
            "requestBody": {"required": True, "content": json_content(_NEW_REQUEST)},
            "responses": responses_of({"202": {"description": "The request (created: false when an equal one was "
                                                            "already under way)", "content": _REQUEST_ANSWER}},
                                    "400", "401", "403", "404", "422"),
        }},
        "retry_request": {"post": {
            "summary": "Queues a failed report request again (a request not failed is answered as it is)",
            "parameters": [in_path("request_id")],
            "responses": responses_of({"200": {"description": "The request", "content": json_content(
                obj(id=_INT, result=ref("ReportRequest")))}}, "401", "403", "404"),
        }},
        "generate": {"post": {
            "summary": "立即生成: the last complete week's or month's reports, built now where missing (the city's "
                       "and each county's in the caller's reach)",
            "parameters": [in_path("kind", {"type": "string", "enum": ["weekly", "monthly"]})],
            "responses": responses_of({"200": {"description": "The reports of the period", "content": json_content(
                obj(count=_INT, result=array_of(ref("Report"))))}}, "401", "403", "404"),
        }},
        "get_request": {"get": {
            "summary": "A report request's status and progress; once done, its report and files",
            "parameters": [in_path("request_id")],
            "responses": responses_of({"200": {"description": "The request", "content": json_content(
                obj(id=_INT, result=ref("ReportRequest")))}}, "401", "403", "404"),
        }},
    }

    def _report(self, pk: Any) -> Report:
        try:
            return get_in_scope(self._session, Report, pk, current_reach())
        except OutOfScope:
            raise NotFound() from None

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The report history"""
        page = page_number()
        reach = current_reach()
        scoped = criterion(Report, reach)
        count = self._session.scalar(select(func.count(Report.id)).where(scoped))
        items = self._session.scalars(select(Report).where(scoped).order_by(
            Report.period_start.desc(), Report.id.desc()).offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all()
        pending = report_requests.requests_seen_by(self._session, reach)
        return self.response(200, count=count, result=ReportSchema(many=True).dump(items),
                             pending=ReportRequestSchema(many=True).dump(pending))

    @expose("/<int:report_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, report_id: int):
        """One report"""
        return self.response(200, id=report_id, result=ReportSchema().dump(self._report(report_id)))

    @expose("/<int:report_id>/file/<string:fmt>", methods=["GET"])
    @protect()
    @safe
    @permission_name("file")
    @answers_service_errors
    def file(self, report_id: int, fmt: str):
        """The report's file"""
        if fmt not in ("xlsx", "pdf"):
            raise NotFound()
        report = self._report(report_id)
        answer = send_file(storage.path_of(report.xlsx_key if fmt == "xlsx" else report.pdf_key),
                           mimetype=XLSX_TYPE if fmt == "xlsx" else "application/pdf", as_attachment=True,
                           download_name=file_name(report, fmt))
        answer.headers["X-Content-SHA256"] = report.xlsx_sha256 if fmt == "xlsx" else report.pdf_sha256
        return answer

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @answers_service_errors
    def post(self):
        """Asks for a report on demand"""
        data = json_object()
        region_id = data.get("region_id")
        if region_id is not None and (isinstance(region_id, bool) or not isinstance(region_id, int)):
            raise MalformedRequest("region_id must be an integer or null")
        asked = report_requests.request_report(self._session, self._user(), data.get("start"), data.get("end"),
                                               region_id)
        return self.response(202, id=asked.request.id, created=asked.created,
                             result=ReportRequestSchema().dump(asked.request))

    @expose("/request/<int:request_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_request")
    @answers_service_errors
    def get_request(self, request_id: int):
        """A report request's progress"""
        item = report_requests.request_of(self._session, current_reach(), request_id)
        return self.response(200, id=item.id, result=ReportRequestSchema().dump(item))

    @expose("/request/<int:request_id>/retry", methods=["POST"])
    @protect()
    @safe
    @permission_name("retry_request")
    @answers_service_errors
    def retry_request(self, request_id: int):
        """Queues a failed report request again"""
        item = report_requests.retry_request(self._session, self._user(), request_id)
        return self.response(200, id=item.id, result=ReportRequestSchema().dump(item))

    @expose("/generate/<string:kind>", methods=["POST"])
    @protect()
    @safe
    @permission_name("generate")
    @answers_service_errors
    def generate(self, kind: str):
        """Builds the last complete period's reports now"""
        built = report_requests.generate_now(self._session, self._user(), kind)
        return self.response(200, count=len(built), result=ReportSchema(many=True).dump(built))
