"""REST resource for cases: /api/v1/case/ — list, detail, registration, drafts, every step of the
process, the history, scans of materials and result documents.

Thin on purpose: each endpoint reads the request, calls one service and maps the answer. The services
decide (scope, sides, guards, versions); errors come back as 404 / 403 / 409 / 422 with
``{"errors": [{"field": ..., "message": ...}, ...]}``. Cases are never deleted (they are withdrawn), so
there is no DELETE. The step endpoint and its OpenAPI description are derived from ``TRANSITIONS``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from flask import current_app, request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l

from app.api.case_schemas import (
    KIND_SCHEMA,
    CaseDetailSchema,
    CaseEventSchema,
    CaseInputSchema,
    CaseListSchema,
    CaseMaterialSchema,
    CaseResultDocumentSchema,
    CaseStepSchema,
)
from app.domain.privacy import mask_id_number, mask_phone
from app.domain.workflow import TRANSITIONS
from app.errors import Forbidden, ServiceError
from app.models.case import Case
from app.scope import Reach
from app.services.cases import files as case_files
from app.services.cases import notices as documents
from app.services.cases.access import get_case, may_see_full_data, record_full_view
from app.services.cases.registration import register_case, update_draft
from app.services.cases.take_step import available_steps, take_step
from app.platform.fab import API_PERMISSIONS, AppModelRestApi, ScopedInterface, current_reach

#: what a list shows of the applicant's identity (overviews are masked; the detail may show all)
MASKED = {"applicant_id_number": mask_id_number, "applicant_phone": mask_phone, "mail_phone": mask_phone}


def _step_openapi() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "version": {"type": "integer", "description": "the version you read (or send If-Match)"}}
    lines = []
    for t in TRANSITIONS.values():
        described = []
        for spec in t.fields:
            properties.setdefault(spec.name, dict(KIND_SCHEMA[spec.kind]))
            if spec.choices:
                properties[spec.name]["enum"] = list(spec.choices)
            described.append(spec.name + ("*" if spec.required else ""))
        sources = ", ".join(sorted(t.sources))
        lines.append(f"- `{t.name}` ({sources} → {t.target}): {', '.join(described) or '–'}")
    return {"post": {
        "description": "Takes one step of the process. The body holds that step's fields (* = required):\n\n"
                       + "\n".join(lines),
        "parameters": [
            {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}},
            {"in": "path", "name": "name", "required": True, "schema": {"type": "string", "enum": list(TRANSITIONS)}},
            {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
             "description": "the version you read"},
        ],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": properties}}}},
    }}


# --- the resource -------------------------------------------------------------------------------


def _answers_service_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(self: CaseApi, *args: Any, **kwargs: Any) -> Any:
        try:
            return f(self, *args, **kwargs)
        except ServiceError as error:
            return self._service_error(error)

    return wrapper


class BadRequestBody(Exception):
    pass


class CaseApi(AppModelRestApi):
    resource_name = "case"
    class_permission_name = "Case"
    datamodel = ScopedInterface(Case)
    openapi_spec_tag = "Cases"
    method_permission_name = {
        **API_PERMISSIONS,
        "step": "read",  # then the step's own permission (can_accept …), checked in the method
        "events": "read",
        "materials": "read",
        "download_scan": "read",
        "download_result": "read",
        "notice": "read",
        "archive_package": "read",
        "verify_archive": "read",
        "upload_scan": "write",
        "add_result": "complete",  # result documents belong to completing a case (department side)
    }
    include_route_methods = {
        "get_list", "get", "post", "put", "step", "events", "materials", "upload_scan", "download_scan",
        "add_result", "download_result", "notice", "archive_package", "verify_archive",
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
    #: masked columns can be looked up by their exact value only (no prefix search to guess them)
    exact_search_only = ("applicant_id_number", "applicant_phone")
    list_model_schema = CaseListSchema()
    show_model_schema = CaseDetailSchema()
    add_model_schema = CaseInputSchema()
    edit_model_schema = CaseInputSchema(partial=True)
    openapi_spec_component_schemas = (CaseEventSchema, CaseMaterialSchema, CaseResultDocumentSchema)
    openapi_spec_methods = {"step": _step_openapi()}
    #: our answers to refused requests: ``{"errors": [{"field", "message"}, ...]}``
    apispec_parameter_schemas = {
        "CaseProblems": {"type": "object", "properties": {"errors": {"type": "array", "items": {
            "type": "object", "properties": {"field": {"type": "string", "nullable": True},
                                             "message": {"type": "string"}}}}}},
    }
    responses = {
        **AppModelRestApi.responses,
        "CaseConflict": {
            "description": "Not allowed in the case's current status (the message names it and what is possible), "
                           "or changed by someone else meanwhile",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseProblems"}}},
        },
        "CaseInvalid": {
            "description": "Every problem with the request, at once",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseProblems"}}},
        },
    }

    def _init_properties(self) -> None:
        super()._init_properties()
        search = self._filters.get_search_filters()
        for column in self.exact_search_only:
            search[column] = [f for f in search.get(column, []) if f.arg_name == "eq"]

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _session(self) -> Any:
        return self.datamodel.session

    @staticmethod
    def _user() -> Any:
        return current_app.appbuilder.sm.current_user

    @staticmethod
    def _body() -> dict[str, Any]:
        """The JSON object sent (an empty body is an empty object)."""
        if not request.get_data(cache=True):
            return {}
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequestBody("Request is not a JSON object")
        return dict(data)

    @staticmethod
    def _expected_version(body: dict[str, Any]) -> int | None:
        """``version`` from the body, else the ``If-Match`` header (``3``, ``"3"`` or ``W/"3"``)."""
        raw = body.pop("version", None)
        if raw is None and request.headers.get("If-Match"):
            raw = request.headers["If-Match"].strip().removeprefix("W/").strip('"')
        if raw in (None, ""):
            return None
        if isinstance(raw, bool):
            raise BadRequestBody("version must be an integer")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise BadRequestBody("version must be an integer") from None

    def _detail(self, case: Case, reach: Reach, full: bool) -> dict[str, Any]:
        data = self.show_model_schema.dump(case)
        if not full:
            for name, mask in MASKED.items():
                if data.get(name):
                    data[name] = mask(data[name])
        data["full_data"] = full
        data["steps"] = CaseStepSchema(many=True).dump(available_steps(case, self._user(), reach))
        return data

    def _case_answer(self, status: int, case: Case) -> Any:
        """The case after a change: personal data masked (the logged detail shows it in full)."""
        return self.response(status, id=case.id, result=self._detail(case, current_reach(), full=False))

    def _file(self, path: Any, name: str, content_type: str) -> Any:
        answer = send_file(path, mimetype=content_type, as_attachment=True, download_name=name)
        answer.headers["Cache-Control"] = "private, no-store"
        return answer

    @staticmethod
    def _upload() -> tuple[str, bytes]:
        upload = request.files.get("file")
        if upload is None:
            return "", b""
        return upload.filename or "", upload.read()

    # --- list and detail ---------------------------------------------------------------------

    def pre_get_list(self, data: dict[str, Any]) -> None:
        for row in data.get("result", []):
            for name, mask in MASKED.items():
                if row.get(name):
                    row[name] = mask(row[name])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @_answers_service_errors
    def get(self, pk: int) -> Any:
        """One case with its materials, shipments, corrections, result, deadlines and possible steps
        ---
        get:
          description: >-
            The case in the caller's scope (404 otherwise). Its windows and its department see the
            applicant's full identity number and phone, and each such view is logged; everybody else
            sees them masked.
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          responses:
            200:
              description: The case
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        reach = current_reach()
        case = get_case(self._session, reach, pk)
        full = may_see_full_data(reach, case)
        data = self._detail(case, reach, full)
        if full:
            record_full_view(self._session, self._user(), case, request.remote_addr or "", channel="api")
        return self.response(200, id=pk, result=data)

    # --- registration and drafts ---------------------------------------------------------------

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @_answers_service_errors
    def post(self) -> Any:
        """Registers a case (申报): a draft at the clerk's window
        ---
        post:
          description: >-
            Every problem is listed at once (422). The answer holds the case with masked personal data.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
          responses:
            201:
              description: The draft case
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            422:
              $ref: '#/components/responses/CaseInvalid'
        """
        try:
            body = self._body()
        except BadRequestBody as error:
            return self.response_400(str(error))
        body.pop("version", None)
        return self._case_answer(201, register_case(self._session, self._user(), body))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @_answers_service_errors
    def put(self, pk: int) -> Any:
        """Changes a draft (only a draft)
        ---
        put:
          description: >-
            The fields sent replace the draft's values; `version` (or If-Match) makes a stale write
            answer 409.
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          - in: header
            name: If-Match
            schema:
              type: string
            required: false
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.put'
          responses:
            200:
              description: The changed draft
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/CaseConflict'
            422:
              $ref: '#/components/responses/CaseInvalid'
        """
        try:
            body = self._body()
            expected = self._expected_version(body)
        except BadRequestBody as error:
            return self.response_400(str(error))
        return self._case_answer(200, update_draft(self._session, self._user(), pk, body, expected_version=expected))

    # --- the steps of the process --------------------------------------------------------------

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @protect()
    @safe
    @permission_name("step")
    @_answers_service_errors
    def step(self, pk: int, name: str) -> Any:
        """Takes one step of the process on a case
        ---
        post:
          responses:
            200:
              description: The case after the step
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/CaseConflict'
            422:
              $ref: '#/components/responses/CaseInvalid'
        """
        if name not in TRANSITIONS:
            return self.response_404()
        try:
            body = self._body()
            expected = self._expected_version(body)
        except BadRequestBody as error:
            get_case(self._session, current_reach(), pk)  # out of scope: 404 before a 400
            return self.response_400(str(error))
        case = take_step(self._session, self._user(), pk, name, body, expected_version=expected)
        return self._case_answer(200, case)

    @expose("/<int:pk>/events", methods=["GET"])
    @protect()
    @safe
    @permission_name("events")
    @_answers_service_errors
    def events(self, pk: int) -> Any:
        """The history of a case (流转记录), oldest first
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          responses:
            200:
              description: Every event of the case, in order
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      count:
                        type: integer
                      result:
                        type: array
                        items:
                          $ref: '#/components/schemas/CaseEvent'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        case = get_case(self._session, current_reach(), pk)
        events = CaseEventSchema(many=True).dump(case.events)
        return self.response(200, id=pk, count=len(events), result=events)

    # --- files -----------------------------------------------------------------------------------

    @expose("/<int:pk>/materials", methods=["GET"])
    @protect()
    @safe
    @permission_name("materials")
    @_answers_service_errors
    def materials(self, pk: int) -> Any:
        """The materials received for a case, with their scans
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          responses:
            200:
              description: The materials, by number
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        type: array
                        items:
                          $ref: '#/components/schemas/CaseMaterial'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        case = get_case(self._session, current_reach(), pk)
        return self.response(200, id=pk, result=CaseMaterialSchema(many=True).dump(case.materials))

    @expose("/<int:pk>/materials/<int:material_id>/scan", methods=["POST"])
    @protect()
    @safe
    @permission_name("upload_scan")
    @_answers_service_errors
    def upload_scan(self, pk: int, material_id: int) -> Any:
        """Stores the scan of a received material (PDF, JPEG or PNG, at most 20 MB)
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          - in: path
            schema:
              type: integer
            name: material_id
            required: true
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file:
                      type: string
                      format: binary
          responses:
            201:
              description: The material with its scan
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/CaseMaterial'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/CaseConflict'
            422:
              $ref: '#/components/responses/CaseInvalid'
        """
        filename, data = self._upload()
        material = case_files.attach_scan(self._session, self._user(), pk, material_id, filename, data)
        return self.response(201, id=material.id, result=CaseMaterialSchema().dump(material))

    @expose("/<int:pk>/materials/<int:material_id>/scan", methods=["GET"])
    @protect()
    @safe
    @permission_name("download_scan")
    @_answers_service_errors
    def download_scan(self, pk: int, material_id: int) -> Any:
        """The stored scan of a material
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          - in: path
            schema:
              type: integer
            name: material_id
            required: true
          responses:
            200:
              description: The file as stored
              content:
                application/pdf:
                  schema:
                    type: string
                    format: binary
                image/jpeg:
                  schema:
                    type: string
                    format: binary
                image/png:
                  schema:
                    type: string
                    format: binary
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        return self._file(*case_files.scan_of(self._session, self._user(), pk, material_id))

    @expose("/<int:pk>/results", methods=["POST"])
    @protect()
    @safe
    @permission_name("add_result")
    @_answers_service_errors
    def add_result(self, pk: int) -> Any:
        """Adds a result document (批准文书、证照 …) to a case
        ---
        post:
          description: >-
            By the case's department (or the window that records an outside department's result).
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file:
                      type: string
                      format: binary
          responses:
            201:
              description: The stored document
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/CaseResultDocument'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/CaseConflict'
            422:
              $ref: '#/components/responses/CaseInvalid'
        """
        filename, data = self._upload()
        document = case_files.add_result_document(self._session, self._user(), pk, filename, data)
        return self.response(201, id=document.id, result=CaseResultDocumentSchema().dump(document))

    @expose("/<int:pk>/results/<int:document_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("download_result")
    @_answers_service_errors
    def download_result(self, pk: int, document_id: int) -> Any:
        """A result document of a case
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          - in: path
            schema:
              type: integer
            name: document_id
            required: true
          responses:
            200:
              description: The file as stored
              content:
                application/pdf:
                  schema:
                    type: string
                    format: binary
                image/jpeg:
                  schema:
                    type: string
                    format: binary
                image/png:
                  schema:
                    type: string
                    format: binary
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        return self._file(*case_files.result_document_of(self._session, self._user(), pk, document_id))

    @expose("/<int:pk>/notice/<string:kind>", methods=["GET"])
    @protect()
    @safe
    @permission_name("notice")
    @_answers_service_errors
    def notice(self, pk: int, kind: str) -> Any:
        """A printed notice of the case: acceptance, correction (newest round unless ?round=) or rejection
        ---
        get:
          description: >-
            The PDF once its background job has rendered it; 202 with a short status while it is being
            prepared; 404 when the case is out of scope or cannot have that notice.
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          - in: path
            schema:
              type: string
              enum: [acceptance, correction, rejection]
            name: kind
            required: true
          - in: query
            schema:
              type: integer
            name: round
            required: false
          responses:
            200:
              description: The notice
              content:
                application/pdf:
                  schema:
                    type: string
                    format: binary
            202:
              description: Being prepared
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      status:
                        type: string
                        enum: [pending]
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        state = documents.notice_for(self._session, current_reach(), pk, kind, request.args.get("round"))
        if state.pending:
            return self.response(202, status="pending",
                                 message=str(_l("The notice is being prepared; ask again in a few seconds.")))
        answer = send_file(state.path, mimetype="application/pdf", as_attachment=False,
                           download_name=state.document.file_name)
        answer.headers["X-Content-SHA256"] = state.document.sha256
        return answer

    # --- the archive package -----------------------------------------------------------------------

    @expose("/<int:pk>/archive", methods=["GET"])
    @protect()
    @safe
    @permission_name("archive_package")
    @_answers_service_errors
    def archive_package(self, pk: int) -> Any:
        """The archive package (ZIP with manifest.json) of an archived case
        ---
        get:
          description: >-
            The package once its background job has built it (header X-Content-SHA256: its recorded
            checksum); 202 while it is being built; 403 for those who may read the case but not its full
            data (only its windows and department download it); 404 when the case is out of scope or not
            archived.
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          responses:
            200:
              description: The package
              content:
                application/zip:
                  schema:
                    type: string
                    format: binary
            202:
              description: Being built
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      status:
                        type: string
                        enum: [pending]
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        from app.services.cases import archive

        reach = current_reach()
        case, state = archive.package_for(self._session, reach, pk)
        if not may_see_full_data(reach, case):
            raise Forbidden(_l("The archive package holds the applicant's full data: only the windows and the "
                               "department of the case download it."))
        if state.pending:
            return self.response(202, status="pending",
                                 message=str(_l("The archive package is being prepared; try again in a moment.")))
        if not state.path.is_file():
            return self.response_404()
        record_full_view(self._session, self._user(), case, request.remote_addr or "", "api")
        answer = send_file(state.path, mimetype="application/zip", as_attachment=True,
                           download_name=state.document.file_name)
        answer.headers["X-Content-SHA256"] = state.document.sha256
        return answer

    @expose("/<int:pk>/archive/verify", methods=["GET"])
    @protect()
    @safe
    @permission_name("verify_archive")
    @_answers_service_errors
    def verify_archive(self, pk: int) -> Any:
        """Verifies the archive package of a case against the checksums recorded when it was built
        ---
        get:
          description: >-
            Recomputes the SHA-256 of the package and of every file its manifest lists; `valid` is true
            when all match. 202 while the package is being built; 404 when the case is out of scope or
            not archived.
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
            required: true
          responses:
            200:
              description: The result of the check
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      valid:
                        type: boolean
                      case_number:
                        type: string
                      sha256:
                        type: string
                      stored_sha256:
                        type: string
                      files:
                        type: integer
                      problems:
                        type: array
                        items:
                          type: string
                      checked_on:
                        type: string
                        format: date-time
            202:
              description: Being built
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        from app.services.cases import archive

        check = archive.verify_case_archive(self._session, current_reach(), pk)
        if check is None:
            return self.response(202, status="pending",
                                 message=str(_l("The archive package is being prepared; try again in a moment.")))
        return self.response(200, id=pk, **check.as_dict())
