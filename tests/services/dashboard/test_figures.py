"""督导看板: the figures of a small hand-checked set of cases, per role's scope, and the one-source-of-truth
rule: every count equals the number of cases its cell's criterion selects (what the case list shows)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models.case import Case
from app.scope import SYSTEM, criterion, reach_of
from app.services.dashboard import extra_panels
from app.services.dashboard.cells import BadCell, cell, cell_criterion, parse_cell
from app.services.dashboard.figures import Count, dashboard
from app.services.dashboard.filters import Filters, default_filters, parse_filters, preset_period
from tests import factories as f
from tests.conftest import count_statements

TODAY = date.today()


def _counts(value, seen=None):
    """Every Count in a dashboard (walked through its dataclasses, lists and dicts)."""
    seen = [] if seen is None else seen
    if isinstance(value, Count):
        seen.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _counts(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _counts(item, seen)
    elif hasattr(value, "__dataclass_fields__") and not isinstance(value, Filters):
        for name in value.__dataclass_fields__:
            if name != "names":
                _counts(getattr(value, name), seen)
    return seen


def _listed(db, reach, encoded: str) -> int:
    return db.scalar(select(func.count()).select_from(Case)
                     .where(criterion(Case, reach), cell_criterion(parse_cell(encoded))))


@pytest.fixture()
def cases(db):
    """Three cases of 利州区's window for 苍溪县's 人社局 and one sent to 重庆市渝中区 (outside the system):
    - ``early``: accepted on the first working day of last month, still waiting to be dispatched;
    - ``processing``: at the department (accepted, mailed and signed for today);
    - ``delivered``: completed today after one correction, delivered;
    - ``outbound``: 利州区 → 渝中区, in correction (its clock stopped)."""
    first = (TODAY.replace(day=1) - timedelta(days=20)).replace(day=3)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    early = f.accepted_case(db, on=first)
    processing = f.at_the_department(db)
    delivered = f.delivered_case(db)
    outbound = f.outbound_case_in_correction(db)
    return {"early": early, "processing": processing, "delivered": delivered, "outbound": outbound}


def test_figures_of_a_small_set_by_hand(db, cases):
    d = dashboard(db, SYSTEM, default_filters(TODAY), TODAY)
    # open now: early (dispatch), processing (process), outbound (in correction: no stage runs)
    total = d.open_total
    assert total.total.value == 3
    assert {s: c.value for s, c in total.stages.items()} == {"dispatch": 1, "process": 1, "delivery": 0, "paused": 1}
    assert [r.name for r in d.open_rows] == ["利州区"]
    # this month: processing, delivered and outbound accepted; delivered completed (on time, corrected)
    t = d.performance_total
    assert (t.accepted.value, t.completed.value, t.on_time.value, t.corrected.value) == (3, 1, 1, 1)
    assert t.on_time_rate == 1.0 and t.correction_rate == 1.0
    assert t.avg_elapsed_days == 0 and t.avg_paused_days == 0 and t.avg_extension_days == 0
    by_dept = {r.key: r for r in d.performance["dept"]}
    assert by_dept[f.department(db, "cx_hrss").id].accepted.value == 2
    assert by_dept[0].accepted.value == 1  # outside the system
    # who sends to whom: 利州区 → 苍溪县 twice, 利州区 → 重庆市渝中区 once
    names = {(o, h): c.value for (o, h), c in d.matrix.items()}
    origin = dict(d.matrix_origins)
    home = dict(d.matrix_homes)
    assert {(origin[o], home[h], n) for (o, h), n in names.items()} == {("利州区", "重庆市渝中区", 1),
                                                                        ("利州区", "苍溪县", 2)}
    # parcels signed for this month: processing's and delivered's materials, 利州区 → 苍溪县 (outbound's too)
    routes = {(r.origin_name, r.home_name): r for r in d.routes}
    assert routes[("利州区", "苍溪县")].cases.value == 2
    assert routes[("利州区", "苍溪县")].median_working_days == 0
    # trends: this week and this month count what the period counts
    assert d.months[-1].accepted.value == 3 and d.months[-1].completed.value == 1
    assert d.months[-2].accepted.value == 1


def test_every_count_is_the_number_of_cases_its_cell_selects(db, cases):
    for username in ("city_super", "lz_admin", "cx_admin", "city_hrss"):
        reach = reach_of(f.user(db, username))
        d = dashboard(db, reach, Filters(TODAY.replace(day=1) - timedelta(days=40), TODAY), TODAY)
        counts = _counts(d)
        assert len(counts) > 50
        for count in counts:
            assert _listed(db, reach, count.cell) == count.value, (username, count)


def test_the_scope_of_each_supervisor(db, cases):
    def open_total(username: str) -> int:
        return dashboard(db, reach_of(f.user(db, username)), default_filters(TODAY), TODAY).open_total.total.value

    assert open_total("city_super") == 3
    assert open_total("lz_admin") == 3  # every case touches 利州区
    assert open_total("cx_admin") == 2  # not the one sent to 渝中区
    assert open_total("city_hrss") == 3  # the 人社 line


def test_the_filters_narrow_every_figure(db, cases):
    cx_hrss = f.department(db, "cx_hrss").id
    narrowed = Filters(TODAY.replace(day=1), TODAY, department=cx_hrss)
    d = dashboard(db, SYSTEM, narrowed, TODAY)
    assert d.open_total.total.value == 2
    assert d.performance_total.accepted.value == 2
    other_line = dashboard(db, SYSTEM, Filters(TODAY.replace(day=1), TODAY, line="police"), TODAY)
    assert other_line.open_total.total.value == 0 and other_line.performance_total.accepted.value == 0


def test_parse_filters_reports_every_problem_and_keeps_the_defaults():
    offered = dict(counties={1}, windows={2}, departments={3}, lines={"hrss"}, handling_types={4})
    filters, problems = parse_filters({"from": "2026-13-01", "to": "x", "county": "9", "window": "abc",
                                       "department": "99999999999999", "line": "nope", "handling_type": "4"},
                                      TODAY, **offered)
    assert filters == default_filters(TODAY)
    assert {p.field for p in problems} == {"from", "to", "county", "window", "department", "line"}
    filters, problems = parse_filters({"from": "2026-11-30", "to": "2026-11-01"}, TODAY, **offered)
    assert [p.field for p in problems] == ["to"] and filters == default_filters(TODAY)
    filters, problems = parse_filters({"preset": "quarter", "county": "1", "line": "hrss"}, date(2026, 11, 5),
                                      **offered)
    assert not problems and (filters.start, filters.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert filters.county == 1 and filters.line == "hrss"
    assert preset_period("week", date(2026, 12, 3)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert preset_period("year", date(2026, 12, 3)) == (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize("text", ["", "m:nothing", "m:open~county:x", "m:completed", "m:open~since:2026-01-01",
                                  "m:completed~since:2026-02-01~until:2026-01-01", "m:open~stage:lunch",
                                  "m:open~county:1~county:2", "m:open~window:-3", "m:open~window:99999999999",
                                  "m:open~line:a b", "m:open~bogus:1", "x" * 500])
def test_a_malformed_cell_is_refused(text):
    with pytest.raises(BadCell):
        parse_cell(text)


def test_a_cell_survives_its_url_form():
    item = cell("on_time", date(2026, 11, 1), date(2026, 11, 30), window=3, dept=0, line="hrss", ht=2)
    assert parse_cell(item.encode()) == item


def test_the_dashboard_shows_the_supervision_and_reconciliation_panels_in_two_statements(db):
    panels = []
    assert count_statements(lambda: panels.extend(extra_panels(db, SYSTEM)), savepoints=False) == 2
    assert [p.key for p in panels] == ["supervision", "reconciliation"]
    assert all(row.count == 0 for p in panels for row in p.rows)  # the tests' database has no orders or findings


def test_the_statements_do_not_grow_with_the_cases(db):
    reach = reach_of(f.user(db, "city_super"))

    def statements() -> int:
        return count_statements(lambda: dashboard(db, reach, default_filters(TODAY), TODAY), savepoints=False)

    f.delivered_case(db)
    few = statements()
    for _ in range(3):
        f.delivered_case(db)
        f.at_the_department(db)
    f.outbound_case_in_correction(db)
    assert statements() == few
