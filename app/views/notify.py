"""Reminders (in-app), message templates, sent messages, reports.

- 我的提醒 (``/reminders/``): each user's own reminders and escalations, mark read, mail preferences;
  the navigation bar shows the unread count (``reminder_badge`` in templates/appbuilder/navbar_right.html).
- 消息模板: administrators edit the texts (unknown placeholders refused, all listed at once).
- 已发送消息: every SMS and mail with its delivery status (administrators, city supervisor).
- 发送失败的消息: the messages whose retries ran out (parked), with 重新发送 (administrators, a county
  administrator for its county's cases; the supervisor follows them).
- 统计报表: the report history with XLSX and PDF downloads (administrators and the city supervisor
  see all; a county administrator its own county's reports), reports on demand with their progress, and
  立即生成 of the last complete week or month.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from app.adapters import storage
from app.domain.privacy import mask_phone
from app.domain.reporting import MAX_SPAN_DAYS
from app.errors import NotFound, ValidationFailed
from app.labels import (
    CHANNEL_LABELS,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    MAIL_STATUSES,
    MESSAGE_STATUSES,
    REMINDER_KINDS,
    REPORT_KINDS,
    REPORT_REQUEST_STATUSES,
    STAGE_LABELS,
    label,
)
from app.models.case import Notification
from app.models.notify import MessageTemplate, Report, ReportRequest
from app.platform.fab import VIEW_PERMISSIONS, ScopedInterface, current_reach
from app.scope import OutOfScope, criterion, get_in_scope
from app.services.cases import conversation
from app.services.notifications import messages as notifications
from app.services.notifications import reminders, report_requests
from app.services.notifications import reports as reports_service
from app.services.notifications.reports import XLSX_TYPE, file_name
from app.services.ratings.rating import rectification_ids_of_cases
from app.views.base import EDIT_ONLY_ROUTES, NO_EDITING_ROUTES, READ_ONLY_ROUTES, AppModelView, page_number, yes_no


def _event_label(value: str) -> str:
    spec = next((s for (event, _), s in notifications.SPECS.items() if event == value), None)
    return str(spec.label) if spec is not None else value


# --- my reminders --------------------------------------------------------------------------------


class ReminderView(BaseView):
    """我的提醒: the signed-in user's own reminders; nobody sees another's."""

    route_base = "/reminders"
    class_permission_name = "Reminder"
    method_permission_name = {"list": "read", "mark_read": "read", "mark_messages_read": "read", "preferences": "read"}
    default_view = "list"

    def _user_id(self) -> int:
        user = g.user
        if user is None or not getattr(user, "id", None):
            abort(403)
        return user.id

    @expose("/")
    @has_access
    def list(self):
        session = self.appbuilder.session
        show = "all" if request.args.get("show") == "all" else "open"
        page = page_number()
        total, items = reminders.reminders_of(session, self._user_id(), show=show, page=page)
        preference = reminders.preference_of(session, self._user_id())
        return self.render_template(
            "notify/reminders.html", items=items, total=total, page=page, page_size=50, show=show,
            unread=reminders.unread_count(session, self._user_id()), preference=preference,
            stage_label=lambda v: label(STAGE_LABELS, v), level_label=lambda v: label(LEVEL_LABELS, v),
            kind_label=lambda v: label(REMINDER_KINDS, v), mail_label=lambda v: label(MAIL_STATUSES, v),
            precheck_due=reminders.precheck_due,
            rectification_ids=rectification_ids_of_cases(session, [r.case_id for r in items if r.stage == "rectify"]),
            languages=LANGUAGE_LABELS, mail_on=bool(current_app.config.get("MAIL_SERVER")),
            messages=conversation.notices_of(session, self._user_id(), show=show),
            unread_messages=conversation.unread_notice_count(session, self._user_id()),
            mentions=lambda message: conversation.mention_labels(session, message),
            title=_l("My reminders"))

    @expose("/read", methods=["POST"])
    @has_access
    def mark_read(self):
        ids = None if request.form.get("all") else request.form.getlist("id")
        count = reminders.mark_read(self.appbuilder.session, self._user_id(), ids)
        flash(str(_l("%(n)d reminder(s) marked as read.", n=count)), "success")
        return redirect(url_for("ReminderView.list", show=request.form.get("show", "open")))

    @expose("/messages/read", methods=["POST"])
    @has_access
    def mark_messages_read(self):
        """Marks the user's own conversation notices read (the chosen ones, or all)."""
        ids = None if request.form.get("all") else request.form.getlist("id")
        count = conversation.mark_notices_read(self.appbuilder.session, self._user_id(), ids)
        flash(str(_l("%(n)d message(s) marked as read.", n=count)), "success")
        return redirect(url_for("ReminderView.list", show=request.form.get("show", "open")))

    @expose("/preferences", methods=["POST"])
    @has_access
    def preferences(self):
        reminders.save_preference(self.appbuilder.session, self._user_id(), request.form.get("language", "zh"),
                                  request.form.get("mail_reminders") == "1")
        flash(str(_l("Your message preferences were saved.")), "success")
        return redirect(url_for("ReminderView.list"))


def reminder_badge() -> int:
    """Unread reminders and conversation messages of the signed-in user (0 for anyone who has none or may
    not read them)."""
    sm = current_app.appbuilder.sm
    user = sm.current_user
    if user is None or not getattr(user, "is_authenticated", False) or not sm.has_access("can_read", "Reminder"):
        return 0
    session = current_app.appbuilder.session
    return reminders.unread_count(session, user.id) + conversation.unread_notice_count(session, user.id)


# --- message templates ---------------------------------------------------------------------------


class MessageTemplateView(AppModelView):
    datamodel = ScopedInterface(MessageTemplate)
    class_permission_name = "MessageTemplate"
    # The messages are fixed by the code (one per event, channel and language): texts are edited only.
    exclude_route_methods = EDIT_ONLY_ROUTES
    list_title = _l("Message templates")
    show_title = edit_title = _l("Message template")
    label_columns = {"event": _l("Message"), "channel": _l("Channel"), "language": _l("Language"),
                     "subject": _l("Subject (mail)"), "body": _l("Text"), "active": _l("Active"),
                     "changed_on": _l("Changed on")}
    list_columns = ["event", "channel", "language", "subject", "active", "changed_on"]
    show_columns = ["event", "channel", "language", "subject", "body", "active", "changed_on"]
    edit_columns = ["subject", "body", "active"]
    search_columns = ["event", "channel", "language", "active"]
    base_order = ("event", "asc")
    formatters_columns = {"event": _event_label, "channel": lambda v: label(CHANNEL_LABELS, v),
                          "language": lambda v: LANGUAGE_LABELS.get(v, v), "active": yes_no}
    description_columns = {
        "active": _l("An English text switched off falls back to the Chinese one; a Chinese text switched off "
                     "turns the message off."),
    }

    def prefill_form(self, form: Any, pk: Any) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        spec = notifications.SPECS.get((item.event, item.channel)) if item is not None else None
        if spec is not None:
            form.body.description = Markup(escape(_l("Placeholders of this message:")) + " ") + Markup("; ").join(
                Markup("<code>{%s}</code> %s") % (name, str(meaning)) for name, meaning in spec.placeholders.items())


# --- sent messages -------------------------------------------------------------------------------


class NotificationView(AppModelView):
    datamodel = ScopedInterface(Notification)
    class_permission_name = "Notification"
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = _l("Sent messages")
    show_title = _l("Message")
    label_columns = {"created_on": _l("Written on"), "channel": _l("Channel"), "event": _l("Message"),
                     "recipient": _l("Recipient"), "case": _l("Case"), "status": _l("Delivery status"),
                     "attempts": _l("Attempts"), "sent_on": _l("Sent on"), "last_error": _l("Last error"),
                     "provider": _l("Provider"), "subject": _l("Subject"), "body": _l("Text"),
                     "language": _l("Language"), "next_attempt_on": _l("Next attempt"),
                     "provider_ref": _l("Provider's message id")}
    list_columns = ["created_on", "channel", "event", "recipient", "case", "status", "attempts", "sent_on"]
    show_columns = ["created_on", "channel", "event", "language", "recipient", "case", "subject", "body", "provider",
                    "status", "attempts", "last_error", "next_attempt_on", "sent_on", "provider_ref"]
    # No filter on the recipient: its readers see phones masked (139****0001), and any filter on the
    # full value (starts with, equal) would confirm a guess digit by digit (issue 9).
    search_columns = ["channel", "event", "status", "created_on"]
    base_order = ("created_on", "desc")
    formatters_columns = {"channel": lambda v: label(CHANNEL_LABELS, v), "event": _event_label,
                          "status": lambda v: label(MESSAGE_STATUSES, v),
                          "recipient": lambda v: v if "@" in (v or "") else mask_phone(v)}


class ParkedMessageView(AppModelView):
    """发送失败的消息: messages whose retry schedule ran out (parked), scoped like the message list, each
    sent again with 重新发送 (``resend_parked``); the health check counts them."""

    datamodel = ScopedInterface(Notification)
    class_permission_name = "ParkedMessage"
    route_base = "/parkedmessages"
    method_permission_name = {**VIEW_PERMISSIONS, "resend": "write"}
    exclude_route_methods = NO_EDITING_ROUTES
    base_filters = [["status", FilterEqual, Notification.PARKED]]
    list_title = _l("Failed messages")
    show_title = _l("Message")
    label_columns = NotificationView.label_columns
    list_columns = ["created_on", "channel", "event", "recipient", "case", "attempts", "last_error"]
    show_columns = ["created_on", "channel", "event", "language", "recipient", "case", "subject", "body", "provider",
                    "status", "attempts", "last_error"]
    search_columns = ["channel", "event", "created_on"]
    base_order = ("created_on", "desc")
    formatters_columns = NotificationView.formatters_columns

    @action("resend", _l("Send again"), _l("Send the selected messages again?"), "fa-repeat", single=False)
    def resend(self, items: list[Notification]):
        count = notifications.resend_parked(self.datamodel.session, current_reach(), [item.id for item in items])
        flash(str(_l("%(n)d message(s) queued to be sent again.", n=count)), "success")
        return redirect(self.get_redirect())


# --- reports -------------------------------------------------------------------------------------


class ReportView(AppModelView):
    """统计报表: the history (weekly, monthly and on-demand reports) with the form to ask for a report of any
    period and scope, the requests in progress (queued, running with their step, failed with 重试), and — while
    the history is empty — when the next scheduled reports come, with 立即生成."""

    datamodel = ScopedInterface(Report)
    class_permission_name = "Report"
    route_base = "/reports"
    list_template = "reports/list.html"
    method_permission_name = {**VIEW_PERMISSIONS, "file": "read", "request_report": "write",
                              "requests_status": "read", "retry_request": "write", "generate": "write"}
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = _l("Reports")
    show_title = _l("Report")
    label_columns = {"title": _l("Report"), "kind": _l("Kind"), "period_start": _l("Period start"),
                     "period_end": _l("Period end"), "created_on": _l("Built on"), "region": _l("County"),
                     "files": _l("Files"), "mailed_to": _l("Mailed to"), "xlsx_sha256": _l("XLSX checksum (SHA-256)"),
                     "pdf_sha256": _l("PDF checksum (SHA-256)")}
    list_columns = ["title", "kind", "period_start", "period_end", "created_on", "files"]
    show_columns = ["title", "kind", "period_start", "period_end", "region", "created_on", "files", "mailed_to",
                    "xlsx_sha256", "pdf_sha256"]
    search_columns = ["kind", "period_start", "title"]
    base_order = ("period_start", "desc")
    formatters_columns = {"kind": lambda v: label(REPORT_KINDS, v)}

    def render_template(self, template: str, **kwargs: Any):
        if template == self.list_template:
            kwargs.update(_report_page_context(self.appbuilder.session))
        return super().render_template(template, **kwargs)

    @expose("/request", methods=["POST"])
    @has_access
    def request_report(self):
        """按需报表: asks for the report of the form's period and scope (every problem shown at once)."""
        form = request.form
        values = {"start": form.get("start", ""), "end": form.get("end", ""), "region_id": form.get("region_id", "")}
        try:
            asked = report_requests.request_report(self.appbuilder.session, g.user, values["start"], values["end"],
                                                   values["region_id"])
        except ValidationFailed as refused:
            for problem in refused.problems:
                flash(str(problem.message), "danger")
            return redirect(url_for("ReportView.list", **values))
        except NotFound:
            abort(404)
        if asked.created:
            flash(str(_l("The report was requested: it is being built in the background; follow it here.")), "info")
        else:
            flash(str(_l("This report is already being built: follow it here.")), "info")
        return redirect(url_for("ReportView.list"))

    @expose("/requests/status")
    @has_access
    def requests_status(self):
        """The progress of the requests in reach, for the page to follow them."""
        reach = current_reach()
        return jsonify(requests=[request_state(r) for r in report_requests.requests_seen_by(
            self.appbuilder.session, reach)])

    @expose("/requests/<int:request_id>/retry", methods=["POST"])
    @has_access
    def retry_request(self, request_id: int):
        try:
            report_requests.retry_request(self.appbuilder.session, g.user, request_id)
        except NotFound:
            abort(404)
        flash(str(_l("The report was queued again.")), "info")
        return redirect(url_for("ReportView.list"))

    @expose("/generate/<string:kind>", methods=["POST"])
    @has_access
    def generate(self, kind: str):
        """立即生成: the last complete week's or month's reports, built now where missing."""
        try:
            built = report_requests.generate_now(self.appbuilder.session, g.user, kind)
        except NotFound:
            abort(404)
        flash(str(_l("%(n)d report(s) of the last complete period are in the history.", n=len(built))), "success")
        return redirect(url_for("ReportView.list"))

    @expose("/file/<int:pk>/<string:fmt>")
    @has_access
    def file(self, pk: int, fmt: str):
        if fmt not in ("xlsx", "pdf"):
            abort(404)
        try:
            report = get_in_scope(self.appbuilder.session, Report, pk, current_reach())
        except OutOfScope:
            abort(404)
        key = report.xlsx_key if fmt == "xlsx" else report.pdf_key
        return send_file(storage.path_of(key), mimetype=XLSX_TYPE if fmt == "xlsx" else "application/pdf",
                         as_attachment=True, download_name=file_name(report, fmt))


def request_state(item: ReportRequest) -> dict[str, Any]:
    """What the history page shows of a request in progress, and what its polling reads."""
    step = max(min(item.step, report_requests.STEPS), 0)
    return {"id": item.id, "status": item.status, "status_label": label(REPORT_REQUEST_STATUSES, item.status),
            "step": step, "steps": item.steps or report_requests.STEPS, "active": item.active,
            "step_label": str(report_requests.STEP_NAMES[step - 1]) if item.active and step else "",
            "percent": int(step * 100 / report_requests.STEPS), "error": item.error}


def _report_page_context(session: Any) -> dict[str, Any]:
    """The form's choices, the requests in progress, and what an empty history says."""
    reach = current_reach()
    sm = current_app.appbuilder.sm
    may_request = sm.has_access("can_write", "Report")
    pending = report_requests.requests_seen_by(session, reach)
    any_report = session.scalar(select(Report.id).where(criterion(Report, reach)).limit(1)) is not None
    scopes = ([("", str(_l("The whole city")))] if report_requests.may_request_city(reach) else []) + [
        (str(c.id), c.name) for c in report_requests.counties_within(session, reach)]
    today = date.today()
    return {
        "may_request": may_request, "scopes": scopes, "pending": pending,
        "states": {r.id: request_state(r) for r in pending}, "any_active": any(r.active for r in pending),
        "history_empty": not any_report, "next_runs": report_requests.next_scheduled(),
        "last_periods": {kind: reports_service.period_of(kind, today) for kind in ("weekly", "monthly")},
        "form": {"start": request.args.get("start", ""), "end": request.args.get("end", ""),
                 "region_id": request.args.get("region_id", "")},
        "today": today.isoformat(), "max_days": MAX_SPAN_DAYS, "on_time_formula": reports_service.ON_TIME_FORMULA,
        "status_labels": REPORT_REQUEST_STATUSES, "scope_name": _scope_name,
    }


def _scope_name(item: ReportRequest) -> str:
    return item.region.name if item.region is not None else str(_l("The whole city"))


def register_views(appbuilder: AppBuilder) -> None:
    """Adds this module's views and menu entries, and the unread count for the navigation bar."""
    appbuilder.add_view(ReminderView, "My reminders", label=_l("My reminders"), icon="fa-bell", category="Cases",
                        category_label=_l("Cases"))
    category, category_label = "Messages", _l("Messages and reports")
    appbuilder.add_view(ReportView, "Reports", label=_l("Reports"), icon="fa-bar-chart", category=category,
                        category_label=category_label, category_icon="fa-envelope")
    appbuilder.add_view(NotificationView, "Sent messages", label=_l("Sent messages"), icon="fa-paper-plane",
                        category=category)
    appbuilder.add_view(ParkedMessageView, "Failed messages", label=_l("Failed messages"), icon="fa-exclamation-triangle",
                        category=category)
    appbuilder.add_view(MessageTemplateView, "Message templates", label=_l("Message templates"),
                        icon="fa-file-text", category=category)

    # register_views runs inside the app context of the factory
    current_app.context_processor(lambda: {"reminder_badge": reminder_badge})
