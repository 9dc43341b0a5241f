"""Messages: reminder mail to staff through a real SMTP server on loopback, each reminder mailed once;
SMS to applicants through a fake gateway with retries and a delivery status; templates that refuse
unknown placeholders; English texts for those who read English."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.models.base import now
from app.models.case import Notification, OutboxMessage
from app.models.notify import MessageTemplate, Reminder, StaffPreference
from app.services.notifications import messages as notifications
from app.platform import outbox
from app.platform import records
from app.services.notifications import reminders
from app.services.notifications.messages import render, send_due_mail, template_problems
from app.scope import reach_of
from tests import factories
from tests.conftest import config_override, csrf_token
from tests.fakes import free_port
from tests.fakes.messaging import SmsGateway

MON, THU = date(2026, 3, 2), date(2026, 3, 5)


def _check_and_mail(db, today=THU, at=None):
    reminders.check_deadlines(db, today)
    digests = reminders.queue_reminder_mail(db, at=at)
    return digests, send_due_mail(db, at=at)


# --- mail to staff ------------------------------------------------------------------------------


def test_reminders_are_mailed_once_as_one_digest_per_user_over_smtp(db, mail_on):
    first = factories.accepted_case(db, MON)
    second = factories.accepted_case(db, MON)
    digests, sent = _check_and_mail(db)
    assert digests == 4 and sent == {"sent": 4, "failed": 0}  # lz_window, lz_admin, cx_admin, city_super
    mail_on.sink.wait_for(4)
    to_clerk = mail_on.sink.to("lz_window@gy-demo.example.cn")
    assert len(to_clerk) == 1
    body = to_clerk[0].get_content()
    assert "【跨域通办】您有2条办件时限提醒" == to_clerk[0]["Subject"]
    assert first.number in body and second.number in body and "红色预警" in body
    assert f"https://kytb.example.cn/cases/{first.id}/" in body
    assert "【督办】" in mail_on.sink.to("city_super@gy-demo.example.cn")[0].get_content()

    for _ in range(3):  # the job runs again and again: nothing is mailed twice
        _check_and_mail(db)
    assert len(mail_on.sink.messages) == 4
    rows = db.scalars(select(Reminder).where(Reminder.case_id.in_([first.id, second.id]))).all()
    assert {r.mail_status for r in rows} == {"sent"} and all(r.notification_id for r in rows)
    mail = db.get(Notification, rows[0].notification_id)
    assert mail.channel == "mail" and mail.status == "sent" and mail.attempts == 1 and mail.sent_on


def test_staff_who_read_english_get_the_english_text(db, mail_on):
    clerk = factories.user(db, "lz_window")
    reminders.save_preference(db, clerk.id, "en", True)
    case = factories.accepted_case(db, MON)
    _check_and_mail(db)
    mail_on.sink.wait_for(4)
    message = mail_on.sink.to("lz_window@gy-demo.example.cn")[0]
    assert message["Subject"] == "[Cross-region services] 1 deadline reminder(s)"
    assert "red (overdue)" in message.get_content() and case.number in message.get_content()
    assert "您有" in mail_on.sink.to("lz_admin@gy-demo.example.cn")[0]["Subject"]  # Chinese by default


def test_a_user_who_opted_out_is_not_mailed_but_still_reminded(db, mail_on):
    clerk = factories.user(db, "lz_window")
    db.add(StaffPreference(user_id=clerk.id, language="zh", mail_reminders=False))
    db.commit()
    case = factories.accepted_case(db, MON)
    _check_and_mail(db)
    assert mail_on.sink.to("lz_window@gy-demo.example.cn") == []
    mine = db.scalar(select(Reminder).where(Reminder.case_id == case.id, Reminder.user_id == clerk.id))
    assert mine.mail_status == "off"


def test_a_failed_mail_is_recorded_and_retried_with_backoff(db, app, smtp):
    down = {**smtp.config, "MAIL_PORT": free_port()}  # nothing listens there
    case = factories.accepted_case(db, MON)
    at = now()
    with config_override(app, **down):
        digests, sent = _check_and_mail(db, at=at)
    assert digests == 4 and sent["sent"] == 0 and sent["failed"] == 1  # stops at the unreachable server
    failed = db.scalar(select(Notification).where(Notification.channel == "mail", Notification.status == "failed"))
    assert failed.attempts == 1 and "unreachable" in failed.last_error
    assert failed.next_attempt_on == at + timedelta(minutes=1)
    with config_override(app, **smtp.config):
        assert send_due_mail(db, at=at + timedelta(seconds=30))["sent"] == 3  # the others; the failed one waits
        db.refresh(failed)
        assert failed.status == "failed" and failed.attempts == 1
        assert send_due_mail(db, at=at + timedelta(minutes=2))["sent"] == 1
    db.refresh(failed)
    assert failed.status == "sent" and failed.attempts == 2 and failed.last_error == ""
    smtp.sink.wait_for(4)
    assert len(smtp.sink.messages) == 4
    assert {r.mail_status for r in db.scalars(select(Reminder).where(Reminder.case_id == case.id))} == {"sent"}


def test_without_mail_server_nothing_is_queued(db):
    case = factories.accepted_case(db, MON)
    assert _check_and_mail(db) == (0, {"sent": 0, "failed": 0})
    assert {r.mail_status for r in db.scalars(select(Reminder).where(Reminder.case_id == case.id))} == {"off"}


# --- SMS to applicants --------------------------------------------------------------------------


def _sms_message(db, case) -> OutboxMessage:
    return db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                 OutboxMessage.topic == "notify_applicant"))


def test_the_log_provider_keeps_the_sms_as_sent(db):
    case = factories.accepted_case(db, MON)
    assert outbox.run_message(db, _sms_message(db, case).id)
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id))
    assert (sms.status, sms.attempts, sms.provider, sms.language) == ("sent", 1, "log", "zh")
    assert sms.body.startswith("【广元政务服务】李晓梅您好") and case.number in sms.body


def test_the_gateway_failing_twice_then_succeeding_delivers_one_sms_with_three_attempts(db, app):
    gateway = SmsGateway(script=[500, 503, 200]).start()
    try:
        with config_override(app, **gateway.config()):
            case = factories.accepted_case(db, MON)
            message = _sms_message(db, case)
            assert outbox.run_message(db, message.id)  # the job writes the SMS and tries once; the message retries
            for attempt in (1, 2):
                sms = db.scalar(select(Notification).where(Notification.outbox_id == message.id))
                assert (sms.status, sms.attempts) == ("failed", attempt) and "gateway busy" in sms.last_error
                notifications.send_due_messages(db, at=sms.next_attempt_on)
            sms = db.scalar(select(Notification).where(Notification.outbox_id == message.id))
            assert (sms.status, sms.attempts, sms.provider, sms.provider_ref) == ("sent", 3, "http", "gw-3")
            assert sms.last_error == "" and sms.sent_on is not None
            # run again (a duplicated job, a re-published row, the periodic sender): never sent twice
            assert outbox.run_message(db, message.id) is False
            notifications.notify_applicant(db, db.get(OutboxMessage, message.id))
            assert notifications.send_due_messages(db, at=now() + timedelta(days=2))["sms_sent"] == 0
    finally:
        gateway.stop()
    assert len(gateway.requests) == 3
    assert all(r["signed"] and r["key"] == SmsGateway.KEY for r in gateway.requests)
    assert {r["json"]["request_id"] for r in gateway.requests} == {sms.request_id}  # one request id for every attempt: the gateway drops duplicates
    assert gateway.requests[0]["json"]["phone"] == case.applicant_phone
    assert db.scalars(select(Notification).where(Notification.outbox_id == message.id)).all() == [sms]


def test_a_gateway_that_does_not_answer_in_time_is_a_recorded_failure(db, app):
    gateway = SmsGateway(script=[200], delay=2).start()
    try:
        with config_override(app, **gateway.config(timeout=0.5)):
            case = factories.accepted_case(db, MON)
            at = now()
            assert outbox.run_message(db, _sms_message(db, case).id)
    finally:
        gateway.stop()
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id))
    assert sms.status == "failed" and "unreachable" in sms.last_error and "Timeout" in sms.last_error
    assert at + timedelta(minutes=1) <= sms.next_attempt_on <= now() + timedelta(minutes=1)


# --- templates ----------------------------------------------------------------------------------


def test_templates_are_seeded_in_chinese_and_english(db):
    rows = db.scalars(select(MessageTemplate)).all()
    keys = {(r.event, r.channel, r.language) for r in rows}
    for event in ("accepted", "correction", "result_ready", "delivered"):
        assert {(event, "sms", "zh"), (event, "sms", "en")} <= keys
    assert {("reminders", "mail", "zh"), ("reminders", "mail", "en"), ("report", "mail", "zh")} <= keys
    assert notifications.seed_templates(db) == 0  # again: nothing added, nothing replaced


def test_unknown_placeholders_are_refused_all_at_once(db):
    from flask_babel import force_locale

    problems = template_problems("accepted", "sms", "zh", "", "{name}您好，{nmae}，编号{number}，{phone_no}，{window!r}")
    with force_locale("en"):
        messages = [str(p.message) for p in problems.problems]
    assert len(messages) == 3
    assert any("{nmae}" in m for m in messages) and any("{phone_no}" in m for m in messages)
    assert any("{window}" in m and "format" in m for m in messages)
    assert "{name}" in messages[0] and "{matter}" in messages[0]  # the allowed ones are named
    assert [str(p.message) for p in template_problems("accepted", "sms", "zh", "", "编号{number").problems]
    assert not template_problems("accepted", "sms", "en", "", "Dear {name}, case {number}.").problems


def test_saving_a_template_checks_it_through_the_records_service(db):
    template = db.scalar(select(MessageTemplate).where(MessageTemplate.event == "accepted",
                                                       MessageTemplate.language == "zh"))
    original = template.body
    template.body = "{name}您好 {foo} {bar}"
    with pytest.raises(ValidationFailed) as refused:
        records.save(db, template, reach_of(factories.user(db, "admin")))
    assert len(refused.value.problems) == 2
    db.expire_all()
    assert db.get(MessageTemplate, template.id).body == original


def test_the_admin_edit_page_lists_every_unknown_placeholder(db, client, login):
    template = db.scalar(select(MessageTemplate).where(MessageTemplate.event == "correction",
                                                       MessageTemplate.language == "zh"))
    login("admin")
    url = f"/messagetemplateview/edit/{template.id}"
    page = client.get(url)
    assert page.status_code == 200 and "{matter}" in page.get_data(as_text=True)  # the placeholders are shown
    answer = client.post(url, data={"subject": "", "body": "{name}：{foo}，{bar}", "active": "y",
                                    "csrf_token": csrf_token(client, url)})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "{foo}" in text and "{bar}" in text
    db.expire_all()
    assert "{foo}" not in db.get(MessageTemplate, template.id).body
    good = "【广元政务服务】{name}您好，“{matter}”（{number}）请补正。"
    answer = client.post(url, data={"subject": "", "body": good, "active": "y", "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 302
    db.expire_all()
    assert db.get(MessageTemplate, template.id).body == good


def test_template_pages_are_for_administrators_and_sent_messages_for_supervisors(db, client, login):
    case = factories.accepted_case(db, MON)
    outbox.run_message(db, _sms_message(db, case).id)
    login("lz_window")
    assert client.get("/messagetemplateview/list/").status_code == 403
    assert client.get("/notificationview/list/").status_code == 403
    client.get("/logout/")
    login("city_super")
    assert client.get("/messagetemplateview/list/").status_code == 403
    listing = client.get("/notificationview/list/")
    assert listing.status_code == 200 and "139****1234" in listing.get_data(as_text=True)
    client.get("/logout/")
    login("admin")
    assert client.get("/messagetemplateview/list/").status_code == 200


def test_the_english_text_is_used_for_english_and_falls_back_to_chinese(db):
    case = factories.accepted_case(db, MON)
    values = notifications.applicant_values(case, "en")
    english = render(db, "accepted", "sms", "en", values)
    assert english.language == "en" and english.body.startswith("[Guangyuan Gov Services] Dear 李晓梅")
    assert "collect" not in english.body and case.number in english.body
    assert "please collect the result" in render(db, "result_ready", "sms", "en", values).body
    assert notifications.applicant_language(case) == "zh"  # applicants get Chinese by default

    en = db.scalar(select(MessageTemplate).where(MessageTemplate.event == "accepted", MessageTemplate.channel == "sms",
                                                 MessageTemplate.language == "en"))
    en.active = False
    db.commit()
    assert render(db, "accepted", "sms", "en", values).language == "zh"
    zh = db.scalar(select(MessageTemplate).where(MessageTemplate.event == "accepted", MessageTemplate.channel == "sms",
                                                 MessageTemplate.language == "zh"))
    zh.active = False
    db.commit()
    assert render(db, "accepted", "sms", "en", values) is None
    # switched off: the outbox job ends without a message
    assert outbox.run_message(db, _sms_message(db, case).id)
    assert db.scalar(select(Notification).where(Notification.case_id == case.id)) is None


def test_a_long_digest_lists_the_first_cases_and_counts_the_rest():
    from types import SimpleNamespace

    items = [SimpleNamespace(kind="escalation", stage="process", level="red", due_on=THU,
                             case=SimpleNamespace(id=i, number=f"GYLZ-2026-{i:06d}", applicant_name="李晓梅",
                                                  matter=SimpleNamespace(name="社会保障卡申领")))
             for i in range(1, 131)]
    text = reminders.digest_items(items, "zh", "https://kytb.example.cn")
    assert "GYLZ-2026-000050" in text and "GYLZ-2026-000051" not in text
    assert text.endswith("……以及另外80件，请登录系统查看全部提醒。")
    assert reminders.digest_items(items, "en", "").endswith("… and 80 more: sign in to see every reminder.")
