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
from marshmallow import Schema, fields

from app.domain.privacy import mask_id_number, mask_phone
from app.domain.workflow import TRANSITIONS, FieldKind, Status, transitions_for
from app.errors import Forbidden, ServiceError
from app.models.case import Case
from app.scope import Reach
from app.services import case_files
from app.services.cases import (
    case_sides,
    get_case,
    may_see_full_data,
    record_full_view,
    register_case,
    sides_of,
    update_draft,
)
from app.services.case_labels import STATUS_LABELS, TRANSITION_LABELS
from app.services.transitions import perform
from app.views.base import API_PERMISSIONS, AppModelRestApi, ScopedInterface, current_reach

#: what a list shows of the applicant's identity (overviews are masked; the detail may show all)
MASKED = {"applicant_id_number": mask_id_number, "applicant_phone": mask_phone, "mail_phone": mask_phone}


# --- what the API answers (marshmallow schemas: dumped here, documented in the OpenAPI spec) -----


class _Whole(fields.Nested):
    """A nested object made of the parent's own attributes (groups flat columns in the answer)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class CaseMatterSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class CaseGuideSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()


class CaseCenterSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    external = fields.Boolean()


class CaseDepartmentSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class CaseMaterialSchema(Schema):
    __component_name__ = "CaseMaterial"

    id = fields.Integer()
    seq = fields.Integer()
    requirement_seq = fields.Integer(allow_none=True)
    name = fields.String()
    copies = fields.Integer()
    form = fields.String(metadata={"description": "original / copy / scan"})
    received = fields.Boolean()
    verified = fields.Boolean()
    note = fields.String()
    has_scan = fields.Function(lambda m: bool(m.scan_key), metadata={"type": "boolean"})
    scan_name = fields.String(allow_none=True)
    scan_size = fields.Integer(allow_none=True)
    scan_content_type = fields.String(allow_none=True)
    scan_sha256 = fields.String(allow_none=True)
    scan_uploaded_on = fields.DateTime(allow_none=True)


class CaseShipmentSchema(Schema):
    id = fields.Integer()
    direction = fields.String(metadata={"description": "materials / supplement / result"})
    carrier = fields.String()
    waybill_number = fields.String()
    from_center = fields.Nested(CaseCenterSchema, allow_none=True)
    to_center = fields.Nested(CaseCenterSchema, allow_none=True)
    to_address = fields.String()
    sent_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    note = fields.String()


class CaseCorrectionItemSchema(Schema):
    seq = fields.Integer()
    name = fields.String()
    reason = fields.String()


class CaseCorrectionSchema(Schema):
    id = fields.Integer()
    round = fields.Integer()
    requested_on = fields.Date()
    requested_by_name = fields.String()
    materials_received_on = fields.Date(allow_none=True)
    supplied_on = fields.Date(allow_none=True)
    note = fields.String()
    items = fields.List(fields.Nested(CaseCorrectionItemSchema))


class CaseResultDocumentSchema(Schema):
    __component_name__ = "CaseResultDocument"

    id = fields.Integer()
    name = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()
    uploaded_on = fields.DateTime()


class CaseResultSchema(Schema):
    decision = fields.String(attribute="result", allow_none=True, metadata={"description": "approved / denied"})
    note = fields.String(attribute="result_note")
    documents = fields.List(fields.Nested(CaseResultDocumentSchema), attribute="result_documents")


class CaseDeadlinesSchema(Schema):
    dispatch_due = fields.Date(allow_none=True)
    process_due = fields.Date(allow_none=True)
    delivery_due = fields.Date(allow_none=True)
    current_due = fields.Date(allow_none=True)
    due_provisional = fields.Boolean(metadata={"description": "a due date runs through a year without calendar data"})
    paused_days = fields.Integer()
    warning_level = fields.String(metadata={"description": "none / yellow / red"})


class CaseStepFieldSchema(Schema):
    name = fields.String()
    kind = fields.String(metadata={"description": ", ".join(k.value for k in FieldKind)})
    required = fields.Boolean()
    choices = fields.List(fields.String())


class CaseStepSchema(Schema):
    name = fields.String()
    label = fields.Function(lambda t: str(TRANSITION_LABELS[t.name]), metadata={"type": "string"})
    target = fields.String()
    dangerous = fields.Boolean()
    step_fields = fields.List(fields.Nested(CaseStepFieldSchema), attribute="fields", data_key="fields")


class CaseDetailSchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    counterpart_number = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: str(STATUS_LABELS[c.status]), metadata={"type": "string"})
    version = fields.Integer(metadata={"description": "send it back (body `version` or `If-Match`) to change the case"})
    line = fields.String()
    matter = fields.Nested(CaseMatterSchema)
    guide = fields.Nested(CaseGuideSchema)
    handling_type = fields.Nested(CaseMatterSchema)
    origin_center = fields.Nested(CaseCenterSchema)
    home_center = fields.Nested(CaseCenterSchema)
    department = fields.Nested(CaseDepartmentSchema, allow_none=True)
    department_name = fields.String()
    full_data = fields.Boolean(metadata={"description": "false: identity number and phones are masked"})
    applicant_kind = fields.String()
    applicant_name = fields.String()
    applicant_id_type = fields.String()
    applicant_id_number = fields.String()
    applicant_phone = fields.String()
    applicant_email = fields.String()
    applicant_address = fields.String()
    applicant_postcode = fields.String()
    delivery_method = fields.String(metadata={"description": "pickup / mail"})
    mail_recipient = fields.String()
    mail_phone = fields.String()
    mail_address = fields.String()
    mail_postcode = fields.String()
    fee_note = fields.String()
    remarks = fields.String()
    applied_on = fields.Date()
    registered_on = fields.DateTime()
    accepted_on = fields.Date(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    delivered_on = fields.Date(allow_none=True)
    archived_on = fields.Date(allow_none=True)
    closed_reason = fields.String()
    deadlines = _Whole(CaseDeadlinesSchema)
    result = _Whole(CaseResultSchema)
    materials = fields.List(fields.Nested(CaseMaterialSchema))
    shipments = fields.List(fields.Nested(CaseShipmentSchema))
    corrections = fields.List(fields.Nested(CaseCorrectionSchema))
    steps = fields.List(fields.Nested(CaseStepSchema), metadata={"description": "the steps the caller can take now"})


class CaseNameSchema(Schema):
    name = fields.String()


class CaseListSchema(Schema):
    """A row of the list: an overview, so the identity number and phones are masked."""

    id = fields.Integer()
    number = fields.String(allow_none=True)
    status = fields.String()
    warning_level = fields.String()
    applicant_name = fields.String()
    applicant_id_number = fields.String(metadata={"description": "masked: 510802********1234"})
    applicant_phone = fields.String(metadata={"description": "masked: 138****5678"})
    matter = fields.Nested(CaseNameSchema)
    handling_type = fields.Nested(CaseNameSchema)
    origin_center = fields.Nested(CaseNameSchema)
    home_center = fields.Nested(CaseNameSchema)
    department_name = fields.String()
    accepted_on = fields.Date(allow_none=True)
    process_due = fields.Date(allow_none=True)
    due_provisional = fields.Boolean()
    version = fields.Integer()


class CaseEventSchema(Schema):
    __component_name__ = "CaseEvent"

    seq = fields.Integer()
    action = fields.String(metadata={"description": "register, update or a step of the process"})
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_name = fields.String()
    actor_place = fields.String()
    at = fields.DateTime()
    note = fields.String()
    data = fields.Dict()


class CaseInputSchema(Schema):
    """What a clerk enters (documentation only: ``app.services.case_input`` checks every field)."""

    matter_id = fields.Integer(required=True)
    handling_type_id = fields.Integer(required=True)
    origin_center_id = fields.Integer(
        metadata={"description": "default: the clerk's window; an outside window for an inbound case"})
    home_center_id = fields.Integer(required=True)
    department_id = fields.Integer(
        allow_none=True, metadata={"description": "empty when the home window is outside the system"})
    department_name = fields.String()
    counterpart_number = fields.String()
    applicant_kind = fields.String(metadata={"description": "person / organisation"})
    applicant_name = fields.String(required=True)
    applicant_id_type = fields.String(metadata={"description": "resident_id / uscc / other"})
    applicant_id_number = fields.String(required=True)
    applicant_phone = fields.String(required=True)
    applicant_email = fields.String()
    applicant_address = fields.String()
    applicant_postcode = fields.String()
    delivery_method = fields.String(metadata={"description": "pickup / mail"})
    mail_recipient = fields.String()
    mail_phone = fields.String()
    mail_address = fields.String()
    mail_postcode = fields.String()
    fee_note = fields.String()
    remarks = fields.String()
    applied_on = fields.Date()
    materials = fields.List(fields.Dict(), metadata={
        "description": "[{name, copies, form, received, verified, note}]; default: the guide's list"})
    version = fields.Integer(metadata={"description": "on PUT: the version you read (or send If-Match)"})


# --- the OpenAPI description of the one step endpoint, derived from the transition table --------

_KIND_SCHEMA: dict[FieldKind, dict[str, Any]] = {
    FieldKind.TEXT: {"type": "string"},
    FieldKind.LONG_TEXT: {"type": "string"},
    FieldKind.DATE: {"type": "string", "format": "date"},
    FieldKind.CHOICE: {"type": "string"},
    FieldKind.ITEMS: {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "reason": {"type": "string"}}}},
    FieldKind.BOOL_LIST: {"type": "array", "items": {"type": "integer"},
                          "description": "material numbers (seq) verified against the original, or {seq: true/false}"},
}


def _step_openapi() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "version": {"type": "integer", "description": "the version you read (or send If-Match)"}}
    lines = []
    for t in TRANSITIONS.values():
        described = []
        for spec in t.fields:
            properties.setdefault(spec.name, dict(_KIND_SCHEMA[spec.kind]))
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
        "upload_scan": "write",
        "add_result": "complete",  # result documents belong to completing a case (department side)
    }
    include_route_methods = {
        "get_list", "get", "post", "put", "step", "events", "materials", "upload_scan", "download_scan",
        "add_result", "download_result",
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

    def _steps(self, reach: Reach, case: Case) -> list[Any]:
        sm = self.appbuilder.sm
        possible = transitions_for(Status(case.status), sides_of(reach, case), case_sides(case))
        return [t for t in possible if sm.has_access(t.permission, self.class_permission_name)]

    def _detail(self, case: Case, reach: Reach, full: bool) -> dict[str, Any]:
        data = self.show_model_schema.dump(case)
        if not full:
            for name, mask in MASKED.items():
                if data.get(name):
                    data[name] = mask(data[name])
        data["full_data"] = full
        data["steps"] = CaseStepSchema(many=True).dump(self._steps(reach, case))
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
        transition = TRANSITIONS.get(name)
        if transition is None:
            return self.response_404()
        get_case(self._session, current_reach(), pk)  # out of scope: 404 before any 403
        if not self.appbuilder.sm.has_access(transition.permission, self.class_permission_name):
            raise Forbidden(_l("%(step)s is done by another window or by the department.",
                               step=TRANSITION_LABELS[transition.name]))
        try:
            body = self._body()
            expected = self._expected_version(body)
        except BadRequestBody as error:
            return self.response_400(str(error))
        case = perform(self._session, self._user(), pk, name, body, expected_version=expected)
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
