"""What the worker's log says about a message to an applicant (issue 9, defect 8): the phone number masked
as everywhere outside the case's own windows (138****5678), never in full."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from app.models.case import OutboxMessage
from app.platform import outbox
from tests import factories

MON = date(2026, 3, 2)
PHONE, MASKED_PHONE = factories.APPLICANT["applicant_phone"], "139****1234"


def test_an_sms_sent_is_logged_with_the_phone_masked(db, caplog):
    case = factories.accepted_case(db, MON)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                    OutboxMessage.topic == "notify_applicant"))
    with caplog.at_level(logging.INFO, logger="app"):
        assert outbox.run_message(db, message.id)
    sent = [r.getMessage() for r in caplog.records if r.name.startswith("app.services.notifications")]
    assert any("sms" in line and MASKED_PHONE in line for line in sent), sent
    assert not any(PHONE in r.getMessage() for r in caplog.records)
