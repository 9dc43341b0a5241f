"""Headless for real (issue 15): every endpoint a page serves is an API operation (``app.api.route_map``) or is
exempt with a reason; every operation the map names is in the OpenAPI document; and the map names no endpoint
that is gone."""

from __future__ import annotations

import pytest

from app.api.route_map import EXEMPT, ROUTE_MAP, page_endpoints

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture()
def operations(api) -> set[str]:
    document = api("admin").get("/api/v1/_openapi").get_json()
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
            if method in METHODS}


def test_every_page_endpoint_is_an_api_operation_or_exempt(app):
    pages = page_endpoints(app)
    unaccounted = sorted(e for e in pages if e not in ROUTE_MAP and e not in EXEMPT)
    assert not unaccounted, f"page endpoints with no API operation (map them in app/api/route_map.py): {unaccounted}"


def test_every_mapped_operation_is_in_the_openapi_document(operations):
    missing = sorted({f"{endpoint}: {op}" for endpoint, ops in ROUTE_MAP.items() for op in ops
                      if op not in operations})
    assert not missing, f"mapped operations the OpenAPI document does not have: {missing}"


def test_the_map_names_only_endpoints_that_exist(app):
    pages = page_endpoints(app)
    gone = sorted(e for e in (*ROUTE_MAP, *EXEMPT) if e not in pages)
    assert not gone, f"the route map names endpoints no page serves: {gone}"


def test_every_exemption_gives_its_reason():
    assert all(reason.strip() for reason in EXEMPT.values())
    assert all(ops for ops in ROUTE_MAP.values())
    assert not set(EXEMPT) & set(ROUTE_MAP), "an exempt endpoint is mapped as well"
