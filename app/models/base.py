"""Shared column helpers for our models (all built on FAB's ``Model`` so they share its metadata)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

#: the zone of the wall clock that ``now`` records (China keeps +08:00 all year): answers that leave the
#: product say it (2026-12-02T13:05:00+08:00)
LOCAL_ZONE = timezone(timedelta(hours=8), "Asia/Shanghai")


def now() -> datetime:
    """Local wall-clock time: the product runs in one time zone (Asia/Shanghai)."""
    return datetime.now().replace(microsecond=0)


class Stamped:
    """When a row was created and last changed, and by whom (None for the CLI and jobs)."""

    created_on: Mapped[datetime] = mapped_column(DateTime, default=now, nullable=False)
    changed_on: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now, nullable=False)

    @declared_attr
    def changed_by_fk(cls) -> Mapped[int | None]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True)
