"""Operational records written by the workers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.base import now
from app.models.system import Heartbeat


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
