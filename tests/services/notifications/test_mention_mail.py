"""A person named (@) in a case's conversation is told by mail too, when they have an address and mail is
configured: the message queues the job ``mention_mail`` through the outbox in its own transaction, and the
job writes the mail that the periodic sender hands to the SMTP server (tests/fakes/messaging.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models.case import Notification, OutboxMessage
from app.services.cases import conversation
from app.services.notifications.messages import send_due_mail
from tests import factories


def _mention_rows(db, case) -> int:
    return db.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.case_id == case.id,
                                                                 OutboxMessage.topic == "mention_mail"))


def test_a_person_named_in_a_message_gets_a_mail_with_the_case_and_the_message(db, mail_on):
    case = factories.at_the_department(db)
    clerk = factories.user(db, "lz_window")
    assert clerk.email
    message = conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "请张丽联系申请人补充说明",
                                        [f"user:{clerk.id}"])
    assert _mention_rows(db, case) == 1
    factories.run_outbox(db, "mention_mail", case.id)
    factories.run_outbox(db, "mention_mail", case.id)  # a second run writes no second mail
    [mail] = db.scalars(select(Notification).where(Notification.event == "mention", Notification.case_id == case.id))
    assert mail.recipient == clerk.email and mail.user_id == clerk.id and mail.channel == "mail"
    assert case.number in mail.subject + mail.body and message.body in mail.body
    assert send_due_mail(db)["sent"] == 1
    mail_on.sink.wait_for(1)
    [received] = mail_on.sink.to(clerk.email)
    assert case.number in str(received["Subject"]) + received.get_content()


def test_a_message_that_names_nobody_personally_sends_no_mail(db, mail_on):
    case = factories.at_the_department(db)
    conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "请属地窗口确认签收日期", ["side:home_window"])
    assert _mention_rows(db, case) == 0


def test_without_mail_configured_a_mention_queues_no_mail(db):
    case = factories.at_the_department(db)
    clerk = factories.user(db, "lz_window")
    conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "请张丽联系申请人", [f"user:{clerk.id}"])
    assert _mention_rows(db, case) == 0
