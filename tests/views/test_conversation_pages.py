"""The case conversation, 我的提醒 and 我的代理 driven through the real web forms (CSRF on)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from app.models.conversation import CaseMessage, StandIn
from tests import factories
from tests.conftest import csrf_token


def _token(client) -> str:
    return csrf_token(client, "/resetmypassword/form")


def _post_message(client, case_id: int, token: str, **fields):
    data = {"csrf_token": token, "body": fields.pop("body", ""), **fields}
    return client.post(f"/cases/{case_id}/messages", data=data, content_type="multipart/form-data")


def test_a_side_writes_on_the_case_page_and_the_other_side_reads_it_there_and_in_my_reminders(app, client, login, db):
    case = factories.at_the_department(db)
    login("cx_hrss")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert 'id="conversation"' in page and 'id="message-form"' in page
    response = _post_message(client, case.id, _token(client), body="第3项复印件不清晰，请重新扫描",
                             mention="side:origin_window", file=(io.BytesIO(factories.small_pdf()), "标注.pdf"))
    assert response.status_code == 302 and response.headers["Location"].endswith("#conversation")
    message = db.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)).one()
    assert message.file_name == "标注.pdf" and message.mentioned_sides == ["origin_window"]

    client.get("/logout/")
    login("lz_window")
    reminders = client.get("/reminders/").get_data(as_text=True)
    assert "第3项复印件不清晰" in reminders and f'data-message-notice=' in reminders
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "第3项复印件不清晰" in page and "标注.pdf" in page
    assert client.get(f"/cases/{case.id}/messages/{message.id}/file").status_code == 200
    # opened on the case page: read
    assert "data-message-notice=" not in client.get("/reminders/").get_data(as_text=True)
    assert "data-message-notice=" in client.get("/reminders/?show=all").get_data(as_text=True)


def test_every_problem_of_a_message_is_shown_at_once_on_the_case_page(client, login, db):
    case = factories.at_the_department(db)
    login("lz_window")
    response = _post_message(client, case.id, _token(client), body=" ", mention="side:nowhere",
                             file=(io.BytesIO(b"plain text"), "x.pdf"))
    assert response.status_code == 302
    with client.session_transaction() as session:
        flashed = [message for category, message in session.get("_flashes", []) if category == "danger"]
    assert len(flashed) == 3
    assert not db.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()


def test_a_case_out_of_scope_answers_404_for_its_conversation(client, login, db):
    case = factories.at_the_department(db)
    message_id = _message(db, case)
    login("lz_police")
    token = _token(client)
    assert _post_message(client, case.id, token, body="?").status_code == 404
    assert client.get(f"/cases/{case.id}/messages/{message_id}/file").status_code == 404


def test_a_reader_who_is_no_side_cannot_post_and_the_supervisor_reads_without_a_form(client, login, db):
    case = factories.at_the_department(db)
    _message(db, case)
    login("lz_admin")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert 'id="conversation"' not in page
    assert _post_message(client, case.id, _token(client), body="我来说两句").status_code == 403
    client.get("/logout/")
    login("city_super")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "请核对" in page and 'id="message-form"' not in page
    assert _post_message(client, case.id, _token(client), body="督办").status_code == 403


def _message(db, case) -> int:
    from app.services.cases.conversation import post_message

    return post_message(db, factories.user(db, "lz_window"), case.id, "请核对",
                        upload=("a.pdf", factories.small_pdf())).id


def test_my_stand_ins_form_names_a_colleague_and_lists_every_problem_at_once(client, login, db):
    mate = factories.make_colleague(db)
    login("lz_window")
    page = client.get("/stand-ins/").get_data(as_text=True)
    assert "王芳" in page and 'class="stand-in-form"' in page
    token = _token(client)
    refused = client.post("/stand-ins/add", data={"csrf_token": token, "stand_in_user_id": "",
                                                  "starts_on": "2026-12-10", "ends_on": "2026-12-01"})
    assert refused.status_code == 422
    assert refused.get_data(as_text=True).count("<li>") >= 2  # no stand-in chosen, and the date order
    today = date.today()
    saved = client.post("/stand-ins/add", data={"csrf_token": token, "stand_in_user_id": str(mate.id),
                                                "starts_on": today.isoformat(),
                                                "ends_on": (today + timedelta(days=2)).isoformat(), "note": "年假"})
    assert saved.status_code == 302
    record = db.scalars(select(StandIn)).one()
    assert (record.absent_user.username, record.stand_in_user_id, record.note) == ("lz_window", mate.id, "年假")


def test_the_stand_ins_queue_and_the_history_say_on_behalf_of(client, login, db):
    clerk = factories.user(db, "lz_window")
    mate = factories.make_colleague(db)
    case = factories.accepted_case(db)
    from app.services.organisation.stand_ins import save_stand_in

    save_stand_in(db, clerk, {"stand_in_user_id": mate.id, "starts_on": date.today().isoformat(),
                              "ends_on": date.today().isoformat()})
    login(mate.username)
    queue = client.get("/cases/queue/").get_data(as_text=True)
    assert "代张丽" in queue
    token = _token(client)
    response = client.post(f"/cases/{case.id}/step/dispatch", data={
        "csrf_token": token, "version": str(case.version), "waybill_number": "EMS1234567890CN", "carrier": "EMS"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "代张丽办理" in client.get(f"/cases/{case.id}/").get_data(as_text=True)


def test_an_administrator_names_a_stand_in_for_someone_else_on_the_same_page(client, login, db):
    mate = factories.make_colleague(db)
    clerk = factories.user(db, "lz_window")
    login("admin")
    page = client.get("/stand-ins/").get_data(as_text=True)
    assert 'id="absent_user_id"' in page
    today = date.today().isoformat()
    saved = client.post("/stand-ins/add", data={"csrf_token": _token(client), "absent_user_id": str(clerk.id),
                                                "stand_in_user_id": str(mate.id), "starts_on": today,
                                                "ends_on": today})
    assert saved.status_code == 302
    record = db.scalars(select(StandIn)).one()
    assert (record.absent_user_id, record.stand_in_user_id) == (clerk.id, mate.id)
    client.get("/logout/")
    login("cx_window")
    assert client.post(f"/stand-ins/{record.id}/end", data={"csrf_token": _token(client)}).status_code == 404
