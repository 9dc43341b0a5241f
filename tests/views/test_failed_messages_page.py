"""Issue 10, defect 1: 发送失败的消息 (消息与报表) lists the parked messages the user's scope reaches,
in Chinese, and 重新发送 queues them again; an id out of scope answers like a missing one (404)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models.case import Notification
from app.services.notifications import messages as notifications
from tests import factories
from tests.conftest import config_override, csrf_token
from tests.fakes.messaging import SmsGateway

MON = date(2026, 3, 2)


def _parked_sms(db, app, **case_values) -> Notification:
    """An acceptance SMS parked at its first failure (a retry budget shorter than the first wait)."""
    gateway = SmsGateway().start()
    gateway.down = True
    try:
        with config_override(app, **gateway.config(), NOTIFY_RETRY_BUDGET_SECONDS=30):
            case = factories.accepted_case(db, MON, **case_values)
            factories.run_outbox(db, "notify_applicant", case.id)
    finally:
        gateway.stop()
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms"))
    assert sms.status == "parked"
    return sms


@pytest.fixture()
def parked(db, app):
    """A parked SMS of a 苍溪 → 旺苍 case (苍溪's administrator reaches it, 利州's does not)."""
    sms = _parked_sms(db, app, clerk="cx_window", home="wc_center", matter_code="KYTB-POL-001",
                      department_key="wc_police")
    db.commit()
    return sms


def test_administrators_see_the_parked_messages_of_their_scope_in_chinese(db, client, login, parked):
    login("cx_admin")
    page = client.get("/parkedmessages/list/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "发送失败的消息" in text and "重新发送" in text and "gateway busy" in text
    assert client.get(f"/parkedmessages/show/{parked.id}").status_code == 200
    client.get("/logout/")
    login("lz_admin")
    assert parked.case.number not in client.get("/parkedmessages/list/").get_data(as_text=True)
    assert client.get(f"/parkedmessages/show/{parked.id}").status_code == 404


def test_resend_queues_the_message_again_and_an_id_out_of_scope_answers_404(db, client, login, parked):
    login("lz_admin")
    token = csrf_token(client, "/resetmypassword/form")
    assert client.post(f"/parkedmessages/action/resend/{parked.id}", data={"csrf_token": token}).status_code == 404
    assert client.post("/parkedmessages/action/resend/2000000000", data={"csrf_token": token}).status_code == 404
    db.expire_all()
    assert db.get(Notification, parked.id).status == "parked"
    client.get("/logout/")
    login("cx_admin")
    token = csrf_token(client, "/resetmypassword/form")
    answer = client.post("/parkedmessages/action_post", data={"action": "resend", "rowid": [parked.id],
                                                             "csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200 and "1 条消息已重新排队发送" in answer.get_data(as_text=True)
    db.expire_all()
    assert db.get(Notification, parked.id).status == "pending" and notifications.parked_messages_count(db) == 0
    assert notifications.send_due_messages(db)["sms_sent"] == 1  # the log provider, here


def test_the_supervisor_follows_parked_messages_and_window_clerks_do_not_see_them(db, client, login, parked):
    login("city_super")
    assert client.get("/parkedmessages/list/").status_code == 200
    token = csrf_token(client, "/resetmypassword/form")
    client.post(f"/parkedmessages/action/resend/{parked.id}", data={"csrf_token": token})
    db.expire_all()
    assert db.get(Notification, parked.id).status == "parked"  # following is not resending
    client.get("/logout/")
    login("cx_window")
    assert client.get("/parkedmessages/list/").status_code == 403
