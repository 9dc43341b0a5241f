"""办件查询 through the public API: by number and phone, by the QR code's token; a wrong phone, an unknown number
and a bad token answer exactly alike; no personal data in the answer; a stricter rate limit of its own."""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.conftest import config_override, count_statements

URL = "/api/v1/public/progress"


@pytest.fixture(autouse=True)
def roomy_limit(app):
    """The tests of this module look cases up more often than an applicant may in a minute (one address)."""
    with config_override(app, PUBLIC_PROGRESS_RATE_LIMIT="1000 per minute"):
        yield


@pytest.fixture()
def case(db):
    return factories.at_the_department(db)


def test_the_right_phone_shows_the_cases_progress(client, case):
    answer = client.get(URL, query_string={"number": case.number, "phone": case.applicant_phone})
    assert answer.status_code == 200
    assert "no-store" in answer.headers["Cache-Control"]  # no shared cache keeps a case
    progress = answer.get_json()["result"]
    assert progress["number"] == case.number and progress["token"] == case.public_token
    assert progress["matter"] == {"code": "KYTB-HRSS-001", "name": case.matter.name}
    assert progress["status"] == "processing" and progress["stage"]
    assert progress["stage_due"] == case.process_due.isoformat()
    assert progress["home_window"] == {"name": "苍溪县政务服务中心"}
    assert progress["origin_window"]["name"] == "广元市利州区政务服务中心"
    assert [w["waybill_number"] for w in progress["waybills"]] == ["EMS1234567890CN"]
    assert len(progress["milestones"]) == 5 and progress["rating"] == {"open": False, "given": False, "rating": None}


def test_the_phone_is_compared_as_digits(client, case):
    for typed in ("139 0812 1234", "139-0812-1234", "+86 13908121234"):
        answer = client.get(URL, query_string={"number": case.number, "phone": typed})
        assert answer.status_code == 200, typed


def test_a_wrong_phone_an_unknown_number_and_a_bad_token_answer_exactly_alike(client, case):
    def ask(**query):
        return client.get(URL, query_string=query)

    wrong_phone = ask(number=case.number, phone="13900000000")
    unknown = ask(number=case.number + "9", phone=case.applicant_phone)
    no_phone = ask(number=case.number)
    bad_token = client.get(f"{URL}/{case.public_token[:-1]}x")
    answers = [wrong_phone, unknown, no_phone, bad_token]
    assert {a.status_code for a in answers} == {404}
    assert len({a.get_data() for a in answers}) == 1
    assert wrong_phone.get_json() == {"message": "Not found"}
    assert {tuple(sorted((k, v) for k, v in a.headers.items() if k != "Content-Length")) for a in answers[:3]} \
        == {tuple(sorted((k, v) for k, v in wrong_phone.headers.items() if k != "Content-Length"))}


def test_a_wrong_phone_and_an_unknown_number_cost_the_same_statements(client, case):
    client.get(URL)  # the first request of the app fills FAB's caches
    number = case.number
    wrong = count_statements(lambda: client.get(URL, query_string={"number": number, "phone": "13900000000"}))
    unknown = count_statements(lambda: client.get(URL, query_string={"number": "GY-0000-000000",
                                                                    "phone": "13900000000"}))
    assert wrong == unknown


def test_the_token_of_the_qr_code_shows_the_case_without_a_phone(client, case):
    answer = client.get(f"{URL}/{case.public_token}")
    assert answer.status_code == 200
    assert answer.get_json()["result"]["number"] == case.number


def test_no_personal_data_is_in_the_answer(client, db):
    mailed = {"delivery_method": "mail", "mail_recipient": "李晓梅", "mail_phone": "13908121234",
              "mail_address": "重庆市渝北区龙溪街道金龙路二百六十八号", "mail_postcode": "401147"}
    case = factories.at_the_department(db, **mailed)
    case = factories.step(db, "cx_hrss", case, "complete", **factories.completion())
    case = factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9876543210CN")
    answer = client.get(f"{URL}/{case.public_token}")
    assert answer.get_json()["result"]["rating"] == {"open": True, "given": False, "rating": None}
    body = json.dumps(answer.get_json(), ensure_ascii=False)
    for personal in (case.applicant_name, case.applicant_id_number, case.applicant_phone, case.applicant_address,
                     case.applicant_email, case.mail_address, "401147", "628017"):
        assert personal not in body, personal


@pytest.fixture()
def tight_progress_limit(app):
    with config_override(app, PUBLIC_PROGRESS_RATE_LIMIT="2 per minute", RATELIMIT_ENABLED=True):
        yield


def test_progress_lookups_count_in_a_stricter_bucket_of_their_own(client, case, tight_progress_limit):
    here = {"REMOTE_ADDR": "198.51.100.23"}
    answers = [client.get(URL, query_string={"number": case.number, "phone": "13900000000"},
                          environ_base=here).status_code for _ in range(2)]
    answers.append(client.get(f"{URL}/{case.public_token}", environ_base=here).status_code)
    assert answers == [404, 404, 429]
    # the rest of the public API is still open to that address, and another address may look up
    assert client.get("/api/v1/public/handling_types", environ_base=here).status_code == 200
    assert client.get(f"{URL}/{case.public_token}", environ_base={"REMOTE_ADDR": "198.51.100.24"}).status_code == 200


def test_the_progress_endpoints_are_in_the_openapi_document(client, api):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    paths = spec["paths"]
    by_number = paths.get("/public/progress") or paths["/api/v1/public/progress"]
    by_token = paths.get("/public/progress/{token}") or paths["/api/v1/public/progress/{token}"]
    for path in (by_number, by_token):
        assert {"200", "404", "429"} <= set(path["get"]["responses"])
    assert "PublicProgress" in spec["components"]["schemas"]
