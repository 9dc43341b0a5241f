"""The case REST API (/api/v1/case/): the whole process through JWT clients only, and every answer a
client can get — 401, 403, 404 outside the scope, 409, 422 with every problem, masking, files, OpenAPI."""

from __future__ import annotations

import base64
import io
from datetime import date

import prison
import pytest
from sqlalchemy import select

from app.domain.workflow import TRANSITIONS, Status, allowed_from
from app.models.case import Case, CaseAccessLog, LedgerEntry
from app.labels import STATUS_LABELS
from tests import factories
from tests.conftest import api_token

URL = "/api/v1/case/"
ID_NUMBER, PHONE = factories.APPLICANT["applicant_id_number"], factories.APPLICANT["applicant_phone"]
ID_MASKED, PHONE_MASKED = "110105********002X", "139****1234"

DEMO_USERS = ["admin", "city_super", "lz_admin", "cx_admin", "lz_window", "cx_window", "lz_hrss", "cx_hrss",
              "lz_police", "cx_police", "city_hrss"]
#: who sees an internal case registered at 利州区 for 苍溪县人社: both windows, the department, both
#: county administrators, the supervisors and the city department of the 人社 line
SEES_INTERNAL_CASE = {"admin", "city_super", "lz_admin", "cx_admin", "lz_window", "cx_window", "cx_hrss", "city_hrss"}
#: its windows and department: the readers who see its full data and files (the others get 403 for a scan)
SIDES_OF_INTERNAL_CASE = {"lz_window", "cx_window", "cx_hrss"}


def register(client, db, **overrides) -> dict:
    response = client.post(URL, json=factories.case_data(db, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def step(client, case_id: int, name: str, body: dict | None = None, *, expect: int = 200, **kwargs) -> dict:
    response = client.post(f"{URL}{case_id}/{name}", json=body or {}, **kwargs)
    assert response.status_code == expect, (name, response.get_json())
    return response.get_json()


def walk(clients: dict, case: dict, steps: list[tuple[str, str, dict]]) -> dict:
    for username, name, body in steps:
        case = step(clients[username], case["id"], name, body)["result"]
        assert case["status"] == TRANSITIONS[name].target_for(case["origin_center"]["external"]), name
    return case


def verify_all(case: dict) -> dict:
    return {"verified": [m["seq"] for m in case["materials"]]}


def label(app, status: str) -> str:
    """A status label as the API renders it (the default language of a request)."""
    with app.test_request_context("/api/v1/case/"):
        return str(STATUS_LABELS[status])


def errors_of(response) -> set[str]:
    return {problem["field"] for problem in response.get_json()["errors"]}


def upload(client, url: str, data: bytes, name: str):
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture()
def clients(api, client):
    """JWT clients by user name, made on first use: ``clients["lz_window"].get(url, headers=...)``."""

    class Caller:
        def __init__(self, username: str) -> None:
            self.headers = api(username).headers

        def __getattr__(self, method: str):
            def call(url: str, headers: dict | None = None, **kwargs):
                return getattr(client, method)(url, headers={**self.headers, **(headers or {})}, **kwargs)

            return call

    class Clients(dict):
        def __missing__(self, username: str) -> Caller:
            self[username] = Caller(username)
            return self[username]

    return Clients()


# --- the three kinds of case, through the API only ---------------------------------------------


def test_an_internal_case_runs_from_registration_to_archive_through_the_api(clients, db):
    lz, cx, hrss = clients["lz_window"], clients["cx_window"], clients["cx_hrss"]
    case = register(lz, db)
    assert case["status"] == "draft" and case["number"] is None and case["version"] == 1
    assert {s["name"] for s in case["steps"]} == {"accept", "reject", "withdraw"}

    case = walk(clients, case, [
        ("lz_window", "accept", verify_all(case)),
        ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN", "carrier": "EMS"}),
    ])
    assert case["number"].startswith(f"GYLZ-{date.today().year}-")
    assert case["shipments"][0]["waybill_number"] == "EMS1234567890CN"
    assert case["deadlines"]["process_due"] and case["deadlines"]["dispatch_due"]
    ledger = {e.role: e for e in db.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case["id"]))}
    assert set(ledger) == {"origin"} and ledger["origin"].handler_name == "张丽"

    case = walk(clients, case, [
        ("cx_window", "receive", {}),
        ("cx_window", "forward", {"note": "转县人社局"}),
        ("cx_hrss", "request_correction", {"items": [
            {"name": "社会保障卡申领登记表", "reason": "缺少申请人签字"},
            {"name": "近期免冠白底彩色证件照片", "reason": "照片不符合制卡标准"},
        ]}),
    ])
    assert [(i["name"], i["reason"]) for i in case["corrections"][0]["items"]] == [
        ("社会保障卡申领登记表", "缺少申请人签字"), ("近期免冠白底彩色证件照片", "照片不符合制卡标准")]
    step(hrss, case["id"], "request_correction", {"items": [{"name": "户口簿", "reason": "不清晰"}]}, expect=409)

    supplied = [{"item": 1, "scan_name": "登记表.pdf", "scan_base64": base64.b64encode(factories.small_pdf()).decode()},
                {"item": 2, "scan_name": "照片.png", "scan_base64": base64.b64encode(factories.small_png()).decode()}]
    case = walk(clients, case, [("lz_window", "supplement", {"waybill_number": "EMS1234567891CN", "supplied": supplied}),
                                ("cx_window", "receive_supplement", {})])
    assert [i["supplied"] for i in case["corrections"][0]["items"]] == [True, True]
    pdf = factories.small_pdf()
    document = upload(hrss, f"{URL}{case['id']}/results", pdf, "社会保障卡制卡通知.pdf")
    assert document.status_code == 201, document.get_json()
    case = walk(clients, case, [
        ("cx_hrss", "complete", {"result": "approved", "result_note": "准予办理"}),
        ("cx_window", "send_result", {"waybill_number": "EMS1234567892CN"}),  # back to 利州区, where it is collected
        ("lz_window", "deliver", {}),
    ])
    factories.ready_to_archive(db, db.get(Case, case["id"]))  # scans, notices rendered (archiving needs them)
    case = walk(clients, case, [("lz_window", "archive", {})])
    assert case["status"] == "archived" and case["steps"] == []
    assert case["result"]["decision"] == "approved" and case["result"]["documents"][0]["name"] == "社会保障卡制卡通知.pdf"
    assert case["corrections"][0]["supplied_on"] == str(date.today())
    assert {s["direction"] for s in case["shipments"]} == {"materials", "supplement", "result_to_window"}

    events = lz.get(f"{URL}{case['id']}/events").get_json()
    assert [e["action"] for e in events["result"]] == [
        "register", "accept", "dispatch", "receive", "forward", "request_correction", "supplement",
        "receive_supplement", "complete", "send_result", "deliver", "archive"]
    assert [e["seq"] for e in events["result"]] == list(range(1, 13))
    receive = events["result"][3]
    assert (receive["from_status"], receive["to_status"], receive["actor_name"]) == ("in_transit", "received", "杜小娟")
    assert "苍溪县" in receive["actor_place"] and events["result"][4]["note"] == "转县人社局"
    ledger = {e.role: e for e in db.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case["id"]))}
    assert set(ledger) == {"origin", "home"} and {e.case_status for e in ledger.values()} == {"archived"}

    downloaded = cx.get(f"{URL}{case['id']}/results/{case['result']['documents'][0]['id']}")
    assert downloaded.status_code == 200 and downloaded.data == pdf and downloaded.mimetype == "application/pdf"


def test_an_outbound_case_is_recorded_by_our_window_through_the_api(clients, db):
    case = register(clients["lz_window"], db, home=factories.key_of_center("CQYZ"), department_key=None,
                    department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")
    assert case["department"] is None and case["home_center"]["external"] is True
    case = walk(clients, case, [
        ("lz_window", "accept", verify_all(case)),
        ("lz_window", "dispatch", {"waybill_number": "EMS0000000001CN"}),
        ("lz_window", "receive", {"note": "渝中区窗口已签收"}),
        ("lz_window", "forward", {}),
    ])
    # the department is outside the system: our window records its steps, and may take them now
    assert {s["name"] for s in case["steps"]} >= {"request_correction", "complete"}
    case = walk(clients, case, [("lz_window", "complete", {"result": "approved"}),
                                ("lz_window", "send_result", {"waybill_number": "EMS0000000002CN"}),
                                ("lz_window", "deliver", {})])
    factories.ready_to_archive(db, db.get(Case, case["id"]))  # scans, notices rendered (archiving needs them)
    case = walk(clients, case, [("lz_window", "archive", {})])
    assert db.scalars(select(LedgerEntry.role).where(LedgerEntry.case_id == case["id"])).all() == ["origin"]


def test_an_inbound_case_is_registered_and_worked_at_home_through_the_api(clients, db):
    hangzhou = factories.center(db, factories.key_of_center("HZXH"))
    case = register(clients["cx_window"], db, origin_center_id=hangzhou.id, home="cx_center",
                    department_key="cx_hrss", counterpart_number="XH-2026-0815")
    assert case["origin_center"]["external"] is True
    [accept] = [s for s in case["steps"] if s["name"] == "accept"]
    assert (accept["label"], accept["target"]) == ("接收登记", "received")  # our window records the receipt
    case = walk(clients, case, [
        ("cx_window", "accept", verify_all(case) | {"accepted_on": str(date.today()),
                                                 "counterpart_accepted_by": "赵敏",
                                                 "waybill_number": "EMS0000000002CN"}),
        ("cx_window", "forward", {}),
        ("cx_hrss", "complete", {"result": "denied", "result_note": "不符合申领条件",
                                 "result_documents": [factories.result_document_json("不予许可决定书.pdf")]}),
    ])
    assert case["number"].startswith("GYCX-") and case["result"]["decision"] == "denied"
    assert case["counterpart_accepted_by"] == "赵敏"  # who accepted it at the outside window, as on its notice
    assert db.scalars(select(LedgerEntry.role).where(LedgerEntry.case_id == case["id"])).all() == ["home"]


# --- 401, 403, 404 -----------------------------------------------------------------------------


def test_every_case_endpoint_answers_401_without_a_valid_token(client, db):
    case_id = factories.make_case(db).id
    token = api_token(client, "lz_window")
    forged = {"Authorization": f"Bearer {token[:-4]}{'AAAA' if not token.endswith('AAAA') else 'BBBB'}"}
    assert client.get(URL, headers=forged).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    calls = [("get", URL), ("get", f"{URL}{case_id}"), ("post", URL), ("put", f"{URL}{case_id}"),
             ("post", f"{URL}{case_id}/accept"), ("get", f"{URL}{case_id}/events"),
             ("get", f"{URL}{case_id}/materials"), ("get", f"{URL}{case_id}/materials/1/scan"),
             ("post", f"{URL}{case_id}/materials/1/scan"), ("post", f"{URL}{case_id}/results")]
    for method, url in calls:
        assert getattr(client, method)(url, json={}).status_code == 401, url
        assert getattr(client, method)(url, json={}, headers=bad).status_code == 401, url


def test_a_department_officer_may_not_accept(clients, db):
    case = register(clients["lz_window"], db)
    answer = step(clients["cx_hrss"], case["id"], "accept", verify_all(case), expect=403)
    assert answer["errors"][0]["message"]


def test_a_window_may_not_take_the_other_windows_step(clients, db):
    case = register(clients["lz_window"], db)
    step(clients["cx_window"], case["id"], "accept", verify_all(case), expect=403)
    assert clients["lz_window"].get(f"{URL}{case['id']}").get_json()["result"]["status"] == "draft"


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_the_city_supervisor_takes_no_step(clients, db, name):
    case = register(clients["lz_window"], db)
    step(clients["city_super"], case["id"], name, {}, expect=403)
    detail = clients["city_super"].get(f"{URL}{case['id']}").get_json()["result"]
    assert detail["steps"] == [] and detail["status"] == "draft"


@pytest.mark.parametrize("username", DEMO_USERS)
def test_a_case_outside_the_users_scope_is_not_found_anywhere(clients, db, username):
    owner = clients["lz_window"]
    case = register(owner, db)
    material = case["materials"][0]["id"]
    scan = upload(owner, f"{URL}{case['id']}/materials/{material}/scan", factories.small_pdf(), "身份证.pdf")
    assert scan.status_code == 201
    user = clients[username]
    listed = user.get(f"{URL}?q={prison.dumps({'page_size': 100})}").get_json()
    visible = username in SEES_INTERNAL_CASE
    assert (case["id"] in listed["ids"]) is visible
    urls = [f"{URL}{case['id']}", f"{URL}{case['id']}/events", f"{URL}{case['id']}/materials"]
    for url in urls:
        assert user.get(url).status_code == (200 if visible else 404), url
    full = username in SIDES_OF_INTERNAL_CASE
    scan_url = f"{URL}{case['id']}/materials/{material}/scan"
    assert user.get(scan_url).status_code == (200 if full else 403 if visible else 404)
    if not visible:
        assert user.post(f"{URL}{case['id']}/withdraw", json={"reason": "x"}).status_code == 404
        assert user.post(f"{URL}{case['id']}/complete", json={"result": "approved"}).status_code == 404
        assert user.post(f"{URL}{case['id']}/results", data={}, content_type="multipart/form-data").status_code == 404


def test_an_unknown_case_or_step_is_not_found_and_cases_are_never_deleted(clients, db):
    lz = clients["lz_window"]
    case = register(lz, db)
    assert lz.get(f"{URL}999999").status_code == 404
    assert lz.post(f"{URL}999999/accept", json={}).status_code == 404
    assert lz.post(f"{URL}{case['id']}/approve", json={}).status_code == 404
    assert lz.delete(f"{URL}{case['id']}").status_code == 405
    assert clients["admin"].delete(f"{URL}{case['id']}").status_code == 405
    assert lz.get(f"{URL}{case['id']}").status_code == 200


# --- 409 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in TRANSITIONS if n not in allowed_from(Status.DRAFT)])
def test_a_step_not_allowed_in_a_draft_answers_409_naming_the_status(app, clients, db, name):
    case = register(clients["lz_window"], db)
    answer = step(clients["lz_window"], case["id"], name, {}, expect=409)
    message = answer["errors"][0]["message"]
    assert label(app, "draft") in message
    assert clients["lz_window"].get(f"{URL}{case['id']}").get_json()["result"]["version"] == case["version"]


def test_a_stale_version_answers_409_in_the_body_and_in_if_match(clients, db):
    lz = clients["lz_window"]
    case = register(lz, db)
    changed = lz.put(f"{URL}{case['id']}", json={"remarks": "申请人补充说明", "version": case["version"]})
    assert changed.status_code == 200 and changed.get_json()["result"]["version"] == case["version"] + 1
    stale = case["version"]
    assert lz.put(f"{URL}{case['id']}", json={"remarks": "x", "version": stale}).status_code == 409
    assert lz.put(f"{URL}{case['id']}", json={"remarks": "x"}, headers={"If-Match": f'"{stale}"'}
                  ).status_code == 409
    step(lz, case["id"], "accept", verify_all(case) | {"version": stale}, expect=409)
    step(lz, case["id"], "accept", verify_all(case), expect=409, headers={"If-Match": str(stale)})
    step(lz, case["id"], "accept", verify_all(case) | {"version": "one"}, expect=400)
    current = lz.get(f"{URL}{case['id']}").get_json()["result"]
    assert current["status"] == "draft" and current["remarks"] == "申请人补充说明"
    step(lz, case["id"], "accept", verify_all(case), headers={"If-Match": str(current["version"])})


def test_two_clerks_with_the_same_version_first_wins_second_gets_409_and_no_update_is_lost(clients, db):
    lz, cx = clients["lz_window"], clients["cx_window"]
    case = register(lz, db)
    case = walk(clients, case, [
        ("lz_window", "accept", verify_all(case)), ("lz_window", "dispatch", {"waybill_number": "EMS1"}),
        ("cx_window", "receive", {}), ("cx_window", "forward", {}),
        ("cx_hrss", "complete", {"result": "approved", "result_documents": [factories.result_document_json()]}),
        ("cx_window", "send_result", {"waybill_number": "EMS2"}),
    ])
    version = case["version"]
    first = lz.post(f"{URL}{case['id']}/deliver", json={"version": version, "note": "利州区窗口送达"})
    second = cx.post(f"{URL}{case['id']}/deliver", json={"version": version, "note": "苍溪县窗口送达"})
    assert (first.status_code, second.status_code) == (200, 409)
    events = lz.get(f"{URL}{case['id']}/events").get_json()["result"]
    delivered = [e for e in events if e["action"] == "deliver"]
    assert len(delivered) == 1 and delivered[0]["note"] == "利州区窗口送达"
    assert lz.get(f"{URL}{case['id']}").get_json()["result"]["version"] > version

    draft = register(lz, db)
    one = lz.put(f"{URL}{draft['id']}", json={"remarks": "第一次修改", "version": draft["version"]})
    two = lz.put(f"{URL}{draft['id']}", json={"remarks": "第二次修改", "version": draft["version"]})
    assert (one.status_code, two.status_code) == (200, 409)
    assert lz.get(f"{URL}{draft['id']}").get_json()["result"]["remarks"] == "第一次修改"


def test_a_case_that_is_no_longer_a_draft_cannot_be_changed_with_put(clients, db):
    lz = clients["lz_window"]
    case = register(lz, db)
    case = walk(clients, case, [("lz_window", "accept", verify_all(case))])
    answer = lz.put(f"{URL}{case['id']}", json={"applicant_name": "王某某"})
    assert answer.status_code == 409 and answer.get_json()["errors"]
    assert lz.get(f"{URL}{case['id']}").get_json()["result"]["applicant_name"] == "李晓梅"


# --- 422 ---------------------------------------------------------------------------------------


def test_a_bad_registration_lists_every_problem_at_once(clients, db):
    body = factories.case_data(db, applicant_id_number="110105194912310021", applicant_phone="1234",
                               applicant_postcode="62801", delivery_method="mail", mail_address="")
    answer = clients["lz_window"].post(URL, json=body)
    assert answer.status_code == 422
    assert errors_of(answer) >= {"applicant_id_number", "applicant_phone", "applicant_postcode", "mail_address"}
    assert all(problem["message"] for problem in answer.get_json()["errors"])
    assert clients["lz_window"].post(URL, data="not json", content_type="application/json").status_code == 400


def test_only_a_window_clerk_registers_cases(clients, db):
    assert clients["cx_hrss"].post(URL, json=factories.case_data(db)).status_code == 403
    assert clients["city_super"].post(URL, json=factories.case_data(db)).status_code == 403


def test_a_correction_without_reasons_lists_every_missing_one(clients, db):
    case = register(clients["lz_window"], db)
    case = walk(clients, case, [
        ("lz_window", "accept", verify_all(case)), ("lz_window", "dispatch", {"waybill_number": "EMS1"}),
        ("cx_window", "receive", {}), ("cx_window", "forward", {}),
    ])
    hrss = clients["cx_hrss"]
    answer = hrss.post(f"{URL}{case['id']}/request_correction",
                       json={"items": [{"name": "户口簿"}, {"name": "身份证", "reason": " "}, {"reason": "不清晰"}]})
    assert answer.status_code == 422
    assert errors_of(answer) == {"items[1].reason", "items[2].reason", "items[3].name"}
    assert errors_of(hrss.post(f"{URL}{case['id']}/request_correction", json={})) == {"items"}
    assert hrss.get(f"{URL}{case['id']}").get_json()["result"]["status"] == "processing"


# --- personal data -----------------------------------------------------------------------------


def test_lists_mask_identity_and_phone_and_the_handling_clerks_detail_is_full_and_logged(clients, db):
    lz = clients["lz_window"]
    case = register(lz, db)
    assert (case["applicant_id_number"], case["applicant_phone"]) == (ID_MASKED, PHONE_MASKED)
    for username in ("lz_window", "city_super"):
        listed = clients[username].get(f"{URL}?q={prison.dumps({'page_size': 100})}").get_json()
        row = next(r for r in listed["result"] if r["id"] == case["id"])
        assert (row["applicant_id_number"], row["applicant_phone"]) == (ID_MASKED, PHONE_MASKED)
        assert row["matter"]["name"] == "社会保障卡申领" and row["version"] == 1

    detail = lz.get(f"{URL}{case['id']}").get_json()["result"]
    assert (detail["applicant_id_number"], detail["applicant_phone"], detail["full_data"]) == (ID_NUMBER, PHONE, True)
    logs = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case["id"])).all()
    assert [(log.username, log.channel) for log in logs] == [("lz_window", "api")]

    supervised = clients["city_super"].get(f"{URL}{case['id']}").get_json()["result"]
    assert (supervised["applicant_id_number"], supervised["applicant_phone"]) == (ID_MASKED, PHONE_MASKED)
    assert supervised["full_data"] is False
    assert db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case["id"])).all() == logs


def test_masked_columns_are_searched_by_their_exact_value_only(clients, db):
    lz = clients["lz_window"]
    case = register(lz, db)
    exact = prison.dumps({"filters": [{"col": "applicant_id_number", "opr": "eq", "value": ID_NUMBER}]})
    assert case["id"] in lz.get(f"{URL}?q={exact}").get_json()["ids"]
    prefix = prison.dumps({"filters": [{"col": "applicant_id_number", "opr": "sw", "value": "1101"}]})
    assert lz.get(f"{URL}?q={prefix}").status_code == 400


def test_the_list_filters_orders_and_pages_with_rison(clients, db):
    lz = clients["lz_window"]
    ids = [register(lz, db)["id"] for _ in range(3)]
    query = {"filters": [{"col": "status", "opr": "eq", "value": "draft"}], "order_column": "id",
             "order_direction": "desc", "page": 0, "page_size": 2}
    listed = lz.get(f"{URL}?q={prison.dumps(query)}").get_json()
    assert listed["ids"] == sorted(ids, reverse=True)[:2] and listed["count"] >= 3
    assert {r["status"] for r in listed["result"]} == {"draft"}


# --- files -------------------------------------------------------------------------------------


def test_a_scan_is_stored_checked_and_read_only_within_the_scope(clients, db):
    lz = clients["lz_window"]
    case = register(lz, db)
    material = case["materials"][0]
    url = f"{URL}{case['id']}/materials/{material['id']}/scan"
    pdf = factories.small_pdf()

    stored = upload(lz, url, pdf, "居民身份证.pdf")
    assert stored.status_code == 201, stored.get_json()
    assert stored.get_json()["result"]["scan_name"] == "居民身份证.pdf" and stored.get_json()["result"]["has_scan"]
    downloaded = clients["cx_window"].get(url)
    assert downloaded.status_code == 200 and downloaded.data == pdf and downloaded.mimetype == "application/pdf"
    materials = lz.get(f"{URL}{case['id']}/materials").get_json()["result"]
    assert materials[0]["scan_size"] == len(pdf)

    text = upload(lz, url, "这不是PDF文件".encode(), "伪装.pdf")
    assert text.status_code == 422 and errors_of(text) == {"file"}
    too_big = upload(lz, url, b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024), "过大.pdf")
    assert too_big.status_code == 422 and errors_of(too_big) == {"file"}
    assert upload(lz, url, b"", "").status_code == 422
    assert clients["lz_window"].get(url).data == pdf

    assert clients["lz_police"].get(url).status_code == 404
    assert clients["cx_hrss"].post(url, data={"file": (io.BytesIO(pdf), "x.pdf")},
                                   content_type="multipart/form-data").status_code == 403
    assert upload(lz, f"{URL}{case['id']}/materials/999999/scan", pdf, "x.pdf").status_code == 404


# --- OpenAPI -----------------------------------------------------------------------------------


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_openapi_spec_documents_every_case_endpoint(clients, db):
    response = clients["lz_window"].get("/api/v1/_openapi")
    assert response.status_code == 200
    spec = response.get_json()
    paths = spec["paths"]
    assert {"/api/v1/case/", "/api/v1/case/{pk}", "/api/v1/case/{pk}/{name}", "/api/v1/case/{pk}/events",
            "/api/v1/case/{pk}/materials", "/api/v1/case/{pk}/materials/{material_id}/scan",
            "/api/v1/case/{pk}/results", "/api/v1/case/{pk}/results/{document_id}"} <= set(paths)
    assert set(paths["/api/v1/case/"]) == {"get", "post"} and set(paths["/api/v1/case/{pk}"]) == {"get", "put"}
    step_spec = paths["/api/v1/case/{pk}/{name}"]["post"]
    name_param = next(p for p in step_spec["parameters"] if p["name"] == "name")
    assert name_param["schema"]["enum"] == list(TRANSITIONS)
    assert "waybill_number" in step_spec["requestBody"]["content"]["application/json"]["schema"]["properties"]
    for path, operations in paths.items():
        if path.startswith("/api/v1/case/"):
            for operation in operations.values():
                declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                assert declared == set(part[1:-1] for part in path.split("/") if part.startswith("{")), path
                assert operation["responses"], path
    components = spec["components"]
    for ref in set(_refs(spec)):
        section, name = ref.removeprefix("#/components/").split("/", 1)
        assert name in components[section], ref



def test_the_step_endpoint_is_documented_from_the_transition_table(clients, db):
    spec = clients["lz_window"].get("/api/v1/_openapi").get_json()
    step_spec = spec["paths"]["/api/v1/case/{pk}/{name}"]["post"]
    name_param = next(p for p in step_spec["parameters"] if p["name"] == "name")
    assert set(name_param["schema"]["enum"]) == set(TRANSITIONS)
    body = step_spec["requestBody"]["content"]["application/json"]["schema"]["properties"]
    for transition in TRANSITIONS.values():
        assert f"`{transition.name}`" in step_spec["description"]
        for field in transition.fields:
            assert field.name in body, (transition.name, field.name)
            if field.choices:
                assert body[field.name]["enum"] == list(field.choices), field.name


def _api_endpoints():
    from app.api.cases import CaseApi
    from app.api.catalog import HandlingTypeApi, MatterApi
    from app.api.org import CenterApi, DepartmentApi, RegionApi

    for api in (CaseApi, HandlingTypeApi, MatterApi, CenterApi, DepartmentApi, RegionApi):
        for name in dir(api):
            endpoint = getattr(api, name)
            if hasattr(endpoint, "_urls") and endpoint.__module__.startswith("app.api"):
                yield api, endpoint


def test_our_endpoints_are_described_by_declarations_not_by_yaml_in_docstrings(clients, db):
    from app.domain.permissions import MATRIX

    paths = clients["lz_window"].get("/api/v1/_openapi").get_json()["paths"]
    endpoints = list(_api_endpoints())
    assert endpoints
    for api, endpoint in endpoints:
        assert api.class_permission_name in MATRIX, api
        assert "---" not in (endpoint.__doc__ or ""), endpoint.__qualname__
        assert endpoint.__name__ in api.openapi_spec_methods, endpoint.__qualname__
    for path, operations in paths.items():
        if path.startswith("/api/v1/case/"):
            for operation in operations.values():
                assert operation["security"] and operation["responses"]["401"], path
                assert operation.get("summary") or operation.get("description"), path

# --- real concurrency (PostgreSQL: two requests at the same moment, each on its own connection) ----


def test_two_clerks_posting_the_same_step_at_the_same_moment_one_wins_on_postgresql(postgresql_app):
    import threading

    from app.extensions import db
    from app.models.case import CaseEvent

    with postgresql_app.app_context():
        case = factories.make_case(db.session)
        case = factories.run_steps(db.session, case, [
            ("lz_window", "accept", factories.verify_all(case)), ("lz_window", "dispatch", {"waybill_number": "EMS1"}),
            ("cx_window", "receive", {}), ("cx_window", "forward", {}), ("cx_hrss", "complete", factories.completion()),
        ])
        case_id, version = case.id, case.version
        db.session.remove()
    tokens = {u: api_token(postgresql_app.test_client(), u) for u in ("lz_window", "cx_window")}
    barrier = threading.Barrier(2)
    answers: dict = {}

    def withdraw(username: str) -> None:  # a step both windows may take
        client = postgresql_app.test_client()
        barrier.wait()
        answers[username] = client.post(f"{URL}{case_id}/withdraw", json={"version": version, "reason": username},
                                        headers={"Authorization": f"Bearer {tokens[username]}"}).status_code

    threads = [threading.Thread(target=withdraw, args=(u,)) for u in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers.values()) == [200, 409], answers
    with postgresql_app.app_context():
        events = db.session.query(CaseEvent).filter_by(case_id=case_id, action="withdraw").all()
        db.session.remove()
    winner = next(u for u, status in answers.items() if status == 200)
    assert [e.note for e in events] == [winner]


def test_an_acceptance_date_for_a_case_accepted_at_our_own_window_is_refused_not_dropped(clients, db):
    """Issue 9, defect 11: only a case an outside window accepted takes the date it was accepted there;
    ours is accepted the day the step is taken. A date sent anyway is named in a 422, never dropped."""
    case = register(clients["lz_window"], db)
    answer = step(clients["lz_window"], case["id"], "accept", verify_all(case) | {"accepted_on": case["applied_on"]},
                  expect=422)
    assert [p["field"] for p in answer["errors"]] == ["accepted_on"]
    accepted = step(clients["lz_window"], case["id"], "accept", verify_all(case))["result"]
    assert accepted["status"] == "accepted"
