"""Operational records written by the workers and beat, and what ``GET /health`` makes of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from app.models.base import now
from app.models.case import Notification, Shipment
from app.models.system import Heartbeat
from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber

#: the process kinds that report a heartbeat: the worker (a task beat schedules) and beat itself
HEARTBEAT_PROCESSES = ("worker", "beat")
#: the statuses of a message given up on: ``failed`` with no further attempt planned, or parked for a person


def record_heartbeat(session: Session, process: str, hostname: str) -> int:
    row = session.execute(select(Heartbeat).where(Heartbeat.process == process).with_for_update()).scalar_one_or_none()
    if row is None:
        row = Heartbeat(process=process, beats=0)
        session.add(row)
    row.beats += 1
    row.hostname = hostname[:128]
    row.last_seen = now()
    session.commit()
    return row.beats


@dataclass(frozen=True)
class HealthLimits:
    """Past these the health page is red (config.py, ``HEALTH_*``)."""

    heartbeat_max_age_seconds: float
    outbox_max_rows: int
    outbox_max_age_seconds: float
    provider_window_seconds: float
    provider_max_failure_share: float
    max_parked_messages: int
    max_failed_webhooks: int = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HealthLimits:
        return cls(config["HEALTH_HEARTBEAT_MAX_AGE_SECONDS"], config["HEALTH_OUTBOX_MAX_ROWS"],
                   config["HEALTH_OUTBOX_MAX_AGE_SECONDS"], config["HEALTH_PROVIDER_WINDOW_SECONDS"],
                   config["HEALTH_PROVIDER_MAX_FAILURE_SHARE"], config["HEALTH_MAX_PARKED_MESSAGES"],
                   config["HEALTH_MAX_FAILED_WEBHOOKS"])


def health(session: Session, broker_ok: bool, broker_error: str, limits: HealthLimits) -> dict:
    """Every figure operations need at a glance, each with ``ok``; ``failing`` names the checks past their
    limit and ``ok`` is true when none is."""
    report: dict = {"database": {"ok": True}, "broker": {"ok": broker_ok}}
    if broker_error:
        report["broker"]["error"] = broker_error
    at = now()
    try:
        session.execute(text("SELECT 1"))
        for process in HEARTBEAT_PROCESSES:
            report[process] = _heartbeat(session, process, at, limits)
        report["outbox"] = _outbox(session, at, limits)
        report["providers"] = {"courier": _judged(_courier_attempts(session, at - _window(limits)), limits),
                               "sms": _judged(_sms_attempts(session, at - _window(limits)), limits)}
        parked = parked_messages(session)
        report["messages"] = {"parked": parked, "ok": parked <= limits.max_parked_messages}
        report["webhooks"] = _webhooks(session, limits)
    except Exception as error:  # the page must answer even when the database does not
        session.rollback()
        report["database"] = {"ok": False, "error": type(error).__name__}
    report["failing"] = _failing(report)
    report["ok"] = not report["failing"]
    return report


def _failing(report: dict) -> list[str]:
    names = [name for name, figure in report.items() if isinstance(figure, dict) and figure.get("ok") is False]
    providers = report.get("providers", {})
    return names + [name for name, figure in providers.items() if not figure["ok"]]


def _age(at: datetime, then: datetime | None) -> float | None:
    return round((at - then).total_seconds(), 1) if then else None


def _window(limits: HealthLimits) -> timedelta:
    return timedelta(seconds=limits.provider_window_seconds)


def _heartbeat(session: Session, process: str, at: datetime, limits: HealthLimits) -> dict:
    """A process that never reported, or not within the limit, is red."""
    beat = session.scalar(select(Heartbeat).where(Heartbeat.process == process))
    age = _age(at, beat.last_seen) if beat else None
    return {"last_heartbeat": beat.last_seen.isoformat() if beat else None, "host": beat.hostname if beat else None,
            "age_seconds": age, "ok": age is not None and age <= limits.heartbeat_max_age_seconds}


def _outbox(session: Session, at: datetime, limits: HealthLimits) -> dict:
    # The one call of the outbox's own figures: what it counts as a backlog is the outbox's to say.
    from app.platform.outbox import backlog

    pending, oldest = backlog(session)
    age = _age(at, oldest)
    return {"unfinished": pending, "oldest_unpublished_age_seconds": age,
            "ok": pending <= limits.outbox_max_rows and (age or 0) <= limits.outbox_max_age_seconds}


def _courier_attempts(session: Session, since: datetime) -> tuple[int, int]:
    """(parcels whose last booking attempt failed and are not booked yet, parcels the courier booked since)."""
    asked = Shipment.booking_attempts > 0  # the courier was called (a clerk's waybill asks nobody)
    failing = and_(asked, Shipment.booking_status == "planned", Shipment.waybill_number == "",
                   Shipment.booking_error != "")
    booked = and_(asked, Shipment.booked_on >= since)
    return _count(session, Shipment, failing), _count(session, Shipment, booked)


def _sms_attempts(session: Session, since: datetime) -> tuple[int, int]:
    """(SMS whose last attempt failed and that are still being retried, SMS that went through since)."""
    sms = Notification.channel == "sms"
    failing = and_(sms, Notification.status == "failed", Notification.next_attempt_on.isnot(None))
    sent = and_(sms, Notification.status == "sent", Notification.sent_on >= since)
    return _count(session, Notification, failing), _count(session, Notification, sent)


def _count(session: Session, model: type, criterion: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(criterion)) or 0


def _judged(attempts: tuple[int, int], limits: HealthLimits) -> dict:
    failing, succeeded = attempts
    share = round(failing / (failing + succeeded), 3) if failing + succeeded else 0.0
    return {"failing": failing, "succeeded_recently": succeeded, "failure_share": share,
            "ok": failing == 0 or share < limits.provider_max_failure_share}


def parked_messages(session: Session) -> int:
    """Messages whose retry budget is spent (parked, waiting for 重新发送): the one query of this figure."""
    return _count(session, Notification, Notification.status == Notification.PARKED)


def failed_webhooks(session: Session) -> dict[str, int]:
    """Webhook deliveries given up on (failed after their last attempt, waiting for an administrator's 重新投递
    on 推送投递记录), per subscriber name: one grouped query."""
    rows = session.execute(select(WebhookSubscriber.name, func.count(WebhookDelivery.id))
                           .join(WebhookDelivery, WebhookDelivery.subscriber_id == WebhookSubscriber.id)
                           .where(WebhookDelivery.status == DeliveryStatus.FAILED)
                           .group_by(WebhookSubscriber.name).order_by(WebhookSubscriber.name))
    return {name: count for name, count in rows}


def _webhooks(session: Session, limits: HealthLimits) -> dict:
    """As messages given up on: red past ``HEALTH_MAX_FAILED_WEBHOOKS``; names the subscribers (outside systems,
    no personal data) so the administrator knows whose receiver to look at."""
    per_subscriber = failed_webhooks(session)
    failed = sum(per_subscriber.values())
    return {"failed": failed, "subscribers": per_subscriber, "ok": failed <= limits.max_failed_webhooks}
