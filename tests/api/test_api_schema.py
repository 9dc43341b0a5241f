"""The REST API answers as its OpenAPI document (/api/v1/_openapi) says: schemathesis generates requests for
every operation and checks each answer, for two users of different counties (a window clerk of 利州区 and
the county administrator of 苍溪县), so in-scope and out-of-scope answers are both met.

Checked: no server error, a status code the document lists, a body that matches its schema, a content type
it declares. Bounded and repeatable: a few examples per operation, derandomized, no deadline."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import api_token

SPEC = "/api/v1/_openapi"
#: two counties, two roles: what one may do the other may not even see
USERS = ("lz_window", "cx_admin")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
#: examples per operation and generation mode; API_SCHEMA_EXAMPLES=100 for a deeper run by hand
EXAMPLES_PER_OPERATION = int(os.environ.get("API_SCHEMA_EXAMPLES", "4"))
#: valid requests, and requests that break the document (each must be refused with a documented 4xx)
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture()
def api_schema(app, client, db):
    """The document as the API serves it (it is behind a token, as every operation is)."""
    headers = {"Authorization": f"Bearer {api_token(client, 'admin')}"}
    return schemathesis.openapi.from_wsgi(SPEC, app, headers=headers)


@pytest.fixture()
def callers(client) -> dict[str, dict[str, str]]:
    return {username: {"Authorization": f"Bearer {api_token(client, username)}"} for username in USERS}


def _failure_of(operation, callers: dict[str, dict[str, str]]) -> str | None:
    """What went wrong with ``operation`` (schemathesis's report of the smallest failing example), or None."""

    @given(case=st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in MODES)))
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def answers_as_documented(case) -> None:
        for headers in callers.values():
            case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        answers_as_documented()
    except FailureGroup as group:  # every failure of every operation is reported together
        return group.message
    return None


def test_every_operation_answers_as_the_document_says(api_schema, callers):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40
    failures = {op.label: failure for op in operations if (failure := _failure_of(op, callers)) is not None}
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())


def test_moments_are_answered_with_their_zone(db, api):
    from tests import factories

    case = factories.accepted_case(db)
    db.commit()
    clerk = api("lz_window")
    detail = clerk.get(f"/api/v1/case/{case.id}").get_json()["result"]
    events = clerk.get(f"/api/v1/case/{case.id}/events").get_json()["result"]
    moments = [detail["registered_on"], *(event["at"] for event in events)]
    assert moments and all(moment.endswith("+08:00") for moment in moments), moments
