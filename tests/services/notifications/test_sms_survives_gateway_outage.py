"""Issue 10, defect 1: an SMS to an applicant survives a gateway outage of hours. It is retried on the
schedule of the configuration (1, 2, 4 … minutes, at most an hour), kept on the message itself
(``next_attempt_on``) and honoured by the periodic sender, not by Celery countdowns; past the retry
budget it is parked, counted for the health check, and sent again by 重新发送. Time is driven by
passing ``at`` to the services, never by sleeping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.models.case import Notification, OutboxMessage
from app.scope import reach_of
from app.services.notifications import messages as notifications
from tests import factories
from tests.conftest import config_override
from tests.fakes.messaging import SmsGateway

MON = date(2026, 3, 2)
#: the waits promised by config.py: 1, 2, 4 … minutes, at most an hour
PROMISED_WAITS = [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def _sms_of(db, case) -> Notification:
    db.expire_all()
    return db.scalar(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms"))


def _first_attempt(db, case) -> Notification:
    """The outbox job of the acceptance SMS, as the worker runs it: it writes the message and tries once."""
    run = factories.run_outbox(db, "notify_applicant", case.id)
    assert run.errors == []  # a failed delivery is the message's business, not a job to retry
    return _sms_of(db, case)


def _retry_until(db, case, until) -> list[timedelta]:
    """Runs the periodic sender at every moment the message asks for, up to ``until``: the waits seen."""
    waits = []
    sms = _sms_of(db, case)
    while sms.status == "failed" and sms.next_attempt_on is not None and sms.next_attempt_on <= until:
        due = sms.next_attempt_on
        assert notifications.send_due_messages(db, at=due - timedelta(seconds=1))["sms_sent"] == 0  # not due yet
        notifications.send_due_messages(db, at=due)
        sms = _sms_of(db, case)
        if sms.next_attempt_on is not None:
            waits.append(sms.next_attempt_on - due)
    return waits


def test_an_sms_is_retried_on_the_promised_schedule_through_an_outage_longer_than_the_old_budget(db, app):
    gateway = SmsGateway().start()
    gateway.down = True
    try:
        with config_override(app, **gateway.config()):
            case = factories.accepted_case(db, MON)
            sms = _first_attempt(db, case)
            assert (sms.status, sms.attempts) == ("failed", 1)
            started = sms.next_attempt_on - timedelta(minutes=1)
            outbox_row = db.get(OutboxMessage, sms.outbox_id)
            assert outbox_row.done_on is not None and outbox_row.last_error == ""  # the message keeps the retries
            # down for three hours: far past the ~10.5 minutes after which the message used to be dropped
            waits = _retry_until(db, case, started + timedelta(hours=3))
            assert waits[:len(PROMISED_WAITS)] == PROMISED_WAITS[1:len(waits) + 1]
            sms = _sms_of(db, case)
            assert sms.status == "failed" and sms.next_attempt_on is not None and sms.attempts == len(waits) + 1
            assert notifications.parked_messages_count(db) == 0
            gateway.down = False
            assert notifications.send_due_messages(db, at=sms.next_attempt_on)["sms_sent"] == 1
    finally:
        gateway.stop()
    sms = _sms_of(db, case)
    assert sms.status == "sent" and sms.next_attempt_on is None
    assert len(gateway.deliveries) == 1 and gateway.deliveries[0]["phone"] == case.applicant_phone


def test_past_the_retry_budget_the_sms_is_parked_counted_and_resent_when_the_gateway_is_back(db, app):
    gateway = SmsGateway().start()
    gateway.down = True
    try:
        with config_override(app, **gateway.config()):
            case = factories.accepted_case(db, MON)
            sms = _first_attempt(db, case)
            started = sms.next_attempt_on - timedelta(minutes=1)
            budget = timedelta(seconds=app.config["NOTIFY_RETRY_BUDGET_SECONDS"])
            assert budget == timedelta(hours=24)
            _retry_until(db, case, started + 2 * budget)
            sms = _sms_of(db, case)
            assert (sms.status, sms.next_attempt_on) == ("parked", None)
            assert "gateway busy" in sms.last_error
            tries = len(gateway.requests)
            assert tries == sms.attempts > 8  # more than the old budget, all within the new one
            assert notifications.parked_messages_count(db) == 1
            # parked: the periodic sender leaves it alone, whatever the time
            assert notifications.send_due_messages(db, at=started + 10 * budget)["sms_sent"] == 0
            assert len(gateway.requests) == tries
            gateway.down = False
            admin = factories.user(db, "admin")
            assert notifications.resend_parked(db, reach_of(admin), [sms.id]) == 1
            sms = _sms_of(db, case)
            assert sms.status == "pending" and notifications.parked_messages_count(db) == 0
            assert notifications.send_due_messages(db)["sms_sent"] == 1
    finally:
        gateway.stop()
    sms = _sms_of(db, case)
    assert sms.status == "sent" and len(gateway.deliveries) == 1


def test_the_last_attempt_before_parking_lies_within_the_budget(app):
    with app.app_context():
        waits = notifications.retry_waits()
    budget = timedelta(seconds=app.config["NOTIFY_RETRY_BUDGET_SECONDS"])
    assert waits[:7] == PROMISED_WAITS[:7] and max(waits) == timedelta(hours=1)
    assert sum(waits, timedelta()) <= budget < sum(waits, timedelta()) + timedelta(hours=1)


def test_resending_a_message_out_of_scope_or_not_parked_is_not_found(db, app):
    gateway = SmsGateway().start()
    gateway.down = True
    try:
        with config_override(app, **gateway.config(), NOTIFY_RETRY_BUDGET_SECONDS=30):
            case = factories.accepted_case(db, MON, clerk="cx_window", home="wc_center",  # 苍溪 → 旺苍
                                           matter_code="KYTB-POL-001", department_key="wc_police")
            sms = _first_attempt(db, case)
    finally:
        gateway.stop()
    assert sms.status == "parked"  # the first wait (1 minute) is past a 30 s budget
    with pytest.raises(NotFound):
        notifications.resend_parked(db, reach_of(factories.user(db, "lz_admin")), [sms.id])  # 利州's administrator
    assert notifications.resend_parked(db, reach_of(factories.user(db, "cx_admin")), [sms.id]) == 1
    with pytest.raises(NotFound):  # pending now: nothing to resend
        notifications.resend_parked(db, reach_of(factories.user(db, "cx_admin")), [sms.id])
