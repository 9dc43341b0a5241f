"""The OpenAPI document (/api/v1/_openapi) is a valid OpenAPI 3 document, and every operation shows an example:
of its request body and of its JSON success answer, each valid against its own schema."""

from __future__ import annotations

import json
import os

import pytest
from openapi_spec_validator import validate

SPEC = "/api/v1/_openapi"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture()
def document(api) -> dict:
    response = api("admin").get(SPEC)
    assert response.status_code == 200
    spec = response.get_json()
    if os.environ.get("DUMP_OPENAPI"):
        with open(os.environ["DUMP_OPENAPI"], "w") as out:
            json.dump(spec, out, ensure_ascii=False, indent=1)
    return spec


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)
