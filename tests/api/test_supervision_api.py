"""督办 through the REST API: list (scoped, filtered), issue on a selection (all or nothing, every problem at
once), reply once (409 the second time), nudge; out of scope is 404; roles without the permission are refused."""

from __future__ import annotations

from sqlalchemy import select

from app.models.supervision import SupervisionOrder
from tests import factories
from tests.services.supervision import other_county_case

BODY = {"instruction": "请说明办理进度", "responsible_side": "department", "reply_days": 3}


def test_issue_list_reply_and_nudge(api, db):
    case = factories.accepted_case(db)
    supervisor = api("city_super")
    answer = supervisor.post("/api/v1/supervision_order/", json={**BODY, "case_ids": [case.id]})
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()["result"][0]
    assert order["status"] == "open" and order["case_id"] == case.id and order["responsible_side"] == "department"

    officer = api("cx_hrss")
    listed = officer.get("/api/v1/supervision_order/?state=open").get_json()
    assert [o["id"] for o in listed["result"]] == [order["id"]] and listed["count"] == 1
    answer = officer.post(f"/api/v1/supervision_order/{order['id']}/reply", json={"reply": "已加快办理"})
    assert answer.status_code == 200 and answer.get_json()["result"]["status"] == "answered"
    again = officer.post(f"/api/v1/supervision_order/{order['id']}/reply", json={"reply": "再答"})
    assert again.status_code == 409 and again.get_json()["errors"]

    nudged = supervisor.post("/api/v1/supervision_order/nudge", json={"case_id": case.id, "note": "请尽快"})
    assert nudged.status_code == 200 and nudged.get_json() == {"case_id": case.id, "nudges": 1}


def test_every_problem_at_once_and_all_or_nothing(api, db):
    inside, outbound = factories.accepted_case(db), factories.outbound_case_in_correction(db)
    answer = api("city_super").post("/api/v1/supervision_order/", json={
        "case_ids": [inside.id, outbound.id], "instruction": "", "responsible_side": "department", "reply_days": 0})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert fields == {"instruction", "reply_days", f"case_ids[{outbound.id}]"}
    assert db.scalar(select(SupervisionOrder.id)) is None


def test_out_of_scope_is_missing_and_roles_are_checked(api, db):
    mine, theirs = factories.accepted_case(db), other_county_case(db)
    admin = api("lz_admin")
    assert admin.post("/api/v1/supervision_order/", json={**BODY, "case_ids": [theirs.id]}).status_code == 404
    assert admin.post("/api/v1/supervision_order/nudge", json={"case_id": theirs.id}).status_code == 404
    assert api("lz_window").post("/api/v1/supervision_order/", json={**BODY, "case_ids": [mine.id]}).status_code in (401, 403)
    made = admin.post("/api/v1/supervision_order/", json={**BODY, "case_ids": [mine.id]}).get_json()["result"][0]
    assert api("lz_window").post(f"/api/v1/supervision_order/{made['id']}/reply", json={"reply": "x"}).status_code == 404
    assert api("cx_window").get("/api/v1/supervision_order/").get_json()["count"] == 1
    assert api("city_super").post(f"/api/v1/supervision_order/{made['id']}/reply",
                                  json={"reply": "x"}).status_code in (401, 403)
    assert admin.post("/api/v1/supervision_order/", data="nope", content_type="application/json").status_code == 400


def test_the_endpoints_are_in_the_openapi_document(api, db):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/supervision_order/"])
    assert "post" in paths["/api/v1/supervision_order/{order_id}/reply"]
    assert "post" in paths["/api/v1/supervision_order/nudge"]
    assert "SupervisionOrder" in spec["components"]["schemas"]


def test_the_orders_are_exported_as_the_page_exports_them(api, client, login, db):
    """GET /api/v1/supervision_order/export: the page's workbook, with the list's filters, within the scope."""
    import io
    import zipfile

    from app.services.supervision import orders

    mine, theirs = factories.accepted_case(db), other_county_case(db)
    made = orders.issue_orders(db, factories.user(db, "city_super"), [mine.id, theirs.id],
                               BODY | {"responsible_side": "origin_window"})
    orders.reply_to_order(db, factories.user(db, "lz_window"), made[0].id, {"reply": "已处理"})
    answer = api("lz_admin").get("/api/v1/supervision_order/export?state=answered")
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert answer.headers["Cache-Control"] == "private, no-store"
    sheet = zipfile.ZipFile(io.BytesIO(answer.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "已处理" in sheet and made[0].number in sheet and made[1].number not in sheet  # the other county's: not
    opened = api("lz_admin").get("/api/v1/supervision_order/export?state=open")
    assert made[0].number not in zipfile.ZipFile(io.BytesIO(opened.data)).read("xl/worksheets/sheet1.xml").decode()
    login("lz_admin")
    page = client.get("/supervision/export?state=answered")
    assert zipfile.ZipFile(io.BytesIO(page.data)).read("xl/worksheets/sheet1.xml").decode() == sheet
