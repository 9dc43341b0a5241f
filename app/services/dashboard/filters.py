"""The dashboard's filters: a period (from/to, or a preset: this week, month, quarter, year) and a county, a
window, a department, a line and a handling type. Every problem is reported at once; with any problem the
defaults stand (this month, no other filter), so bad input changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from app.errors import Problem
from app.scope import as_record_id

PRESETS = ("week", "month", "quarter", "year")
PRESET_LABELS = {"week": _l("This week"), "month": _l("This month"), "quarter": _l("This quarter"),
                 "year": _l("This year")}
#: the longest period the figures are computed for (days)
MAX_PERIOD_DAYS = 3 * 366
#: the filter fields that name a record, and the dimension of a figure cell each becomes
ID_FIELDS = {"county": "county", "window": "window", "department": "dept", "handling_type": "ht"}


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    preset: str = ""
    county: int | None = None
    window: int | None = None
    department: int | None = None
    line: str | None = None
    handling_type: int | None = None

    def dims(self) -> dict[str, Any]:
        """The filters as dimensions of a figure cell (``cells.DIMENSIONS``)."""
        return {"county": self.county, "window": self.window, "dept": self.department, "line": self.line,
                "ht": self.handling_type}

    def as_args(self) -> dict[str, str]:
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for name in ("county", "window", "department", "line", "handling_type"):
            value = getattr(self, name)
            if value is not None:
                args[name] = str(value)
        return args


def preset_period(preset: str, today: date) -> tuple[date, date]:
    if preset == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if preset == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, first_month, 1)
        end_month = first_month + 3
        end = (date(today.year + 1, 1, 1) if end_month > 12 else date(today.year, end_month, 1)) - timedelta(days=1)
        return start, end
    if preset == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    start = today.replace(day=1)
    following = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return start, following - timedelta(days=1)


def default_filters(today: date) -> Filters:
    start, end = preset_period("month", today)
    return Filters(start, end, "month")


def parse_filters(args: Mapping[str, Any], today: date, *, counties: set[int], windows: set[int],
                  departments: set[int], lines: set[str], handling_types: set[int]) -> tuple[Filters, list[Problem]]:
    """The filters the request asks for, or the defaults with every problem found. ``counties`` … are the
    values the page offers (a department outside the system is 0)."""
    problems: list[Problem] = []
    preset = (args.get("preset") or "").strip()
    start, end = preset_period("month", today)
    if preset:
        if preset in PRESETS:
            start, end = preset_period(preset, today)
        else:
            problems.append(Problem("preset", _l("Choose one of the offered periods.")))
    else:
        given: dict[str, date] = {}
        for name, label in (("from", _l("Period from")), ("to", _l("Period to"))):
            text = (args.get(name) or "").strip()
            if not text:
                continue
            try:
                given[name] = date.fromisoformat(text)
            except ValueError:
                problems.append(Problem(name, _l("%(field)s is not a date (YYYY-MM-DD).", field=label)))
        if "from" in given or "to" in given:
            start = given.get("from", start)
            end = given.get("to", end if "from" not in given else max(start, end))
            if start > end:
                problems.append(Problem("to", _l("The period ends before it begins.")))
            elif (end - start).days > MAX_PERIOD_DAYS:
                problems.append(Problem("to", _l("The period may be at most three years long.")))
    chosen: dict[str, Any] = {}
    offered = {"county": counties, "window": windows, "department": departments, "handling_type": handling_types}
    labels = {"county": _l("County"), "window": _l("Window"), "department": _l("Department"),
              "handling_type": _l("Handling type")}
    for name, allowed in offered.items():
        text = (args.get(name) or "").strip()
        if not text:
            continue
        number = as_record_id(text)
        if number is None or number not in allowed:
            problems.append(Problem(name, _l("%(field)s: choose one of the offered values.", field=labels[name])))
        else:
            chosen[name] = number
    line = (args.get("line") or "").strip()
    if line:
        if line in lines:
            chosen["line"] = line
        else:
            problems.append(Problem("line", _l("%(field)s: choose one of the offered values.", field=_l("Line"))))
    if problems:
        return default_filters(today), problems
    return Filters(start, end, preset, **chosen), []
