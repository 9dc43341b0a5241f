"""个人信息访问日志 as its page lists it: the entries within the reader's scope (through their cases; the
administrator and the city supervisor read every one), filtered by the page's search columns (who, what was
seen, the channel, the day), the newest first; one entry by id (404 outside the scope)."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.privacy import AccessKind
from app.errors import NotFound, ProblemCollector
from app.models.case import CaseAccessLog
from app.scope import OutOfScope, Reach, criterion, get_in_scope
from app.services.list_filters import chosen, within_days

KINDS = tuple(value for name, value in vars(AccessKind).items() if name.isupper() and isinstance(value, str))
CHANNELS = ("web", "api", "job")


def _where(values: Mapping[str, Any]) -> list[Any]:
    problems = ProblemCollector()
    clauses: list[Any] = []
    username = values.get("username")
    if username:
        clauses.append(CaseAccessLog.username.contains(str(username), autoescape=True))
    for name, allowed in (("kind", KINDS), ("channel", CHANNELS)):
        chosen(values, name, allowed, getattr(CaseAccessLog, name), clauses, problems)
    within_days(values, "at_from", "at_to", CaseAccessLog.at, clauses, problems)
    problems.raise_if_any()
    return clauses


def entries(session: Session, reach: Reach, values: Mapping[str, Any], *, offset: int = 0,
            limit: int = 50) -> tuple[int, list[CaseAccessLog]]:
    """(how many, one page of) the entries in scope and filter, the newest first."""
    where = [criterion(CaseAccessLog, reach), *_where(values)]
    total = session.scalar(select(func.count(CaseAccessLog.id)).where(*where)) or 0
    rows = session.scalars(select(CaseAccessLog).where(*where)
                           .order_by(CaseAccessLog.at.desc(), CaseAccessLog.id.desc()).offset(offset).limit(limit))
    return total, list(rows)


def entry(session: Session, reach: Reach, entry_id: Any) -> CaseAccessLog:
    try:
        return get_in_scope(session, CaseAccessLog, entry_id, reach)
    except OutOfScope:
        raise NotFound() from None
