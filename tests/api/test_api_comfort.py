"""API clients' comfort (issue 15 item 4, docs/API.md): one error body everywhere, ETag / If-Match /
If-None-Match, pagination links, Idempotency-Key on POSTs — given by the base classes and app-wide hooks, so
every resource has them without code of its own."""

from __future__ import annotations

import re

import prison
import pytest
from sqlalchemy import func, select

from app.models.case import Case
from app.models.system import IdempotencyKey
from tests import factories
from tests.conftest import api_token


@pytest.fixture()
def token(client):
    tokens: dict[str, str] = {}

    def _token(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = api_token(client, username)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return _token


def assert_problem(response, status: int) -> dict:
    """The one error body: a text ``message`` and a list ``errors`` of {field, message}."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("message"), str) and body["message"], body
    assert isinstance(body.get("errors"), list) and body["errors"], body
    for problem in body["errors"]:
        assert set(problem) >= {"field", "message"} and isinstance(problem["message"], str), body
        assert problem["field"] is None or isinstance(problem["field"], str), body
    return body


# --- 1. one error body ------------------------------------------------------------------------------

def test_every_kind_of_refusal_has_the_one_shape(client, db, token):
    window, police = token("lz_window"), token("cx_police")
    draft = factories.make_case(db)
    db.commit()
    # 401: no token, a bad token (Flask-JWT-Extended's own answers)
    for path in ("/api/v1/case/", "/api/v1/center/", "/api/v1/supervision_order/", "/api/v1/report/"):
        assert_problem(client.get(path), 401)
        assert_problem(client.get(path, headers={"Authorization": "Bearer not.a.token"}), 401)
    # 403: a role without the permission (FAB's), 404 missing or out of scope (FAB's and ours)
    assert_problem(client.post("/api/v1/region/", json={"name": "x"}, headers=police), 403)
    assert_problem(client.get("/api/v1/center/987654", headers=window), 404)
    assert_problem(client.get("/api/v1/case/987654", headers=window), 404)
    assert_problem(client.get("/api/v1/no_such_resource/", headers=window), 404)
    # 405: werkzeug's HTML page otherwise
    assert_problem(client.delete("/api/v1/case/", headers=window), 405)
    # 400: FAB's bad rison and our malformed bodies
    assert_problem(client.get("/api/v1/center/?q=not-rison(", headers=window), 400)
    assert_problem(client.post("/api/v1/case/", data="[1]", content_type="application/json", headers=window), 400)
    # 422: FAB's validation ({"field": [...]}) and our services' (every problem)
    fab = assert_problem(client.post("/api/v1/region/", json={"nope": 1}, headers=token("admin")), 422)
    assert any(problem["field"] for problem in fab["errors"])
    ours = assert_problem(client.post("/api/v1/case/", json={}, headers=window), 422)
    assert len(ours["errors"]) > 1
    # 409: our conflicts
    assert_problem(client.post(f"/api/v1/case/{draft.id}/accept", json={"version": draft.version + 5},
                               headers=window), 409)


def test_the_document_walked_every_operation_refuses_in_the_one_shape(client, db, token):
    """Walks the OpenAPI document: every operation behind a token refused without one (401), every record
    path with an id no record has (404, or the 403 of a role without the permission). Not walked: the public
    API (its own contract) and FAB's menu (it answers an anonymous caller the anonymous menu)."""
    admin = token("admin")
    spec = client.get("/api/v1/_openapi", headers=admin).get_json()
    walked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/public", "/api/v1/menu/")):
            continue
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "delete") or not operation.get("security"):
                continue
            url = path
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    enum = parameter.get("schema", {}).get("enum")
                    url = url.replace("{%s}" % parameter["name"], str(enum[0]) if enum else "987654")
            url = re.sub(r"\{[^}]+\}", "987654", url)
            assert_problem(getattr(client, method)(url), 401)
            if "987654" in url:
                refused = getattr(client, method)(url, headers=admin, json={})
                assert refused.status_code in (400, 403, 404, 405, 422), (method, url, refused.status_code)
                assert_problem(refused, refused.status_code)
            walked += 1
    assert walked > 40


def test_a_rate_limit_answers_the_one_shape(app, client, db, token):
    from tests.conftest import config_override

    search = "/api/v1/case/?q=(filters:!((col:applicant_phone,opr:eq,value:'13900000000')))"
    with config_override(app, PERSONAL_DATA_SEARCH_LIMIT="1 per minute"):
        window = token("lz_window")
        client.get(search, headers=window)
        assert_problem(client.get(search, headers=window), 429)


def test_refusals_are_in_chinese_unless_the_client_asks_for_english(client, db, token):
    window = token("lz_window")
    chinese = assert_problem(client.get("/api/v1/case/987654", headers=window), 404)
    english = assert_problem(client.get("/api/v1/case/987654", headers={**window, "Accept-Language": "en"}), 404)
    assert chinese["message"] != english["message"]
    assert english["message"].isascii()
    assert not chinese["message"].isascii()
    missing = assert_problem(client.get("/api/v1/case/", headers={"Accept-Language": "en-US,en;q=0.9"}), 401)
    assert missing["message"].isascii()


def test_the_document_references_the_one_problem_shape(client, token):
    spec = client.get("/api/v1/_openapi", headers=token("admin")).get_json()
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"message", "errors"}
    seen = 0
    for path, operations in spec["paths"].items():
        if path.startswith("/api/v1/public"):
            continue
        for method, operation in operations.items():
            for status, answer in operation.get("responses", {}).items():
                if not status.startswith(("4", "5")):
                    continue
                ref = answer.get("$ref", "").rsplit("/", 1)[-1]
                answer = spec["components"]["responses"].get(ref, answer)
                if "application/json" not in answer.get("content", {}):
                    continue  # FAB's login documents its 429 without a body
                schema = answer["content"]["application/json"].get("schema", {})
                assert schema.get("$ref", "").rsplit("/", 1)[-1] in ("Problem", "CaseProblems"), (path, method, status)
                seen += 1
    assert seen > 100


# --- 4. Idempotency-Key -----------------------------------------------------------------------------

def test_a_registration_sent_twice_with_one_key_is_done_once_and_replayed(client, db, token):
    window = {**token("lz_window"), "Idempotency-Key": "reg-0001"}
    body = factories.case_data(db)
    before = db.scalar(select(func.count(Case.id)))
    first = client.post("/api/v1/case/", json=body, headers=window)
    assert first.status_code == 201, first.get_json()
    assert first.headers["Location"].endswith(f"/api/v1/case/{first.get_json()['id']}")
    again = client.post("/api/v1/case/", json=body, headers=window)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert db.scalar(select(func.count(Case.id))) == before + 1
    # the same key for another request: refused, and nothing done
    other = client.post("/api/v1/case/", json={**body, "applicant_name": "李四"}, headers=window)
    problem = assert_problem(other, 422)
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert db.scalar(select(func.count(Case.id))) == before + 1
    # the key is the user's: another user's same key is another request
    other_user = client.post("/api/v1/case/", json=body, headers={**token("cx_window"), "Idempotency-Key": "reg-0001"})
    assert "Idempotent-Replayed" not in other_user.headers


def test_a_refusal_decided_by_the_request_is_kept_a_transient_one_is_not(client, db, token):
    window = {**token("lz_window"), "Idempotency-Key": "bad-0001"}
    first = client.post("/api/v1/case/", json={}, headers=window)
    assert first.status_code == 422
    again = client.post("/api/v1/case/", json={}, headers=window)
    assert again.status_code == 422 and again.headers.get("Idempotent-Replayed") == "true"
    # 403 (the role): not kept, the key stays free
    police = {**token("cx_police"), "Idempotency-Key": "role-0001"}
    assert client.post("/api/v1/region/", json={"name": "x"}, headers=police).status_code == 403
    assert db.scalar(select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.key == "role-0001")) == 0


def test_keys_expire(app, client, db, token):
    from datetime import timedelta

    window = {**token("lz_window"), "Idempotency-Key": "old-0001"}
    assert client.post("/api/v1/case/", json={}, headers=window).status_code == 422
    row = db.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old-0001"))
    row.created_on -= timedelta(hours=25)
    db.commit()
    body = factories.case_data(db)
    fresh = client.post("/api/v1/case/", json=body, headers=window)
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers


def test_a_supervision_order_and_a_step_take_the_key_too(client, db, token):
    case = factories.accepted_case(db)
    db.commit()
    supervisor = {**token("city_super"), "Idempotency-Key": "order-1"}
    body = {"case_ids": [case.id], "instruction": "请尽快办理", "responsible_side": "department", "reply_days": 3}
    first = client.post("/api/v1/supervision_order/", json=body, headers=supervisor)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/supervision_order/", json=body, headers=supervisor)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json() == first.get_json()


def test_a_key_longer_than_allowed_is_refused(client, db, token):
    answer = client.post("/api/v1/case/", json={}, headers={**token("lz_window"), "Idempotency-Key": "k" * 256})
    assert_problem(answer, 400)


# --- 2. ETag / If-Match / If-None-Match -------------------------------------------------------------

def test_a_record_answers_its_etag_and_304_while_it_is_current(client, db, token):
    admin = token("admin")
    center = client.get("/api/v1/region/", headers=admin).get_json()["ids"][0]
    answer = client.get(f"/api/v1/region/{center}", headers=admin)
    etag = answer.headers["ETag"]
    assert etag.startswith('"')
    assert client.get(f"/api/v1/region/{center}", headers={**admin, "If-None-Match": etag}).status_code == 304
    assert client.get(f"/api/v1/region/{center}", headers={**admin, "If-None-Match": '"x"'}).status_code == 200


def test_a_change_on_a_stale_etag_is_refused_with_412(client, db, token):
    admin = token("admin")
    region = client.get("/api/v1/region/", headers=admin).get_json()["ids"][0]
    etag = client.get(f"/api/v1/region/{region}", headers=admin).headers["ETag"]
    name = client.get(f"/api/v1/region/{region}", headers=admin).get_json()["result"]["name"]
    changed = client.put(f"/api/v1/region/{region}", json={"name": name + "一"}, headers={**admin, "If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert changed.headers["ETag"] != etag
    stale = client.put(f"/api/v1/region/{region}", json={"name": name}, headers={**admin, "If-Match": etag})
    assert_problem(stale, 412)
    assert client.get(f"/api/v1/region/{region}", headers=admin).get_json()["result"]["name"] == name + "一"
    assert_problem(client.delete(f"/api/v1/region/{region}", headers={**admin, "If-Match": etag}), 412)
    # without If-Match, as before
    assert client.put(f"/api/v1/region/{region}", json={"name": name}, headers=admin).status_code == 200


def test_a_case_answers_its_version_as_etag_and_keeps_409_for_a_stale_one(client, db, token):
    window = token("lz_window")
    draft = factories.make_case(db)
    db.commit()
    answer = client.get(f"/api/v1/case/{draft.id}", headers=window)
    assert answer.headers["ETag"] == f'"{draft.version}"'
    assert client.get(f"/api/v1/case/{draft.id}", headers={**window, "If-None-Match": answer.headers["ETag"]}
                      ).status_code == 304
    stale = client.post(f"/api/v1/case/{draft.id}/accept", json={}, headers={**window, "If-Match": '"999"'})
    assert_problem(stale, 409)


def test_a_declared_record_without_a_version_answers_a_weak_etag_and_304(client, db, token):
    supervisor = token("city_super")
    assert client.post("/api/v1/report/", json={"start": "2026-03-02", "end": "2026-03-08"},
                       headers=supervisor).status_code == 202
    factories.run_outbox(db, "build_report_request")
    report = client.get("/api/v1/report/", headers=supervisor).get_json()["result"][0]["id"]
    answer = client.get(f"/api/v1/report/{report}", headers=supervisor)
    assert answer.status_code == 200 and answer.headers["ETag"].startswith('W/"')
    again = client.get(f"/api/v1/report/{report}", headers={**supervisor, "If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


# --- 3. pagination links ----------------------------------------------------------------------------

def test_a_fab_list_links_its_pages(client, db, token):
    admin = token("admin")
    q = prison.dumps({"page": 1, "page_size": 2})
    answer = client.get(f"/api/v1/center/?q={q}", headers=admin)
    body = answer.get_json()
    assert body["count"] > 4
    links = body["links"]
    assert set(links) == {"first", "prev", "next", "last"}
    assert "page:2" in links["next"].replace("%3A", ":") and "page:0" in links["first"].replace("%3A", ":")
    header = answer.headers["Link"]
    assert 'rel="next"' in header and 'rel="last"' in header
    last = client.get(links["last"].split("localhost", 1)[-1], headers=admin).get_json()
    assert "next" not in last["links"] and last["result"]


def test_a_declared_list_links_its_pages(client, db, token):
    answer = client.get("/api/v1/supervision_order/?page=0", headers=token("city_super"))
    body = answer.get_json()
    assert answer.status_code == 200 and "first" in body["links"] and "Link" in answer.headers
    assert "prev" not in body["links"]


def test_two_registrations_with_one_key_at_the_same_moment_register_once_on_postgresql(postgresql_app):
    """Two identical POSTs with one key, each on its own connection: the unique key decides; one registers, the
    other is told the first is still being answered (409) or gets its answer replayed."""
    import threading

    from app.extensions import db

    with postgresql_app.app_context():
        body = factories.case_data(db.session)
        before = db.session.scalar(select(func.count(Case.id)))
        db.session.remove()
    token = api_token(postgresql_app.test_client(), "lz_window")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "at-once-0001"}
    barrier = threading.Barrier(4)
    answers: list = []

    def register() -> None:
        client = postgresql_app.test_client()
        barrier.wait()
        answer = client.post("/api/v1/case/", json=body, headers=headers)
        answers.append((answer.status_code, answer.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4
    assert [a for a in answers if a == (201, None)] == [(201, None)], answers
    assert all(a in ((201, "true"), (409, None)) for a in answers if a != (201, None)), answers
    with postgresql_app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == before + 1
        db.session.remove()
    replay = postgresql_app.test_client().post("/api/v1/case/", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
