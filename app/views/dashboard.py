"""督导看板: the supervisors' dashboard page (figures from ``app.services.dashboard``); every count links to the
scoped case list of exactly the cases it counts (``CaseView.list?figure=<cell>``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.domain.ratings import RATING_LEVELS
from app.platform.fab import current_reach
from app.services.dashboard import extra_panels, figures_asked
from app.services.dashboard.cells import STAGES
from app.services.dashboard.figures import Count
from app.services.dashboard.filters import PRESET_LABELS

STAGE_LABELS = {"dispatch": _l("Dispatch"), "process": _l("Processing"), "delivery": _l("Delivery"),
                "paused": _l("Clock stopped or not accepted")}
GROUPING_LABELS = {"window": _l("By window"), "dept": _l("By department"), "matter": _l("By matter"),
                   "ht": _l("By handling type")}
#: the definitions, worded as the reports word them (``app.services.notifications.reports.DEFINITIONS``)
DEFINITIONS = (
    _l("On-time rate: of the cases completed in the period, the share completed within the processing limit; the "
       "limit is the promised limit plus approved extensions, and the clock stops during corrections and special "
       "procedures, which do not count toward the limit."),
    _l("Average working days: of the cases completed in the period, working days from acceptance to completion, "
       "shown as elapsed, the days the clock stood stopped (corrections, special procedures) and the processing "
       "days (elapsed minus stopped); approved extension days are shown in their own column and never subtracted."),
    _l("Correction rate: of the cases completed in the period, the share that were asked for a correction."),
    _l("Attribution: each case counts for the window of ours that accepted it (for a case sent by a window "
       "outside the system, the window that took it over) and that window's county."),
    _l("Transit days: materials parcels signed for by the home window in the period, from the day sent to the day "
       "signed; calendar days and working days, median and average."),
)


def count_url(count: Count) -> str:
    return url_for("CaseView.list", figure=count.cell)


class DashboardView(BaseView):
    """督导看板: figures of the cases in the user's scope, with filters; a chart and a table for each."""

    route_base = "/dashboard"
    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read"}
    base_permissions = ["can_read"]
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        session = self.appbuilder.session
        reach = current_reach()
        names, filters, problems, figures = figures_asked(session, reach, request.args, date.today())
        counties, windows = names.counties(), names.windows()
        return self.render_template(
            "dashboard/index.html", title=_l("Supervision dashboard"), d=figures, f=filters, problems=problems,
            counties=counties, windows=windows, departments=names.department_choices,
            lines=sorted(names.lines.items(), key=lambda x: x[1]), handling_types=list(names.handling_types.items()),
            presets=PRESET_LABELS, preset_urls=_preset_urls(filters), stages=STAGES, stage_labels=STAGE_LABELS, grouping_labels=GROUPING_LABELS,
            rating_levels=RATING_LEVELS, definitions=DEFINITIONS, panels=extra_panels(session, reach),
            url=count_url, charts=chart_data(figures))


def _preset_urls(filters: Any) -> dict[str, str]:
    """本周/本月/本季度/本年, the other filters kept."""
    others = {k: v for k, v in filters.as_args().items() if k not in ("from", "to")}
    return {key: url_for("DashboardView.index", preset=key, **others) for key in PRESET_LABELS}


def chart_data(d: Any) -> dict[str, Any]:
    """What the charts draw (the tables under them hold the same numbers): series with the list URL of each
    point, so a click on a bar opens the cases it counts."""

    def point(count: Count) -> dict[str, Any]:
        return {"value": count.value, "url": count_url(count)}

    return {
        "open": {"categories": [r.name for r in d.open_rows],
                 "series": [{"name": str(STAGE_LABELS[s]), "data": [point(r.stages[s]) for r in d.open_rows]}
                            for s in STAGES]},
        "performance": {"categories": [r.name for r in d.performance["window"]],
                        "rate": [None if r.on_time_rate is None else round(r.on_time_rate * 100, 1)
                                 for r in d.performance["window"]],
                        "completed": [point(r.completed) for r in d.performance["window"]],
                        "on_time": [point(r.on_time) for r in d.performance["window"]]},
        "matrix": {"origins": [n for _, n in d.matrix_origins], "homes": [n for _, n in d.matrix_homes],
                   "cells": [{"value": [j, i, d.matrix[(o, h)].value], "url": count_url(d.matrix[(o, h)])}
                             for i, (o, _) in enumerate(d.matrix_origins) for j, (h, _) in enumerate(d.matrix_homes)
                             if (o, h) in d.matrix]},
        "routes": {"categories": [f"{r.origin_name}→{r.home_name}" for r in d.routes],
                   "median": [r.median_working_days for r in d.routes],
                   "average": [r.avg_working_days for r in d.routes]},
        "satisfaction": {"categories": [r.name for r in d.satisfaction],
                         "rate": [None if r.rate is None else round(r.rate * 100, 1) for r in d.satisfaction]},
        "weeks": _trend(d.weeks, point), "months": _trend(d.months, point),
    }


def _trend(points: list, point: Any) -> dict[str, Any]:
    return {"categories": [p.label for p in points], "accepted": [point(p.accepted) for p in points],
            "completed": [point(p.completed) for p in points], "on_time": [point(p.on_time) for p in points]}


def register_views(appbuilder: Any) -> None:
    appbuilder.add_view(DashboardView, "Supervision dashboard", label=_l("Supervision dashboard"),
                        icon="fa-dashboard", category="Cases", category_label=_l("Cases"))
