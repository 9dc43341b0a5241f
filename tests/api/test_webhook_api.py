"""订阅方 and 投递记录 as API resources (Admin only, as the pages): the secret shown once (creation, new secret),
never in list or show; the page's URL rule (every problem at once, 422); If-Match; 重新投递 all or nothing."""

from __future__ import annotations

from sqlalchemy import select

from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber
from tests import factories


def _subscriber(db, name="12345热线") -> WebhookSubscriber:
    subscriber = WebhookSubscriber(name=name, url="http://127.0.0.1:9/hook", active=True,
                                   account=factories.user(db, "lz_admin"), actions="accept")
    db.add(subscriber)
    db.commit()
    return subscriber


def _failed_delivery(db, subscriber) -> WebhookDelivery:
    factories.accepted_case(db)
    delivery = db.scalar(select(WebhookDelivery).where(WebhookDelivery.subscriber_id == subscriber.id)
                         .order_by(WebhookDelivery.id.desc()))
    delivery.status = DeliveryStatus.FAILED
    db.commit()
    return delivery


def test_creating_a_subscriber_answers_its_secret_once(db, api):
    admin = api("admin")
    account = factories.user(db, "lz_admin").id
    made = admin.post("/api/v1/webhook_subscriber/", json={"name": "省平台", "url": "https://sc.gov.cn/hook",
                                                           "account": account, "actions": "accept", "active": True})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    subscriber = db.get(WebhookSubscriber, body["id"])
    assert body["secret"] == subscriber.secret and len(body["secret"]) >= 32
    listed = admin.get("/api/v1/webhook_subscriber/")
    shown = admin.get(f"/api/v1/webhook_subscriber/{subscriber.id}")
    assert listed.status_code == shown.status_code == 200
    assert subscriber.secret not in listed.get_data(as_text=True)
    assert subscriber.secret not in shown.get_data(as_text=True)
    assert shown.get_json()["result"]["url"] == "https://sc.gov.cn/hook"


def test_every_problem_at_once(db, api):
    account = factories.user(db, "lz_admin").id
    refused = api("admin").post("/api/v1/webhook_subscriber/", json={"name": " ", "url": "ftp://x",
                                                                     "account": account, "actions": ""})
    assert refused.status_code == 422, refused.get_json()
    assert {problem["field"] for problem in refused.get_json()["errors"]} == {"name", "url"}
    no_account = api("admin").post("/api/v1/webhook_subscriber/", json={"name": "x", "url": "https://a.cn/"})
    assert no_account.status_code == 422 and "account" in no_account.get_data(as_text=True)


def test_edit_with_if_match_and_delete(db, api, client):
    admin = api("admin")
    subscriber = _subscriber(db)
    shown = admin.get(f"/api/v1/webhook_subscriber/{subscriber.id}")
    stale = client.put(f"/api/v1/webhook_subscriber/{subscriber.id}", json={"active": False},
                       headers={**admin.headers, "If-Match": '"stale"'})
    assert stale.status_code == 412
    changed = client.put(f"/api/v1/webhook_subscriber/{subscriber.id}", json={"active": False},
                         headers={**admin.headers, "If-Match": shown.headers["ETag"]})
    assert changed.status_code == 200, changed.get_json()
    assert admin.put(f"/api/v1/webhook_subscriber/{subscriber.id}", json={"url": "mailto:x"}).status_code == 422
    db.expire_all()
    assert db.get(WebhookSubscriber, subscriber.id).active is False
    assert subscriber.secret not in changed.get_data(as_text=True)
    assert admin.delete(f"/api/v1/webhook_subscriber/{subscriber.id}").status_code == 200
    assert admin.get(f"/api/v1/webhook_subscriber/{subscriber.id}").status_code == 404


def test_a_new_secret_replaces_the_old_one(db, api):
    subscriber = _subscriber(db)
    old = subscriber.secret
    answer = api("admin").post(f"/api/v1/webhook_subscriber/{subscriber.id}/new_secret")
    assert answer.status_code == 200, answer.get_json()
    db.expire_all()
    secret = db.get(WebhookSubscriber, subscriber.id).secret
    assert answer.get_json()["secret"] == secret != old
    assert api("admin").post("/api/v1/webhook_subscriber/999999/new_secret").status_code == 404


def test_the_delivery_log_filters_and_redelivers(db, api):
    admin = api("admin")
    subscriber = _subscriber(db)
    delivery = _failed_delivery(db, subscriber)
    listed = admin.get("/api/v1/webhook_delivery/?q=(filters:!((col:status,opr:eq,value:failed)))")
    assert listed.status_code == 200, listed.get_json()
    assert delivery.id in listed.get_json()["ids"]
    shown = admin.get(f"/api/v1/webhook_delivery/{delivery.id}").get_json()["result"]
    assert shown["delivery_id"] == delivery.delivery_id and shown["status"] == "failed"
    assert admin.post("/api/v1/webhook_delivery/", json={}).status_code == 405
    answer = admin.post(f"/api/v1/webhook_delivery/{delivery.id}/redeliver")
    assert answer.status_code == 200, answer.get_json()
    db.expire_all()
    assert db.get(WebhookDelivery, delivery.id).status == DeliveryStatus.PENDING
    # waiting already: nothing to deliver again
    assert admin.post(f"/api/v1/webhook_delivery/{delivery.id}/redeliver").status_code == 409


def test_redelivering_several_is_all_or_nothing(db, api):
    admin = api("admin")
    subscriber = _subscriber(db)
    first = _failed_delivery(db, subscriber)
    second = _failed_delivery(db, subscriber)
    second.status = DeliveryStatus.PENDING
    db.commit()
    refused = admin.post("/api/v1/webhook_delivery/redeliver", json={"ids": [first.id, second.id, 999999]})
    assert refused.status_code == 422, refused.get_json()
    assert len(refused.get_json()["errors"]) == 2  # the waiting one and the unknown one, at once
    db.expire_all()
    assert db.get(WebhookDelivery, first.id).status == DeliveryStatus.FAILED
    assert admin.post("/api/v1/webhook_delivery/redeliver", json={"ids": "x"}).status_code in (400, 422)
    done = admin.post("/api/v1/webhook_delivery/redeliver", json={"ids": [first.id]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["result"]["queued"] == [first.id]


def test_only_the_administrator(db, api):
    subscriber = _subscriber(db)
    clerk = api("lz_admin")
    assert clerk.get("/api/v1/webhook_subscriber/").status_code == 403
    assert clerk.get("/api/v1/webhook_delivery/").status_code == 403
    assert clerk.post(f"/api/v1/webhook_subscriber/{subscriber.id}/new_secret").status_code == 403
    assert clerk.post("/api/v1/webhook_delivery/redeliver", json={"ids": [1]}).status_code == 403
