"""个人信息访问日志: the access log of personal data, for the administrator and the city supervisor.
Read only: each row is what one user saw of a case in full (page, API, notice, scan, result document,
archive package, export), a search by ID number or phone (the column and a mask, no case), or a
supervisor's disclosure (查看个人信息) with its reason and end."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.labels import ACCESS_KINDS, label
from app.models.case import CaseAccessLog
from app.platform.fab import ScopedInterface
from app.views.base import READ_ONLY_ROUTES, AppModelView


def _moment(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


class AccessLogView(AppModelView):
    datamodel = ScopedInterface(CaseAccessLog)
    class_permission_name = "AccessLog"
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = _l("Personal data access log")
    show_title = _l("Access to personal data")
    label_columns = {"at": _l("Time"), "username": _l("User"), "address": _l("Address"), "channel": _l("Channel"),
                     "kind": _l("What was seen"), "case": _l("Case"), "detail": _l("Detail"), "reason": _l("Reason"),
                     "valid_until": _l("Shown until")}
    list_columns = ["at", "username", "address", "channel", "kind", "case", "detail", "reason", "valid_until"]
    show_columns = list_columns
    search_columns = ["at", "username", "kind", "channel"]
    base_order = ("at", "desc")
    formatters_columns = {"kind": lambda v: label(ACCESS_KINDS, v), "at": _moment, "valid_until": _moment}
