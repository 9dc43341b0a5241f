"""Issue 10, defect 8: the gateway contract (docs/MESSAGING.md). An attempt that timed out may have
been delivered, so every retry of one message is posted under the same request id and the gateway
must drop the duplicates; different messages never share one. The fake gateway keeps the contract as a
real one must, and one message is delivered once however many times it is posted."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.adapters.messaging import DeliveryError, HttpSmsProvider, Sms
from app.models.case import Notification
from app.services.notifications import messages as notifications
from tests import factories
from tests.conftest import config_override
from tests.fakes.messaging import SmsGateway

MON = date(2026, 3, 2)


def test_a_timed_out_sms_is_posted_again_under_its_request_id_and_delivered_once(db, app):
    gateway = SmsGateway(delay=1.0).start()  # takes each message, then answers too late
    try:
        with config_override(app, **gateway.config(timeout=0.3)):
            case = factories.accepted_case(db, MON)
            other = factories.accepted_case(db, MON)
            factories.run_outbox(db, "notify_applicant")
            for _ in range(4):  # four more timeouts, each retry at the time the message asks for
                due = db.scalar(select(Notification.next_attempt_on).where(Notification.case_id == case.id))
                notifications.send_due_messages(db, at=due)
            gateway.delay = 0
            due = db.scalar(select(Notification.next_attempt_on).where(Notification.case_id == case.id))
            notifications.send_due_messages(db, at=due + timedelta(hours=1))
    finally:
        gateway.stop()
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id))
    assert sms.status == "sent" and sms.attempts == 6
    posts = [r["json"] for r in gateway.requests if r["json"]["phone"] == case.applicant_phone
             and case.number in r["json"]["text"]]
    assert len(posts) == 6 and len({p["request_id"] for p in posts}) == 1  # one request id for every retry
    other_ids = {r["json"]["request_id"] for r in gateway.requests if other.number in r["json"]["text"]}
    assert len(other_ids) == 1 and other_ids.isdisjoint({posts[0]["request_id"]})  # another message, another id
    assert [d["request_id"] for d in gateway.deliveries].count(posts[0]["request_id"]) == 1
    assert len(gateway.deliveries) == 2  # one per message, though twelve posts were made


def test_the_fake_gateway_drops_a_duplicate_request_id_as_the_contract_asks():
    gateway = SmsGateway().start()
    try:
        provider = HttpSmsProvider(gateway.url, gateway.KEY, gateway.SECRET, 5)
        first = provider.send(Sms("13900001234", "测试", "request-1"))
        assert [provider.send(Sms("13900001234", "测试", "request-1")) for _ in range(19)] == [first] * 19
        assert provider.send(Sms("13900001234", "测试", "request-2")) != first
        gateway.down = True
        try:
            provider.send(Sms("13900001234", "测试", "request-3"))
        except DeliveryError as error:
            assert "503" in str(error)
    finally:
        gateway.stop()
    assert len(gateway.requests) == 22 and [d["request_id"] for d in gateway.deliveries] == ["request-1", "request-2"]
