"""The public API (/api/v1/public/): open without a login, readable from the portal's origins only (CORS),
counted per client address, described in the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.conftest import config_override

URL = "/api/v1/public/handling_types"


def test_the_handling_types_are_open_to_anyone_in_their_order(client):
    answer = client.get(URL)
    assert answer.status_code == 200
    names = [t["name"] for t in answer.get_json()["result"]]
    assert "跨省通办" in names and "川渝通办" in names
    chuanyu = next(t for t in answer.get_json()["result"] if t["code"] == "chuanyu")
    assert chuanyu["nationwide"] is False and chuanyu["regions"]


def test_only_the_portals_origins_may_read_it_from_a_browser(app, client):
    with config_override(app, PORTAL_ORIGINS=["https://zwfw.example.cn"]):
        allowed = client.get(URL, headers={"Origin": "https://zwfw.example.cn"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://zwfw.example.cn"
        assert "Origin" in allowed.headers["Vary"]
        preflight = client.options(URL, headers={"Origin": "https://zwfw.example.cn",
                                                 "Access-Control-Request-Method": "GET"})
        assert preflight.headers["Access-Control-Allow-Origin"] == "https://zwfw.example.cn"
        other = client.get(URL, headers={"Origin": "https://evil.example.com"})
        assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers


@pytest.fixture()
def tight_limit(app):
    with config_override(app, PUBLIC_API_RATE_LIMIT="3 per minute", RATELIMIT_ENABLED=True):
        yield


def test_an_address_past_its_limit_is_told_to_wait_and_another_is_not(client, tight_limit):
    here = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [client.get(URL, environ_base=here).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(URL, environ_base=here)
    assert refused.headers["Retry-After"] == "60" and "请" in refused.get_json()["message"]
    assert client.get(URL, environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 200


def test_the_public_endpoints_are_in_the_openapi_document(client, api):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "/public/handling_types" in paths or "/api/v1/public/handling_types" in paths
