"""The one source of truth of what a dashboard figure counts.

A figure cell (:class:`Cell`) is a measure (open cases, accepted, completed on time, …) and the values of
its dimensions (the county and the window of the case's front desk, its department, matter, handling type,
line, stage, warning level, the route) and, for measures of a period, the period. :func:`cell_criterion`
turns a cell into the SQL criterion on ``Case``; the aggregate queries of ``app.services.dashboard.figures``
count with the same measure criteria and group by the same dimension expressions, and the case list
(``CaseView``, ``?figure=<cell>``) filters with :func:`cell_criterion`: the list shows exactly the cases the
figure counts (within the user's scope, which the list applies on its own).

A cell travels in the URL as a compact string, ``m:on_time~window:3~from:2026-11-01~to:2026-11-30``
(:meth:`Cell.encode` / :func:`parse_cell`); anything malformed is refused (:class:`BadCell`), never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from sqlalchemy import ColumnElement, and_, case, exists, literal, or_, select, true
from sqlalchemy.orm import aliased

from app.domain.deadlines import STAGE_OF_STATUS, Stage
from app.domain.ratings import RectificationStatus
from app.domain.workflow import OPEN_STATUSES
from app.models.case import Case, Correction, Shipment, ShipmentDirection
from app.models.org import Region, RegionLevel, ServiceCenter
from app.models.rating import Rating, Rectification
from app.scope import as_record_id

#: an open case whose clock stands stopped (补正, 特别程序) or that is not accepted yet: no stage runs
PAUSED = "paused"
STAGES = (Stage.DISPATCH.value, Stage.PROCESS.value, Stage.DELIVERY.value, PAUSED)
LEVELS = ("red", "yellow")


def statuses_of_stage(stage: str) -> list[str]:
    if stage == PAUSED:
        return sorted(s.value for s in OPEN_STATUSES if s not in STAGE_OF_STATUS)
    return sorted(s.value for s, st in STAGE_OF_STATUS.items() if st.value == stage)


# --- dimensions: SQL expressions on Case ------------------------------------------------------------


def our_window() -> ColumnElement[int]:
    """The window of ours that handled the case at the front desk: the origin window, or the home window for a
    case an outside window sent (as the reports group them, ``reports.our_window``)."""
    external = select(ServiceCenter.id).where(ServiceCenter.external.is_(True))
    return case((Case.origin_center_id.in_(external), Case.home_center_id), else_=Case.origin_center_id)


def centers_in_area(area_id: int):
    """The centers of an area: a county-level region and everything under it, or any other region (the city
    itself, a region outside) on its own. ``figures.area_of`` maps a region to its area the same way."""
    area, region = aliased(Region), aliased(Region)
    regions = (select(region.id).join(area, area.id == area_id)
               .where(or_(region.id == area.id, and_(area.level == RegionLevel.COUNTY.value,
                                                      region.path.like(area.path + literal("%"))))))
    return select(ServiceCenter.id).where(ServiceCenter.region_id.in_(regions))


def _period(column: Any, cell: Cell) -> ColumnElement[bool]:
    return column.between(cell.start, cell.end)


def on_time() -> ColumnElement[bool]:
    """按时办结: completed on or before the due day of the legal clock (the promised limit, approved extensions
    added, the stopped days not counted — ``Case.process_due``); a case without a due day counts as on time,
    as in the reports (``reports.facts_of``)."""
    return or_(Case.process_due.is_(None), Case.completed_on <= Case.process_due)


def corrected() -> ColumnElement[bool]:
    return exists().where(Correction.case_id == Case.id)


def _transit(cell: Cell) -> ColumnElement[bool]:
    return Case.id.in_(select(Shipment.case_id).where(
        Shipment.direction == ShipmentDirection.MATERIALS.value, Shipment.sent_on.is_not(None),
        Shipment.received_on.between(cell.start, cell.end)))


def _rated(cell: Cell) -> ColumnElement[bool]:
    return Case.id.in_(select(Rating.case_id).where(Rating.rated_at >= cell.start_moment,
                                                    Rating.rated_at < cell.end_moment))


def _rectifying(_: Cell) -> ColumnElement[bool]:
    return Case.id.in_(select(Rectification.case_id).where(Rectification.status == RectificationStatus.OPEN.value))


def _completed(cell: Cell) -> ColumnElement[bool]:
    return _period(Case.completed_on, cell)


#: measure -> (criterion of the cell, needs a period)
MEASURES: dict[str, tuple[Callable[[Cell], ColumnElement[bool]], bool]] = {
    "open": (lambda c: Case.status.in_(sorted(s.value for s in OPEN_STATUSES)), False),
    "accepted": (lambda c: _period(Case.accepted_on, c), True),
    "completed": (_completed, True),
    "on_time": (lambda c: and_(_completed(c), on_time()), True),
    "late": (lambda c: and_(_completed(c), ~on_time()), True),
    "corrected": (lambda c: and_(_completed(c), corrected()), True),
    "transit": (_transit, True),
    "rated": (_rated, True),
    "rectifying": (_rectifying, False),
}

LINE_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")


def _id(value: str) -> int:
    number = as_record_id(value)
    if number is None or number < 0:
        raise ValueError(value)
    return number


def _checked(value: str, ok: bool) -> str:
    if not ok:
        raise ValueError(value)
    return value


def _nullable_fk(column: Any, value: int) -> ColumnElement[bool]:
    """0 names "none" (a department outside the system)."""
    return column.is_(None) if value == 0 else column == value


#: dimension -> (parse the URL value, criterion on Case)
DIMENSIONS: dict[str, tuple[Callable[[str], Any], Callable[[Any], ColumnElement[bool]]]] = {
    "county": (_id, lambda v: our_window().in_(centers_in_area(v))),
    "window": (_id, lambda v: our_window() == v),
    "dept": (_id, lambda v: _nullable_fk(Case.department_id, v)),
    "matter": (_id, lambda v: Case.matter_id == v),
    "ht": (_id, lambda v: Case.handling_type_id == v),
    "line": (lambda v: _checked(v, bool(LINE_CODE.match(v))), lambda v: Case.line == v),
    "stage": (lambda v: _checked(v, v in STAGES), lambda v: Case.status.in_(statuses_of_stage(v))),
    "level": (lambda v: _checked(v, v in LEVELS), lambda v: Case.warning_level == v),
    # a route: the areas of the origin and the home window (who sends to whom)
    "from": (_id, lambda v: Case.origin_center_id.in_(centers_in_area(v))),
    "to": (_id, lambda v: Case.home_center_id.in_(centers_in_area(v))),
}


class BadCell(ValueError):
    """A figure string that names no figure: the list answers 400."""


@dataclass(frozen=True)
class Cell:
    measure: str
    start: date | None = None
    end: date | None = None
    #: dimension -> value, in the order of DIMENSIONS
    dims: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    @property
    def start_moment(self):
        from datetime import datetime, time

        return datetime.combine(self.start, time.min)

    @property
    def end_moment(self):
        from datetime import datetime, time, timedelta

        return datetime.combine(self.end + timedelta(days=1), time.min)

    def with_(self, measure: str | None = None, **dims: Any) -> Cell:
        """This cell with another measure and/or more dimensions (None drops a dimension)."""
        merged = dict(self.dims)
        merged.update(dims)
        ordered = tuple((k, merged[k]) for k in DIMENSIONS if merged.get(k) is not None)
        return Cell(measure or self.measure, self.start, self.end, ordered)

    def encode(self) -> str:
        parts = [f"m:{self.measure}"]
        parts += [f"{k}:{v}" for k, v in self.dims]
        if MEASURES[self.measure][1]:
            parts += [f"since:{self.start.isoformat()}", f"until:{self.end.isoformat()}"]
        return "~".join(parts)


def cell(measure: str, start: date | None = None, end: date | None = None, **dims: Any) -> Cell:
    return Cell(measure, start, end).with_(**dims)


def parse_cell(text: Any) -> Cell:
    if not isinstance(text, str) or len(text) > 400:
        raise BadCell(text)
    values: dict[str, str] = {}
    for part in text.split("~"):
        key, sep, value = part.partition(":")
        if not sep or key in values:
            raise BadCell(text)
        values[key] = value
    measure = values.pop("m", None)
    if measure not in MEASURES:
        raise BadCell(text)
    start = end = None
    since, until = values.pop("since", None), values.pop("until", None)
    if MEASURES[measure][1]:
        try:
            start, end = date.fromisoformat(since or ""), date.fromisoformat(until or "")
        except ValueError:
            raise BadCell(text) from None
        if start > end:
            raise BadCell(text)
    elif since is not None or until is not None:
        raise BadCell(text)
    dims: dict[str, Any] = {}
    for key, value in values.items():
        if key not in DIMENSIONS:
            raise BadCell(text)
        try:
            dims[key] = DIMENSIONS[key][0](value)
        except ValueError:
            raise BadCell(text) from None
    return cell(measure, start, end, **dims)


def cell_criterion(item: Cell) -> ColumnElement[bool]:
    """What the cell counts, as a criterion on Case (the scope is the caller's)."""
    parts = [MEASURES[item.measure][0](item)]
    parts += [DIMENSIONS[key][1](value) for key, value in item.dims]
    return and_(true(), *parts)
