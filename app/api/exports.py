"""我的导出 through the REST API: /api/v1/export/ — the caller's own export jobs (the work ledger's, the audit
export's), the progress of one, its file once done, and another try of a failed one: what the My exports page
(app.views.exports) offers, through the same service (``app.services.exports.jobs``). A job is its owner's
only: anyone else's, an administrator's included, is 404. Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import send_file, url_for
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, in_path, json_content, obj, ref
from app.api.declared import DeclaredApi, responses_of
from app.labels import EXPORT_STATUSES, EXPORT_SUBJECTS, label
from app.models.exports import ExportJob, ExportStatus
from app.platform.fab import LocalDateTime, answers_service_errors
from app.services.exports import jobs as exports

_INT: dict[str, Any] = {"type": "integer"}


def _file_url(job: ExportJob) -> str | None:
    return url_for("ExportJobApi.file", job_id=job.id) if job.status == ExportStatus.DONE else None


class ExportJobSchema(Schema):
    """A background export of the caller, with its progress."""

    __component_name__ = "ExportJob"

    id = fields.Integer()
    subject = fields.String(metadata={"description": "ledger or audit"})
    subject_label = fields.Function(lambda j: label(EXPORT_SUBJECTS, j.subject))
    kind = fields.String(metadata={"description": "xlsx or pdf"})
    description = fields.String(metadata={"description": "the filter, as a text"})
    status = fields.String(metadata={"description": "queued, running, done, failed or expired"})
    status_label = fields.Function(lambda j: label(EXPORT_STATUSES, j.status))
    percent = fields.Integer(metadata={"description": "the progress (0–100)"})
    progress_rows = fields.Integer()
    total_rows = fields.Integer(allow_none=True)
    active = fields.Boolean(metadata={"description": "queued or running"})
    file_name = fields.String()
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    error = fields.String()
    created_on = LocalDateTime()
    finished_on = LocalDateTime(allow_none=True)
    file_url = fields.Function(_file_url, allow_none=True,
                               metadata={"description": "the download address, once done"})


_ONE = json_content(obj(id=_INT, result=ref("ExportJob")))


class ExportJobApi(DeclaredApi):
    """/api/v1/export/: the caller's export jobs."""

    resource_name = "export"
    class_permission_name = "Export"
    method_permission_name = {"get_list": "read", "get": "read", "file": "read", "retry": "read"}
    openapi_spec_tag = "My exports"
    openapi_spec_component_schemas = (ExportJobSchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The caller's export jobs, the newest first (the latest 50)",
            "responses": responses_of({"200": {"description": "The jobs", "content": json_content(obj(
                count=_INT, result=array_of(ref("ExportJob"))))}}, "401", "403"),
        }},
        "get": {"get": {
            "summary": "One of the caller's export jobs and its progress",
            "parameters": [in_path("job_id")],
            "responses": responses_of({"200": {"description": "The job", "content": _ONE}}, "401", "403", "404"),
        }},
        "file": {"get": {
            "summary": "The finished export's file (404 until it is done, and once it expired)",
            "parameters": [in_path("job_id")],
            "responses": responses_of({"200": {"description": "The file", "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in exports.CONTENT_TYPES.values()}}}, "401", "403", "404"),
        }},
        "retry": {"post": {
            "summary": "Queues a failed export again (a job that did not fail is answered as it is)",
            "parameters": [in_path("job_id")],
            "responses": responses_of({"202": {"description": "The job", "content": _ONE}}, "401", "403", "404"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The caller's export jobs"""
        jobs = exports.jobs_of(self._session, self._user())
        return self.response(200, count=len(jobs), result=ExportJobSchema(many=True).dump(jobs))

    @expose("/<int:job_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, job_id: int):
        """One export job"""
        job = exports.job_of(self._session, self._user(), job_id)
        return self.response(200, id=job.id, result=ExportJobSchema().dump(job))

    @expose("/<int:job_id>/file", methods=["GET"])
    @protect()
    @safe
    @permission_name("file")
    @answers_service_errors
    def file(self, job_id: int):
        """The export's file"""
        path, name, content_type = exports.job_file(self._session, self._user(), job_id)
        return send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)

    @expose("/<int:job_id>/retry", methods=["POST"])
    @protect()
    @safe
    @permission_name("retry")
    @answers_service_errors
    def retry(self, job_id: int):
        """Queues a failed export again"""
        job = exports.retry_job(self._session, self._user(), job_id)
        return self.response(202, id=job.id, result=ExportJobSchema().dump(job))
