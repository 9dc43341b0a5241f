"""督办 through the real web forms (CSRF on): the supervisor issues from the case page and nudges, the
department sees the order in its queue and answers on the case page, the history says so in Chinese; the list
filters and exports; every problem at once; out of scope is 404."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from app.models.supervision import SupervisionOrder
from tests import factories
from tests.conftest import csrf_token
from tests.services.supervision import ORDER, other_county_case


def _token(client) -> str:
    return csrf_token(client, "/resetmypassword/form")


def test_issue_on_the_case_page_reply_in_the_case_and_see_it_everywhere(client, login, db):
    case = factories.at_the_department(db)
    login("city_super")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert 'id="supervision"' in page and "nudge-form" in page and "issue-form" in page
    response = client.post("/supervision/issue", data={"csrf_token": _token(client), "case_id": case.id, **ORDER})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}/#supervision")
    order = db.scalars(select(SupervisionOrder).where(SupervisionOrder.case_id == case.id)).one()
    response = client.post("/supervision/nudge", data={"csrf_token": _token(client), "case_id": case.id})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert ORDER["instruction"] in page and "下发督办单" in page and "催办" in page and "reply-form" not in page

    client.get("/logout/")
    login("cx_hrss")
    queue = client.get("/cases/queue/").get_data(as_text=True)
    assert "queue-supervision" in queue and f'data-order="{order.id}"' in queue
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "reply-form" in page and "issue-form" not in page and "nudge-form" not in page
    response = client.post(f"/supervision/{order.id}/reply", data={"csrf_token": _token(client), "reply": "已加快办理"})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "已加快办理" in page and "督办反馈" in page and "reply-form" not in page
    assert "queue-supervision" not in client.get("/cases/queue/").get_data(as_text=True)
    again = client.post(f"/supervision/{order.id}/reply", data={"csrf_token": _token(client), "reply": "再答"})
    assert again.status_code == 302
    with client.session_transaction() as session:
        assert any("已反馈" in str(m) for _, m in session.get("_flashes", []))


def test_the_issuing_form_shows_every_problem_at_once(client, login, db):
    factories.accepted_case(db)
    login("lz_admin")
    response = client.post("/supervision/issue", data={"csrf_token": _token(client), "case_numbers": "NO-SUCH-1",
                                                       "instruction": "", "reply_days": "99"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NO-SUCH-1" in page and "请填写督办要求" in page and "请选择反馈责任方" in page and "1至30个工作日" in page


def test_several_cases_by_their_numbers(client, login, db):
    first, second = factories.accepted_case(db), factories.accepted_case(db)
    login("lz_admin")
    response = client.post("/supervision/issue", data={"csrf_token": _token(client), **ORDER,
                                                       "case_numbers": f"{first.number}\n{second.number}"})
    assert response.status_code == 302
    assert db.scalar(select(SupervisionOrder.id).where(SupervisionOrder.case_id == second.id))


def test_out_of_scope_is_missing(client, login, db):
    theirs = other_county_case(db)
    login("lz_admin")
    token = _token(client)
    assert client.post("/supervision/issue", data={"csrf_token": token, "case_id": theirs.id, **ORDER}).status_code == 404
    assert client.post("/supervision/nudge", data={"csrf_token": token, "case_id": theirs.id}).status_code == 404


def test_the_list_filters_and_exports_what_it_shows(client, login, db):
    from app.services.supervision import orders

    mine, theirs = factories.accepted_case(db), other_county_case(db)
    made = orders.issue_orders(db, factories.user(db, "city_super"), [mine.id, theirs.id],
                               ORDER | {"responsible_side": "origin_window"})
    orders.reply_to_order(db, factories.user(db, "lz_window"), made[0].id, {"reply": "已处理"})
    login("lz_admin")
    page = client.get("/supervision/").get_data(as_text=True)
    assert f'data-order="{made[0].id}"' in page and f'data-order="{made[1].id}"' not in page
    assert f'data-order="{made[0].id}"' not in client.get("/supervision/?state=open").get_data(as_text=True)
    xlsx = client.get("/supervision/export?state=answered")
    assert xlsx.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "已处理" in sheet and made[0].number in sheet and made[1].number not in sheet


def test_my_reminders_name_the_order_and_lead_to_its_panel(client, login, db):
    from datetime import date

    from app.services.notifications.reminders import check_deadlines
    from app.services.supervision import orders

    monday = date(2026, 3, 2)
    case = factories.accepted_case(db, monday)
    orders.issue_orders(db, factories.user(db, "city_super"), [case.id], ORDER, today=monday)
    check_deadlines(db, date(2026, 3, 9))
    login("cx_hrss")
    page = client.get("/reminders/").get_data(as_text=True)
    assert f'/cases/{case.id}/#supervision">督办单</a>' in page and "督办待反馈" in page


def test_a_closed_case_offers_no_nudge(client, login, db):
    case = factories.archived_case(db, build=False)
    login("city_super")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "issue-form" in page and "nudge-form" not in page
