"""Operational records: the heartbeat that proves worker and beat are alive."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, String
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
