"""督导看板 as JSON through the REST API: the same figures as the page (the same service), within the caller's
scope, with the page's filters (every problem at once: 422); roles without the dashboard are refused."""

from __future__ import annotations

from datetime import date

from app.scope import reach_of
from app.services.dashboard import figures_asked
from tests import factories


def test_the_figures_are_the_pages(api, db):
    factories.at_the_department(db)
    answer = api("city_super").get("/api/v1/dashboard/?preset=year")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["filters"]["from"].endswith("-01-01")
    _, _, problems, figures = figures_asked(db, reach_of(factories.user(db, "city_super")), {"preset": "year"},
                                            date.today())
    assert not problems
    assert body["figures"]["open_total"]["total"]["value"] == figures.open_total.total.value >= 1
    assert body["figures"]["performance_total"]["accepted"]["value"] == figures.performance_total.accepted.value
    cell = body["figures"]["open_total"]["total"]
    assert cell["list_url"].startswith("/caseview/list/") or "figure=" in cell["list_url"]
    assert {p["key"] for p in body["panels"]} == {"supervision", "reconciliation"}


def test_the_scope_and_the_role(api, db):
    factories.at_the_department(db)  # 利州区 → 苍溪县
    city = api("city_super").get("/api/v1/dashboard/?preset=year").get_json()["figures"]["open_total"]
    county = api("lz_admin").get("/api/v1/dashboard/?preset=year").get_json()["figures"]["open_total"]
    assert county["total"]["value"] <= city["total"]["value"]
    assert api("lz_window").get("/api/v1/dashboard/").status_code in (401, 403)


def test_every_problem_of_the_filters_at_once(api, db):
    answer = api("city_super").get("/api/v1/dashboard/?preset=decade&county=x")
    assert answer.status_code == 422
    assert {e["field"] for e in answer.get_json()["errors"]} == {"preset", "county"}


def test_the_endpoint_is_in_the_openapi_document(api, db):
    assert "get" in api("admin").get("/api/v1/_openapi").get_json()["paths"]["/api/v1/dashboard/"]
