"""The catalog and the work calendar as files through the REST API (issue 15, API parity): what the pages
/catalog/ (CatalogTransferView) and /calendar/ (CalendarTransferView) do, with the same permissions
(CatalogTransfer, WorkCalendar) and the same service functions.

* /api/v1/catalog/export, /api/v1/catalog/template: the catalog within the caller's scope as a workbook, the blank
  import template (both with the sheet 表单字段);
* /api/v1/catalog/import: a workbook sent as ``file`` (multipart); every problem at once (422, each with its
  ``row`` and column as ``field``), nothing imported on any problem;
* /api/v1/work_calendar/{year}/export, /api/v1/work_calendar/import: a year's work calendar as XLSX, and the
  import of a holiday-cn JSON or our XLSX file (the same checks).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, ClassVar

from flask import request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l

from app.api.case_openapi import BINARY, FILE_BODY, array_of, in_path, json_content, obj
from app.api.declared import DeclaredApi, responses_of
from app.errors import Problem, ValidationFailed
from app.platform.fab import answers_service_errors, current_reach
from app.services import calendar as calendar_service
from app.services.catalog import transfer as catalog_transfer
from app.web import forget_calendar_warning

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_ANSWER = {XLSX: {"schema": BINARY}}
_CODES = array_of({"type": "string"})
_INT: dict[str, Any] = {"type": "integer"}


def _uploaded() -> tuple[str, bytes]:
    """(file name, content) of the file sent as ``file``; none sent: 422, as the page's message."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed([Problem("file", _l("Choose a file to import."))])
    return upload.filename, upload.read()


def _xlsx(data: bytes, name: str) -> Any:
    return send_file(BytesIO(data), as_attachment=True, mimetype=XLSX, download_name=name)


class CatalogTransferApi(DeclaredApi):
    """/api/v1/catalog/: the catalog as a workbook (export, template, import)."""

    resource_name = "catalog"
    class_permission_name = "CatalogTransfer"
    method_permission_name = {"export": "read", "template": "read", "upload": "write"}
    openapi_spec_tag = "Catalog transfer"
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "export": {"get": {
            "summary": "The catalog within the caller's scope as a workbook (事项清单, 填写说明, 表单字段), as the "
                       "page's export; it imports back unchanged",
            "responses": responses_of({"200": {"description": "The workbook", "content": _XLSX_ANSWER}},
                                      "401", "403"),
        }},
        "template": {"get": {
            "summary": "The blank import template (an example matter, the instructions and the sheet 表单字段)",
            "responses": responses_of({"200": {"description": "The workbook", "content": _XLSX_ANSWER}},
                                      "401", "403"),
        }},
        "upload": {"post": {
            "summary": "Imports a catalog workbook sent as `file`: every problem at once (each with its row and "
                       "column), nothing imported on any problem; a matter whose guide changed gets a new version",
            "requestBody": FILE_BODY,
            "responses": responses_of({"200": {"description": "What the import did", "content": json_content(obj(
                created=_CODES, updated=_CODES, unchanged=_CODES, new_versions=_INT))}},
                "400", "401", "403", "422"),
        }},
    }

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("export")
    @answers_service_errors
    def export(self):
        """The catalog as a workbook"""
        return _xlsx(catalog_transfer.export_catalog(self._session, current_reach()), "kytb-catalog.xlsx")

    @expose("/template", methods=["GET"])
    @protect()
    @safe
    @permission_name("template")
    @answers_service_errors
    def template(self):
        """The blank import template"""
        return _xlsx(catalog_transfer.template(self._session), "kytb-catalog-template.xlsx")

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    @permission_name("upload")
    @answers_service_errors
    def upload(self):
        """Imports a catalog workbook"""
        _, data = _uploaded()
        result = catalog_transfer.import_catalog(self._session, data, current_reach())
        return self.response(200, created=result.created, updated=result.updated, unchanged=result.unchanged,
                             new_versions=result.new_versions)


class CalendarTransferApi(DeclaredApi):
    """/api/v1/work_calendar/: a year's work calendar as a file, and its import."""

    resource_name = "work_calendar"
    class_permission_name = "WorkCalendar"
    method_permission_name = {"export": "read", "upload": "write"}
    openapi_spec_tag = "Work calendar transfer"
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "export": {"get": {
            "summary": "The work calendar of a year (its holidays and working weekend days) as XLSX, as the page's "
                       "export; it imports back unchanged",
            "parameters": [in_path("year", {"type": "integer", "minimum": 1, "maximum": 9999})],
            "responses": responses_of({"200": {"description": "The workbook", "content": _XLSX_ANSWER}},
                                      "401", "403", "404"),
        }},
        "upload": {"post": {
            "summary": "Imports a year sent as `file` (a holiday-cn .json or our .xlsx): it replaces the year as a "
                       "whole; every problem at once, nothing changed on any problem",
            "requestBody": FILE_BODY,
            "responses": responses_of({"200": {"description": "The year imported and its exception days",
                                               "content": json_content(obj(year=_INT, count=_INT))}},
                                      "400", "401", "403", "422"),
        }},
    }

    @expose("/<int:year>/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("export")
    @answers_service_errors
    def export(self, year: int):
        """A year's work calendar as XLSX"""
        if not 1 <= year <= 9999:
            return self.response_404()
        return _xlsx(calendar_service.export_year_xlsx(self._session, year), f"work-calendar-{year}.xlsx")

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    @permission_name("upload")
    @answers_service_errors
    def upload(self):
        """Imports a year's work calendar"""
        filename, data = _uploaded()
        year, count = calendar_service.import_year_file(self._session, filename, data, current_reach())
        forget_calendar_warning()  # as the page: the warning about a year not imported yet goes
        return self.response(200, year=year, count=count)
