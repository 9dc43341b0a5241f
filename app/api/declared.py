"""The base of the REST resources whose endpoints are declared as data (``openapi_spec_methods``) rather than as
YAML in docstrings: stand-ins, supervision orders, reports. Each endpoint's description is taken from the
declaration, with the JWT it needs; refusals point at the shared problem responses of ``case_openapi``."""

from __future__ import annotations

import copy
from typing import Any

from flask import current_app
from flask_appbuilder.api import BaseApi

from app.api.case_openapi import PROBLEM_RESPONSES, PROBLEM_SCHEMAS

#: the refusals whose answer is a problem document of our own (every problem at once) rather than FAB's
OWN_REFUSALS = {"409": "CaseConflict", "422": "CaseInvalid"}


def responses_of(ok: dict[str, Any], *codes: str) -> dict[str, Any]:
    """An endpoint's responses: its success, and a reference to each refusal it may answer with."""
    refusals = {code: {"$ref": f"#/components/responses/{OWN_REFUSALS.get(code, code)}"} for code in codes}
    return {**ok, **refusals}


def in_query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "required": False, "schema": schema, "description": description}


class DeclaredApi(BaseApi):
    apispec_parameter_schemas = PROBLEM_SCHEMAS
    responses = {**BaseApi.responses, **PROBLEM_RESPONSES}

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         methods: list[str] | None = None, func: Any = None, **kwargs: Any) -> None:
        """The declared description of each endpoint (FAB reads ``openapi_spec_methods`` only beside YAML in
        the docstring), with the JWT it needs."""
        declared = self.openapi_spec_methods.get(getattr(func, "__name__", ""), {})
        for method in methods or []:
            operation = copy.deepcopy(declared.get(method.lower(), {}))
            operation["security"] = [{"jwt": []}, {"api_key": []}]
            operations[method.lower()] = operation

    @property
    def _session(self) -> Any:
        return current_app.appbuilder.session

    @staticmethod
    def _user() -> Any:
        return current_app.appbuilder.sm.current_user
