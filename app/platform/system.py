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


def health(session: Session, broker_ok: bool, broker_error: str = "") -> dict:
    """What operations need at a glance: database, broker, outbox backlog, last worker heartbeat."""
    from datetime import datetime

    from sqlalchemy import text

    from app.platform.outbox import backlog

    report: dict = {"database": {"ok": True}, "broker": {"ok": broker_ok}}
    if broker_error:
        report["broker"]["error"] = broker_error
    try:
        session.execute(text("SELECT 1"))
        pending, oldest = backlog(session)
        beat = session.scalar(select(Heartbeat).where(Heartbeat.process == "worker"))
    except Exception as error:  # the page must answer even when the database does not
        session.rollback()
        report["database"] = {"ok": False, "error": type(error).__name__}
        report["ok"] = False
        return report
    age = (datetime.now() - oldest).total_seconds() if oldest else None
    report["outbox"] = {"unfinished": pending, "oldest_unpublished_age_seconds": round(age, 1) if age else None}
    report["worker"] = {"last_heartbeat": beat.last_seen.isoformat() if beat else None,
                        "host": beat.hostname if beat else None}
    report["ok"] = report["database"]["ok"] and broker_ok
    return report
