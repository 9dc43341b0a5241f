"""The mail to the people a case message names (@), the job ``mention_mail`` of the outbox.

The conversation (``app.services.cases.conversation``) queues the job in the transaction of the message,
only when mail is configured; the job writes one mail per named person who has an address (the notices of
我的提醒 say who was named: a named person's stand-in is among them), in the person's language, from the
editable template ``mention``. The periodic sender hands it to the SMTP server (``messages``). Run twice,
it writes each mail once (one per outbox row and address).
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.messaging import mail_enabled
from app.models.case import Notification, OutboxMessage
from app.models.conversation import CaseMessage, CaseMessageNotice
from app.models.staff import StaffUser
from app.platform import outbox
from app.services.notifications.messages import queue_mail, render, staff_languages

log = logging.getLogger(__name__)


@outbox.handles("mention_mail")
def mention_mail(session: Session, message: OutboxMessage) -> list[Notification]:
    """Writes the mail of each person the case message names; returns the mails written now."""
    written: list[Notification] = []
    case_message = session.get(CaseMessage, int(message.payload.get("message_id") or 0))
    if case_message is None or not mail_enabled(current_app.config):
        return written
    named = session.scalars(select(StaffUser).join(CaseMessageNotice, CaseMessageNotice.user_id == StaffUser.id)
                            .where(CaseMessageNotice.message_id == case_message.id,
                                   CaseMessageNotice.mentioned.is_(True), StaffUser.active.is_(True))
                            .order_by(StaffUser.id)).all()
    done = set(session.scalars(select(Notification.recipient).where(Notification.outbox_id == message.id,
                                                                     Notification.channel == "mail")))
    languages = staff_languages(session, [user.id for user in named])
    case = case_message.case
    base_url = current_app.config["APP_URL"]
    for user in named:
        if not user.email or user.email in done:
            continue
        rendered = render(session, "mention", "mail", languages.get(user.id, "zh"), {
            "name": user.name, "author": case_message.author_name, "number": case.label,
            "matter": case.matter.name, "body": case_message.body,
            "url": f"{base_url}/cases/{case.id}/#conversation" if base_url else ""})
        if rendered is None:  # switched off by an administrator
            continue
        mail = queue_mail(session, to=user.email, subject=rendered.subject, body=rendered.body, event="mention",
                          language=rendered.language, user_id=user.id, case_id=case.id)
        mail.outbox_id = message.id
        done.add(user.email)
        written.append(mail)
    session.commit()
    log.info("case message %s: %d mention mail(s) written", case_message.id, len(written))
    return written
