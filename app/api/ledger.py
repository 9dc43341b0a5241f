"""工作台账 through the REST API: /api/v1/ledger/ — the work ledger's rows within the caller's scope, with the
filters of the ledger screen (app.views.ledger), one row, its remarks edited by hand (the screen's edit) and
the export the screen's 导出XLSX / 导出PDF buttons make.

Thin, as the screen: the rows and their filter are ``app.services.exports.ledger``'s (the rows the export
holds), the remarks are saved by ``app.services.cases.ledger.edit_remarks`` through the same records rule as
the screen's form, the export is ``app.services.exports.jobs``'s: small ones answer the file at once (200),
large ones the background job under 我的导出 (202, its progress at /api/v1/export/<id>). The permissions are
the screen's (``Ledger``; exporting also needs ``Export``'s read, as on the screen). A row out of scope is
404; every problem of a request at once: 422 with ``{"errors": [...]}``. Documented in /api/v1/_openapi.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from flask import current_app, request, send_file, url_for
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, in_query, json_object, page_number, responses_of
from app.api.exports import ExportJobSchema
from app.domain.privacy import mask_phone
from app.labels import STATUS_LABELS
from app.platform.fab import LocalDateTime, answers_service_errors, current_reach
from app.services.cases import ledger as ledger_rows
from app.services.exports import jobs as exports
from app.services.exports import ledger as ledger_export
from app.services.exports.ledger import API_FILTERS, LedgerFilter

PAGE_SIZE = 50
_INT: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_FILTER_TEXTS = {
    "date_from": "the first day (YYYY-MM-DD)",
    "date_to": "the last day (YYYY-MM-DD)",
    "center_id": "the window (a county or the city reads several)",
    "handling_type_name": "the handling type, exactly (跨省通办 …)",
    "matter_name": "a part of the matter's name",
    "applicant_name": "a part of the applicant's name",
}
_FILTER_SCHEMAS = {name: ({"type": "string", "format": "date"} if name.startswith("date") else
                          {"type": "integer", "minimum": 1} if name == "center_id" else _STRING)
                   for name in API_FILTERS}


class LedgerEntrySchema(Schema):
    """A row of the work ledger (附件3), as the screen shows it: the phone masked."""

    __component_name__ = "LedgerEntry"

    id = fields.Integer()
    entry_date = fields.Date(metadata={"description": "日期"})
    case_id = fields.Integer()
    case_number = fields.String(metadata={"description": "编号: the case's number"})
    center_id = fields.Integer(metadata={"description": "the window whose ledger the row is"})
    center_name = fields.Function(lambda e: e.center.name if e.center is not None else "")
    role = fields.String(metadata={"description": "origin or home: the window's end of the case"})
    applicant_name = fields.String()
    applicant_phone = fields.Function(lambda e: mask_phone(e.applicant_phone),
                                      metadata={"description": "masked, as on the screen"})
    handling_type_name = fields.String()
    region_name = fields.String(metadata={"description": "通办具体地区: the other end's region"})
    matter_name = fields.String()
    handler_name = fields.String(metadata={"description": "经办人"})
    case_status = fields.String()
    case_status_label = fields.Function(lambda e: str(STATUS_LABELS.get(e.case_status, e.case_status)))
    remarks = fields.String(metadata={"description": "备注: the only column typed by hand"})
    supplementary = fields.Function(lambda e: ledger_export.supplementary_text(e.case), metadata={
        "description": "补充信息: the case's extra form fields, \"label：value；label：value\" (an ID number or phone "
                       "among them masked, as the phone)"})
    changed_on = LocalDateTime()


_EXPORT_BODY = {
    "type": "object",
    "required": ["kind"],
    "properties": {"kind": {"type": "string", "enum": ["xlsx", "pdf"]},
                   **{name: {**_FILTER_SCHEMAS[name], "description": text} for name, text in _FILTER_TEXTS.items()}},
}
_EXPORT_TYPES = {content_type: {"schema": {"type": "string", "format": "binary"}}
                 for content_type in exports.CONTENT_TYPES.values()}


def _filter_parameters() -> list[dict[str, Any]]:
    return [in_query(name, _FILTER_SCHEMAS[name], text) for name, text in _FILTER_TEXTS.items()]


class LedgerApi(DeclaredApi):
    """/api/v1/ledger/: the work ledger."""

    resource_name = "ledger"
    class_permission_name = "Ledger"
    method_permission_name = {"get_list": "read", "get": "read", "put": "write", "export": "read"}
    openapi_spec_tag = "Work ledger"
    openapi_spec_component_schemas = (LedgerEntrySchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The ledger rows within the caller's scope and the screen's filters, the newest day first",
            "parameters": [in_query("page", {"type": "integer", "minimum": 0}, "the page (50 rows), from 0"),
                           *_filter_parameters()],
            "responses": responses_of({"200": {"description": "The rows", "content": json_content(obj(
                count=_INT, result=array_of(ref("LedgerEntry"))))}}, "400", "401", "403", "422"),
        }},
        "get": {"get": {
            "summary": "One ledger row",
            "parameters": [in_path("entry_id")],
            "responses": responses_of({"200": {"description": "The row", "content": json_content(
                obj(id=_INT, result=ref("LedgerEntry")))}}, "401", "403", "404"),
        }},
        "put": {"put": {
            "summary": "Edits the row's remarks (备注), the only column typed by hand (the window's clerks)",
            "parameters": [in_path("entry_id")],
            "requestBody": {"required": True, "content": json_content(
                {"type": "object", "required": ["remarks"], "properties": {"remarks": _STRING}})},
            "responses": responses_of({"200": {"description": "The row", "content": json_content(
                obj(id=_INT, result=ref("LedgerEntry")))}}, "400", "401", "403", "404", "422"),
        }},
        "export": {"post": {
            "summary": "Exports the ledger rows of the filter as XLSX or PDF (导出): a small export is answered "
                       "at once; a large one becomes a background job under My exports",
            "requestBody": {"required": True, "content": json_content(_EXPORT_BODY)},
            "responses": responses_of({
                "200": {"description": "The file (a small export)", "content": _EXPORT_TYPES},
                "202": {"description": "The background job; follow it at progress_url", "content": json_content(
                    obj(id=_INT, progress_url=_STRING, result=ref("ExportJob")))},
            }, "400", "401", "403", "404", "422"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The ledger rows"""
        page = page_number()
        flt = LedgerFilter.from_fields(request.args)
        reach = current_reach()
        count = ledger_export.count_rows(self._session, reach, flt)
        rows = ledger_export.entries(self._session, reach, flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        return self.response(200, count=count, result=LedgerEntrySchema(many=True).dump(rows))

    @expose("/<int:entry_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, entry_id: int):
        """One ledger row"""
        entry = ledger_rows.ledger_entry(self._session, current_reach(), entry_id)
        return self.response(200, id=entry.id, result=LedgerEntrySchema().dump(entry))

    @expose("/<int:entry_id>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @answers_service_errors
    def put(self, entry_id: int):
        """Edits a row's remarks"""
        data = json_object()
        entry = ledger_rows.edit_remarks(self._session, current_reach(), entry_id, data.get("remarks"))
        return self.response(200, id=entry.id, result=LedgerEntrySchema().dump(entry))

    @expose("/export", methods=["POST"])
    @protect()
    @safe
    @permission_name("export")
    @answers_service_errors
    def export(self):
        """Exports the ledger"""
        if not current_app.appbuilder.sm.has_access("can_read", "Export"):
            return self.response_403()
        data = json_object()
        result = exports.request_ledger_export_of(self._session, self._user(), data,
                                                  address=request.remote_addr or "", channel="api")
        if isinstance(result, exports.ExportFile):
            return send_file(io.BytesIO(result.data), mimetype=result.content_type, as_attachment=True,
                             download_name=result.name, max_age=0)
        progress = url_for("ExportJobApi.get", job_id=result.id)
        answer = self.response(202, id=result.id, progress_url=progress, result=ExportJobSchema().dump(result))
        answer.headers["Location"] = progress
        return answer

    @staticmethod
    def json_object() -> dict[str, Any]:
        data = json_object()
        return data
