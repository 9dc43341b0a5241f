"""The history of a case (流转记录): one append-only event per change.
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.case import Case, CaseEvent
from app.models.staff import StaffUser
from app.services.cases.access import actor_place
from app.services.events.webhooks import queue_deliveries


def add_event(session: Session, case: Case, action: str, from_status: str | None, user: StaffUser | None,
              note: str = "", data: Mapping[str, Any] | None = None) -> CaseEvent:
    last = session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id)) or 0
    event = CaseEvent(case_id=case.id, seq=last + 1, action=action, from_status=from_status, to_status=case.status,
                      actor_fk=user.id if user else None, actor_name=user.name if user else "",
                      actor_place=actor_place(user) if user else "", note=note or "", data=dict(data or {}))
    session.add(event)
    queue_deliveries(session, case, event)  # webhooks: in the event's transaction, through the outbox
    return event
