"""我的导出 (My exports): the background exports of the signed-in user, with their progress (the page
follows running jobs by itself) and a download link when the file is ready. Owner only: a job of
anyone else answers 404, for administrators too. Files are read by their storage keys.

The ledger's export buttons are on the ledger screen (app.views.ledger); archive packages are on the
case page (app.views.cases).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.errors import NotFound
from app.labels import EXPORT_STATUSES, EXPORT_SUBJECTS
from app.models.exports import ExportJob, ExportStatus
from app.services.exports import jobs as exports

STATUS_CLASSES = {
    ExportStatus.QUEUED: "label-default", ExportStatus.RUNNING: "label-info", ExportStatus.DONE: "label-success",
    ExportStatus.FAILED: "label-danger", ExportStatus.EXPIRED: "label-default",
}


def _session():
    return current_app.appbuilder.session


def _user():
    return current_app.appbuilder.sm.current_user


def human_size(size: int | None) -> str:
    if not size:
        return ""
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def job_state(job: ExportJob) -> dict[str, Any]:
    """What the page shows of a job, and what its polling reads."""
    return {
        "id": job.id, "status": job.status, "status_label": str(EXPORT_STATUSES.get(job.status, job.status)),
        "percent": job.percent, "progress_rows": job.progress_rows, "total_rows": job.total_rows,
        "active": job.active,
        "download_url": url_for("ExportJobView.download", job_id=job.id) if job.status == ExportStatus.DONE else None,
    }


class ExportJobView(BaseView):
    """我的导出: the user's own export jobs."""

    route_base = "/exports"
    class_permission_name = "Export"
    method_permission_name = {"list": "read", "status": "read", "download": "read", "retry": "read"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        jobs = exports.jobs_of(_session(), _user())
        return self.render_template(
            "exports/list.html", jobs=jobs, title=_l("My exports"), states={j.id: job_state(j) for j in jobs},
            status_labels=EXPORT_STATUSES, status_classes=STATUS_CLASSES, subject_labels=EXPORT_SUBJECTS,
            human_size=human_size, retention_days=exports.setting("EXPORT_RETENTION_DAYS"),
            any_active=any(j.active for j in jobs),
        )

    @expose("/status")
    @has_access
    def status(self):
        """The state of the user's jobs, for the page to follow running ones."""
        return jsonify(jobs=[job_state(j) for j in exports.jobs_of(_session(), _user())])

    @expose("/<int:job_id>/download")
    @has_access
    def download(self, job_id: int):
        try:
            path, name, content_type = exports.job_file(_session(), _user(), job_id)
        except NotFound:
            abort(404)
        return send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)

    @expose("/<int:job_id>/retry", methods=["POST"])
    @has_access
    def retry(self, job_id: int):
        try:
            exports.retry_job(_session(), _user(), job_id)
        except NotFound:
            abort(404)
        flash(str(_l("The export was queued again.")), "info")
        return redirect(url_for("ExportJobView.list"))


def register_views(appbuilder: AppBuilder) -> None:
    """Adds this module's views and menu entries."""
    appbuilder.add_view(ExportJobView, "My exports", label=_l("My exports"), icon="fa-download", category="Cases")
