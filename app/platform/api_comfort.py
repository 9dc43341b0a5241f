"""What every resource of the REST API (/api/v1/) does for its clients without a line of its own (issue 15,
docs/API.md), installed app-wide by :func:`install_api_comfort`:

- one error body: every 4xx/5xx answer is ``{"message": "...", "errors": [{"field": ..., "message": ...}]}``
  (FAB's own refusals, the JWT's, our ServiceErrors, rate limits, werkzeug's 404/405), in Chinese unless the
  client asks for English (``Accept-Language: en``);
- ETag on the answer of a single record (its ``version`` when it has one), ``If-None-Match`` → 304;
  ``If-Match`` on a change is checked by the resource (:func:`check_if_match`, in ``AppModelRestApi``);
- pagination links (RFC 8288 ``Link`` header and ``links`` in the body) on every list;
- ``Idempotency-Key`` on every POST (``app.platform.idempotency``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import gettext, refresh
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect
from werkzeug.http import HTTP_STATUS_CODES, parse_etags

from app.errors import Problem, ServiceError

API_PREFIX = "/api/v1/"
#: the applicant's public API keeps the portal's language (its browser's Accept-Language is not the user's choice)
PUBLIC_PREFIX = "/api/v1/public"

# --- one error body -------------------------------------------------------------------------------

#: the message of a refusal that says nothing of its own (FAB's 422 names only fields, werkzeug's 405 is HTML)
STATUS_MESSAGES: dict[int, Any] = {
    400: _l("The request cannot be read."),
    401: _l("Log in first: the token is missing, invalid or expired."),
    403: _l("Your role does not allow this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the record's current state."),
    412: _l("The record has changed since you read it: read it again and retry with its new ETag."),
    413: _l("The upload is too large."),
    415: _l("This content type is not accepted here."),
    422: _l("The request breaks a rule: see errors."),
    429: _l("Too many requests. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
}

#: the one shape of every refusal of the API, as the OpenAPI document's components name it
PROBLEM_SCHEMA_NAME = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message", "errors"],
    "properties": {
        "message": {"type": "string", "description": "what went wrong, in the caller's language (中文 by default)"},
        "errors": {"type": "array", "description": "every problem, each naming its field (null: the whole request)",
                   "items": {"type": "object", "required": ["message"], "properties": {
                       "field": {"type": "string", "nullable": True}, "message": {"type": "string"},
                       "row": {"type": "integer", "description": "an imported file's row (field: its column)"}}}},
    },
}


def problem_answer(description: str) -> dict[str, Any]:
    """An OpenAPI response whose body is the one problem shape."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}}}}


class PreconditionFailed(ServiceError):
    """``If-Match`` names another state of the record than its current one: 412."""

    status = 412


def stale_record() -> PreconditionFailed:
    return PreconditionFailed([Problem(None, str(STATUS_MESSAGES[412]))])


def _api_language() -> str | None:
    """``en`` when an API client prefers English (``Accept-Language``), else None (the default, Chinese)."""
    if not has_request_context():
        return None
    if not request.path.startswith(API_PREFIX) or request.path.startswith(PUBLIC_PREFIX):
        return None
    if "_l_" in request.args or not request.headers.get("Accept-Language"):
        return None
    languages = list(current_app.config.get("LANGUAGES") or {"zh": {}})
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")
    best = request.accept_languages.best_match(languages, default=default)
    return best if best != default else None


def _answer_in_clients_language(app: Flask) -> None:
    """Wraps FAB's locale selector: an API client's ``Accept-Language`` chooses the language of its answers."""
    babel = app.extensions["babel"]
    chosen = babel.locale_selector

    def select() -> Any:
        return _api_language() or chosen()

    babel.locale_selector = select


def _as_problems(value: Any, field: str | None = None) -> list[dict[str, Any]]:
    """FAB's ``{"field": ["problem", ...]}`` (nested for nested fields) as our list of problems."""
    if isinstance(value, dict):
        return [p for name, inner in value.items()
                for p in _as_problems(inner, f"{field}.{name}" if field else str(name))]
    if isinstance(value, (list, tuple)):
        return [p for inner in value for p in _as_problems(inner, field)]
    return [{"field": field, "message": _translated(value)}]


def _translated(text: Any) -> str:
    return gettext(text) if isinstance(text, str) and text else str(text)


#: FAB's own refusals say only their status (in English) ...
FAB_STATUS_WORDS = frozenset({"Not found", "Forbidden", "Not authorized", "Arguments are not correct",
                              "Could not process entity", "Internal error", "Fatal error"})
#: ... or a reason worth keeping as the detail (in ``errors``)
FAB_GENERIC_MESSAGES = FAB_STATUS_WORDS | {"Request is not JSON", "Not a valid rison argument",
                                           "Not a valid rison/json argument"}


def error_body(status: int, body: Any) -> dict[str, Any]:
    """The one shape of a refusal made of whatever the answer said: keeps every key it had (``msg`` of the
    JWT), makes ``message`` a text and ``errors`` a list of problems."""
    body = dict(body) if isinstance(body, dict) else {}
    default = str(STATUS_MESSAGES.get(status) or HTTP_STATUS_CODES.get(status, "Error"))
    message, errors = body.get("message"), body.get("errors")
    if not isinstance(errors, list):
        errors = _as_problems(message) if isinstance(message, (dict, list)) else []
    errors = [e if isinstance(e, dict) else {"field": None, "message": str(e)} for e in errors]
    if status >= 500:  # FAB's @safe would answer the exception's own text
        message, errors = default, []
    elif isinstance(message, str) and message in FAB_GENERIC_MESSAGES:  # FAB's English, the status's own words
        detail = None if message in FAB_STATUS_WORDS else message
        message = default
        errors = errors or ([{"field": None, "message": detail}] if detail else [])
    if status == 401:  # the JWT's reasons ("Token has expired", "Missing Authorization Header") are the detail
        detail = body.get("msg") or (message if isinstance(message, str) else None)
        message = default
        errors = errors or ([{"field": None, "message": str(detail)}] if detail else [])
    elif not isinstance(message, str) or not message:
        single = len(errors) == 1 and errors[0].get("field") is None and errors[0].get("message")
        message = str(single or body.get("msg") or default)
    else:
        message = _translated(message)
    for problem in errors:
        problem.setdefault("field", None)
        problem["message"] = _translated(problem.get("message") or message)
    body["message"] = message
    body["errors"] = errors or [{"field": None, "message": message}]
    return body


def _one_error_body(response: Response) -> Response:
    if response.status_code < 400 or not request.path.startswith("/api/") or response.direct_passthrough:
        return response
    if request.path.startswith(PUBLIC_PREFIX):  # the portal's own contract (``{"message"}``, alike for every miss)
        return response
    body = response.get_json(silent=True) if response.is_json else None
    shaped = error_body(response.status_code, body)
    response.set_data(json.dumps(shaped, ensure_ascii=False))
    response.mimetype = "application/json"
    return response


# --- ETag -----------------------------------------------------------------------------------------

def _stamp(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_etag(record: Any) -> str:
    """The entity tag of a record's current state: its ``version`` when it has one (the case), else a hash of
    every column (``changed_on`` alone keeps seconds only: two changes within one would share it)."""
    version = getattr(record, "version", None)
    if isinstance(version, int) and not isinstance(version, bool):
        return f'"{version}"'
    mapper = sa_inspect(type(record))
    state = {attr.key: _stamp(getattr(record, attr.key)) for attr in mapper.column_attrs}
    text = json.dumps(state, sort_keys=True, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return True
    if header.strip() == "*":
        return True
    wanted = etag.strip().removeprefix("W/").strip('"')
    tags = parse_etags(header)
    return any(tag == wanted for tag in (*tags._strong, *tags._weak))  # W/"3" names the same state as "3"


def check_if_match(record: Any) -> None:
    """Refuses (412) a change whose ``If-Match`` names another state than ``record``'s current one; a change
    without ``If-Match`` is made as before. For DeclaredApi resources that edit a record, before the change."""
    if not _etag_matches(request.headers.get("If-Match"), record_etag(record)):
        raise stale_record()


def _single_record_endpoint() -> bool:
    return (request.endpoint or "").rsplit(".", 1)[-1] == "get" and bool(request.view_args)


def _etag_and_not_modified(response: Response) -> Response:
    """A single record's answer carries its ETag (its ``version`` when the answer shows one); ``If-None-Match``
    naming it answers 304 without the body."""
    if request.method != "GET" or response.status_code != 200 or not request.path.startswith(API_PREFIX):
        return response
    if "ETag" not in response.headers and _single_record_endpoint() and response.is_json:
        result = (response.get_json(silent=True) or {}).get("result")
        version = result.get("version") if isinstance(result, dict) else None
        if isinstance(version, int) and not isinstance(version, bool):
            response.headers["ETag"] = f'"{version}"'
        else:  # a record without a version (a declared resource): its answer, hashed (weak: this representation)
            response.headers["ETag"] = 'W/"' + hashlib.sha256(response.get_data()).hexdigest()[:32] + '"'
    etag = response.headers.get("ETag")
    wanted = request.headers.get("If-None-Match")
    if etag and wanted and _etag_matches(wanted, etag):
        response.status_code = 304  # the same answer's headers (ETag, security headers), without its body
        response.set_data(b"")
        for name in ("Content-Type", "Content-Length"):
            response.headers.pop(name, None)
    return response


# --- pagination links -----------------------------------------------------------------------------

def _page_links(page: int, size: int, count: int, url_of: Any) -> dict[str, str]:
    last = max((count - 1) // size, 0) if size > 0 else 0
    links = {"first": url_of(0), "last": url_of(last)}
    if page > 0:
        links["prev"] = url_of(min(page - 1, last))
    if page < last:
        links["next"] = url_of(page + 1)
    return links


def _list_links(view: Any, count: int) -> dict[str, str] | None:
    """The first, previous, next and last pages of the list answered, in the way this list is paged: FAB's
    rison ``q=(page:…,page_size:…)`` or a declared list's ``page``; None for a list that is not paged."""
    import prison

    base = request.base_url
    if "q" in request.args or hasattr(view, "datamodel"):
        try:
            rison = prison.loads(request.args.get("q") or "()")
        except Exception:
            return None
        if not isinstance(rison, dict):
            return None
        private = set(getattr(view, "exact_search_only", ()))
        if any(isinstance(f, dict) and f.get("col") in private for f in rison.get("filters") or []):
            return None  # links would repeat an ID number or phone searched for (personal data) in the answer
        size = rison.get("page_size") or getattr(view, "page_size", None)
        page = rison.get("page") or 0
        if not isinstance(size, int) or not isinstance(page, int) or size <= 0:
            return None
        others = {k: v for k, v in request.args.items(multi=True) if k != "q"}

        def url_of(number: int) -> str:
            return base + "?" + urlencode([*others.items(), ("q", prison.dumps({**rison, "page": number,
                                                                               "page_size": size}))])

        return _page_links(page, size, count, url_of)
    size = getattr(view, "page_size", None)
    if not isinstance(size, int) or size <= 0:  # a list of one page
        size = max(count, 1)
    try:
        page = max(int(request.args.get("page", "0")), 0)
    except ValueError:
        page = 0
    others = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]

    def url_of_page(number: int) -> str:
        return base + "?" + urlencode([*others, ("page", number)])

    return _page_links(page, size, count, url_of_page)


#: the OpenAPI description of ``links`` in a list's body
LINKS_SCHEMA: dict[str, Any] = {
    "type": "object", "description": "the first, previous, next and last pages (also in the Link header)",
    "properties": {rel: {"type": "string"} for rel in ("first", "prev", "next", "last")},
}


def _pagination_links(response: Response) -> Response:
    if (request.method != "GET" or response.status_code != 200 or not request.path.startswith(API_PREFIX)
            or (request.endpoint or "").rsplit(".", 1)[-1] != "get_list" or not response.is_json
            or "Link" in response.headers):  # a list paged its own way (the event feed's cursor) links itself
        return response
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("count"), int) or "links" in body:
        return response
    view = getattr(current_app.view_functions.get(request.endpoint), "__self__", None)
    links = _list_links(view, body["count"])
    if not links:
        return response
    body["links"] = links
    response.set_data(json.dumps(body, ensure_ascii=False))
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return response


def _choose_language_afresh() -> None:
    """The language is chosen per request (a test's requests share one application context, where
    Flask-Babel keeps the first one's)."""
    if request.path.startswith(API_PREFIX):
        refresh()


def _location_of_created(response: Response) -> Response:
    """201 of a POST on a collection that made one record (``{"id": …}``) names it in ``Location``."""
    if (request.method != "POST" or response.status_code != 201 or not request.path.startswith(API_PREFIX)
            or "Location" in response.headers or not response.is_json
            or (request.endpoint or "").rsplit(".", 1)[-1] != "post"):
        return response
    created = (response.get_json(silent=True) or {}).get("id")
    if isinstance(created, int) and not isinstance(created, bool):
        response.headers["Location"] = request.base_url.rstrip("/") + f"/{created}"
    return response


def install_api_comfort(app: Flask) -> None:
    from app.platform.idempotency import install_idempotency

    _answer_in_clients_language(app)
    app.before_request(_choose_language_afresh)
    install_idempotency(app)
    app.after_request(_pagination_links)
    app.after_request(_location_of_created)
    app.after_request(_etag_and_not_modified)
    app.after_request(_one_error_body)  # registered last, runs first: the replay of a refusal has the shape too


# --- the OpenAPI document -------------------------------------------------------------------------

def _header(name: str, description: str) -> dict[str, Any]:
    return {"in": "header", "name": name, "required": False, "schema": {"type": "string"}, "description": description}


IF_MATCH_HEADER = _header("If-Match", "the ETag you read: the change is made only on that state (else 412)")
IF_NONE_MATCH_HEADER = _header("If-None-Match", "the ETag you hold: 304 without a body while it is current")
IDEMPOTENCY_KEY_HEADER = _header(
    "Idempotency-Key", "a key of yours (1-255 characters, e.g. a UUID) for this request: sent again with the same "
    "key, the request is answered as the first time (header Idempotent-Replayed: true) and done once; the same "
    "key with another request is 422. Kept 24 hours.")
_STRING_HEADER = {"schema": {"type": "string"}}


def _ref(status: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{status}"}


def _add_parameter(operation: dict[str, Any], parameter: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    names = {(p.get("in"), str(p.get("name", "")).lower()) for p in parameters if isinstance(p, dict)}
    if (parameter["in"], parameter["name"].lower()) not in names:
        parameters.append(dict(parameter))


def document_comforts(endpoint: str, method: str, operation: dict[str, Any]) -> None:
    """Amends one operation of the document with what ``install_api_comfort`` adds to its answers: the ETag of
    a single record and 304, If-Match and 412 on its changes, the pagination links of a list, the
    Idempotency-Key of a POST."""
    responses = operation.setdefault("responses", {})
    ok = responses.get("200")
    if method == "get" and endpoint == "get":
        _add_parameter(operation, IF_NONE_MATCH_HEADER)
        if isinstance(ok, dict) and "$ref" not in ok:
            ok.setdefault("headers", {})["ETag"] = {**_STRING_HEADER, "description": "the record's current state"}
        responses.setdefault("304", {"description": "Not modified: the ETag of If-None-Match is current",
                                     "headers": {"ETag": _STRING_HEADER}})
    if method in ("put", "patch", "delete") and endpoint in ("put", "patch", "delete"):
        _add_parameter(operation, IF_MATCH_HEADER)
        responses.setdefault("412", _ref("412"))
    if method == "get" and endpoint == "get_list" and isinstance(ok, dict) and "$ref" not in ok:
        ok.setdefault("headers", {})["Link"] = {**_STRING_HEADER, "description": "RFC 8288: first, prev, next, last"}
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if isinstance(schema.get("properties"), dict):
            schema["properties"].setdefault("links", LINKS_SCHEMA)
    if method == "post":
        _add_parameter(operation, IDEMPOTENCY_KEY_HEADER)
        for status in ("400", "422"):
            responses.setdefault(status, _ref(status))
        responses.setdefault("409", _ref("409"))


#: the refusals every resource can give, each with the one problem body (components.responses)
PROBLEM_RESPONSES: dict[str, dict[str, Any]] = {
    "400": problem_answer("Bad request"),
    "401": problem_answer("No valid token"),
    "403": problem_answer("The role may not do this"),
    "404": problem_answer("Not found (or outside the caller's scope)"),
    "405": problem_answer("Method not allowed"),
    "409": problem_answer("Conflict with the record's current state (or an Idempotency-Key still being answered)"),
    "412": problem_answer("If-Match names another state of the record than its current one"),
    "413": problem_answer("The body is over the size limit"),
    "422": problem_answer("The body breaks a rule (every problem at once), or an Idempotency-Key reused"),
    "429": problem_answer("Too many requests"),
    "500": problem_answer("Fatal error"),
}


def add_problem_components(api_spec: Any) -> None:
    """The one problem schema and the refusals that reference it, registered once in the document."""
    if PROBLEM_SCHEMA_NAME not in api_spec.components.schemas:
        api_spec.components.schema(PROBLEM_SCHEMA_NAME, PROBLEM_SCHEMA)
    api_spec.components.responses.update(json.loads(json.dumps(PROBLEM_RESPONSES)))
