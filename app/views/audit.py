"""审计导出: the history and the personal-data access log as XLSX (``app.services.audit.export``).

- ``/audit/case/<id>``: one case, made at once, for whoever may read the case (``Case`` can_read; another
  county's case answers 404); the button sits in the case page's history.
- ``/audit/``: a period (administrators, the city supervisor: the city or one county; a county administrator
  its county), queued as a background export that appears under 我的导出 with its progress.
Each export is an entry of the access log.
"""

from __future__ import annotations

import io
from datetime import date

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.domain.reporting import MAX_SPAN_DAYS
from app.errors import NotFound, ValidationFailed
from app.platform.fab import current_reach
from app.services.audit import export as audit
from app.services.cases.access import Viewer
from app.services.notifications import report_requests


def _viewer() -> Viewer:
    return Viewer(g.user, current_reach(), request.remote_addr or "", "web")


class CaseAuditView(BaseView):
    """The audit export of one case: for those who answer complaints and inspections (administrators, the city
    supervisor, the county administrators), within their scope. Its access-log sheet says who looked at the
    applicant's data and from where, which is not for the windows and departments working the case."""

    route_base = "/audit/case"
    class_permission_name = "Audit"
    method_permission_name = {"case_export": "read"}

    @expose("/<int:case_id>")
    @has_access
    def case_export(self, case_id: int):
        try:
            made = audit.case_audit(current_app.appbuilder.session, _viewer(), case_id)
        except NotFound:
            abort(404)
        return send_file(io.BytesIO(made.data), mimetype=made.content_type, as_attachment=True,
                         download_name=made.name, max_age=0)


class AuditView(BaseView):
    """The audit export of a period, for supervisors and administrators."""

    route_base = "/audit"
    class_permission_name = "Audit"
    method_permission_name = {"form": "read", "period": "read"}
    default_view = "form"

    @expose("/")
    @has_access
    def form(self):
        session = current_app.appbuilder.session
        reach = current_reach()
        scopes = ([("", str(_l("The whole city")))] if reach.everything else []) + [
            (str(c.id), c.name) for c in report_requests.counties_within(session, reach)]
        return self.render_template("reports/audit.html", title=_l("Audit export"), scopes=scopes,
                                    form={k: request.args.get(k, "") for k in ("start", "end", "region_id")},
                                    today=date.today().isoformat(), max_days=MAX_SPAN_DAYS)

    @expose("/period", methods=["POST"])
    @has_access
    def period(self):
        values = {k: request.form.get(k, "") for k in ("start", "end", "region_id")}
        try:
            audit.request_period_audit(current_app.appbuilder.session, g.user, values["start"], values["end"],
                                       values["region_id"])
        except ValidationFailed as refused:
            for problem in refused.problems:
                flash(str(problem.message), "danger")
            return redirect(url_for("AuditView.form", **values))
        except NotFound:
            abort(404)
        flash(str(_l("The audit export is being prepared in the background: download it here when it is ready.")),
              "info")
        return redirect(url_for("ExportJobView.list"))


def register_views(appbuilder: AppBuilder) -> None:
    """Adds the audit export to the menu (beside the reports) and the case's export without a menu entry."""
    appbuilder.add_view(AuditView, "Audit export", label=_l("Audit export"), icon="fa-shield",
                        category="Messages")
    appbuilder.add_view_no_menu(CaseAuditView)
