"""The filters of the read-only lists the pages and the API share (the access log, the sent and failed messages):
a value chosen from a fixed list, and a range of days on a timestamp. Each adds its SQL clause, or its problem
(every problem at once: the caller raises them together)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from app.domain.validators import parse_date
from app.errors import ProblemCollector


def chosen(values: Mapping[str, Any], name: str, allowed: tuple[str, ...], column: Any,
           clauses: list[Any], problems: ProblemCollector) -> None:
    """``column == values[name]`` when the value is one of ``allowed``; nothing when none was given."""
    value = values.get(name)
    if value in (None, ""):
        return
    if value not in allowed:
        problems.add(name, _l("Choose one of: %(values)s.", values=", ".join(allowed)))
    else:
        clauses.append(column == value)


def within_days(values: Mapping[str, Any], first: str, last: str, column: Any,
                clauses: list[Any], problems: ProblemCollector) -> None:
    """``column`` on or after the day ``values[first]`` and before the end of the day ``values[last]``."""
    for name in (first, last):
        try:
            day = parse_date(values.get(name))
        except ValueError:
            problems.add(name, _l("Enter the date as YYYY-MM-DD."))
            continue
        if day is None:
            continue
        start = datetime.combine(day, datetime.min.time())
        clauses.append(column >= start if name == first else column < start + timedelta(days=1))
