"""我的代理 through the REST API (/api/v1/stand_in/): a clerk lists, names and ends their own stand-ins with a
JWT; every problem of a stand-in is answered at once; somebody else's stand-in is as if missing (404)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.models.conversation import StandIn
from tests import factories

URL = "/api/v1/stand_in/"


def _days(first: int, last: int) -> dict[str, str]:
    return {"starts_on": (date.today() + timedelta(days=first)).isoformat(),
            "ends_on": (date.today() + timedelta(days=last)).isoformat()}


def test_a_clerk_names_lists_and_ends_their_own_stand_in(db, api):
    mate = factories.make_colleague(db)
    clerk = api("lz_window")
    created = clerk.post(URL, json={"stand_in_user_id": mate.id, "note": "年假", **_days(1, 5)})
    assert created.status_code == 201, created.get_json()
    result = created.get_json()["result"]
    assert result["stand_in_user_id"] == mate.id and result["stand_in_name"] == mate.name
    assert result["absent_user_id"] == factories.user(db, "lz_window").id and result["note"] == "年假"
    listed = clerk.get(URL).get_json()
    assert listed["count"] == 1 and listed["result"][0]["id"] == created.get_json()["id"]
    assert clerk.delete(f"{URL}{result['id']}").status_code == 200
    assert db.scalar(select(StandIn).where(StandIn.id == result["id"])) is None
    assert clerk.get(URL).get_json()["count"] == 0


def test_every_problem_of_a_stand_in_is_answered_at_once_and_nothing_is_saved(db, api):
    before = db.scalar(select(StandIn.id).order_by(StandIn.id.desc()).limit(1))
    answer = api("lz_window").post(URL, json={"stand_in_user_id": factories.user(db, "cx_window").id,
                                              "starts_on": "2026-13-01", "ends_on": "", "note": "x" * 300})
    assert answer.status_code == 422
    fields = {problem["field"] for problem in answer.get_json()["errors"]}
    assert {"stand_in_user_id", "starts_on", "ends_on", "note"} <= fields
    assert db.scalar(select(StandIn.id).order_by(StandIn.id.desc()).limit(1)) == before


def test_a_body_that_is_no_json_object_is_a_bad_request(db, api):
    assert api("lz_window").post(URL, json=["not", "an", "object"]).status_code == 400


def test_somebody_elses_stand_in_is_not_listed_and_cannot_be_ended(db, api):
    mate = factories.make_colleague(db, of="cx_window")
    made = api("cx_window").post(URL, json={"stand_in_user_id": mate.id, **_days(1, 2)})
    assert made.status_code == 201
    other = api("lz_window")
    assert made.get_json()["id"] not in {row["id"] for row in other.get(URL).get_json()["result"]}
    assert other.delete(f"{URL}{made.get_json()['id']}").status_code == 404
    assert db.get(StandIn, made.get_json()["id"]) is not None


def test_the_stand_in_sees_the_stand_in_they_took_but_cannot_end_it(db, api):
    mate = factories.make_colleague(db, username="lz_mate_api")
    made = api("lz_window").post(URL, json={"stand_in_user_id": mate.id, **_days(0, 1)})
    helper = api("lz_mate_api")
    assert made.get_json()["id"] in {row["id"] for row in helper.get(URL).get_json()["result"]}
    assert helper.delete(f"{URL}{made.get_json()['id']}").status_code == 404


def test_the_stand_in_api_needs_a_token(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json={}).status_code == 401


def test_the_stand_in_api_is_documented(db, api):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/stand_in/"]) and "delete" in paths["/api/v1/stand_in/{stand_in_id}"]
    assert "422" in paths["/api/v1/stand_in/"]["post"]["responses"]
