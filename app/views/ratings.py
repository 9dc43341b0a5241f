"""好差评 and 整改 in the admin (menu 好差评):

- 评价 (``/ratings/``): the ratings the user may read (county administrators their county's, window clerks
  their window's, the supervisor and the administrator all), the XLSX export;
- 差评整改 (``/rectifications/``): the rectifications with their due days and warning badges; a
  rectification's page with its history and the forms of its commands (回访, 整改措施, 整改完成, 申诉, and the
  city supervisor's decision on an appeal), the XLSX export.

Every command is a service (``app.services.ratings.rectifications``): its problems are shown all at once.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.errors import Refused
from app.labels import (
    APPEAL_OUTCOME_LABELS,
    RATING_CHANNEL_LABELS,
    RATING_LEVEL_LABELS,
    RATING_TAG_LABELS,
    RECTIFICATION_EVENT_LABELS,
    RECTIFICATION_STATUS_LABELS,
    WARNING_LABELS,
    joined,
    label,
)
from app.models.rating import Rating, Rectification
from app.platform.fab import VIEW_PERMISSIONS, ScopedInterface, current_reach
from app.services.ratings import export
from app.services.ratings import rectifications as commands
from app.views.base import READ_ONLY_ROUTES, AppModelView, answers_service_errors, flash_problems, yes_no


def level_label(value: Any) -> str:
    return label(RATING_LEVEL_LABELS, value)


def tag_labels(values: Any) -> str:
    return joined(label(RATING_TAG_LABELS, v) for v in values or [])


def warning_badge(value: Any) -> Markup:
    """黄牌 / 红牌 as a badge (nothing while on time)."""
    if value not in ("yellow", "red"):
        return Markup("")
    css = "label-danger" if value == "red" else "label-warning"
    return Markup('<span class="label {} rectification-warning">{}</span>').format(css, label(WARNING_LABELS, value))


def _send_export(which: str):
    data = export.export_xlsx(current_app.appbuilder.session, current_reach(), which)
    return send_file(io.BytesIO(data), mimetype=export.XLSX_TYPE, as_attachment=True,
                     download_name=export.file_name(which))


def rectification_link(item: Rectification | None) -> Markup:
    """The rectification's status, linked to its page."""
    if item is None:
        return Markup("")
    return Markup('<a href="{}">{}</a>').format(url_for("RectificationView.show", pk=item.id),
                                                label(RECTIFICATION_STATUS_LABELS, item.status))


class RatingView(AppModelView):
    """评价: every rating in the user's scope, newest first (read only: they are the applicants' words)."""

    datamodel = ScopedInterface(Rating)
    class_permission_name = "Rating"
    route_base = "/ratings"
    method_permission_name = {**VIEW_PERMISSIONS, "export_xlsx": "read"}
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = _l("Service ratings")
    show_title = _l("Service rating")
    label_columns = {"number": _l("Rating number"), "case_number": _l("Case number"), "matter_name": _l("Matter"),
                     "center": _l("Receiving window"), "county": _l("County"), "level": _l("Rating"),
                     "tags": _l("Tags"), "comment": _l("Comment"), "channel": _l("Channel"),
                     "rated_at": _l("Rated on"), "excluded": _l("Not counted (appeal upheld)"),
                     "rectification": _l("Rectification")}
    list_columns = ["number", "case_number", "matter_name", "center", "level", "tags", "channel", "rated_at",
                    "excluded", "rectification"]
    show_columns = ["number", "case_number", "matter_name", "center", "county", "level", "tags", "comment", "channel",
                    "rated_at", "excluded", "rectification"]
    search_columns = ["level", "channel", "rated_at", "excluded"]
    base_order = ("rated_at", "desc")
    formatters_columns = {"level": level_label, "tags": tag_labels,
                          "channel": lambda v: label(RATING_CHANNEL_LABELS, v), "excluded": yes_no,
                          "rectification": rectification_link}
    list_template = "ratings/list.html"

    @expose("/export")
    @has_access
    def export_xlsx(self):
        return _send_export("ratings")


class RectificationView(AppModelView):
    """差评整改: the rectifications in scope, soonest due first, with their warning badges; one page per
    rectification with its history and the forms of the commands."""

    datamodel = ScopedInterface(Rectification)
    class_permission_name = "Rectification"
    route_base = "/rectifications"
    method_permission_name = {**VIEW_PERMISSIONS, "export_xlsx": "read", "callback": "write", "measures": "write",
                              "close": "write", "appeal": "write", "decide": "decide"}
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = _l("Rectifications of poor ratings")
    show_title = _l("Rectification")
    label_columns = {"case_number": _l("Case number"), "matter_name": _l("Matter"), "center": _l("Receiving window"),
                     "county": _l("County"), "level": _l("Rating"), "status": _l("Status"),
                     "opened_on": _l("Opened on"), "due_on": _l("Due on"), "warning_level": _l("Warning"),
                     "callback_at": _l("Called back on")}
    list_columns = ["case_number", "matter_name", "center", "level", "status", "opened_on", "due_on", "warning_level",
                    "callback_at"]
    search_columns = ["status", "warning_level", "due_on", "opened_on"]
    base_order = ("due_on", "asc")
    formatters_columns = {"level": level_label, "status": lambda v: label(RECTIFICATION_STATUS_LABELS, v),
                          "warning_level": warning_badge}
    list_template = "ratings/list.html"

    @expose("/show/<pk>")
    @has_access
    def show(self, pk: Any):  # type: ignore[override]
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        sm = self.appbuilder.sm
        return self.render_template(
            "ratings/rectification.html", item=item, title=self.show_title,
            may_write=sm.has_access("can_write", "Rectification") and _writable(item),
            may_decide=sm.has_access("can_decide", "Rectification"),
            level_label=level_label, tag_labels=tag_labels, status_label=lambda v: label(RECTIFICATION_STATUS_LABELS, v),
            event_label=lambda v: label(RECTIFICATION_EVENT_LABELS, v),
            outcome_label=lambda v: label(APPEAL_OUTCOME_LABELS, v), warning_badge=warning_badge,
            channel_label=lambda v: label(RATING_CHANNEL_LABELS, v), outcomes=APPEAL_OUTCOME_LABELS)

    def _command(self, pk: int, command: Any, fields: tuple[str, ...], done: Any):
        values = {name: request.form.get(name, "") for name in fields}
        try:
            command(self.appbuilder.session, self.appbuilder.sm.current_user, pk, values)
        except Refused as error:
            flash_problems(error.problems)
        else:
            flash(str(done), "success")
        return redirect(url_for("RectificationView.show", pk=pk))

    @expose("/<int:pk>/callback", methods=["POST"])
    @has_access
    @answers_service_errors
    def callback(self, pk: int):
        return self._command(pk, commands.record_callback, ("called_at", "contact", "note"),
                             _l("The call-back was recorded."))

    @expose("/<int:pk>/measures", methods=["POST"])
    @has_access
    @answers_service_errors
    def measures(self, pk: int):
        return self._command(pk, commands.record_actions, ("actions",), _l("The measures were recorded."))

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    @answers_service_errors
    def close(self, pk: int):
        return self._command(pk, commands.close, ("actions", "note"), _l("The rectification was closed."))

    @expose("/<int:pk>/appeal", methods=["POST"])
    @has_access
    @answers_service_errors
    def appeal(self, pk: int):
        return self._command(pk, commands.appeal, ("reason",),
                             _l("The appeal was sent to the city supervisor."))

    @expose("/<int:pk>/decide", methods=["POST"])
    @has_access
    @answers_service_errors
    def decide(self, pk: int):
        return self._command(pk, commands.decide_appeal, ("outcome", "note"), _l("The appeal was decided."))

    @expose("/export")
    @has_access
    def export_xlsx(self):
        return _send_export("rectifications")


def _writable(item: Rectification) -> bool:
    from app.scope import is_in_scope

    return is_in_scope(current_app.appbuilder.session, item, current_reach(), write=True)


def register_views(appbuilder: AppBuilder) -> None:
    category, category_label = "Ratings", _l("Service ratings")
    appbuilder.add_view(RatingView, "Ratings", label=_l("Ratings"), icon="fa-star-half-o", category=category,
                        category_label=category_label, category_icon="fa-star")
    appbuilder.add_view(RectificationView, "Rectifications", label=_l("Rectifications"), icon="fa-wrench",
                        category=category)
