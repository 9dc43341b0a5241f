"""Webhooks: signing, queueing with the case event (in its transaction), the subscriber's scope and action
filter, delivery against a real receiver on 127.0.0.1, retries and the failure after the last attempt."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select

from app.adapters.webhooks import body_of, signature, verify
from app.models.case import OutboxMessage
from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber
from app.platform import outbox
from app.services.events import webhooks
from tests import factories
from tests.conftest import config_override
from tests.services.supervision import other_county_case


def subscribe(db, url="http://127.0.0.1:9/hook", account="lz_admin", actions="", name=None):
    subscriber = WebhookSubscriber(name=name or factories.unique("12345热线"), url=url, secret=webhooks.new_secret(),
                                   active=True, account=factories.user(db, account), actions=actions)
    db.add(subscriber)
    db.flush()
    return subscriber


def deliveries(db, subscriber):
    return list(db.scalars(select(WebhookDelivery).where(WebhookDelivery.subscriber_id == subscriber.id)
                           .order_by(WebhookDelivery.id)))


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = body_of({"b": 1, "a": "利州"})
    assert body == '{"a":"利州","b":1}'.encode()
    expected = hmac.new(b"s3cret", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert signature("s3cret", "1767225600", body) == f"sha256={expected}"
    assert verify("s3cret", "1767225600", body, f"sha256={expected}")
    assert not verify("other", "1767225600", body, f"sha256={expected}")
    assert not verify("s3cret", "1767225601", body, f"sha256={expected}")


def test_every_event_queues_one_delivery_per_subscriber_in_its_transaction(db):
    subscriber = subscribe(db)
    case = factories.accepted_case(db)
    made = deliveries(db, subscriber)
    assert [d.event.action for d in made] == [e.action for e in sorted(case.events, key=lambda e: e.seq)]
    assert len(made) >= 2
    for delivery in made:
        assert delivery.status == DeliveryStatus.PENDING and delivery.message.topic == webhooks.TOPIC
        assert delivery.message.case_id == case.id and delivery.message.done_on is None
    assert len({d.delivery_id for d in made}) == len(made)


def test_a_subscriber_sees_only_the_cases_its_account_reads(db):
    ours, theirs = subscribe(db, account="lz_admin"), subscribe(db, account="cx_admin")
    case = other_county_case(db)  # 苍溪 → 旺苍: nothing of 利州区
    assert deliveries(db, ours) == []
    assert len(deliveries(db, theirs)) == len(case.events)


def test_the_action_filter_and_inactive_subscribers(db):
    only_accept = subscribe(db, actions="accept, complete")
    off = subscribe(db)
    off.active = False
    db.flush()
    factories.accepted_case(db)
    assert [d.event.action for d in deliveries(db, only_accept)] == ["accept"]
    assert deliveries(db, off) == []


def test_delivered_to_a_real_receiver_with_a_valid_signature(db, app, webhook_receiver):
    subscriber = subscribe(db, url=webhook_receiver.url)
    webhook_receiver.secret = subscriber.secret
    case = factories.accepted_case(db)
    factories.run_outbox(db, topic=webhooks.TOPIC)
    made = deliveries(db, subscriber)
    assert all(d.status == DeliveryStatus.DELIVERED and d.attempts == 1 and d.last_status_code == 200
               for d in made)
    got = webhook_receiver.accepted()
    assert sorted(r.delivery_id for r in got) == sorted(d.delivery_id for d in made)
    assert all(r.signature_ok for r in got)
    event = got[-1].payload["event"]
    assert event["case_id"] == case.id and event["case_number"] == case.number and event["action"] == "accept"
    text = str([r.payload for r in got])
    assert factories.APPLICANT["applicant_name"] not in text  # no personal data of the applicant


def test_500_twice_then_200_is_delivered_on_the_third_attempt(db, app, webhook_receiver):
    subscriber = subscribe(db, url=webhook_receiver.url, actions="accept")
    webhook_receiver.secret = subscriber.secret
    webhook_receiver.answer(500, 500)
    factories.accepted_case(db)
    run = factories.run_outbox(db, topic=webhooks.TOPIC, attempts=3)
    assert run.errors == ["WebhookNotDelivered", "WebhookNotDelivered"]
    [delivery] = deliveries(db, subscriber)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert [r.status for r in webhook_receiver.received] == [500, 500, 200]
    assert len(set(webhook_receiver.ids())) == 1  # the same X-Kytb-Event-Id on every attempt


def test_after_the_last_attempt_the_delivery_is_failed_and_can_be_redelivered(db, app, webhook_receiver):
    subscriber = subscribe(db, url=webhook_receiver.url, actions="accept")
    webhook_receiver.secret = subscriber.secret
    webhook_receiver.answer(503, 503, 503)
    factories.accepted_case(db)
    with config_override(app, WEBHOOK_MAX_ATTEMPTS=3):
        factories.run_outbox(db, topic=webhooks.TOPIC, attempts=3)
    [delivery] = deliveries(db, subscriber)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 3, 503)
    assert delivery.last_error == "HTTP 503" and delivery.message.done_on is not None

    [queued] = webhooks.redeliver(db, [delivery.id])
    assert queued.status == DeliveryStatus.PENDING and queued.message.done_on is None
    factories.run_outbox(db, topic=webhooks.TOPIC)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 4)
    assert webhook_receiver.ids()[-1] == delivery.delivery_id


def test_an_unreachable_receiver_is_retried(db, app):
    subscriber = subscribe(db, url="http://127.0.0.1:9/nothing-listens", actions="accept")
    factories.accepted_case(db)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == webhooks.TOPIC,
                                                    OutboxMessage.done_on.is_(None)))
    try:
        outbox.run_message(db, message.id, retry_in=5)
    except webhooks.WebhookNotDelivered:
        pass
    [delivery] = deliveries(db, subscriber)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code is None and "ConnectionError" in delivery.last_error
    assert delivery.next_retry_on is not None


def test_a_subscriber_url_must_be_http_or_https():
    assert webhooks.url_problem("ftp://example.org/") and webhooks.url_problem("javascript:alert(1)")
    assert webhooks.url_problem("https:///path")
    assert webhooks.url_problem("https://platform.sc.gov.cn/kytb") is None
