"""我的导出 through the REST API: the caller's jobs, the progress of one, its file once done, another try of a
failed one; anyone else's job is missing (administrators' too); roles without My exports are refused."""

from __future__ import annotations

from sqlalchemy import update

from app.models.exports import ExportJob, ExportStatus
from app.services.exports.jobs import request_ledger_export
from app.services.exports.ledger import LedgerFilter
from tests import factories
from tests.conftest import config_override


def _job(db, app, username: str = "lz_window") -> ExportJob:
    factories.accepted_case(db)
    with config_override(app, EXPORT_INLINE_MAX_ROWS=0, EXPORT_PDF_INLINE_MAX_ROWS=0):
        return request_ledger_export(db, factories.user(db, username), "xlsx", LedgerFilter())


def test_my_jobs_their_progress_and_the_file(api, db, app, client, login):
    job = _job(db, app)
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/export/").get_json()
    assert [j["id"] for j in listed["result"]] == [job.id] and listed["count"] == 1
    assert listed["result"][0]["status"] == "queued" and listed["result"][0]["active"] is True
    assert clerk.get(f"/api/v1/export/{job.id}/file").status_code == 404  # not done yet
    factories.run_outbox(db, "build_export")
    one = clerk.get(f"/api/v1/export/{job.id}").get_json()["result"]
    assert one["status"] == "done" and one["file_url"] == f"/api/v1/export/{job.id}/file"
    by_api = clerk.get(one["file_url"])
    assert by_api.status_code == 200 and by_api.data
    login("lz_window")
    assert client.get(f"/exports/{job.id}/download").data == by_api.data  # the page's file


def test_anyone_elses_job_is_missing(api, db, app):
    job = _job(db, app)
    for other in ("admin", "lz_admin", "cx_window"):
        caller = api(other)
        assert caller.get(f"/api/v1/export/{job.id}").status_code == 404
        assert caller.get(f"/api/v1/export/{job.id}/file").status_code == 404
        assert caller.post(f"/api/v1/export/{job.id}/retry").status_code == 404
        assert job.id not in [j["id"] for j in caller.get("/api/v1/export/").get_json()["result"]]


def test_a_failed_job_is_queued_again(api, db, app):
    job = _job(db, app)
    db.execute(update(ExportJob).where(ExportJob.id == job.id).values(status=ExportStatus.FAILED, error="boom"))
    db.commit()
    answer = api("lz_window").post(f"/api/v1/export/{job.id}/retry")
    assert answer.status_code == 202 and answer.get_json()["result"]["status"] == "queued"
    factories.run_outbox(db, "build_export")
    assert api("lz_window").get(f"/api/v1/export/{job.id}").get_json()["result"]["status"] == "done"


def test_roles_without_my_exports_are_refused(api, db):
    assert api("cx_hrss").get("/api/v1/export/").status_code in (401, 403)


def test_the_endpoints_are_in_the_openapi_document(api, db):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "get" in paths["/api/v1/export/"] and "get" in paths["/api/v1/export/{job_id}"]
    assert "get" in paths["/api/v1/export/{job_id}/file"] and "post" in paths["/api/v1/export/{job_id}/retry"]
