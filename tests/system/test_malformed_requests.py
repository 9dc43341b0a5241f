"""Requests that cannot be served are refused with a 4xx, never a 500: ids beyond any record (PostgreSQL's
integer ends at 2,147,483,647, SQLite's does not), page numbers and filter values that are no numbers, a
related record named by something other than its id, uploads over the size limit, FAB's file downloads.

An id that no record can have is answered exactly like an id that no record has: 404. The routes come from
the app's URL map, so a new route with an id is covered without editing this file."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests import factories
from tests.conftest import api_token, config_override, csrf_token

#: beyond PostgreSQL's integer; no record has it anywhere
HUGE_ID = 99_999_999_999
#: the largest integer id: a record could have it, none has
MISSING_ID = 2_147_483_647
#: values for the arguments of a route that are not ids (a real step, notice kind, action …)
OTHER_ARGUMENTS = {"name": "reject", "kind": "acceptance", "fmt": "xlsx"}
NOT_IDS = {"filename", "locale", "version", "group_by", "year"}


def _id_routes(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """(rule, method, id arguments) of every route that names a record by an id."""
    routes = []
    for rule in app.url_map.iter_rules():
        ids = tuple(sorted(a for a in rule.arguments if a not in OTHER_ARGUMENTS and a not in NOT_IDS))
        if not ids or rule.rule.startswith("/static"):
            continue
        routes += [(rule.rule, method, ids) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(routes)


def _url(rule: str, ids: tuple[str, ...], value: int) -> str:
    values = {**OTHER_ARGUMENTS, **{name: value for name in ids}}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.fixture()
def admin(client, login):
    """The test client signed in as the administrator on the web, with a CSRF token and a JWT for the API."""
    login("admin")
    headers = {"X-CSRFToken": csrf_token(client, "/reminders/")}
    jwt = {"Authorization": f"Bearer {api_token(client, 'admin')}"}
    return lambda url, method="GET", **kwargs: client.open(
        url, method=method, headers=jwt if url.startswith("/api/") else headers, **kwargs)


def _answer(response) -> tuple[int, object]:
    body = response.get_json(silent=True) if response.is_json else None
    return response.status_code, body


def test_every_route_with_an_id_answers_an_id_beyond_any_record_as_a_missing_one(app, db, admin):
    routes = _id_routes(app)
    assert len(routes) > 100
    differing = {}
    for rule, method, ids in routes:
        body = {} if method == "GET" else {"json": {}}
        missing = _answer(admin(_url(rule, ids, MISSING_ID), method, **body))
        huge = _answer(admin(_url(rule, ids, HUGE_ID), method, **body))
        db.rollback()
        if huge != missing or huge[0] >= 500:
            differing[f"{method} {rule}"] = (missing[0], huge[0])
    assert not differing, "\n".join(f"{k}: {v}" for k, v in differing.items())


@pytest.mark.parametrize("url", [
    "/api/v1/case/99999999999",
    "/cases/99999999999/",
    "/ledgerview/show/99999999999",
    "/exports/99999999999/download",
])
def test_the_ids_the_issue_names_answer_404(admin, url):
    assert admin(url).status_code == 404


def test_a_step_on_a_case_beyond_any_id_answers_404(admin):
    assert admin("/api/v1/case/99999999999/reject", "POST", json={"reason": "x"}).status_code == 404


def test_an_id_beyond_any_record_in_a_query_string_or_form_answers_like_a_missing_one(admin, db):
    for pk in (MISSING_ID, HUGE_ID):
        assert admin(f"/resetmypassword/form?pk={pk}").status_code in (200, 302, 404)
        assert admin(f"/resetpassword/form?pk={pk}").status_code == 404
        assert admin("/caseview/action_post", "POST", data={"action": "muldelete", "rowid": str(pk)}).status_code \
            in (302, 404)


@pytest.mark.parametrize("q", [
    "(page:-1)",
    "(page:99999999999999999999)",
    "(page_size:-5,page:-3)",
])
def test_a_page_number_out_of_range_is_a_bad_request(admin, q):
    response = admin(f"/api/v1/case/?q={q}")
    assert response.status_code == 400, response.get_data(as_text=True)


@pytest.mark.parametrize("q", [
    "(filters:!((col:matter,opr:rel_o_m,value:abc)))",
    "(filters:!((col:matter,opr:rel_o_m,value:99999999999)))",
    "(filters:!((col:handling_type,opr:nrel_o_m,value:'1.5')))",
    "(filters:!((col:version,opr:eq,value:99999999999)))",
])
def test_a_filter_value_that_can_be_no_id_or_number_is_a_bad_request(admin, q):
    response = admin(f"/api/v1/case/?q={q}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["message"]


def _list_pages(app) -> list[tuple[str, str, list[str]]]:
    """(url, view name, order columns) of every generated list page."""
    pages = []
    for view in app.appbuilder.baseviews:
        if f"{view.endpoint}.list" in app.view_functions and hasattr(view, "order_columns"):
            url = app.url_map.bind("localhost").build(f"{view.endpoint}.list")
            pages.append((url, type(view).__name__, list(view.order_columns)))
    return sorted(pages)


def test_every_list_page_asked_to_sort_by_a_column_it_does_not_offer_is_a_bad_request(app, db, admin):
    factories.accepted_case(db)
    factories.run_steps(db, factories.make_case(db), [("lz_window", "reject", {"reasons": ["材料不全"]})])
    pages = _list_pages(app)
    assert {"LedgerView", "CaseView", "ShipmentView"} <= {name for _, name, _ in pages}
    for url, name, columns in pages:
        for column in ["no_such_column", "case_number", "center.name", "x.y"]:
            if column in columns:
                continue
            response = admin(f"{url}?_oc_{name}={column}&_od_{name}=asc")
            assert response.status_code == 400, (url, column, response.status_code)
            assert "排序" in response.get_data(as_text=True)
        assert admin(f"{url}?_oc_{name}={columns[0]}&_od_{name}=sideways").status_code == 400 if columns else True
    # every column a page offers still sorts
    answers = [(url, column, admin(f"{url}?_oc_{name}={column}&_od_{name}=desc").status_code)
               for url, name, columns in pages for column in columns]
    failing = [answer for answer in answers if answer[2] not in (200, 403)]  # 403: a page the administrator may not read
    assert not failing, "\n".join(f"{u} {c} {s}" for u, c, s in failing)


def test_a_list_page_filtered_by_a_related_record_that_is_no_id_is_a_bad_request(admin):
    assert admin("/caseview/list/?_flt_0_matter=abc").status_code == 400
    assert admin("/caseview/list/?_flt_0_matter=99999999999").status_code == 400


@pytest.mark.parametrize("business_line", ["hrss", 99999999999, 1.5, True])
def test_a_related_record_named_by_something_other_than_its_id_is_refused_naming_the_field(admin, business_line):
    response = admin("/api/v1/department/", "POST", json={"name": "某局", "short_name": "某局",
                                                         "business_line": business_line, "region": 1})
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert "business_line" in response.get_data(as_text=True)


def _too_big() -> dict:
    return {"file": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 4096), "scan.pdf")}


def test_uploads_over_the_limit_answer_413_on_pages_and_in_the_api(app, db, client, login, api):
    case = factories.accepted_case(db)
    material = case.materials[0]
    db.commit()
    clerk = api("lz_window")
    login("lz_window")
    token = csrf_token(client, f"/cases/{case.id}/")
    with config_override(app, MAX_CONTENT_LENGTH=1024):
        in_api = clerk.post(f"/api/v1/case/{case.id}/materials/{material.id}/scan", data=_too_big())
        on_page = client.post(f"/cases/{case.id}/materials/{material.id}/scan", data={**_too_big(), "csrf_token": token})
    assert in_api.status_code == 413 and in_api.is_json, in_api.get_data(as_text=True)
    assert on_page.status_code == 413


@pytest.mark.parametrize("form", [{"id": "abc"}, {"id": "99999999999"}, {"id": ["1", "x"]}])
def test_marking_reminders_read_with_ids_that_are_no_ids_changes_nothing_and_fails_no_request(admin, form):
    assert admin("/reminders/read", "POST", data=form).status_code in (302, 400)


@pytest.mark.parametrize("page", ["1e20", "-1", "99999999999999999999", "abc"])
def test_the_reminder_list_takes_any_page_number(admin, page):
    assert admin(f"/reminders/?page={page}").status_code in (200, 400)


def test_fab_file_downloads_answer_404_or_refuse_never_500(app, admin):
    """Ours find nothing after the permission check (404); FAB's role and group pages refuse the download to
    every role (403): nobody holds can_download there."""
    downloads = [rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith("/download/<string:filename>")]
    assert downloads
    answers = {rule: admin(rule.replace("<string:filename>", "x.pdf")).status_code for rule in downloads}
    assert set(answers.values()) <= {403, 404}, answers
    assert {status for rule, status in answers.items() if not rule.startswith(("/roles/", "/groups/"))} == {404}


@pytest.mark.parametrize("material", [
    {"requirement_seq": 99999999999}, {"requirement_seq": "abc"}, {"requirement_seq": -1},
    {"copies": 99999999999999999999999}, {"copies": float("inf")},
])
def test_a_registration_with_a_material_number_no_column_holds_is_refused_naming_it(db, api, material):
    body = factories.case_data(db, materials=[{"name": "申请表", "copies": 1, "form": "copy", **material}])
    response = api("lz_window").post("/api/v1/case/", data=json.dumps(body, default=str, allow_nan=True),
                                     content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert {e["field"] for e in response.get_json()["errors"]} & {"materials[1].requirement_seq", "materials[1].copies"}


@pytest.mark.parametrize("center", ["99999999999", "abc"])
def test_a_ledger_export_filtered_by_a_window_no_record_can_be_is_refused(client, login, center):
    login("lz_admin")
    token = csrf_token(client, "/ledgerview/list/")
    response = client.post(f"/ledgerview/export/xlsx?_flt_0_center={center}", data={"csrf_token": token})
    assert response.status_code in (302, 400)


def test_a_request_refused_before_flask_appbuilder_knows_the_user_still_gets_the_error_page(client, login, db):
    """A 404 raised while the URL is read (an action the view does not have) comes before FAB's own
    before_request sets ``g.user``; the error page's menu needs it. A fresh request (nothing left in ``g``
    by earlier ones, as in production) must get the page, not a 500."""
    from flask import g

    login("admin")
    token = csrf_token(client, "/centerview/add")
    vars(g).clear()
    assert client.post("/groups/action/no-such-action/1", data={"csrf_token": token}).status_code == 404


def test_flask_appbuilders_download_checks_the_permission_first_and_finds_nothing(client, login, db):
    assert client.get("/centerview/download/x.pdf").status_code == 302  # anonymous: to the login page
    login("lz_window")
    assert client.get("/centerview/download/..").status_code == 404
