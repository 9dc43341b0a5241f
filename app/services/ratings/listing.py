"""The ratings and rectifications a user may read, as the 评价 and 差评整改 pages list them: within the scope
rule, filtered by the pages' search columns (every value that cannot be read at once), in the pages' order;
one record by id (404 outside the scope)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, ProblemCollector
from app.models.rating import Rating, Rectification
from app.scope import OutOfScope, Reach, criterion, get_in_scope

RATING_CHOICES: dict[str, tuple[Any, ...]] = {"level": ("1", "2", "3", "4", "5"),
                                              "channel": ("portal", "sms", "window"),
                                              "excluded": ("true", "false")}
RATING_DAYS = {"rated_from": ("rated_at", ">="), "rated_to": ("rated_at", "<=")}
RECTIFICATION_CHOICES: dict[str, tuple[Any, ...]] = {"status": ("open", "appealed", "closed", "voided"),
                                                     "warning_level": ("none", "yellow", "red")}
RECTIFICATION_DAYS = {"due_from": ("due_on", ">="), "due_to": ("due_on", "<="),
                      "opened_from": ("opened_on", ">="), "opened_to": ("opened_on", "<=")}


def _filters(model: type, values: Mapping[str, Any], choices: Mapping[str, tuple[Any, ...]],
             days: Mapping[str, tuple[str, str]]) -> list[Any]:
    """The SQL conditions of the chosen values; ValidationFailed with every value that cannot be read."""
    problems = ProblemCollector()
    clauses: list[Any] = []
    for name, allowed in choices.items():
        value = values.get(name)
        if value in (None, ""):
            continue
        if value not in allowed:
            problems.add(name, _l("Choose one of: %(values)s.", values=", ".join(allowed)))
            continue
        column = getattr(model, name)
        clauses.append(column == (int(value) if name == "level" else value == "true" if name == "excluded"
                                  else value))
    for name, (column_name, bound) in days.items():
        value = values.get(name)
        if value in (None, ""):
            continue
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            problems.add(name, _l("Enter the date as YYYY-MM-DD."))
            continue
        column = getattr(model, column_name)
        if column_name == "rated_at":  # a moment: the whole day
            clauses.append(column >= datetime.combine(day, datetime.min.time()) if bound == ">=" else
                           column < datetime.combine(day + timedelta(days=1), datetime.min.time()))
        else:
            clauses.append(column >= day if bound == ">=" else column <= day)
    problems.raise_if_any()
    return clauses


def ratings_in(session: Session, reach: Reach, values: Mapping[str, Any], *, offset: int = 0,
               limit: int = 50) -> tuple[int, list[Rating]]:
    """(how many, one page of) the ratings in scope and filter, newest first."""
    where = [criterion(Rating, reach), *_filters(Rating, values, RATING_CHOICES, RATING_DAYS)]
    total = session.scalar(select(func.count(Rating.id)).where(*where)) or 0
    rows = session.scalars(select(Rating).where(*where).order_by(Rating.rated_at.desc(), Rating.id.desc())
                           .offset(offset).limit(limit)).all()
    return total, list(rows)


def rectifications_in(session: Session, reach: Reach, values: Mapping[str, Any], *, offset: int = 0,
                      limit: int = 50) -> tuple[int, list[Rectification]]:
    """(how many, one page of) the rectifications in scope and filter, the soonest due first."""
    where = [criterion(Rectification, reach),
             *_filters(Rectification, values, RECTIFICATION_CHOICES, RECTIFICATION_DAYS)]
    total = session.scalar(select(func.count(Rectification.id)).where(*where)) or 0
    rows = session.scalars(select(Rectification).where(*where)
                           .order_by(Rectification.due_on, Rectification.id).offset(offset).limit(limit)).all()
    return total, list(rows)


def record_in(session: Session, reach: Reach, model: type, pk: Any) -> Any:
    """A rating or rectification in scope; NotFound outside it or missing."""
    try:
        return get_in_scope(session, model, pk, reach)
    except OutOfScope:
        raise NotFound() from None
