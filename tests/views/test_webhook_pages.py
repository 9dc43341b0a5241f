"""订阅方 and 投递记录: the administrator's pages; the secret shown once; 重新投递."""

from __future__ import annotations

from sqlalchemy import select

from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber
from app.services.events import webhooks
from tests import factories
from tests.conftest import csrf_token


def test_adding_a_subscriber_shows_its_generated_secret_once_and_checks_the_url(db, client, login):
    login("admin")
    token = csrf_token(client, "/webhooksubscribers/add")
    account = factories.user(db, "lz_admin").id
    refused = client.post("/webhooksubscribers/add", data={"name": "省平台", "url": "ftp://x", "account": account,
                                                           "actions": "", "active": "y", "csrf_token": token})
    assert refused.status_code == 200 and db.scalar(select(WebhookSubscriber).where(
        WebhookSubscriber.name == "省平台")) is None
    answer = client.post("/webhooksubscribers/add", data={"name": "省平台", "url": "https://sc.gov.cn/hook",
                                                          "account": account, "actions": "accept", "active": "y",
                                                          "csrf_token": token}, follow_redirects=True)
    subscriber = db.scalar(select(WebhookSubscriber).where(WebhookSubscriber.name == "省平台"))
    assert subscriber is not None and len(subscriber.secret) >= 32
    assert subscriber.secret in answer.get_data(as_text=True)
    assert subscriber.secret not in client.get("/webhooksubscribers/list/").get_data(as_text=True)
    assert subscriber.secret not in client.get(f"/webhooksubscribers/show/{subscriber.id}").get_data(as_text=True)
    assert subscriber.secret not in client.get(f"/webhooksubscribers/edit/{subscriber.id}").get_data(as_text=True)


def test_the_delivery_log_and_redelivery(db, client, login):
    subscriber = WebhookSubscriber(name="12345热线", url="http://127.0.0.1:9/hook", active=True,
                                   account=factories.user(db, "lz_admin"), actions="accept")
    db.add(subscriber)
    db.flush()
    factories.accepted_case(db)
    delivery = db.scalar(select(WebhookDelivery).where(WebhookDelivery.subscriber_id == subscriber.id))
    delivery.status = DeliveryStatus.FAILED
    db.commit()
    login("admin")
    page = client.get("/webhookdeliveries/list/").get_data(as_text=True)
    assert "12345热线" in page
    token = csrf_token(client, "/resetmypassword/form")
    answer = client.post("/webhookdeliveries/action_post", data={"action": "redeliver", "rowid": [delivery.id],
                                                                 "csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200
    db.expire_all()
    assert db.get(WebhookDelivery, delivery.id).status == DeliveryStatus.PENDING
    assert webhooks.TOPIC == db.get(WebhookDelivery, delivery.id).message.topic


def test_only_the_administrator_sees_the_webhook_pages(client, login):
    login("lz_admin")
    assert client.get("/webhooksubscribers/list/").status_code == 403
    assert client.get("/webhookdeliveries/list/").status_code == 403
