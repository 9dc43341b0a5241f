"""好差评 and 整改 through the REST API: the ratings and rectifications within the caller's scope with the pages'
filters, one with its history, the commands of the rectification page (every problem at once; another county's
rectification is missing; a role that may not is refused) and the XLSX exports — the same as the pages."""

from __future__ import annotations

from datetime import datetime

from tests.services.ratings import rated_case


def test_the_ratings_in_scope_with_the_pages_filters(api, db):
    case, rating = rated_case(db, 2)
    admin = api("lz_admin")
    listed = admin.get("/api/v1/rating/").get_json()
    row = next(r for r in listed["result"] if r["id"] == rating.id)
    assert row["case_number"] == case.number and row["level"] == 2 and row["rectification_id"]
    assert admin.get("/api/v1/rating/?level=2&channel=portal").get_json()["count"] >= 1
    assert admin.get("/api/v1/rating/?level=5").get_json()["count"] == 0
    assert admin.get(f"/api/v1/rating/{rating.id}").get_json()["result"]["comment"] == "窗口人员态度生硬"
    assert api("cx_admin").get(f"/api/v1/rating/{rating.id}").status_code == 404
    assert rating.id not in [r["id"] for r in api("cx_admin").get("/api/v1/rating/").get_json()["result"]]
    answer = admin.get("/api/v1/rating/?level=9&rated_from=x&excluded=maybe")
    assert answer.status_code == 422
    assert {e["field"] for e in answer.get_json()["errors"]} == {"level", "rated_from", "excluded"}
    exported = admin.get("/api/v1/rating/export")
    assert exported.status_code == 200 and exported.data.startswith(b"PK")
    assert api("cx_hrss").get("/api/v1/rating/").status_code in (401, 403)


def test_the_rectification_commands_as_on_its_page(api, db, client, login):
    _, rating = rated_case(db, 2)
    item = rating.rectification
    admin = api("lz_admin")
    assert item.id in [r["id"] for r in admin.get("/api/v1/rectification/?status=open").get_json()["result"]]
    refused = admin.post(f"/api/v1/rectification/{item.id}/callback",
                         json={"called_at": "2999-01-01 10:00", "contact": "", "note": " "})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.get_json()["errors"]] == ["called_at", "contact", "note"]
    closing = admin.post(f"/api/v1/rectification/{item.id}/close", json={})
    assert closing.status_code == 422 and [e["field"] for e in closing.get_json()["errors"]] == ["called_at", "actions"]

    called = admin.post(f"/api/v1/rectification/{item.id}/callback", json={
        "called_at": datetime.now().strftime("%Y-%m-%d %H:%M"), "contact": "申请人本人", "note": "已解释"})
    assert called.status_code == 200, called.get_json()
    assert admin.post(f"/api/v1/rectification/{item.id}/measures",
                      json={"actions": "对窗口人员进行服务规范培训"}).status_code == 200
    closed = admin.post(f"/api/v1/rectification/{item.id}/close", json={})
    assert closed.status_code == 200
    result = closed.get_json()["result"]
    assert result["status"] == "closed" and [e["action"] for e in result["events"]] == [
        "opened", "callback", "actions", "closed"]
    login("lz_admin")  # the page shows the same history
    assert "对窗口人员进行服务规范培训" in client.get(f"/rectifications/show/{item.id}").get_data(as_text=True)


def test_appeals_scope_and_roles(api, db):
    _, rating = rated_case(db, 2)
    item = rating.rectification
    assert api("cx_admin").post(f"/api/v1/rectification/{item.id}/measures", json={"actions": "x"}).status_code == 404
    assert api("cx_admin").get(f"/api/v1/rectification/{item.id}").status_code == 404
    assert api("lz_window").post(f"/api/v1/rectification/{item.id}/measures",
                                 json={"actions": "x"}).status_code in (401, 403)
    admin, supervisor = api("lz_admin"), api("city_super")
    assert admin.post(f"/api/v1/rectification/{item.id}/appeal", json={"reason": "与服务无关"}).status_code == 200
    assert admin.post(f"/api/v1/rectification/{item.id}/decide", json={"outcome": "upheld"}).status_code in (401, 403)
    assert admin.post(f"/api/v1/rectification/{item.id}/close", json={}).status_code == 409
    invalid = supervisor.post(f"/api/v1/rectification/{item.id}/decide", json={"outcome": "maybe"})
    assert invalid.status_code == 422 and [e["field"] for e in invalid.get_json()["errors"]] == ["outcome"]
    decided = supervisor.post(f"/api/v1/rectification/{item.id}/decide", json={"outcome": "upheld", "note": "属实"})
    assert decided.status_code == 200 and decided.get_json()["result"]["status"] == "voided"
    assert api("lz_admin").get(f"/api/v1/rating/{rating.id}").get_json()["result"]["excluded"] is True
    assert admin.post(f"/api/v1/rectification/{item.id}/appeal", data="x",
                      content_type="application/json").status_code == 400
    assert admin.get("/api/v1/rectification/export").status_code == 200


def test_the_endpoints_are_in_the_openapi_document(api, db):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "get" in paths["/api/v1/rating/"] and "get" in paths["/api/v1/rating/{rating_id}"]
    for command in ("callback", "measures", "close", "appeal", "decide"):
        assert "post" in paths[f"/api/v1/rectification/{{rectification_id}}/{command}"]
    assert "get" in paths["/api/v1/rectification/export"]
