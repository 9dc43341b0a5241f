"""GET /api/v1/events/: the case event feed through the API, within the caller's scope, paged by cursor."""

from __future__ import annotations

from tests import factories
from tests.services.supervision import other_county_case


def _all(caller, after=0, limit=500):
    events = []
    while True:
        answer = caller.get(f"/api/v1/events/?after={after}&limit={limit}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        body = answer.get_json()
        events += body["result"]
        assert body["next_url"] == f"/api/v1/events/?after={body['next']}&limit={limit}"
        assert answer.headers["Link"] == f'<{body["next_url"]}>; rel="next"'
        after = body["next"]
        if not body["more"]:
            return events, after


def test_the_feed_gives_the_events_of_the_cases_the_caller_reads(db, api):
    clerk = api("lz_window")
    _, start = _all(clerk)
    ours = factories.accepted_case(db)
    theirs = other_county_case(db)
    db.commit()
    events, cursor = _all(clerk, start, limit=1)
    assert [e["case_id"] for e in events] == [ours.id] * len(ours.events)
    assert [e["action"] for e in events] == [e.action for e in sorted(ours.events, key=lambda e: e.seq)]
    assert factories.APPLICANT["applicant_name"] not in str(events)
    assert _all(clerk, cursor) == ([], cursor)
    cx_events, _ = _all(api("cx_admin"), start)
    assert {e["case_id"] for e in cx_events} == {ours.id, theirs.id}


def test_a_bad_cursor_or_limit_is_422_with_every_problem(db, api):
    answer = api("lz_window").get("/api/v1/events/?after=abc&limit=100000")
    assert answer.status_code == 422
    assert sorted(p["field"] for p in answer.get_json()["errors"]) == ["after", "limit"]


def test_without_a_token_the_feed_is_401(client):
    assert client.get("/api/v1/events/").status_code == 401
