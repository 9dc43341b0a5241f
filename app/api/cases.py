"""REST resource for cases: /api/v1/case/ — list, detail, registration, drafts, every step of the
process, the history, scans of materials and result documents.

Thin on purpose: each endpoint reads the request, calls one service and maps the answer. The services
decide (scope, sides, guards, versions); errors come back as 404 / 403 / 409 / 422 with
``{"errors": [{"field": ..., "message": ...}, ...]}`` (``answers_service_errors``). Cases are never deleted
(they are withdrawn), so there is no DELETE. One step endpoint serves every transition of ``TRANSITIONS``;
the OpenAPI description of every endpoint is declared in ``app.api.case_openapi``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import Response, current_app, request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l
from marshmallow import Schema

from app.api import case_openapi
from app.api.case_schemas import (
    CaseClockSchema,
    CaseDetailSchema,
    CaseEventSchema,
    CaseInputSchema,
    CaseListSchema,
    CaseMaterialSchema,
    CaseMessageSchema,
    CaseResultDocumentSchema,
    CaseStepSchema,
)
from app.api.declared import json_object
from app.domain import form_fields
from app.domain.privacy import PERSONAL_DATA_MASKS, AccessKind
from app.domain.workflow import TRANSITIONS
from app.errors import ServiceError, TooManyRequests
from app.labels import step_label
from app.models.case import Case
from app.platform.fab import (
    API_PERMISSIONS,
    AppModelRestApi,
    MalformedRequest,
    ScopedInterface,
    answers_service_errors,
    current_reach,
    within_rate_limit,
)
from app.scope import Reach
from app.services.calendar import load_calendar
from app.services.cases import archive, conversation
from app.services.cases import files as case_files
from app.services.cases import notices as documents
from app.services.cases.access import (
    Viewer,
    disclose,
    full_view_cases,
    full_view_reason,
    get_case,
    open_full_view,
    record_full_view,
    record_search,
)
from app.services.cases.clock import clock_view
from app.services.cases.registration import register_case, update_draft
from app.services.cases.take_step import available_steps, step_target, take_step

#: what a list shows of the applicant's identity (overviews are masked; the detail may show all)
MASKED = PERSONAL_DATA_MASKS
#: scans and result documents hold personal data: no cache keeps them
PRIVATE = {"Cache-Control": "private, no-store"}
ARCHIVE_PENDING = _l("The archive package is being prepared; try again in a moment.")
SEARCHES_LIMITED = _l("Too many searches by ID number or phone; wait a moment and try again.")


class EqualOnFullView(FilterEqual):
    """The exact match on an ID number or phone: it finds only the cases whose full data the user
    sees (those it stands on a side of), so a match never confirms a masked value (issue 9)."""

    def apply(self, query: Any, value: Any) -> Any:
        return super().apply(query, value).filter(full_view_cases(current_reach()))


class CaseApi(AppModelRestApi):
    resource_name = "case"
    datamodel = ScopedInterface(Case)
    openapi_spec_tag = "Cases"
    method_permission_name = {
        **API_PERMISSIONS,
        "step": "read",  # then the step's own permission (can_accept …), checked in the method
        "events": "read",
        "clock": "read",
        "materials": "read",
        # the conversation: the service lets the case's sides (and the city supervisor, reading) in
        "messages": "read",
        "post_message": "read",
        "download_scan": "read",
        "download_scan_version": "read",
        "download_message_file": "read",
        "download_result": "read",
        "notice": "read",
        "archive_package": "read",
        "verify_archive": "read",
        "disclosure": "disclose",  # 查看个人信息 (city supervisor)
        "upload_scan": "write",
        "supply_deferred": "write",
        "add_result": "complete",  # result documents belong to completing a case (department side)
    }
    include_route_methods = {
        "get_list", "get", "post", "put", "step", "events", "clock", "materials", "upload_scan", "download_scan",
        "supply_deferred", "add_result", "download_result", "notice", "archive_package", "verify_archive", "disclosure",
        "messages", "post_message", "download_scan_version", "download_message_file",
    }
    list_columns = [
        "id", "number", "status", "warning_level", "applicant_name", "applicant_id_number", "applicant_phone",
        "matter.name", "handling_type.name", "origin_center.name", "home_center.name", "department_name",
        "accepted_on", "process_due", "due_provisional", "version",
    ]
    search_columns = [
        "number", "status", "warning_level", "line", "applicant_name", "applicant_id_number", "applicant_phone",
        "matter", "handling_type", "origin_center", "home_center", "department", "applied_on", "accepted_on",
        "process_due", "due_provisional",
    ]
    order_columns = ["id", "number", "status", "warning_level", "applicant_name", "applied_on", "accepted_on",
                     "process_due"]
    base_order = ("id", "desc")
    #: masked columns can be looked up by their exact value only (no prefix search to guess them), by
    #: those who see them in full, among the cases they see in full; each search is logged and limited
    exact_search_only = ("applicant_id_number", "applicant_phone")
    list_model_schema = CaseListSchema()
    show_model_schema = CaseDetailSchema()
    add_model_schema = CaseInputSchema()
    edit_model_schema = CaseInputSchema(partial=True)
    openapi_spec_component_schemas = case_openapi.COMPONENT_SCHEMAS
    openapi_spec_methods = case_openapi.case_openapi()
    apispec_parameter_schemas = case_openapi.PROBLEM_SCHEMAS
    responses = {**AppModelRestApi.responses, **case_openapi.PROBLEM_RESPONSES}

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         methods: list[str] | None = None, func: Any = None, **kwargs: Any) -> None:
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        if getattr(func, "__name__", "") == "get_list" and operations and operations.get("get"):
            operations["get"]["responses"]["429"] = case_openapi.SEARCHES_LIMITED_RESPONSE

    def _init_properties(self) -> None:
        super()._init_properties()
        search = self._filters.get_search_filters()
        for column in self.exact_search_only:
            search[column] = [EqualOnFullView(f.column_name, f.datamodel)
                              for f in search.get(column, []) if f.arg_name == "eq"]

    # --- reading the request ------------------------------------------------------------------

    @property
    def _session(self) -> Any:
        return self.datamodel.session

    @staticmethod
    def _user() -> Any:
        return current_app.appbuilder.sm.current_user

    def _viewer(self) -> Viewer:
        return Viewer(self._user(), current_reach(), request.remote_addr or "", "api")

    @staticmethod
    def _body() -> dict[str, Any]:
        """The JSON object sent, a copy the endpoint may change (an empty body is an empty object)."""
        return dict(json_object())

    @staticmethod
    def _expected_version(body: dict[str, Any]) -> int | None:
        """``version`` from the body, else the ``If-Match`` header (``3``, ``"3"`` or ``W/"3"``)."""
        raw = body.pop("version", None)
        if raw is None and request.headers.get("If-Match"):
            raw = request.headers["If-Match"].strip().removeprefix("W/").strip('"')
        if raw in (None, ""):
            return None
        if isinstance(raw, bool):
            raise MalformedRequest("version must be an integer")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise MalformedRequest("version must be an integer") from None

    def _versioned_body(self) -> tuple[dict[str, Any], int | None]:
        body = self._body()
        return body, self._expected_version(body)

    @staticmethod
    def _upload() -> tuple[str, bytes]:
        """(file name, content) of the file sent as ``file``; nothing sent is an empty file the service refuses."""
        upload = request.files.get("file")
        if upload is None:
            return "", b""
        return upload.filename or "", upload.read()

    # --- answering ------------------------------------------------------------------------------

    @staticmethod
    def _masked(data: dict[str, Any]) -> dict[str, Any]:
        for name, mask in MASKED.items():
            if data.get(name):
                data[name] = mask(data[name])
        return data

    def _detail(self, case: Case, reach: Reach, full: bool) -> dict[str, Any]:
        data = self.show_model_schema.dump(case)
        if not full:
            self._masked(data)
            data["form_values"] = form_fields.masked_values(form_fields.definitions_of(case.guide.content),
                                                            data.get("form_values"))
        data["full_data"] = full
        steps = available_steps(case, self._user(), reach)
        # named and aimed as on this case (an inbound case's accept is 接收登记 and leads to received)
        data["steps"] = [dumped | {"label": str(step_label(t.name, case)), "target": str(step_target(t, case))}
                         for t, dumped in zip(steps, CaseStepSchema(many=True).dump(steps))]
        return data

    def _case_answer(self, status: int, case: Case) -> Response:
        """The case after a change: personal data masked (the logged detail shows it in full)."""
        return self.response(status, id=case.id, result=self._detail(case, current_reach(), full=False))

    def _created(self, item: Any, schema: type[Schema]) -> Response:
        return self.response(201, id=item.id, result=schema().dump(item))

    def _pending(self, message: Any) -> Response:
        """202 while a background job still prepares the file asked for."""
        return self.response(202, status="pending", message=str(message))

    @staticmethod
    def _stored_file(path: Path, name: str, content_type: str, headers: dict[str, str],
                     attachment: bool = True) -> Response:
        answer = send_file(path, mimetype=content_type, as_attachment=attachment, download_name=name)
        answer.headers.update(headers)
        return answer

    def _generated_document(self, state: Any, content_type: str, attachment: bool) -> Response:
        """A notice or archive package built by a background job, with the checksum recorded for it."""
        return self._stored_file(state.path, state.document.file_name, content_type,
                                 {"X-Content-SHA256": state.document.sha256}, attachment)

    # --- list and detail ---------------------------------------------------------------------

    def pre_get_list(self, data: dict[str, Any]) -> None:
        for row in data.get("result", []):
            self._masked(row)

    def get_list_headless(self, **kwargs: Any) -> Response:
        """The list; a search by ID number or phone is logged, refused (403, whatever the value) to
        those who see masks, and limited per user (429)."""
        filters = (kwargs.get("rison") or {}).get("filters") or []
        searched = [f for f in filters if isinstance(f, dict) and f.get("col") in self.exact_search_only]
        try:
            for search in searched:
                record_search(self._session, self._viewer(), search["col"], search.get("value", ""))
            if searched and not within_rate_limit("personal-data-search", self._user().id,
                                                  current_app.config["PERSONAL_DATA_SEARCH_LIMIT"]):
                raise TooManyRequests(SEARCHES_LIMITED)
        except ServiceError as error:
            return self.response(error.status, **error.as_dict())
        return super().get_list_headless(**kwargs)

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self, pk: int) -> Response:
        """One case with its materials, shipments, corrections, result, deadlines and possible steps"""
        viewer = self._viewer()
        case = get_case(self._session, viewer.reach, pk)
        reason = full_view_reason(self._session, viewer, case)
        data = self._detail(case, viewer.reach, reason is not None)
        if reason is not None:
            record_full_view(self._session, viewer, case, AccessKind.API, reason)
        return self.response(200, id=pk, result=data)

    @expose("/<int:pk>/disclosure", methods=["POST"])
    @protect()
    @safe
    @permission_name("disclosure")
    @answers_service_errors
    def disclosure(self, pk: int) -> Response:
        """查看个人信息: shows the case's personal data to a supervisor for a while, with a logged reason"""
        entry = disclose(self._session, self._viewer(), pk, self._body().get("reason"))
        return self.response(201, id=pk, result={"reason": entry.reason, "at": entry.at.isoformat(),
                                                 "valid_until": entry.valid_until.isoformat()})

    # --- registration and drafts ---------------------------------------------------------------

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @answers_service_errors
    def post(self) -> Response:
        """Registers a case (申报): a draft at the clerk's window"""
        body = self._body()
        body.pop("version", None)
        return self._case_answer(201, register_case(self._session, self._user(), body))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @answers_service_errors
    def put(self, pk: int) -> Response:
        """Changes a draft (only a draft)"""
        body, expected = self._versioned_body()
        return self._case_answer(200, update_draft(self._session, self._user(), pk, body, expected_version=expected))

    # --- the steps of the process --------------------------------------------------------------

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @protect()
    @safe
    @permission_name("step")
    @answers_service_errors
    def step(self, pk: int, name: str) -> Response:
        """Takes one step of the process on a case"""
        if name not in TRANSITIONS:
            return self.response_404()
        try:
            body, expected = self._versioned_body()
        except MalformedRequest:
            get_case(self._session, current_reach(), pk)  # out of scope: 404 before a 400
            raise
        return self._case_answer(200, take_step(self._session, self._user(), pk, name, body, expected_version=expected))

    @expose("/<int:pk>/events", methods=["GET"])
    @protect()
    @safe
    @permission_name("events")
    @answers_service_errors
    def events(self, pk: int) -> Response:
        """The history of a case (流转记录), oldest first"""
        case = get_case(self._session, current_reach(), pk)
        events = CaseEventSchema(many=True).dump(case.events)
        return self.response(200, id=pk, count=len(events), result=events)

    @expose("/<int:pk>/clock", methods=["GET"])
    @protect()
    @safe
    @permission_name("clock")
    @answers_service_errors
    def clock(self, pk: int) -> Response:
        """The legal clock of a case (办理时限): its figures, timeline and records"""
        case = get_case(self._session, current_reach(), pk)
        view = clock_view(load_calendar(self._session), case, date.today())
        return self.response(200, id=pk, result=CaseClockSchema().dump(view) if view is not None else None)

    # --- the conversation (沟通记录) ---------------------------------------------------------------

    @expose("/<int:pk>/messages", methods=["GET"])
    @protect()
    @safe
    @permission_name("messages")
    @answers_service_errors
    def messages(self, pk: int) -> Response:
        """The conversation of a case, oldest first"""
        thread = conversation.thread_of(self._session, self._user(), pk)
        messages = CaseMessageSchema(many=True).dump(thread.messages)
        return self.response(200, id=pk, count=len(messages), result=messages)

    @expose("/<int:pk>/messages", methods=["POST"])
    @protect()
    @safe
    @permission_name("post_message")
    @answers_service_errors
    def post_message(self, pk: int) -> Response:
        """Writes a message in the conversation of a case"""
        if request.mimetype == "multipart/form-data":
            form = request.form
            body, mentions, reply_to = form.get("body", ""), form.getlist("mentions"), form.get("reply_to")
            upload = self._upload() if request.files.get("file") is not None else None
        else:
            try:
                data = self._body()
            except MalformedRequest:
                get_case(self._session, current_reach(), pk)  # out of scope: 404 before a 400
                raise
            body, mentions, reply_to, upload = data.get("body"), data.get("mentions") or [], data.get("reply_to"), None
            if not isinstance(mentions, list):
                mentions = [mentions]
        message = conversation.post_message(self._session, self._user(), pk, body, mentions, upload, reply_to)
        return self._created(message, CaseMessageSchema)

    # --- files -----------------------------------------------------------------------------------

    @expose("/<int:pk>/materials", methods=["GET"])
    @protect()
    @safe
    @permission_name("materials")
    @answers_service_errors
    def materials(self, pk: int) -> Response:
        """The materials received for a case, with their scans"""
        case = get_case(self._session, current_reach(), pk)
        return self.response(200, id=pk, result=CaseMaterialSchema(many=True).dump(case.materials))

    @expose("/<int:pk>/materials/<int:material_id>/scan", methods=["POST"])
    @protect()
    @safe
    @permission_name("upload_scan")
    @answers_service_errors
    def upload_scan(self, pk: int, material_id: int) -> Response:
        """Stores the scan of a received material (PDF, JPEG or PNG, at most 20 MB)"""
        material = case_files.attach_scan(self._session, self._user(), pk, material_id, *self._upload())
        return self._created(material, CaseMaterialSchema)

    @expose("/<int:pk>/materials/<int:material_id>/supplied", methods=["POST"])
    @protect()
    @safe
    @permission_name("supply_deferred")
    @answers_service_errors
    def supply_deferred(self, pk: int, material_id: int) -> Response:
        """容缺: records a material accepted to follow as supplied, with its scan, by the accepting window"""
        case = case_files.supply_deferred(self._session, self._user(), pk, material_id, *self._upload())
        material = next(m for m in case.materials if m.id == material_id)
        return self._created(material, CaseMaterialSchema)

    @expose("/<int:pk>/materials/<int:material_id>/scan", methods=["GET"])
    @protect()
    @safe
    @permission_name("download_scan")
    @answers_service_errors
    def download_scan(self, pk: int, material_id: int) -> Response:
        """The stored scan of a material"""
        return self._stored_file(*case_files.scan_of(self._session, self._viewer(), pk, material_id), PRIVATE)

    @expose("/<int:pk>/scan_versions/<int:version_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("download_scan_version")
    @answers_service_errors
    def download_scan_version(self, pk: int, version_id: int) -> Response:
        """An earlier version of a material's scan"""
        return self._stored_file(*case_files.scan_version_of(self._session, self._viewer(), pk, version_id),
                                 PRIVATE)

    @expose("/<int:pk>/messages/<int:message_id>/file", methods=["GET"])
    @protect()
    @safe
    @permission_name("download_message_file")
    @answers_service_errors
    def download_message_file(self, pk: int, message_id: int) -> Response:
        """The attachment of a conversation message"""
        return self._stored_file(*conversation.message_file(self._session, self._viewer(), pk, message_id), PRIVATE)

    @expose("/<int:pk>/results", methods=["POST"])
    @protect()
    @safe
    @permission_name("add_result")
    @answers_service_errors
    def add_result(self, pk: int) -> Response:
        """Adds a result document (批准文书、证照 …) to a case"""
        document = case_files.add_result_document(self._session, self._user(), pk, *self._upload())
        return self._created(document, CaseResultDocumentSchema)

    @expose("/<int:pk>/results/<int:document_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("download_result")
    @answers_service_errors
    def download_result(self, pk: int, document_id: int) -> Response:
        """A result document of a case"""
        return self._stored_file(*case_files.result_document_of(self._session, self._viewer(), pk, document_id),
                                 PRIVATE)

    @expose("/<int:pk>/notice/<string:kind>", methods=["GET"])
    @protect()
    @safe
    @permission_name("notice")
    @answers_service_errors
    def notice(self, pk: int, kind: str) -> Response:
        """A printed notice of the case: acceptance, receipt, correction, rejection, special procedure or extension
        (of several, the newest unless ?round= names one)"""
        state = documents.notice_for(self._session, self._viewer(), pk, kind, request.args.get("round"))
        if state.pending:
            return self._pending(_l("The notice is being prepared; ask again in a few seconds."))
        answer = self._generated_document(state, "application/pdf", attachment=False)
        answer.headers.update(PRIVATE)
        return answer

    # --- the archive package -----------------------------------------------------------------------

    @expose("/<int:pk>/archive", methods=["GET"])
    @protect()
    @safe
    @permission_name("archive_package")
    @answers_service_errors
    def archive_package(self, pk: int) -> Response:
        """The archive package (ZIP with manifest.json) of an archived case"""
        viewer = self._viewer()
        case, state = archive.package_for(self._session, viewer.reach, pk)
        open_full_view(self._session, viewer, case, AccessKind.ARCHIVE, record=False)
        if state.pending:
            return self._pending(ARCHIVE_PENDING)
        if not state.path.is_file():
            return self.response_404()
        open_full_view(self._session, viewer, case, AccessKind.ARCHIVE)
        answer = self._generated_document(state, "application/zip", attachment=True)
        answer.headers.update(PRIVATE)
        return answer

    @expose("/<int:pk>/archive/verify", methods=["GET"])
    @protect()
    @safe
    @permission_name("verify_archive")
    @answers_service_errors
    def verify_archive(self, pk: int) -> Response:
        """Verifies the archive package of a case against the checksums recorded when it was built"""
        check = archive.verify_case_archive(self._session, current_reach(), pk)
        if check is None:
            return self._pending(ARCHIVE_PENDING)
        return self.response(200, id=pk, **check.as_dict())
