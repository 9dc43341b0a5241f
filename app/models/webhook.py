"""Webhooks (issue 15): outside systems that follow case events, and the log of what was delivered to them."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import CaseEvent, OutboxMessage
from app.models.staff import StaffUser
from app.scope import ScopeRule, everyone, nobody


class WebhookSubscriber(Model):
    """订阅方: an outside system (a provincial platform, a 12345 hotline) that gets the case events POSTed to
    ``url``, signed with ``secret``. It sees exactly the cases its ``account`` (a staff user with a role) may
    read: the one scope rule, no second one. ``actions``: a comma-separated filter (empty: every action)."""

    __tablename__ = "webhook_subscriber"
    __scope__ = ScopeRule(read=everyone, write=nobody)  # the Admin role (everything) maintains them

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    url: Mapped[str] = mapped_column(String(1024), nullable=False)
    #: generated (never typed), shown once to the administrator; the receiver checks the signature with it
    secret: Mapped[str] = mapped_column(String(128), nullable=False, default=lambda: secrets.token_urlsafe(32))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    account_fk: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="RESTRICT"), nullable=False, index=True)
    actions: Mapped[str] = mapped_column(String(1024), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    account: Mapped[StaffUser] = relationship(foreign_keys=[account_fk])

    def action_list(self) -> list[str]:
        return [a.strip() for a in (self.actions or "").split(",") if a.strip()]

    def __repr__(self) -> str:
        return self.name


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # queued or waiting for a retry
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # the attempts ran out: an administrator may deliver it again (重新投递)


class WebhookDelivery(Model):
    """投递记录: one case event for one subscriber (its id with the subscriber's is the stable
    ``X-Kytb-Event-Id``), carried out by the outbox row ``message``."""

    __tablename__ = "webhook_delivery"
    __scope__ = ScopeRule(read=everyone, write=nobody)
    __table_args__ = (UniqueConstraint("subscriber_id", "event_id", name="uq_webhook_delivery"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriber.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    last_attempt_on: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_on: Mapped[datetime | None] = mapped_column(DateTime)
    next_retry_on: Mapped[datetime | None] = mapped_column(DateTime)

    subscriber: Mapped[WebhookSubscriber] = relationship()
    event: Mapped[CaseEvent] = relationship()
    message: Mapped[OutboxMessage | None] = relationship()

    @property
    def delivery_id(self) -> str:
        return delivery_id(self.subscriber_id, self.event_id)


def delivery_id(subscriber_id: int, event_id: int) -> str:
    """The stable ``X-Kytb-Event-Id``: the same for every attempt of one event to one subscriber."""
    return f"kytb-{subscriber_id}-{event_id}"
