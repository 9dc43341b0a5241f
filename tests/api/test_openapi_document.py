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


def _resolved(schema, document, depth=0):
    """``schema`` with its references to the document's components replaced by what they name."""
    if depth > 12:
        return {}
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return _resolved(document["components"]["schemas"][name], document, depth + 1)
        return {key: _resolved(value, document, depth) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_resolved(value, document, depth) for value in schema]
    return schema


def _bodies_and_answers(document):
    """(where, media type object) of every request body and every JSON 2xx answer."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for name, media in (operation.get("requestBody") or {}).get("content", {}).items():
                yield f"{method.upper()} {path} request {name}", media
            for code, answer in operation.get("responses", {}).items():
                if code.startswith("2"):
                    for name, media in answer.get("content", {}).items():
                        if name.endswith("json"):
                            yield f"{method.upper()} {path} {code} {name}", media


def test_every_request_body_and_json_success_answer_has_an_example(document):
    missing = [where for where, media in _bodies_and_answers(document)
               if "example" not in media and "examples" not in media]
    assert not missing, missing


def test_every_example_is_valid_against_its_schema(document):
    from openapi_schema_validator import OAS30Validator

    invalid = []
    for where, media in _bodies_and_answers(document):
        examples = ([media["example"]] if "example" in media else
                    [e.get("value") for e in media.get("examples", {}).values()])
        schema = _resolved(media.get("schema", {}), document)
        for example in examples:
            errors = [e.message for e in OAS30Validator(schema).iter_errors(example)]
            if errors:
                invalid.append(f"{where}: {errors[:3]}")
    assert not invalid, "\n".join(invalid)
