"""The transactional outbox: side effects are rows written in the same transaction as the case change,
so a committed step always gets its jobs and a rolled-back one never does. (The relay that publishes
them to Celery is part of the jobs; here they are recorded.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.domain.workflow import Effect
from app.models.case import Case, OutboxMessage


def queue(session: Session, effect: Effect, case: Case | None, **payload: Any) -> OutboxMessage:
    message = OutboxMessage(topic=effect.topic, key=effect.key, case_id=case.id if case else None,
                            payload={"case_version": case.version if case else None, **payload})
    session.add(message)
    return message
