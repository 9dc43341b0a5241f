"""Webhooks: each case event pushed to the subscribers that may see its case (docs/WEBHOOKS.md).

- ``queue_deliveries`` (called by ``app.services.cases.history.add_event``, in the event's transaction): one
  delivery record and one outbox row per event × subscriber. Per pair, not per event: each subscriber's
  retries, backoff and failure are its own (a receiver that is down does not hold back the others, and a
  retry never posts again to one that already answered), and the delivery log has one line per pair.
- ``deliver_webhook`` (the outbox job): one signed POST; 2xx delivers it; anything else is recorded and
  raised, so the outbox task retries it with its backoff, until ``WEBHOOK_MAX_ATTEMPTS`` attempts of the
  row: then the delivery is failed and waits for an administrator's 重新投递 (``redeliver``).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Iterable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.webhooks import WebhookRequest, WebhookSender, WebhookUnreachable, get_sender
from app.domain.workflow import Effect
from app.errors import Conflict, Problem, ProblemCollector
from app.models.base import now
from app.models.case import Case, CaseEvent, OutboxMessage
from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber, delivery_id
from app.platform import outbox
from app.platform.records import rule_for
from app.scope import Reach, is_in_scope, reach_of
from app.services.events.feed import event_json

log = logging.getLogger(__name__)

TOPIC = "deliver_webhook"
DELIVER = Effect(TOPIC, "event")


class WebhookNotDelivered(Exception):
    """The receiver did not take the event this time (the outbox retries)."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sees(session: Session, subscriber: WebhookSubscriber, case: Case) -> bool:
    """Whether the subscriber's account may read the case: the one scope rule."""
    account = subscriber.account
    if account is None or not getattr(account, "active", True):
        return False
    return is_in_scope(session, case, reach_of(account))


def wants(subscriber: WebhookSubscriber, action: str) -> bool:
    chosen = subscriber.action_list()
    return not chosen or action in chosen


def queue_deliveries(session: Session, case: Case, event: CaseEvent) -> list[WebhookDelivery]:
    """In the event's transaction: a delivery (and its outbox row) for every active subscriber that wants the
    event's action and may read its case."""
    subscribers = list(session.scalars(select(WebhookSubscriber).where(WebhookSubscriber.active.is_(True))
                                       .order_by(WebhookSubscriber.id)))
    made = []
    for subscriber in subscribers:
        if not wants(subscriber, event.action) or not sees(session, subscriber, case):
            continue
        message = outbox.queue(session, DELIVER, case, subscriber_id=subscriber.id)
        delivery = WebhookDelivery(subscriber=subscriber, event=event, message=message,
                                   status=DeliveryStatus.PENDING, attempts=0, last_error="")
        session.add(delivery)
        made.append(delivery)
    return made


def payload_of(delivery: WebhookDelivery) -> dict:
    return {"delivery_id": delivery.delivery_id, "subscriber": delivery.subscriber.name,
            "event": event_json(delivery.event)}


def _retry_in(attempt: int) -> int:
    """As the outbox task waits before its next attempt (``workers.tasks.run_outbox_message``)."""
    return min(2 ** max(attempt - 1, 0) * 5, 600)


@outbox.handles(TOPIC)
def deliver_webhook(session: Session, message: OutboxMessage, sender: WebhookSender | None = None) -> None:
    """One attempt to deliver the event of ``message`` to its subscriber."""
    delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.message_id == message.id))
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return  # delivered already (a duplicate task), or an administrator queued it again meanwhile
    subscriber = delivery.subscriber
    at = now()
    if not subscriber.active:
        delivery.status, delivery.last_error, delivery.next_retry_on = DeliveryStatus.FAILED, "inactive", None
        return
    sender = sender or get_sender(current_app.config)
    delivery.attempts += 1
    delivery.last_attempt_on = at
    request = WebhookRequest(subscriber.url, subscriber.secret, delivery.delivery_id, payload_of(delivery))
    try:
        code: int | None = sender.send(request)
        error = "" if 200 <= code < 300 else f"HTTP {code}"
    except WebhookUnreachable as failure:
        code, error = None, str(failure) or "unreachable"
    delivery.last_status_code, delivery.last_error = code, error
    if not error:
        delivery.status, delivery.delivered_on, delivery.next_retry_on = DeliveryStatus.DELIVERED, now(), None
        log.info("webhook %s delivered to %s (%s)", delivery.delivery_id, subscriber.name, code)
        return
    if message.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status, delivery.next_retry_on = DeliveryStatus.FAILED, None
        log.warning("webhook %s to %s failed for good after %d attempts: %s", delivery.delivery_id,
                    subscriber.name, message.attempts, error)
        return  # the outbox row is done: the failure waits for 重新投递
    delivery.next_retry_on = at + timedelta(seconds=_retry_in(message.attempts))
    session.commit()
    raise WebhookNotDelivered(f"{delivery.delivery_id}: {error}")


def redeliver(session: Session, delivery_ids: Iterable[int]) -> list[WebhookDelivery]:
    """重新投递: the deliveries not on their way (failed or delivered) are queued again, each with a new outbox
    row (so a full round of attempts), under the same delivery id. Returns those queued."""
    queued = []
    for delivery in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(list(delivery_ids)))):
        if delivery.status == DeliveryStatus.PENDING:
            continue
        delivery.message = outbox.queue(session, DELIVER, delivery.event.case, subscriber_id=delivery.subscriber_id)
        delivery.status, delivery.next_retry_on, delivery.delivered_on = DeliveryStatus.PENDING, None, None
        queued.append(delivery)
    session.commit()
    return queued


# --- the subscribers' rules (the administrator's pages save through app.platform.records) ----------------


def url_problem(url: str) -> str | None:
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return str(_l("The URL must start with http:// or https:// and name a host."))
    return None


@rule_for(WebhookSubscriber)
def _subscriber_rules(session: Session, item: WebhookSubscriber, reach: Reach, problems: ProblemCollector) -> None:
    if not (item.name or "").strip():
        problems.add("name", _l("A subscriber needs a name."))
    problem = url_problem(item.url)
    if problem:
        problems.add("url", problem)
    if item.account is None and item.account_fk is None:
        problems.add("account", _l("A subscriber sees the cases of an account: choose one."))


def new_secrets(session: Session, subscriber_ids: Iterable[int]) -> dict[str, str]:
    """生成新密钥: a new secret for each subscriber (the old one stops working at once); returns name -> secret,
    to be shown once."""
    made = {}
    for subscriber in session.scalars(select(WebhookSubscriber).where(WebhookSubscriber.id.in_(list(subscriber_ids)))):
        subscriber.secret = new_secret()
        made[subscriber.name] = subscriber.secret
    session.commit()
    return made


def delivery_of(session: Session, subscriber_id: int, event_id: int) -> WebhookDelivery | None:
    return session.scalar(select(WebhookDelivery).where(WebhookDelivery.subscriber_id == subscriber_id,
                                                        WebhookDelivery.event_id == event_id))


__all__ = ["delivery_id", "deliver_webhook", "queue_deliveries", "redeliver", "new_secret", "sees"]


# --- the API's commands (the pages' actions, all or nothing) ------------------------------------------------


def redeliver_checked(session: Session, delivery_ids: list[int]) -> list[WebhookDelivery]:
    """重新投递 of the chosen deliveries, all or nothing: an unknown id or one still on its way (pending) refuses
    the whole request, with every such problem at once (422)."""
    problems = ProblemCollector()
    if not delivery_ids:
        problems.add("ids", _l("Choose at least one delivery."))
    readable = [i for i in delivery_ids if 0 < i < 2 ** 31]  # no record has another id (nor can a database say so)
    found = {d.id: d for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(readable)))}
    for delivery_id_ in delivery_ids:
        delivery = found.get(delivery_id_)
        if delivery is None:
            problems.add("ids", _l("Delivery %(id)s does not exist.", id=delivery_id_))
        elif delivery.status == DeliveryStatus.PENDING:
            problems.add("ids", _l("Delivery %(id)s is still on its way.", id=delivery_id_))
    problems.raise_if_any()
    return redeliver(session, delivery_ids)


def redeliver_one(session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    """重新投递 of one delivery: refused (409) while it is still on its way."""
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict(Problem("status", _l("Delivery %(id)s is still on its way.", id=delivery.id)))
    redeliver(session, [delivery.id])
    return delivery

