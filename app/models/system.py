"""Operational records: the heartbeat that proves worker and beat are alive, the API's idempotency keys."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.scope import ScopeRule, nobody


class Heartbeat(Model):
    """Last time a process kind (``worker`` via beat) reported in."""

    __tablename__ = "heartbeat"
    __scope__ = ScopeRule(read=nobody, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    hostname: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    beats: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class IdempotencyKey(Model):
    """One ``Idempotency-Key`` an API client sent with a POST (docs/API.md): the request it was first used for
    (method, path, a hash of the body) and, once answered, the answer to replay for the same request sent again.
    ``status`` is null while the first request is still being answered. Kept IDEMPOTENCY_KEY_HOURS."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)
    __scope__ = ScopeRule(read=nobody, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    path: Mapped[str] = mapped_column(String(500), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_headers: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
