"""The dashboard's figures, each from one grouped aggregate SELECT (no query, and no Python loop, per case):
the statements of a dashboard do not grow with the number of cases. Every count comes with its figure cell
(``cells.Cell``), the criterion of exactly the cases it counts.

Working days are counted with the work calendar on the grouped rows: a query groups by the dates a figure
needs (accepted and completed, sent and signed), and each distinct pair of dates is counted once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from app.domain.deadlines import STAGE_OF_STATUS
from app.domain.ratings import RATING_LEVELS, RECTIFY_AT_OR_BELOW, RectificationStatus, Satisfaction
from app.domain.workdays import WorkCalendar
from app.domain.workflow import OPEN_STATUSES
from app.models.case import Case, Correction, Shipment, ShipmentDirection
from app.models.catalog import HandlingType, Matter
from app.models.clock import ClockSegment, ClockSegmentKind, ExtensionDecision
from app.models.org import BusinessLine, Department, Region, RegionLevel, ServiceCenter
from app.models.rating import Rating, Rectification
from app.scope import Reach, criterion
from app.services.calendar import load_calendar
from app.services.dashboard.cells import DIMENSIONS, PAUSED, STAGES, Cell, cell, cell_criterion, on_time, our_window
from app.services.dashboard.filters import Filters


@dataclass(frozen=True)
class Count:
    value: int
    #: the encoded figure cell: what the case list shows for this count
    cell: str


@dataclass
class Names:
    """The names of what figures are grouped by (loaded once per page, not per case)."""

    regions: dict[int, Region]
    centers: dict[int, ServiceCenter]
    departments: dict[int, str]
    matters: dict[int, str]
    handling_types: dict[int, str]
    lines: dict[str, str]
    #: the department filter's choices (in scope), the windows and counties of ours
    department_choices: list[tuple[int, str]] = field(default_factory=list)
    _home_paths: set[str] | None = None

    def area_of_region(self, region_id: int) -> int:
        """The area of a region: its county (a county-level region above it, or itself), or the region itself
        (the city, a region outside the city): as ``cells.centers_in_area`` selects."""
        node = self.regions.get(region_id)
        while node is not None and node.level != RegionLevel.COUNTY:
            node = self.regions.get(node.parent_id) if node.parent_id else None
        return node.id if node is not None else region_id

    def area_of_center(self, center_id: int) -> int:
        return self.area_of_region(self.centers[center_id].region_id)

    def area_name(self, area_id: int) -> str:
        """A county of the city by its name (苍溪县), one outside with its city's (重庆市渝中区)."""
        region = self.regions.get(area_id)
        if region is None:
            return "?"
        if self._home_paths is None:
            self._home_paths = {self.regions[c.region_id].path for c in self.centers.values()
                                if not c.external and c.region_id in self.regions}
        parent = self.regions.get(region.parent_id) if region.parent_id else None
        at_home = any(path.startswith(region.path) or region.path.startswith(path) for path in self._home_paths)
        if parent is not None and not at_home and parent.level in (RegionLevel.CITY, RegionLevel.PROVINCE):
            return parent.name + region.name
        return region.name

    def counties(self) -> list[tuple[int, str]]:
        """The areas of our windows (the county filter's choices)."""
        areas = {self.area_of_center(c.id) for c in self.centers.values() if not c.external}
        return sorted(((a, self.area_name(a)) for a in areas), key=lambda x: self.regions[x[0]].path)

    def windows(self) -> list[tuple[int, str]]:
        return sorted(((c.id, c.name) for c in self.centers.values() if not c.external and c.has_window),
                      key=lambda x: x[1])


def load_names(session: Session, reach: Reach) -> Names:
    regions = {r.id: r for r in session.execute(select(Region)).scalars()}
    centers = {c.id: c for c in session.execute(select(ServiceCenter)).scalars()}
    departments = dict(session.execute(select(Department.id, Department.name)).all())
    choices = list(session.execute(select(Department.id, Department.name).where(criterion(Department, reach))
                                   .order_by(Department.name)))
    return Names(
        regions=regions, centers=centers, departments=departments,
        matters=dict(session.execute(select(Matter.id, Matter.name)).all()),
        handling_types=dict(session.execute(select(HandlingType.id, HandlingType.name)
                                            .order_by(HandlingType.sort_order)).all()),
        lines=dict(session.execute(select(BusinessLine.code, BusinessLine.name)).all()),
        department_choices=choices,
    )


# --- the figures ----------------------------------------------------------------------------------


@dataclass
class OpenRow:
    key: int | None
    name: str
    stages: dict[str, Count]
    yellow: Count
    red: Count
    total: Count


@dataclass
class PerformanceRow:
    key: Any
    name: str
    accepted: Count
    completed: Count
    on_time: Count
    corrected: Count
    on_time_rate: float | None
    correction_rate: float | None
    #: working days, averaged over the cases completed in the period (accepted → completed)
    avg_elapsed_days: float | None
    avg_paused_days: float | None
    avg_process_days: float | None
    avg_extension_days: float | None


@dataclass
class RouteRow:
    origin: int
    home: int
    origin_name: str
    home_name: str
    parcels: int
    cases: Count
    median_calendar_days: float | None
    avg_calendar_days: float | None
    median_working_days: float | None
    avg_working_days: float | None


@dataclass
class SatisfactionRow:
    key: int
    name: str
    per_level: dict[int, int]
    rated: Count
    counted: int
    excluded: int
    rate: float | None
    rectifying: Count


@dataclass
class TrendPoint:
    label: str
    start: date
    end: date
    accepted: Count
    completed: Count
    on_time: Count


@dataclass
class Dashboard:
    filters: Filters
    names: Names
    open_rows: list[OpenRow]
    open_total: OpenRow
    performance: dict[str, list[PerformanceRow]]
    performance_total: PerformanceRow
    matrix_origins: list[tuple[int, str]]
    matrix_homes: list[tuple[int, str]]
    matrix: dict[tuple[int, int], Count]
    matrix_total: Count
    routes: list[RouteRow]
    satisfaction: list[SatisfactionRow]
    weeks: list[TrendPoint]
    months: list[TrendPoint]


def _scoped(reach: Reach, filters: Filters) -> ColumnElement[bool]:
    """The cases the dashboard looks at: in the reach, within the filters (the same dimension criteria as the
    cells carry, so a count's list and its aggregate agree)."""
    dims = cell("open", **filters.dims()).dims
    return and_(criterion(Case, reach), *(DIMENSIONS[k][1](v) for k, v in dims))


def _sum_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _base(filters: Filters, measure: str, start: date | None = None, end: date | None = None, **dims: Any) -> Cell:
    return cell(measure, start if start is not None else filters.start, end if end is not None else filters.end,
                **(filters.dims() | dims))


def _count(value: int, item: Cell) -> Count:
    return Count(int(value or 0), item.encode())


def _avg(total: float, n: int) -> float | None:
    return round(total / n, 1) if n else None


# 1. open cases by county × stage ------------------------------------------------------------------


def open_cases(session: Session, reach: Reach, filters: Filters, names: Names) -> tuple[list[OpenRow], OpenRow]:
    window = our_window().label("window")
    rows = session.execute(
        select(window, Case.status, Case.warning_level, func.count())
        .where(_scoped(reach, filters), Case.status.in_(sorted(s.value for s in OPEN_STATUSES)))
        .group_by(window, Case.status, Case.warning_level)).all()
    stage_of = {s.value: st.value for s, st in STAGE_OF_STATUS.items()}
    tallies: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for center_id, status, level, n in rows:
        area = names.area_of_center(center_id)
        for key in (area, None):
            tallies[key][stage_of.get(status, PAUSED)] += n
            tallies[key][level] += n
            tallies[key]["total"] += n

    def row(area: int | None) -> OpenRow:
        t = tallies[area]
        base = _base(filters, "open", county=area) if area is not None else _base(filters, "open")
        return OpenRow(area, names.area_name(area) if area is not None else "", {
            stage: _count(t[stage], base.with_(stage=stage)) for stage in STAGES},
            _count(t["yellow"], base.with_(level="yellow")), _count(t["red"], base.with_(level="red")),
            _count(t["total"], base))

    areas = sorted((a for a in tallies if a is not None), key=lambda a: names.regions[a].path)
    return [row(a) for a in areas], row(None)


# 2. on-time rate, working days, 补正率 per window, department, matter, handling type ---------------


GROUPINGS = ("window", "dept", "matter", "ht")


def performance(session: Session, reach: Reach, filters: Filters, names: Names, calendar: WorkCalendar
                ) -> tuple[dict[str, list[PerformanceRow]], PerformanceRow]:
    window = our_window().label("window")
    dept = func.coalesce(Case.department_id, 0).label("dept")
    keys = (window, dept, Case.matter_id, Case.handling_type_id)
    corrected = select(Correction.case_id).distinct().subquery()
    extended = (select(ClockSegment.case_id, func.sum(ClockSegment.days).label("days"))
                .where(ClockSegment.kind == ClockSegmentKind.EXTENSION.value,
                       ClockSegment.decision == ExtensionDecision.APPROVED.value)
                .group_by(ClockSegment.case_id).subquery())
    completed = session.execute(
        select(*keys, Case.accepted_on, Case.completed_on, func.count(), _sum_if(on_time()),
               _sum_if(corrected.c.case_id.is_not(None)), func.sum(Case.paused_days),
               func.sum(func.coalesce(extended.c.days, 0)))
        .outerjoin(corrected, corrected.c.case_id == Case.id).outerjoin(extended, extended.c.case_id == Case.id)
        .where(_scoped(reach, filters), Case.completed_on.between(filters.start, filters.end))
        .group_by(*keys, Case.accepted_on, Case.completed_on)).all()
    accepted = session.execute(
        select(*keys, func.count()).where(_scoped(reach, filters), Case.accepted_on.between(filters.start, filters.end))
        .group_by(*keys)).all()

    @lru_cache(maxsize=None)
    def working_days(a: date, b: date) -> int:
        return calendar.working_days_between(a, b)

    zero = {"accepted": 0, "completed": 0, "on_time": 0, "corrected": 0, "timed": 0, "elapsed": 0, "paused": 0,
            "extended": 0}
    tallies: dict[str, dict[Any, dict[str, int]]] = {g: defaultdict(lambda: dict(zero)) for g in GROUPINGS}
    total = dict(zero)
    for *group, n in accepted:
        for g, key in zip(GROUPINGS, group):
            tallies[g][key]["accepted"] += n
        total["accepted"] += n
    for w, d, m, h, accepted_on, completed_on, n, n_on_time, n_corrected, paused, extended_days in completed:
        add = {"completed": n, "on_time": n_on_time or 0, "corrected": n_corrected or 0}
        if accepted_on is not None:
            add |= {"timed": n, "elapsed": working_days(accepted_on, completed_on) * n, "paused": paused or 0,
                    "extended": extended_days or 0}
        for g, key in zip(GROUPINGS, (w, d, m, h)):
            for k, v in add.items():
                tallies[g][key][k] += v
        for k, v in add.items():
            total[k] += v

    def row(t: dict[str, int], key: Any, name: str, base: Cell) -> PerformanceRow:
        done = t["completed"]
        return PerformanceRow(
            key, name, _count(t["accepted"], base.with_("accepted")), _count(done, base.with_("completed")),
            _count(t["on_time"], base.with_("on_time")), _count(t["corrected"], base.with_("corrected")),
            round(t["on_time"] / done, 4) if done else None, round(t["corrected"] / done, 4) if done else None,
            _avg(t["elapsed"], t["timed"]), _avg(t["paused"], t["timed"]),
            _avg(max(t["elapsed"] - t["paused"], 0), t["timed"]), _avg(t["extended"], t["timed"]))

    label = {
        "window": lambda k: names.centers[k].name if k in names.centers else "?",
        "dept": lambda k: names.departments.get(k, "?") if k else str(_outside_department()),
        "matter": lambda k: names.matters.get(k, "?"),
        "ht": lambda k: names.handling_types.get(k, "?"),
    }
    tables = {}
    for g in GROUPINGS:
        rows = [row(t, key, label[g](key), _base(filters, "completed", **{g: key})) for key, t in tallies[g].items()]
        tables[g] = sorted(rows, key=lambda r: r.name)
    return tables, row(total, None, "", _base(filters, "completed"))


def _outside_department() -> Any:
    from flask_babel import lazy_gettext as _l

    return _l("Department outside the system")


# 3. who sends to whom, and how long parcels take -------------------------------------------------


def routes(session: Session, reach: Reach, filters: Filters, names: Names, calendar: WorkCalendar):
    scoped = _scoped(reach, filters)
    pairs = session.execute(
        select(Case.origin_center_id, Case.home_center_id, func.count())
        .where(scoped, Case.accepted_on.between(filters.start, filters.end))
        .group_by(Case.origin_center_id, Case.home_center_id)).all()
    matrix_counts: dict[tuple[int, int], int] = defaultdict(int)
    for origin, home, n in pairs:
        matrix_counts[(names.area_of_center(origin), names.area_of_center(home))] += n
    origins = sorted({o for o, _ in matrix_counts}, key=lambda a: names.regions[a].path)
    homes = sorted({h for _, h in matrix_counts}, key=lambda a: names.regions[a].path)
    matrix = {key: _count(n, _base(filters, "accepted", **{"from": key[0], "to": key[1]}))
              for key, n in matrix_counts.items()}
    matrix_total = _count(sum(matrix_counts.values()), _base(filters, "accepted"))

    transit_cell = _base(filters, "transit")
    case_pairs = session.execute(
        select(Case.origin_center_id, Case.home_center_id, func.count())
        .where(scoped, cell_criterion(cell("transit", filters.start, filters.end)))
        .group_by(Case.origin_center_id, Case.home_center_id)).all()
    parcels = session.execute(
        select(Case.origin_center_id, Case.home_center_id, Shipment.sent_on, Shipment.received_on, func.count())
        .join(Case, Case.id == Shipment.case_id)
        .where(scoped, Shipment.direction == ShipmentDirection.MATERIALS.value, Shipment.sent_on.is_not(None),
               Shipment.received_on.between(filters.start, filters.end))
        .group_by(Case.origin_center_id, Case.home_center_id, Shipment.sent_on, Shipment.received_on)).all()
    cases_per_route: dict[tuple[int, int], int] = defaultdict(int)
    for origin, home, n in case_pairs:
        cases_per_route[(names.area_of_center(origin), names.area_of_center(home))] += n
    days: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)  # (calendar, working, parcels)
    for origin, home, sent, received, n in parcels:
        key = (names.area_of_center(origin), names.area_of_center(home))
        days[key].append(((received - sent).days, calendar.working_days_between(sent, received), n))
    rows = []
    for key in sorted(set(cases_per_route) | set(days), key=lambda k: (names.regions[k[0]].path,
                                                                        names.regions[k[1]].path)):
        spread = days.get(key, [])
        n = sum(c for _, _, c in spread)
        rows.append(RouteRow(
            key[0], key[1], names.area_name(key[0]), names.area_name(key[1]), n,
            _count(cases_per_route.get(key, 0), transit_cell.with_(**{"from": key[0], "to": key[1]})),
            _weighted_median([(c, k) for c, _, k in spread]), _avg(sum(c * k for c, _, k in spread), n),
            _weighted_median([(w, k) for _, w, k in spread]), _avg(sum(w * k for _, w, k in spread), n)))
    return origins, homes, matrix, matrix_total, rows


def _weighted_median(values: list[tuple[int, int]]) -> float | None:
    """The median of values given with their counts."""
    total = sum(n for _, n in values)
    if not total:
        return None
    ordered = sorted(values)

    def nth(index: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        return ordered[-1][0]

    return (nth((total - 1) // 2) + nth(total // 2)) / 2


# 4. satisfaction and open rectifications per window ----------------------------------------------


def satisfaction(session: Session, reach: Reach, filters: Filters, names: Names) -> list[SatisfactionRow]:
    cases = select(Case.id).where(_scoped(reach, filters))
    rated_cell = _base(filters, "rated")
    ratings = session.execute(
        select(Rating.center_id, Rating.level, Rating.excluded, func.count())
        .where(criterion(Rating, reach), Rating.case_id.in_(cases), Rating.rated_at >= rated_cell.start_moment,
               Rating.rated_at < rated_cell.end_moment)
        .group_by(Rating.center_id, Rating.level, Rating.excluded)).all()
    open_rectifications = dict(session.execute(
        select(Rectification.center_id, func.count())
        .where(criterion(Rectification, reach), Rectification.case_id.in_(cases),
               Rectification.status == RectificationStatus.OPEN.value)
        .group_by(Rectification.center_id)).all())
    per_window: dict[int, list[tuple[int, bool, int]]] = defaultdict(list)
    for center_id, level, excluded, n in ratings:
        per_window[center_id].append((level, bool(excluded), n))
    rows = []
    for center_id in sorted(set(per_window) | set(open_rectifications),
                            key=lambda c: names.centers[c].name if c in names.centers else ""):
        counts = per_window.get(center_id, [])
        figures = _satisfaction(counts)
        rows.append(SatisfactionRow(
            center_id, names.centers[center_id].name if center_id in names.centers else "?", figures.per_level,
            _count(sum(n for _, _, n in counts), rated_cell.with_(window=center_id)), figures.counted,
            figures.excluded, figures.rate,
            _count(open_rectifications.get(center_id, 0), _base(filters, "rectifying", window=center_id))))
    return rows


def _satisfaction(counts: list[tuple[int, bool, int]]) -> Satisfaction:
    """The domain's satisfaction figures (``app.domain.ratings``) from counts per level and flag."""
    per_level = {level: 0 for level in RATING_LEVELS}
    excluded = 0
    for level, is_excluded, n in counts:
        if is_excluded:
            excluded += n
        else:
            per_level[level] = per_level.get(level, 0) + n
    counted = sum(per_level.values())
    satisfied = sum(n for level, n in per_level.items() if level > RECTIFY_AT_OR_BELOW)
    return Satisfaction(per_level, counted, excluded, round(satisfied / counted, 4) if counted else None)


# 5. trends by week and by month ------------------------------------------------------------------


def _weeks(today: date, count: int = 12) -> list[tuple[date, date]]:
    monday = today - timedelta(days=today.weekday())
    return [(monday - timedelta(weeks=i), monday - timedelta(weeks=i) + timedelta(days=6))
            for i in reversed(range(count))]


def _months(today: date, count: int = 12) -> list[tuple[date, date]]:
    spans = []
    year, month = today.year, today.month
    for _ in range(count):
        start = date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        spans.append((start, following - timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(spans))


def trends(session: Session, reach: Reach, filters: Filters, today: date) -> tuple[list[TrendPoint], list[TrendPoint]]:
    weeks, months = _weeks(today), _months(today)
    since = min(weeks[0][0], months[0][0])
    scoped = _scoped(reach, filters)
    accepted = dict(session.execute(
        select(Case.accepted_on, func.count()).where(scoped, Case.accepted_on >= since)
        .group_by(Case.accepted_on)).all())
    completed = {day: (n, n_on_time) for day, n, n_on_time in session.execute(
        select(Case.completed_on, func.count(), _sum_if(on_time())).where(scoped, Case.completed_on >= since)
        .group_by(Case.completed_on)).all()}

    def point(label: str, start: date, end: date) -> TrendPoint:
        a = sum(n for day, n in accepted.items() if start <= day <= end)
        c = sum(n for day, (n, _) in completed.items() if start <= day <= end)
        t = sum(k or 0 for day, (_, k) in completed.items() if start <= day <= end)
        return TrendPoint(label, start, end, _count(a, _base(filters, "accepted", start, end)),
                          _count(c, _base(filters, "completed", start, end)),
                          _count(t, _base(filters, "on_time", start, end)))

    return ([point(f"{s:%m-%d}", s, e) for s, e in weeks], [point(f"{s:%Y-%m}", s, e) for s, e in months])


# --- the whole page -------------------------------------------------------------------------------


def dashboard(session: Session, reach: Reach, filters: Filters, today: date, names: Names | None = None) -> Dashboard:
    names = names or load_names(session, reach)
    calendar = load_calendar(session)
    open_rows, open_total = open_cases(session, reach, filters, names)
    tables, total = performance(session, reach, filters, names, calendar)
    origins, homes, matrix, matrix_total, route_rows = routes(session, reach, filters, names, calendar)
    weeks, months = trends(session, reach, filters, today)
    return Dashboard(
        filters=filters, names=names, open_rows=open_rows, open_total=open_total, performance=tables,
        performance_total=total, matrix_origins=[(a, names.area_name(a)) for a in origins],
        matrix_homes=[(a, names.area_name(a)) for a in homes], matrix=matrix, matrix_total=matrix_total,
        routes=route_rows, satisfaction=satisfaction(session, reach, filters, names), weeks=weeks, months=months)


