"""The legal clock through the API (issue 12): the clock steps through the generic step endpoint
(``POST /api/v1/case/<id>/<step>``), only the approving head decides an extension, and
``GET /api/v1/case/<id>/clock`` answers the figures, the timeline and the records, scoped like the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from tests.api.test_case_api import URL, step


@pytest.fixture()
def clients(api):
    cache: dict = {}

    class Clients(dict):
        def __missing__(self, username: str):
            self[username] = api(username)
            return self[username]

    return Clients(cache)


def test_a_special_procedure_and_an_extension_run_through_the_step_endpoint_and_show_on_the_clock(clients, db):
    accepted = factories.at_the_department(db)
    accepted.applied_on -= timedelta(days=21)
    accepted.accepted_on -= timedelta(days=21)  # accepted three weeks ago: the procedure ran for two
    db.commit()
    case_id = accepted.id
    hrss, head = clients["cx_hrss"], clients["cx_hrss_head"]
    case = step(hrss, case_id, "start_special_procedure",
                {"procedure": "inspection", "expected_days": 4, "reason": "需现场检测。",
                 "started_on": (date.today() - timedelta(days=14)).isoformat()})["result"]
    assert case["status"] == "in_procedure"
    clock = hrss.get(f"{URL}{case_id}/clock").get_json()["result"]
    assert clock["stopped_now"] == "special_procedure" and clock["expected_due"]
    assert clock["records"][0]["procedure"] == "inspection" and clock["records"][0]["ended_on"] is None

    case = step(hrss, case_id, "end_special_procedure", {"outcome": "检测合格。"})["result"]
    assert case["status"] == "processing"
    case = step(hrss, case_id, "request_extension", {"days": 5, "reason": "需专家论证。"})["result"]
    assert case["status"] == "extension_asked"
    pending = hrss.get(f"{URL}{case_id}/clock").get_json()["result"]["pending_extension"]
    assert (pending["days"], pending["decision"], pending["requested_by_name"]) == (5, "requested", "蒲文斌")

    step(hrss, case_id, "approve_extension", {}, expect=403)  # the officer asks; only the head decides
    case = step(head, case_id, "approve_extension", {})["result"]
    assert case["status"] == "processing"

    answer = hrss.get(f"{URL}{case_id}/clock").get_json()
    assert answer["id"] == case_id
    clock = answer["result"]
    assert clock["extended_days"] == 5 and clock["pending_extension"] is None and clock["stopped_now"] is None
    assert clock["due"] == case["deadlines"]["process_due"]
    assert clock["limit_days"] + clock["extended_days"] + sum(clock["stopped_days"].values()) > clock["limit_days"]
    kinds = [(s["kind"], s["reason"]) for s in clock["segments"]]
    assert kinds[0] == ("running", "") and ("stopped", "special_procedure") in kinds and ("extended", "extension") in kinds
    assert clock["stopped_days"]["special_procedure"] >= 8
    extension = next(s for s in clock["segments"] if s["kind"] == "extended")
    assert (extension["days"], extension["decided_by"], extension["why"]) == (5, "罗建华", "需专家论证。")
    assert [(r["kind"], r.get("decision")) for r in clock["records"]] == [
        ("special_procedure", ""), ("extension", "approved")]


def test_the_clock_is_out_of_reach_like_the_case_and_empty_before_acceptance(clients, db):
    case = factories.at_the_department(db)
    assert clients["lz_hrss"].get(f"{URL}{case.id}/clock").status_code == 404  # another county's department
    assert clients["cx_hrss"].get(f"{URL}2000000000/clock").status_code == 404
    draft = factories.make_case(db)
    answer = clients["lz_window"].get(f"{URL}{draft.id}/clock")
    assert answer.status_code == 200 and answer.get_json()["result"] is None


def test_the_openapi_spec_documents_the_clock(clients, db):
    spec = clients["lz_window"].get("/api/v1/_openapi").get_json()
    operation = spec["paths"]["/api/v1/case/{pk}/clock"]["get"]
    assert {"200", "401", "404"} <= set(operation["responses"])
    assert "CaseClock" in spec["components"]["schemas"]
