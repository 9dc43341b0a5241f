"""督导看板 as JSON through the REST API: /api/v1/dashboard/ — the figures of the supervisors' dashboard
(app.views.dashboard) for the cases in the caller's scope, with the page's filters (every problem at once: 422),
through the same service (``app.services.dashboard.figures_asked``) and the panels other modules add. Each count
carries its cell (what it counts) and the address of the scoped case list of exactly those cases.
Documented in /api/v1/_openapi.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from flask import request, url_for
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.api.case_openapi import json_content, obj
from app.api.declared import DeclaredApi, in_query, responses_of
from app.errors import ValidationFailed
from app.platform.fab import answers_service_errors, current_reach
from app.services.dashboard import extra_panels, figures_asked
from app.services.dashboard.cells import STAGES
from app.services.dashboard.filters import PRESET_LABELS

_OBJECT: dict[str, Any] = {"type": "object"}
_LIST: dict[str, Any] = {"type": "array", "items": {"type": "object"}}


def _count(count: Any) -> dict[str, Any]:
    return {"value": count.value, "cell": count.cell, "list_url": url_for("CaseView.list", figure=count.cell)}


def _open(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "stages": {s: _count(row.stages[s]) for s in STAGES if s in row.stages},
            "yellow": _count(row.yellow), "red": _count(row.red), "total": _count(row.total)}


def _performance(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "accepted": _count(row.accepted), "completed": _count(row.completed),
            "on_time": _count(row.on_time), "corrected": _count(row.corrected), "on_time_rate": row.on_time_rate,
            "correction_rate": row.correction_rate, "avg_elapsed_days": row.avg_elapsed_days,
            "avg_paused_days": row.avg_paused_days, "avg_process_days": row.avg_process_days,
            "avg_extension_days": row.avg_extension_days}


def _route(row: Any) -> dict[str, Any]:
    return {"origin": row.origin, "home": row.home, "origin_name": row.origin_name, "home_name": row.home_name,
            "parcels": row.parcels, "cases": _count(row.cases), "median_calendar_days": row.median_calendar_days,
            "avg_calendar_days": row.avg_calendar_days, "median_working_days": row.median_working_days,
            "avg_working_days": row.avg_working_days}


def _satisfaction(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "per_level": {str(k): v for k, v in row.per_level.items()},
            "rated": _count(row.rated), "counted": row.counted, "excluded": row.excluded, "rate": row.rate,
            "rectifying": _count(row.rectifying)}


def _trend(point: Any) -> dict[str, Any]:
    return {"label": point.label, "start": point.start.isoformat(), "end": point.end.isoformat(),
            "accepted": _count(point.accepted), "completed": _count(point.completed), "on_time": _count(point.on_time)}


def figures_json(d: Any) -> dict[str, Any]:
    """The dashboard's figures as JSON, table by table as the page shows them."""
    return {
        "open": [_open(r) for r in d.open_rows], "open_total": _open(d.open_total),
        "performance": {grouping: [_performance(r) for r in rows] for grouping, rows in d.performance.items()},
        "performance_total": _performance(d.performance_total),
        "matrix": {"origins": [{"id": i, "name": n} for i, n in d.matrix_origins],
                   "homes": [{"id": i, "name": n} for i, n in d.matrix_homes],
                   "cells": [{"origin": o, "home": h, **_count(c)} for (o, h), c in d.matrix.items()],
                   "total": _count(d.matrix_total)},
        "routes": [_route(r) for r in d.routes],
        "satisfaction": [_satisfaction(r) for r in d.satisfaction],
        "weeks": [_trend(p) for p in d.weeks], "months": [_trend(p) for p in d.months],
    }


class DashboardApi(DeclaredApi):
    """/api/v1/dashboard/: 督导看板."""

    resource_name = "dashboard"
    class_permission_name = "Dashboard"
    method_permission_name = {"get": "read"}
    openapi_spec_tag = "Supervision dashboard"
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get": {"get": {
            "summary": "The dashboard's figures for the cases in the caller's scope, with the page's filters",
            "parameters": [
                in_query("preset", {"type": "string", "enum": list(PRESET_LABELS)}, "a period (default: this month)"),
                in_query("from", {"type": "string", "format": "date"}, "the first day (instead of a preset)"),
                in_query("to", {"type": "string", "format": "date"}, "the last day (at most three years on)"),
                *(in_query(name, {"type": "integer", "minimum": 0}, f"one {name.replace('_', ' ')} of those offered")
                  for name in ("county", "window", "department", "handling_type")),
                in_query("line", {"type": "string"}, "a business line"),
            ],
            "responses": responses_of({"200": {"description": "The figures", "content": json_content(obj(
                filters=_OBJECT, figures=_OBJECT, panels=_LIST))}}, "401", "403", "422"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @answers_service_errors
    def get(self):
        """The dashboard's figures"""
        reach = current_reach()
        _, filters, problems, figures = figures_asked(self._session, reach, request.args, date.today())
        if problems:
            raise ValidationFailed(problems)
        panels = [{"key": p.key, "title": str(p.title), "rows": [
            {"label": str(r.label), "count": r.count, "url": r.url, "level": r.level} for r in p.rows]}
            for p in extra_panels(self._session, reach)]
        return self.response(200, filters=filters.as_args(), figures=figures_json(figures), panels=panels)
