"""The report page's two buttons as operations (issue 15): 立即生成 (POST /api/v1/report/generate/{kind}) and the
retry of a failed request (POST /api/v1/report/request/{id}/retry), with the page's permission and refusals."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.models.notify import ReportRequest


def test_the_last_complete_periods_reports_are_built_now(api):
    admin = api("admin")
    built = admin.post("/api/v1/report/generate/weekly")
    assert built.status_code == 200, built.get_json()
    assert built.get_json()["count"] >= 1 and all(r["kind"] == "weekly" for r in built.get_json()["result"])
    assert admin.post("/api/v1/report/generate/daily").status_code == 404
    assert api("lz_window").post("/api/v1/report/generate/weekly").status_code == 403


def test_a_failed_request_is_queued_again_and_another_is_answered_as_it_is(api, db):
    admin = api("admin")
    today = date.today()
    asked = admin.post("/api/v1/report/", json={"start": (today - timedelta(days=7)).isoformat(),
                                                "end": today.isoformat()})
    assert asked.status_code == 202, asked.get_json()
    request_id = asked.get_json()["id"]
    same = admin.post(f"/api/v1/report/request/{request_id}/retry")
    assert same.status_code == 200 and same.get_json()["result"]["status"] == asked.get_json()["result"]["status"]
    item = db.scalar(select(ReportRequest).where(ReportRequest.id == request_id))
    item.status, item.error = "failed", "boom"
    db.flush()
    again = admin.post(f"/api/v1/report/request/{request_id}/retry")
    assert again.status_code == 200 and again.get_json()["result"]["status"] == "queued"
    assert admin.post("/api/v1/report/request/999999/retry").status_code == 404
    assert api("lz_window").post(f"/api/v1/report/request/{request_id}/retry").status_code == 403
