"""督办 in the admin (menu 办件 → 督办单):

- the list (``/supervision/``): the orders the user reads (through their cases' scope), filtered by state (督办中,
  逾期未反馈, 已反馈, 逾期反馈), issuer and responsible side — the dashboard's counts link here — and its XLSX export;
- issuing (``/supervision/issue``): the city supervisor or a county administrator names one case or several (case
  numbers), the instruction, the side that answers and the reply deadline in working days (all or nothing);
- the reply (反馈) and the nudge (催办) are posted from the case page (its 督办 panel).

Thin: each page calls one command of ``app.services.supervision.orders``; every problem is shown at once.
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import Problem, Refused, ValidationFailed
from app.labels import SIDE_LABELS, SUPERVISION_STATES, SUPERVISION_STATUS_LABELS, WARNING_LABELS, label
from app.models.case import Case
from app.platform.fab import current_reach
from app.scope import as_record_id, criterion
from app.services.supervision import export, orders
from app.services.supervision.queries import PAGE_SIZE, OrderFilter, issuers, list_orders
from app.views.base import answers_service_errors, flash_problems, page_number

SEPARATORS = re.compile(r"[\s,，、;；]+")


def _session():
    return current_app.appbuilder.session


def _user():
    return current_app.appbuilder.sm.current_user


def helpers() -> dict[str, Any]:
    """How the orders' codes read (the list, the case page, the queue)."""
    return {"order_side_label": lambda v: label(SIDE_LABELS, v),
            "order_status_label": lambda v: label(SUPERVISION_STATUS_LABELS, v),
            "order_warning_label": lambda v: label(WARNING_LABELS, v),
            "sides": SIDE_LABELS, "default_reply_days": orders.DEFAULT_REPLY_DAYS,
            "max_reply_days": orders.MAX_REPLY_DAYS}


def event_details(event: Any) -> list[str]:
    """What a 督办 event of the case history adds to its note: who answers by when; a late reply."""
    data = event.data or {}
    if event.action == orders.ISSUED and data.get("reply_due"):
        return [str(_l("Answered by %(side)s (%(unit)s) by %(due)s", side=label(SIDE_LABELS, data.get("responsible_side")),
                       unit=data.get("responsible", ""), due=data["reply_due"]))]
    if event.action == orders.REPLIED and data.get("late"):
        return [str(_l("Answered late"))]
    return []


def _cases_by_numbers(text: str) -> tuple[list[int], list[Problem]]:
    """The cases the numbers name, among those the user reads; every number that names none is a problem."""
    numbers = [n for n in SEPARATORS.split(text or "") if n]
    found = dict(_session().execute(select(Case.number, Case.id).where(Case.number.in_(numbers),
                                                                     criterion(Case, current_reach()))).all())
    problems = [Problem("case_numbers", _l("No case numbered %(number)s among yours.", number=n[:40]))
                for n in numbers if n not in found]
    return [found[n] for n in numbers if n in found], problems


class SupervisionView(BaseView):
    """督办单: the list with its filters and export, and issuing orders."""

    route_base = "/supervision"
    class_permission_name = "SupervisionOrder"
    method_permission_name = {"list": "read", "export_xlsx": "read", "issue": "issue", "reply": "reply",
                              "nudge": "nudge"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        reach, flt = current_reach(), OrderFilter.from_args(request.args)
        page = page_number()
        total, rows = list_orders(_session(), reach, flt, page)
        return self.render_template(
            "supervision/list.html", rows=rows, total=total, page=page, page_size=PAGE_SIZE, flt=flt,
            states=SUPERVISION_STATES, issuers=issuers(_session(), reach),
            may_issue=orders.may_supervise(reach) and self.appbuilder.sm.has_access("can_issue", "SupervisionOrder"),
            title=_l("Supervision orders"), **helpers())

    @expose("/export")
    @has_access
    def export_xlsx(self):
        data = export.export_xlsx(_session(), current_reach(), OrderFilter.from_args(request.args))
        return send_file(io.BytesIO(data), mimetype=export.XLSX_TYPE, as_attachment=True,
                         download_name=export.file_name())

    @expose("/issue", methods=["GET", "POST"])
    @has_access
    @answers_service_errors
    def issue(self):
        """The issuing form (one case from its page, or several by their numbers)."""
        form = request.form if request.method == "POST" else request.args
        values = {"instruction": form.get("instruction", ""), "responsible_side": form.get("responsible_side", ""),
                  "reply_days": form.get("reply_days", str(orders.DEFAULT_REPLY_DAYS)),
                  "case_numbers": form.get("case_numbers", "")}
        case_ids = [pk for pk in (as_record_id(v) for v in form.getlist("case_id")) if pk is not None]
        if request.method == "GET":
            if case_ids and not values["case_numbers"]:
                numbers = _session().scalars(select(Case.number).where(Case.id.in_(case_ids),
                                                                       criterion(Case, current_reach()))).all()
                values["case_numbers"] = "\n".join(n for n in numbers if n)
            return self._form(values, [])
        by_number: list[Problem] = []
        if values["case_numbers"].strip():
            named, by_number = _cases_by_numbers(values["case_numbers"])
            case_ids += named
        try:
            command = orders.IssueOrders(_session(), _user(), case_ids, values)
            problems = command.validate()
            if by_number:  # the numbers that name no case say why there is none
                problems = by_number + [p for p in problems if p.field != "case_ids"]
            if problems:
                raise ValidationFailed(problems)
            made = command.run()
        except ValidationFailed as error:
            _session().rollback()
            return self._form(values, error.problems), 422
        flash(str(_l("%(n)d supervision order(s) issued.", n=len(made))), "success")
        if len(made) == 1:
            return redirect(url_for("CaseWorkView.detail", case_id=made[0].case_id) + "#supervision")
        return redirect(url_for("SupervisionView.list", state="open"))

    def _form(self, values: dict[str, Any], problems: list[Problem]):
        errors: dict[str, list[str]] = {}
        for problem in problems:
            field = problem.field or ""
            field = "case_numbers" if field.startswith("case_ids") else field
            errors.setdefault(field, []).append(str(problem.message))
        return self.render_template("supervision/issue.html", values=values, errors=errors,
                                    problem_count=len(problems), title=_l("Issue a supervision order"), **helpers())

    @expose("/<int:order_id>/reply", methods=["POST"])
    @has_access
    @answers_service_errors
    def reply(self, order_id: int):
        """反馈, from the case page: the responsible side answers once."""
        try:
            order = orders.reply_to_order(_session(), _user(), order_id, {"reply": request.form.get("reply", "")})
        except Refused as error:
            case_id = _session().scalar(select(orders.SupervisionOrder.case_id)
                                        .where(orders.SupervisionOrder.id == order_id))
            flash_problems(error.problems)
            return redirect(url_for("CaseWorkView.detail", case_id=case_id) + "#supervision")
        flash(str(_l("Your reply was sent to %(name)s.", name=order.issued_by_name)), "success")
        return redirect(url_for("CaseWorkView.detail", case_id=order.case_id) + "#supervision")

    @expose("/nudge", methods=["POST"])
    @has_access
    @answers_service_errors
    def nudge(self):
        """催办, from the case page: one click, logged in the history."""
        case_id = request.form.get("case_id", "")
        try:
            case = orders.nudge_case(_session(), _user(), case_id, {"note": request.form.get("note", "")})
        except Refused as error:
            flash_problems(error.problems)
            return redirect(url_for("CaseWorkView.detail", case_id=as_record_id(case_id)) + "#supervision")
        flash(str(_l("Case %(number)s was nudged.", number=case.label)), "success")
        return redirect(url_for("CaseWorkView.detail", case_id=case.id) + "#supervision")


def register_views(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(SupervisionView, "Supervision orders", label=_l("Supervision orders"), icon="fa-gavel",
                        category="Cases")
