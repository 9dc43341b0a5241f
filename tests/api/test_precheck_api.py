"""远程预审 through the API: the window accepts a pre-checked matter with its scans, the department catches a
correction, the window supplies it at once, the department passes it and the parcel leaves once."""

from __future__ import annotations

import base64

from tests import factories
from tests.api.test_case_api import URL, clients, register, step, upload, verify_all  # noqa: F401 (fixture)

PRECHECKED = "KYTB-HRSS-003"


def test_a_pre_check_catches_a_correction_before_dispatch_through_the_api(clients, db):  # noqa: F811
    lz, hrss = clients["lz_window"], clients["cx_hrss"]
    case = register(lz, db, matter_code=PRECHECKED)
    accepted = step(lz, case["id"], "accept", verify_all(case), expect=422)  # the department needs the scans
    assert {e["field"] for e in accepted["errors"]} == {"materials"}
    for material in case["materials"]:
        assert upload(lz, f"{URL}{case['id']}/materials/{material['id']}/scan", factories.small_pdf(),
                      f"{material['name']}.pdf").status_code == 201
    case = step(lz, case["id"], "accept", verify_all(case))["result"]
    assert case["status"] == "precheck"
    assert "dispatch" not in {s["name"] for s in case["steps"]}
    step(lz, case["id"], "pass_precheck", {}, expect=403)
    steps = {s["name"] for s in hrss.get(f"{URL}{case['id']}").get_json()["result"]["steps"]}
    assert {"pass_precheck", "request_precheck_correction"} <= steps
    # the department sees the scans it pre-checks
    assert hrss.get(f"{URL}{case['id']}/materials/{case['materials'][1]['id']}/scan").status_code == 200

    case = step(hrss, case["id"], "request_precheck_correction",
                {"items": [{"material": 2, "reason": "证明未盖单位公章"}]})["result"]
    assert case["status"] == "precheck_fix"
    scan = base64.b64encode(factories.small_pdf()).decode()
    case = step(lz, case["id"], "supply_precheck", {"supplied": [{"item": 1, "scan_name": "证明.pdf",
                                                                  "scan_base64": scan}]})["result"]
    assert case["status"] == "precheck"
    case = step(hrss, case["id"], "pass_precheck", {"note": "材料齐全"})["result"]
    assert case["status"] == "accepted"
    case = step(lz, case["id"], "dispatch", {"waybill_number": "EMS1234567890CN"})["result"]
    assert case["status"] == "in_transit"
    events = [e["action"] for e in lz.get(f"{URL}{case['id']}/events").get_json()["result"]]
    assert events == ["register", "accept", "request_precheck_correction", "supply_precheck", "pass_precheck",
                      "dispatch"]


def test_the_case_answer_carries_its_pre_check_rounds_and_the_accept_step_says_where_it_leads(clients, db):  # noqa: F811
    lz, hrss = clients["lz_window"], clients["cx_hrss"]
    case = register(lz, db, matter_code=PRECHECKED)
    for material in case["materials"]:
        upload(lz, f"{URL}{case['id']}/materials/{material['id']}/scan", factories.small_pdf(), "扫描件.pdf")
    case = lz.get(f"{URL}{case['id']}").get_json()["result"]
    assert case["prechecks"] == []
    assert {s["name"]: s["target"] for s in case["steps"]}["accept"] == "precheck"

    case = step(lz, case["id"], "accept", verify_all(case))["result"]
    (opened,) = case["prechecks"]
    assert opened["round"] == 1 and opened["outcome"] == "" and opened["answered_at"] is None
    assert opened["due_at"] > opened["started_at"]

    case = step(hrss, case["id"], "request_precheck_correction",
                {"items": [{"material": 2, "reason": "证明未盖单位公章"}]})["result"]
    (asked,) = case["prechecks"]
    assert asked["outcome"] == "corrections" and asked["answered_by_name"]
    assert asked["items"] == [{"seq": 1, "name": case["materials"][1]["name"], "reason": "证明未盖单位公章",
                               "material_seq": 2, "supplied": False}]
