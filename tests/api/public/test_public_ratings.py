"""/api/v1/public/ratings: the applicant rates a delivered case once, without a login; a 不满意 opens the
rectification of the accepting window's county. No personal data in any answer."""

from __future__ import annotations

from app.models.rating import Rating
from tests import factories
from tests.services.ratings import token_of

URL = "/api/v1/public/ratings"


def test_the_options_list_five_levels_best_first_and_the_tags(client):
    answer = client.get(f"{URL}/options")
    assert answer.status_code == 200
    result = answer.get_json()["result"]
    assert [(level["value"], level["label"]) for level in result["levels"]] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
    kinds = {tag["kind"] for tag in result["tags"]}
    assert kinds == {"praise", "complaint"} and all(tag["code"] and tag["label"] for tag in result["tags"])


def test_a_delivered_case_is_open_for_rating_and_rated_once(client, db):
    case = factories.delivered_case(db)
    db.commit()
    token = token_of(case)
    assert client.get(f"{URL}/{token}").get_json()["result"] == {"open": True, "given": False, "rating": None}
    answer = client.post(URL, json={"token": token, "level": 2, "tags": ["cold", "slow"], "comment": "等了很久"})
    assert answer.status_code == 201, answer.get_json()
    given = answer.get_json()["result"]
    assert (given["level"], given["label"], given["tags"], given["comment"]) == (2, "不满意", ["cold", "slow"], "等了很久")
    assert given["at"].endswith("+08:00")
    state = client.get(f"{URL}/{token}").get_json()["result"]
    assert state["open"] and state["given"] and state["rating"]["level"] == 2
    again = client.post(URL, json={"token": token, "level": 5})
    assert again.status_code == 409 and again.get_json()["message"]
    rating = db.query(Rating).filter_by(case_id=case.id).one()
    assert rating.rectification is not None and rating.rectification.status == "open"
    text = str(state) + str(given)
    for personal in (case.applicant_name, case.applicant_phone, case.applicant_id_number):
        assert personal not in text


def test_an_unknown_token_is_404(client):
    assert client.get(f"{URL}/no-such-token").status_code == 404
    answer = client.post(URL, json={"token": "no-such-token", "level": 5})
    assert answer.status_code == 404 and answer.get_json()["message"]


def test_every_problem_is_answered_at_once(client, db):
    case = factories.accepted_case(db)
    db.commit()
    answer = client.post(URL, json={"token": token_of(case), "level": 0, "tags": ["bogus"], "comment": "长" * 501})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == ["token", "level", "tags", "comment"]
    assert client.get(f"{URL}/{token_of(case)}").get_json()["result"]["open"] is False


def test_a_body_that_is_no_object_is_refused(client):
    answer = client.post(URL, data="[1]", content_type="application/json")
    assert answer.status_code == 422 and answer.get_json()["errors"]


def test_the_rating_endpoints_are_in_the_openapi_document(client, api):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert any(path.endswith("/public/ratings") for path in paths)
    assert any(path.endswith("/public/ratings/{token}") for path in paths)
