"""好差评 in the admin: the county administrator of the accepting window's county sees the rectification with its
due day and works it from its page; another county's administrator finds nothing (404); the window's clerk reads
it; the city supervisor alone decides an appeal. Both lists export XLSX."""

from __future__ import annotations

import io
import zipfile

from app.models.rating import Rectification
from app.services.ratings import rectifications as fix
from tests import factories
from tests.conftest import csrf_token
from tests.services.ratings import rated_case


def _rectification(db) -> Rectification:
    _, rating = rated_case(db, 2, comment="窗口告知不清楚")
    db.commit()
    return rating.rectification


def test_the_county_administrator_sees_the_rectification_with_its_due_day(client, login, db):
    item = _rectification(db)
    login("lz_admin")
    listing = client.get("/rectifications/list/").get_data(as_text=True)
    assert item.due_on.isoformat() in listing and item.case_number in listing
    page = client.get(f"/rectifications/show/{item.id}").get_data(as_text=True)
    assert f'data-rectification="{item.id}"' in page and "窗口告知不清楚" in page
    assert "callback-form" in page and "appeal-form" in page and "decide-form" not in page
    ratings = client.get("/ratings/list/").get_data(as_text=True)
    assert item.rating.number in ratings


def test_another_countys_administrator_gets_404_and_sees_none(client, login, db):
    item = _rectification(db)
    login("cx_admin")
    assert client.get(f"/rectifications/show/{item.id}").status_code == 404
    token = csrf_token(client, "/resetmypassword/form")
    answer = client.post(f"/rectifications/{item.id}/measures", data={"csrf_token": token, "actions": "x"})
    assert answer.status_code == 404
    assert item.case_number not in client.get("/rectifications/list/").get_data(as_text=True)
    assert item.rating.number not in client.get("/ratings/list/").get_data(as_text=True)


def test_the_window_clerk_reads_it_without_the_forms(client, login, db):
    item = _rectification(db)
    login("lz_window")
    page = client.get(f"/rectifications/show/{item.id}").get_data(as_text=True)
    assert f'data-rectification="{item.id}"' in page and "callback-form" not in page


def test_the_forms_record_a_call_back_and_show_every_problem(client, login, db):
    item = _rectification(db)
    login("lz_admin")
    token = csrf_token(client, f"/rectifications/show/{item.id}")
    refused = client.post(f"/rectifications/{item.id}/callback", data={"csrf_token": token}, follow_redirects=True)
    assert refused.get_data(as_text=True).count("alert-danger") >= 2  # contact and note, at once
    done = client.post(f"/rectifications/{item.id}/callback",
                       data={"csrf_token": token, "contact": "申请人本人", "note": "已解释并致歉"}, follow_redirects=True)
    assert done.status_code == 200 and "已解释并致歉" in done.get_data(as_text=True)
    db.refresh(item)
    assert item.callback_contact == "申请人本人" and [e.action for e in item.events] == ["opened", "callback"]


def test_only_the_city_supervisor_decides_an_appeal(client, login, db):
    item = _rectification(db)
    fix.appeal(db, factories.user(db, "lz_admin"), item.id, {"reason": "评价内容是对政策的意见"})
    db.commit()
    login("lz_admin")
    token = csrf_token(client, f"/rectifications/show/{item.id}")
    refused = client.post(f"/rectifications/{item.id}/decide", data={"csrf_token": token, "outcome": "upheld"})
    assert refused.status_code in (302, 403) and db.get(Rectification, item.id).status == "appealed"
    client.get("/logout/")
    login("city_super")
    page = client.get(f"/rectifications/show/{item.id}").get_data(as_text=True)
    assert "decide-form" in page and "callback-form" not in page
    token = csrf_token(client, f"/rectifications/show/{item.id}")
    client.post(f"/rectifications/{item.id}/decide", data={"csrf_token": token, "outcome": "upheld", "note": "属实"})
    db.expire_all()
    assert db.get(Rectification, item.id).status == "voided" and db.get(Rectification, item.id).rating.excluded


def test_the_lists_export_xlsx_in_the_provinces_shape(client, login, db):
    item = _rectification(db)
    login("lz_admin")
    for url in ("/ratings/export", "/rectifications/export"):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
        sheet = zipfile.ZipFile(io.BytesIO(answer.data)).read("xl/worksheets/sheet1.xml").decode()
        assert "评价编号" in sheet and "申诉结果" in sheet and item.rating.number in sheet and "不满意" in sheet
    login_other = client.get("/logout/")
    assert login_other.status_code in (200, 302)
    login("cx_admin")
    sheet = zipfile.ZipFile(io.BytesIO(client.get("/rectifications/export").data)).read(
        "xl/worksheets/sheet1.xml").decode()
    assert item.rating.number not in sheet


def test_my_reminders_link_a_rectification_to_its_page(client, login, db):
    from datetime import date, datetime

    from app.services.notifications.reminders import check_deadlines

    _, rating = rated_case(db, 1, at=datetime(2026, 3, 2, 10, 0))
    check_deadlines(db, date(2026, 3, 10))
    db.commit()
    login("lz_admin")
    page = client.get("/reminders/?show=all").get_data(as_text=True)
    assert f"/rectifications/show/{rating.rectification.id}" in page
