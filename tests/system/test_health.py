"""The health page tells operations whether work gets done: database and broker, the worker's and beat's
heartbeats, the outbox backlog, the courier and the SMS gateway, and messages given up on. Each figure is
reported; past its configured limit the page turns red (503, ``ok: false``) and names the failing check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from app.models.base import now
from app.models.case import Notification, OutboxMessage, Shipment
from app.models.system import Heartbeat
from app.platform import outbox
from tests import factories
from tests.conftest import config_override


def _heartbeat(db, process: str, seconds_ago: float) -> None:
    """The heartbeat record of ``process`` as if it last reported ``seconds_ago``."""
    db.execute(delete(Heartbeat).where(Heartbeat.process == process))
    db.add(Heartbeat(process=process, hostname="test-host", beats=1, last_seen=now() - timedelta(seconds=seconds_ago)))
    db.commit()


@pytest.fixture()
def working(db):
    """A system where work gets done: worker and beat reported a moment ago, the outbox is empty, no message
    or parcel is failing."""
    _heartbeat(db, "worker", 1)
    _heartbeat(db, "beat", 1)
    db.execute(update(OutboxMessage).where(OutboxMessage.done_on.is_(None)).values(done_on=now(), published_on=now()))
    db.execute(update(Notification).where(Notification.status != "sent").values(status="sent", sent_on=now(),
                                                                                 last_error="", next_attempt_on=None))
    db.execute(update(Shipment).values(booking_error=""))
    db.commit()
    return db


def _health(client):
    response = client.get("/health")
    return response.status_code, response.get_json()


def test_health_reports_every_figure(client, working):
    status, body = _health(client)
    assert status == 200 and body["ok"] is True and body["failing"] == []
    assert set(body) >= {"database", "broker", "worker", "beat", "outbox", "providers", "messages", "webhooks", "ok", "failing"}
    assert body["worker"]["age_seconds"] < 60 and body["beat"]["age_seconds"] < 60
    assert set(body["providers"]) == {"courier", "sms"}
    assert body["messages"]["parked"] == 0


def test_the_outbox_backlog_counts_unfinished_side_effects(client, working):
    before = client.get("/health").get_json()["outbox"]["unfinished"]
    factories.accepted_case(working)
    body = client.get("/health").get_json()
    assert body["outbox"]["unfinished"] == before + 3
    assert body["outbox"]["oldest_unpublished_age_seconds"] is not None


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_a_silent_process_turns_health_red_and_a_fresh_heartbeat_green(app, client, working, process):
    with config_override(app, HEALTH_HEARTBEAT_MAX_AGE_SECONDS=120):
        _heartbeat(working, process, 135)  # the drill: no worker for 120 s, heartbeat 135 s old
        status, body = _health(client)
        assert status == 503 and body["ok"] is False and process in body["failing"]
        assert body[process]["ok"] is False and body[process]["age_seconds"] >= 135
        _heartbeat(working, process, 1)
        assert _health(client)[0] == 200


def test_a_process_that_never_reported_is_red(client, working):
    working.execute(delete(Heartbeat).where(Heartbeat.process == "beat"))
    working.commit()
    status, body = _health(client)
    assert status == 503 and body["failing"] == ["beat"] and body["beat"]["last_heartbeat"] is None


def test_an_outbox_backlog_past_its_limits_is_red(app, client, working):
    factories.accepted_case(working)  # three side effects waiting
    with config_override(app, HEALTH_OUTBOX_MAX_ROWS=2):
        status, body = _health(client)
        assert status == 503 and body["failing"] == ["outbox"] and body["outbox"]["unfinished"] >= 3
    with config_override(app, HEALTH_OUTBOX_MAX_AGE_SECONDS=60):
        assert _health(client)[0] == 200
        working.execute(update(OutboxMessage).where(OutboxMessage.done_on.is_(None))
                        .values(created_on=now() - timedelta(seconds=90)))
        working.commit()
        status, body = _health(client)
        assert status == 503 and body["failing"] == ["outbox"]
        assert body["outbox"]["oldest_unpublished_age_seconds"] >= 90
        outbox.publish_pending(working, lambda message_id: None)  # the relay hands them over …
        factories.run_outbox(working)  # … and the worker carries them out
        assert _health(client)[0] == 200


def _failing_sms(db, count: int) -> list[int]:
    case = factories.accepted_case(db)
    ids = []
    for index in range(count):
        message = Notification(case_id=case.id, channel="sms", event="accepted", recipient="13800138000",
                               body="…", provider="http", status="failed", attempts=1,
                               last_error="DeliveryError: gateway unreachable",
                               next_attempt_on=now() + timedelta(minutes=1), created_on=now())
        db.add(message)
        db.flush()
        ids.append(message.id)
    db.commit()
    return ids


def test_an_sms_gateway_that_fails_is_red_until_messages_go_through(client, working):
    ids = _failing_sms(working, 3)
    status, body = _health(client)
    assert status == 503 and body["failing"] == ["sms"]
    assert body["providers"]["sms"]["failing"] == 3 and body["providers"]["sms"]["failure_share"] == 1.0
    working.execute(update(Notification).where(Notification.id.in_(ids))
                    .values(status="sent", sent_on=now(), last_error="", next_attempt_on=None))
    working.commit()
    status, body = _health(client)
    assert status == 200 and body["providers"]["sms"]["failing"] == 0


def test_a_courier_that_fails_is_red_until_parcels_are_booked(client, working):
    case = factories.accepted_case(working)
    factories.run_outbox(working, case_id=case.id)
    shipment = factories.shipments_of(working, case)[0]
    shipment.booking_attempts, shipment.booking_error = 2, "CourierUnavailable: connection refused"
    shipment.booking_status, shipment.waybill_number = "planned", ""
    working.commit()
    status, body = _health(client)
    assert status == 503 and body["failing"] == ["courier"] and body["providers"]["courier"]["failing"] == 1
    shipment.booking_status, shipment.waybill_number, shipment.booking_error = "booked", "EA100000001CN", ""
    shipment.booked_on = now()
    working.commit()
    status, body = _health(client)
    assert status == 200 and body["providers"]["courier"]["failure_share"] == 0.0


def test_a_provider_mostly_succeeding_stays_green(client, working):
    case = factories.accepted_case(working)
    for _ in range(3):
        working.add(Notification(case_id=case.id, channel="sms", event="accepted", recipient="13800138000", body="…",
                                 provider="http", status="sent", attempts=1, sent_on=now()))
    working.commit()
    _failing_sms(working, 1)
    status, body = _health(client)
    assert status == 200 and body["providers"]["sms"]["failure_share"] == 0.25


def test_messages_given_up_on_are_red(client, working):
    ids = _failing_sms(working, 1)
    working.execute(update(Notification).where(Notification.id.in_(ids))
                    .values(status=Notification.PARKED, next_attempt_on=None, attempts=29))
    working.commit()
    status, body = _health(client)
    assert status == 503 and "messages" in body["failing"] and body["messages"]["parked"] == 1
    working.execute(update(Notification).where(Notification.id.in_(ids)).values(status="sent", sent_on=now()))
    working.commit()
    assert _health(client)[0] == 200


def test_an_unreachable_broker_answers_503(app, client, working):
    with config_override(app, CELERY_BROKER_URL="redis://127.0.0.1:9/0"):  # nothing listens on port 9
        status, body = _health(client)
    assert status == 503 and body["failing"] == ["broker"]
    assert body["broker"]["ok"] is False and body["database"]["ok"] is True


def test_webhook_deliveries_given_up_on_are_red_until_delivered_again(app, client, working):
    """A subscriber whose receiver is down: once its delivery is failed after the last attempt the health page
    names it (as messages given up on); 重新投递 puts it back on its way."""
    from sqlalchemy import select

    from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber
    from app.services.events import webhooks

    subscriber = WebhookSubscriber(name="12345热线", url="http://127.0.0.1:9/hook", active=True,
                                   account=factories.user(working, "lz_admin"), actions="accept")
    working.add(subscriber)
    working.commit()
    factories.accepted_case(working)
    delivery = working.scalar(select(WebhookDelivery).where(WebhookDelivery.subscriber_id == subscriber.id))
    working.execute(update(OutboxMessage).where(OutboxMessage.done_on.is_(None))
                    .values(done_on=now(), published_on=now()))
    working.commit()
    assert _health(client)[0] == 200  # on its way: not given up on
    message = delivery.message
    message.attempts = 3
    with config_override(app, WEBHOOK_MAX_ATTEMPTS=3):
        webhooks.deliver_webhook(working, message)  # the last attempt: nothing listens on port 9
    working.commit()
    assert delivery.status == DeliveryStatus.FAILED
    status, body = _health(client)
    assert status == 503 and "webhooks" in body["failing"]
    assert body["webhooks"]["failed"] == 1 and body["webhooks"]["subscribers"] == {"12345热线": 1}
    webhooks.redeliver(working, [delivery.id])
    working.execute(update(OutboxMessage).where(OutboxMessage.done_on.is_(None))
                    .values(done_on=now(), published_on=now()))
    working.commit()
    status, body = _health(client)
    assert status == 200 and body["webhooks"]["failed"] == 0
