"""The OpenAPI description of the case resource (/api/v1/case/), declared instead of written as YAML in
the endpoints' docstrings: for each endpoint what it answers when it works, which of our refusals it can
give, its parameters and its body. The step endpoint is derived from ``TRANSITIONS``: a new step or
field is documented by adding it to the table.

``CaseApi.openapi_spec_methods`` carries these into /api/v1/_openapi (``AppModelRestApi.operation_helper``
adds each endpoint's docstring line as its summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.api.case_schemas import (
    CaseClockSchema,
    CaseEventSchema,
    CaseMaterialSchema,
    CaseMessageSchema,
    CaseResultDocumentSchema,
)
from app.domain.workflow import TRANSITIONS, FieldKind, Transition
from app.platform.api_comfort import PROBLEM_SCHEMA, PROBLEM_SCHEMA_NAME
from app.platform.fab import CLASS_NAME_PLACEHOLDER
from app.services.cases.files import ALLOWED as STORED_FILE_TYPES
from app.services.cases.notices import NOTICE_KINDS

Json = dict[str, Any]

INTEGER: Json = {"type": "integer"}
STRING: Json = {"type": "string"}
BINARY: Json = {"type": "string", "format": "binary"}

#: the schemas that endpoints other than FAB's own refer to by name
COMPONENT_SCHEMAS = (CaseEventSchema, CaseMaterialSchema, CaseResultDocumentSchema, CaseMessageSchema, CaseClockSchema)
EVENT, MATERIAL, RESULT_DOCUMENT, MESSAGE, CLOCK = (schema.__component_name__ for schema in COMPONENT_SCHEMAS)
#: the case as the detail shows it, as a registration takes it, as a change of a draft takes it
SHOWN_CASE, NEW_CASE, CHANGED_CASE = (f"{CLASS_NAME_PLACEHOLDER}.{verb}" for verb in ("get", "post", "put"))


def obj(**properties: Json) -> Json:
    return {"type": "object", "properties": properties}


def ref(component: str) -> Json:
    return {"$ref": f"#/components/schemas/{component}"}


def array_of(items: Json) -> Json:
    return {"type": "array", "items": items}


def json_content(schema: Json) -> Json:
    return {"application/json": {"schema": schema}}


# --- our refusals ----------------------------------------------------------------------------------

#: our answers to refused requests: the one problem body of the API, ``{"message": ..., "errors": [{"field",
#: "message"}, ...]}`` (``Problem``; ``CaseProblems`` is its older name, kept for the references to it)
PROBLEM_SCHEMAS: dict[str, Json] = {
    PROBLEM_SCHEMA_NAME: PROBLEM_SCHEMA,
    "CaseProblems": PROBLEM_SCHEMA,
}


def _problems(description: str) -> Json:
    return {"description": description, "content": json_content(ref("CaseProblems"))}


PROBLEM_RESPONSES: dict[str, Json] = {
    "CaseConflict": _problems("Not allowed in the case's current status (the message names it and what is "
                              "possible), or changed by someone else meanwhile"),
    "CaseInvalid": _problems("Every problem with the request, at once"),
}

#: the case list searched by ID number or phone too often (PERSONAL_DATA_SEARCH_LIMIT per user)
SEARCHES_LIMITED_RESPONSE = _problems("Too many searches by ID number or phone; wait and try again")

#: the response component of each refusal an endpoint can give (400-404 are FAB's own)
REFUSALS = {400: "400", 401: "401", 403: "403", 404: "404", 409: "CaseConflict", 422: "CaseInvalid"}


# --- parameters, bodies and answers ----------------------------------------------------------------


def in_path(name: str, schema: Json = INTEGER) -> Json:
    return {"in": "path", "name": name, "required": True, "schema": schema}


CASE_ID = in_path("pk")
IF_MATCH: Json = {"in": "header", "name": "If-Match", "required": False, "schema": STRING,
                  "description": "the version you read"}


def json_body(schema: Json, required: bool = True) -> Json:
    return {"required": required, "content": json_content(schema)}


FILE_BODY: Json = {"required": True, "content": {"multipart/form-data": {"schema": obj(file=BINARY)}}}


def answer(description: str, content: Json | None = None) -> Json:
    return {"description": description, **({"content": content} if content else {})}


def one(description: str, component: str) -> Json:
    """``{"id": …, "result": {…}}``"""
    return answer(description, json_content(obj(id=INTEGER, result=ref(component))))


def many(description: str, component: str, counted: bool = False) -> Json:
    """``{"id": <the case>, ["count": …,] "result": [{…}, …]}``"""
    counts = {"count": INTEGER} if counted else {}
    return answer(description, json_content(obj(id=INTEGER, **counts, result=array_of(ref(component)))))


def stored_file(description: str, *content_types: str) -> Json:
    return answer(description, {content_type: {"schema": BINARY} for content_type in content_types})


def pending(description: str) -> Json:
    """The answer while a background job still prepares the file."""
    return answer(description, json_content(obj(status={"type": "string", "enum": ["pending"]}, message=STRING)))


MESSAGE_BODY: Json = obj(body=STRING, mentions=array_of(STRING), reply_to=INTEGER)

ARCHIVE_CHECK = obj(
    id=INTEGER, valid={"type": "boolean"}, case_number=STRING, sha256=STRING, stored_sha256=STRING, files=INTEGER,
    problems=array_of(STRING), checked_on={"type": "string", "format": "date-time"},
)


@dataclass(frozen=True)
class Endpoint:
    """One operation. Every endpoint wants a token, so each can answer 401."""

    method: str
    answers: dict[int, Json]
    refusals: tuple[int, ...] = ()
    parameters: tuple[Json, ...] = (CASE_ID,)
    body: Json | None = None
    description: str = ""

    def operation(self) -> Json:
        responses = {str(status): answer for status, answer in self.answers.items()}
        for status in sorted({401, *self.refusals}):
            responses[str(status)] = {"$ref": f"#/components/responses/{REFUSALS[status]}"}
        described = {"description": self.description} if self.description else {}
        parameters = {"parameters": list(self.parameters)} if self.parameters else {}
        body = {"requestBody": self.body} if self.body else {}
        return {**described, **parameters, **body, "responses": responses}


# --- the step endpoint, from the transition table --------------------------------------------------

KIND_SCHEMA: dict[FieldKind, Json] = {
    FieldKind.TEXT: STRING,
    FieldKind.LONG_TEXT: STRING,
    FieldKind.DATE: {"type": "string", "format": "date"},
    FieldKind.CHOICE: STRING,
    FieldKind.WORKING_DAYS: {"type": "integer", "minimum": 1, "maximum": 250},
    FieldKind.ITEMS: {**array_of(obj(name=STRING, reason=STRING, material=INTEGER)),
                      "description": "correction items may name one of the case's materials by its number "
                                     "(material) instead of a name"},
    FieldKind.SUPPLIED_ITEMS: {**array_of(obj(item=INTEGER, scan_name=STRING, scan_base64=STRING)),
                               "description": "every item (seq) of the open correction, each with its scan "
                                              "(a PDF, JPEG or PNG, base64)"},
    FieldKind.BOOL_LIST: {**array_of(INTEGER),
                          "description": "material numbers (seq) verified against the original, or {seq: true/false}"},
    FieldKind.DEFERRED: {**obj(materials=array_of(INTEGER), until={"type": "string", "format": "date"},
                               promise_signed={"type": "boolean"}),
                         "description": "容缺受理: the numbers (seq) of the missing materials accepted against the "
                                        "applicant's signed written promise to supply them by ``until`` (a working "
                                        "day after today, within DEFERRED_MATERIAL_MAX_WORKING_DAYS)"},
    FieldKind.FILES: {**array_of(obj(name=STRING, content_base64=STRING)),
                      "description": "files attached to the step (PDF, JPEG or PNG, at most 20 MB each), base64-encoded"},
}


def _step_line(transition: Transition) -> str:
    fields = ", ".join(spec.name + ("*" if spec.required else "") for spec in transition.fields) or "–"
    sources = ", ".join(sorted(transition.sources))
    if transition.mail_sources:
        sources += f"; mailed result: {', '.join(sorted(transition.mail_sources))}"
    only = f" [{transition.delivery} only]" if transition.delivery else ""
    inbound = ""
    if transition.inbound_label or transition.inbound_target:
        inbound = (f"; on an inbound case “{transition.label_for(inbound=True)}” "
                   f"({sources} → {transition.target_for(inbound=True)})")
    return f"- `{transition.name}` “{transition.label}”{only} ({sources} → {transition.target}){inbound}: {fields}"


def step_body() -> Json:
    """Every field of every step (a step ignores the others) and the version read."""
    properties: Json = {"version": {**INTEGER, "description": "the version you read (or send If-Match)"}}
    for transition in TRANSITIONS.values():
        for spec in transition.fields:
            properties.setdefault(spec.name, dict(KIND_SCHEMA[spec.kind]))
            if spec.choices:
                properties[spec.name]["enum"] = list(spec.choices)
    return {"type": "object", "properties": properties}


def step_endpoint() -> Endpoint:
    return Endpoint(
        "post", {200: one("The case after the step", SHOWN_CASE)}, (400, 403, 404, 409, 422),
        parameters=(CASE_ID, in_path("name", {"type": "string", "enum": list(TRANSITIONS)}), IF_MATCH),
        body=json_body(step_body(), required=False),
        description="Takes one step of the process; each step wants its own permission (`can_<step>`). "
                    "The body holds that step's fields (* = required):\n\n"
                    + "\n".join(_step_line(t) for t in TRANSITIONS.values()),
    )


# --- every endpoint of the resource ----------------------------------------------------------------

_FILES = tuple(STORED_FILE_TYPES)
_CHANGE_REFUSALS = (403, 404, 409, 422)

CASE_ENDPOINTS: dict[str, Endpoint] = {
    "get": Endpoint(
        "get", {200: one("The case", SHOWN_CASE)}, (404,),
        description="The case in the caller's scope (404 otherwise). Its windows and its department see the "
                    "applicant's full identity number and phone, and each such view is logged; everybody else "
                    "sees them masked."),
    "post": Endpoint(
        "post", {201: one("The draft case", SHOWN_CASE)}, (400, 403, 422), parameters=(),
        body=json_body(ref(NEW_CASE)),
        description="Every problem is listed at once (422). The answer holds the case with masked personal data."),
    "put": Endpoint(
        "put", {200: one("The changed draft", SHOWN_CASE)}, (400, *_CHANGE_REFUSALS), parameters=(CASE_ID, IF_MATCH),
        body=json_body(ref(CHANGED_CASE)),
        description="The fields sent replace the draft's values; `version` (or If-Match) makes a stale write "
                    "answer 409."),
    "step": step_endpoint(),
    "events": Endpoint("get", {200: many("Every event of the case, in order", EVENT, counted=True)}, (404,)),
    "clock": Endpoint(
        "get", {200: answer("The clock (`result` is null before acceptance)", json_content(obj(
            id=INTEGER, result={**ref(CLOCK), "nullable": True})))}, (404,),
        description="办理时限: the promised limit, the working days stopped per reason (补正, 特别程序) and added by "
                    "approved extensions (延期), the working days the clock ran, the due day (and while a special "
                    "procedure runs, the due day if it ends as expected), the timeline in order with who asked and "
                    "who decided, the extension awaiting approval, and the records of special procedures and "
                    "extensions. The steps that change it (`start_special_procedure`, `end_special_procedure`, "
                    "`request_extension`, `approve_extension`, `refuse_extension`) go through the step endpoint."),
    "materials": Endpoint("get", {200: many("The materials, by number", MATERIAL)}, (404,)),
    "messages": Endpoint(
        "get", {200: many("Every message of the case's conversation, oldest first", MESSAGE, counted=True)},
        (403, 404),
        description="沟通记录: for the case's windows and department, and the city supervisor (read-only); 403 for "
                    "the other readers of the case, 404 out of scope."),
    "post_message": Endpoint(
        "post", {201: one("The message", MESSAGE)}, (400, 403, 404, 409, 422),
        body={"required": True, "content": {
            "application/json": {"schema": MESSAGE_BODY},
            "multipart/form-data": {"schema": {**MESSAGE_BODY, "properties": {
                **MESSAGE_BODY["properties"], "file": BINARY}}}}},
        description="Writes a message for the caller's side (only the case's windows and department: 403 for "
                    "others; 409 once the case is closed). `mentions` names sides (`side:home_window`) or people "
                    "(`user:<id>`) of the case; nobody named tells the other sides. An attachment (multipart "
                    "`file`) passes the checks of case files. Every problem at once (422). The message is an "
                    "event of the case history."),
    "download_message_file": Endpoint(
        "get", {200: stored_file("The attachment as stored", *_FILES)}, (403, 404),
        parameters=(CASE_ID, in_path("message_id")),
        description="The attachment of a conversation message, for those who may read the conversation (the "
                    "case's windows and department, the city supervisor): 403 for the other readers of the case, "
                    "404 out of scope or for a message without one. Logged as the page's download."),
    "upload_scan": Endpoint(
        "post", {201: one("The material with its scan", MATERIAL)}, _CHANGE_REFUSALS,
        parameters=(CASE_ID, in_path("material_id")), body=FILE_BODY),
    "supply_deferred": Endpoint(
        "post", {201: one("The material, supplied, with its scan", MATERIAL)}, _CHANGE_REFUSALS,
        parameters=(CASE_ID, in_path("material_id")), body=FILE_BODY,
        description="容缺: records a material accepted to follow as supplied, with its scan, by the accepting window."),
    "download_scan": Endpoint(
        "get", {200: stored_file("The file as stored", *_FILES)}, (403, 404), parameters=(CASE_ID, in_path("material_id")),
        description="A full view: for the case's windows and department (and a supervisor's disclosure in force), "
                    "logged; 403 for the other readers of the case."),
    "download_scan_version": Endpoint(
        "get", {200: stored_file("The earlier scan as stored", *_FILES)}, (403, 404),
        parameters=(CASE_ID, in_path("version_id")),
        description="An earlier version of a material's scan (the page's 历史版本), under the same rules as the "
                    "current scan: a full view for the case's windows and department (and a supervisor's "
                    "disclosure in force), logged; 403 for the other readers of the case."),
    "add_result": Endpoint(
        "post", {201: one("The stored document", RESULT_DOCUMENT)}, _CHANGE_REFUSALS, body=FILE_BODY,
        description="By the case's department (or the window that records an outside department's result)."),
    "download_result": Endpoint(
        "get", {200: stored_file("The file as stored", *_FILES)}, (403, 404), parameters=(CASE_ID, in_path("document_id")),
        description="A full view: for the case's windows and department (and a supervisor's disclosure in force), "
                    "logged; 403 for the other readers of the case."),
    "notice": Endpoint(
        "get", {200: stored_file("The notice", "application/pdf"), 202: pending("Being prepared")}, (403, 404),
        parameters=(CASE_ID, in_path("kind", {"type": "string", "enum": list(NOTICE_KINDS)}),
                    {"in": "query", "name": "round", "required": False, "schema": INTEGER}),
        description="The PDF once its background job has rendered it; 202 with a short status while it is being "
                    "prepared; 404 when the case is out of scope or cannot have that notice. `round` names one of "
                    "several: a correction's round, or the `seq` of a special procedure or an approved extension "
                    "(of the case's clock segments); the newest without it. A notice prints the "
                    "applicant's phone and ID number: a logged full view, 403 for readers who see masks."),
    "disclosure": Endpoint(
        "post", {201: answer("The disclosure, in force until `valid_until`", json_content(obj(
            id=INTEGER, result=obj(reason=STRING, at={**STRING, "format": "date-time"},
                                   valid_until={**STRING, "format": "date-time"}))))},
        (400, 403, 404, 409, 422), body=json_body(obj(reason=STRING)),
        description="查看个人信息: the city supervisor (permission `can_disclose`) asks to see the case's personal "
                    "data, with a reason (422 without one). The access log records it; for "
                    "PERSONAL_DATA_DISCLOSURE_MINUTES the case is shown to that user in full, each view logged "
                    "with the reason. 409 for a user who already sees the full data."),
    "archive_package": Endpoint(
        "get", {200: stored_file("The package", "application/zip"), 202: pending("Being built")}, (403, 404),
        description="The package once its background job has built it (header X-Content-SHA256: its recorded "
                    "checksum); 202 while it is being built; 403 for those who may read the case but not its full "
                    "data (only its windows and department download it); 404 when the case is out of scope or not "
                    "archived."),
    "verify_archive": Endpoint(
        "get", {200: answer("The result of the check", json_content(ARCHIVE_CHECK)), 202: pending("Being built")},
        (404,),
        description="Recomputes the SHA-256 of the package and of every file its manifest lists; `valid` is true "
                    "when all match. 202 while the package is being built; 404 when the case is out of scope or "
                    "not archived."),
}


def case_openapi() -> dict[str, Json]:
    """``openapi_spec_methods`` of the case resource: endpoint name → {method: operation}."""
    return {name: {endpoint.method: endpoint.operation()} for name, endpoint in CASE_ENDPOINTS.items()}
