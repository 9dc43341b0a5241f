"""The pages that follow background work (我的导出, reports on demand) in Chromium: while a job waits the page
asks for its state by itself, and when the worker has finished it the page shows the result without a click."""

from __future__ import annotations

from datetime import date, timedelta

from tests import factories


def test_my_exports_shows_the_download_once_the_worker_has_built_the_file(sign_in, served):
    from app.extensions import db
    from app.services.exports.jobs import request_ledger_export
    from app.services.exports.ledger import LedgerFilter

    factories.accepted_case(db.session)
    inline_max = served.app.config["EXPORT_INLINE_MAX_ROWS"]
    served.app.config["EXPORT_INLINE_MAX_ROWS"] = 0  # any ledger is "large": a job, not a file at once
    try:
        job = request_ledger_export(db.session, factories.user(db.session, "lz_window"), "xlsx", LedgerFilter())
        job_id = job.id
    finally:
        served.app.config["EXPORT_INLINE_MAX_ROWS"] = inline_max
        db.session.remove()

    page = sign_in("lz_window")
    page.goto("/exports/")
    row = page.locator(f'tr.export-job[data-job="{job_id}"]')
    assert row.locator(".progress-bar").count() == 1
    assert row.locator(".export-download").count() == 0

    assert served.run_jobs()
    row.locator(".export-download").wait_for()  # the page reloaded itself when the job ended
    assert row.get_attribute("data-status") == "done"


def test_a_requested_report_moves_to_the_history_once_built(sign_in, served):
    from app.extensions import db
    from app.services.notifications.report_requests import request_report

    last_week = date.today() - timedelta(days=7)
    requested = request_report(db.session, factories.user(db.session, "city_super"), last_week.isoformat(),
                               last_week.isoformat())
    request_id = requested.request.id
    db.session.remove()

    page = sign_in("city_super")
    page.goto("/reports/list/")
    pending = page.locator(f'tr.report-request[data-request="{request_id}"]')
    assert pending.locator(".progress-bar").count() == 1

    assert served.run_jobs()
    pending.wait_for(state="detached")  # built: the page reloaded and the request left the table
