"""The work queue through the API (issue 15 API parity): /api/v1/work_queue/?tab=… answers the rows and counts
the page shows, through the same service functions, within the user's scope."""

from __future__ import annotations

from app.services.cases.work_queue import queue_tabs
from tests import factories

URL = "/api/v1/work_queue/"


def test_every_tab_answers_the_pages_rows_and_counts(api, client, login, db):
    case = factories.at_the_department(db)
    officer = api("cx_hrss")
    answer = officer.get(URL)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["tab"] == "todo"
    tabs = queue_tabs(db, factories.user(db, "cx_hrss"))
    assert body["counts"]["todo"] == len(tabs["todo"]) == body["count"]
    assert set(body["counts"]) == {"todo", "tracking", "to_archive", "precheck", "supervision", "reconciliation"}
    assert case.id in [row["case"]["id"] for row in body["result"]]
    assert all(row["steps"] for row in body["result"])
    assert "applicant_id_number" not in body["result"][0]["case"]

    clerk = api("lz_window")
    tracking = clerk.get(f"{URL}?tab=tracking").get_json()
    expected = queue_tabs(db, factories.user(db, "lz_window"))
    assert [row["case"]["id"] for row in tracking["result"]] == [i.case.id for i in expected["tracking"]][:25]
    assert case.id in [row["case"]["id"] for row in tracking["result"]]
    login("lz_window")
    page = client.get("/cases/queue/?tab=tracking").get_data(as_text=True)
    assert all(f"/cases/{row['case']['id']}/" in page for row in tracking["result"])
    for tab in ("to_archive", "precheck", "supervision", "reconciliation"):
        assert clerk.get(f"{URL}?tab={tab}").status_code == 200


def test_another_countys_cases_are_not_in_the_queue_and_bad_requests_are_400(api, db):
    case = factories.at_the_department(db)
    police = api("lz_police").get(f"{URL}?tab=tracking").get_json()
    assert case.id not in [row["case"]["id"] for row in police["result"]]
    assert api("lz_window").get(f"{URL}?tab=nothing").status_code == 400
    assert api("lz_window").get(f"{URL}?page=x").status_code == 400
