"""The base of the REST resources whose endpoints are declared as data (``openapi_spec_methods``) rather than as
YAML in docstrings: stand-ins, supervision orders, reports. Each endpoint's description is taken from the
declaration, with the JWT it needs; refusals point at the shared problem responses of ``case_openapi``."""

from __future__ import annotations

import copy
from typing import Any

from flask import Response, current_app, request
from flask_appbuilder.api import BaseApi

from app.api.case_openapi import PROBLEM_RESPONSES, PROBLEM_SCHEMAS
from app.platform.api_comfort import add_problem_components, check_if_match, document_comforts, record_etag
from app.platform.fab import MalformedRequest
from app.scope import as_record_id

#: the refusals whose answer is a problem document of our own (every problem at once) rather than FAB's
OWN_REFUSALS = {"409": "CaseConflict", "422": "CaseInvalid"}


def responses_of(ok: dict[str, Any], *codes: str) -> dict[str, Any]:
    """An endpoint's responses: its success, and a reference to each refusal it may answer with."""
    refusals = {code: {"$ref": f"#/components/responses/{OWN_REFUSALS.get(code, code)}"} for code in codes}
    return {**ok, **refusals}


def in_query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "required": False, "schema": schema, "description": description}


def json_object() -> dict[str, Any]:
    """The request's JSON body: an object, or {} when nothing was sent; anything else is 400."""
    data = request.get_json(silent=True) if request.get_data(cache=True) else {}
    if not isinstance(data, dict):
        raise MalformedRequest("Request is not a JSON object")
    return data


def record_ids(value: Any, name: str) -> list[int]:
    """A body's list of record ids; 400 for anything else, a number no record can have included (the database's
    integers end somewhere: a larger one must not reach a query)."""
    if not isinstance(value, list) or not all(type(i) is int and as_record_id(i) is not None for i in value):
        raise MalformedRequest(f"{name} must be a list of record ids")
    return value


def page_number() -> int:
    """The ``page`` asked of a declared list (from 0; none is page 0); 400 for anything else."""
    raw = request.args.get("page", "0")
    if not raw.isdigit() or len(raw) > 6:
        raise MalformedRequest("page must be a number from 0")
    return int(raw)


class DeclaredApi(BaseApi):
    """Declared endpoints; every one gets the API's comforts (``app.platform.api_comfort``): one problem body,
    pagination links on ``get_list`` (paged by ``page`` with ``page_size`` rows), Idempotency-Key on POSTs,
    and for editable records :meth:`with_etag` / :meth:`check_if_match`."""

    #: rows per page of ``get_list`` (its ``page`` argument, from 0): set it to get pagination links
    page_size: int | None = None
    apispec_parameter_schemas = PROBLEM_SCHEMAS
    responses = {**BaseApi.responses, **PROBLEM_RESPONSES}

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         methods: list[str] | None = None, func: Any = None, **kwargs: Any) -> None:
        """The declared description of each endpoint (FAB reads ``openapi_spec_methods`` only beside YAML in
        the docstring), with the JWT it needs."""
        endpoint = getattr(func, "__name__", "")
        declared = self.openapi_spec_methods.get(endpoint, {})
        for method in methods or []:
            operation = copy.deepcopy(declared.get(method.lower(), {}))
            operation["security"] = [{"jwt": []}, {"api_key": []}]
            document_comforts(endpoint, method.lower(), operation)
            operations[method.lower()] = operation

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        add_problem_components(api_spec)

    @staticmethod
    def with_etag(answer: Response, record: Any) -> Response:
        """``answer`` (of one editable record) with the record's ETag; ``If-None-Match`` then answers 304."""
        answer.headers["ETag"] = record_etag(record)
        return answer

    @staticmethod
    def check_if_match(record: Any) -> None:
        """Before changing ``record``: refuses (412, through ``answers_service_errors``) a change whose
        ``If-Match`` names another state than its current one."""
        check_if_match(record)

    @property
    def _session(self) -> Any:
        return current_app.appbuilder.session

    @staticmethod
    def _user() -> Any:
        return current_app.appbuilder.sm.current_user
