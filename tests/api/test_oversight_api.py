"""对账发现, 个人信息访问日志 and 审计导出 through the REST API, through the pages' services: scoped, the pages'
permissions, every problem at once, the same results (an API export is an entry of the access log, channel api)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.models.case import CaseAccessLog, OutboxMessage
from app.models.exports import ExportJob
from app.services import reconciliation
from tests import factories
from tests.services.supervision import other_county_case

MON, THU = date(2026, 3, 2), date(2026, 3, 5)


def _found(db):
    case = factories.accepted_case(db, MON)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                    OutboxMessage.topic == "render_notice"))
    reconciliation.reconcile(db, THU, message.created_on + timedelta(days=1))
    return case


def test_the_findings_as_on_the_page(api, db):
    case = _found(db)
    supervisor = api("city_super")
    listed = supervisor.get("/api/v1/reconciliation/?kind=not_dispatched&state=open").get_json()
    assert case.id in [f["case_id"] for f in listed["result"]] and listed["last_run"]["day"]
    assert case.id not in [f["case_id"] for f in
                           supervisor.get("/api/v1/reconciliation/?kind=not_delivered").get_json()["result"]]
    system = supervisor.get("/api/v1/reconciliation/?kind=outbox_stale").get_json()["result"]
    assert system and all(f["case_id"] is None or f["kind"] == "outbox_stale" for f in system)
    county = api("cx_admin")
    assert case.id in [f["case_id"] for f in county.get("/api/v1/reconciliation/?state=all").get_json()["result"]]
    refused = county.get("/api/v1/reconciliation/?kind=outbox_stale&state=later&county_id=x")
    assert refused.status_code == 422  # not a kind a county administrator can pick; every problem at once
    assert {e["field"] for e in refused.get_json()["errors"]} == {"kind", "state", "county_id"}
    assert api("lz_window").get("/api/v1/reconciliation/").status_code in (401, 403)


def test_the_access_log_and_the_audit_export_of_a_case(api, db):
    case, theirs = factories.accepted_case(db), other_county_case(db)
    admin = api("lz_admin")
    exported = admin.get(f"/api/v1/audit/case/{case.id}")
    assert exported.status_code == 200 and exported.data.startswith(b"PK")
    assert admin.get(f"/api/v1/audit/case/{theirs.id}").status_code == 404
    logged = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case.id,
                                                    CaseAccessLog.kind == "audit")).all()
    assert [entry.channel for entry in logged] == ["api"]

    supervisor = api("city_super")
    listed = supervisor.get("/api/v1/access_log/?kind=audit&channel=api&username=lz_admin").get_json()
    assert [e["id"] for e in listed["result"]] == [logged[0].id] and listed["result"][0]["case_number"] == case.number
    assert supervisor.get(f"/api/v1/access_log/{logged[0].id}").get_json()["result"]["kind"] == "audit"
    assert supervisor.get("/api/v1/access_log/2000000000").status_code == 404
    refused = supervisor.get("/api/v1/access_log/?kind=peek&channel=fax&at_from=today")
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"kind", "channel", "at_from"}
    assert admin.get("/api/v1/access_log/").status_code in (401, 403)  # the page's readers only
    assert api("lz_window").get(f"/api/v1/audit/case/{case.id}").status_code in (401, 403)


def test_the_audit_export_of_a_period_is_a_job_under_my_exports(api, db):
    factories.accepted_case(db)
    admin = api("lz_admin")
    today = date.today()
    answer = admin.post("/api/v1/audit/period", json={"start": (today - timedelta(days=7)).isoformat(),
                                                      "end": today.isoformat()})
    assert answer.status_code == 202, answer.get_json()
    job = db.get(ExportJob, answer.get_json()["id"])
    assert job.subject == "audit" and answer.headers["Location"] == f"/api/v1/export/{job.id}"
    assert admin.get(answer.get_json()["progress_url"]).get_json()["result"]["subject"] == "audit"
    refused = admin.post("/api/v1/audit/period", json={"start": "x", "end": ""})
    assert refused.status_code == 422 and len(refused.get_json()["errors"]) >= 2
    assert admin.post("/api/v1/audit/period", json={"start": "2026-01-01", "end": "2026-01-02",
                                                    "region_id": "x"}).status_code == 400


def test_the_endpoints_are_in_the_openapi_document(api, db):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "get" in paths["/api/v1/reconciliation/"] and "get" in paths["/api/v1/access_log/"]
    assert "get" in paths["/api/v1/access_log/{log_entry_id}"] and "get" in paths["/api/v1/audit/case/{case_id}"]
    assert "post" in paths["/api/v1/audit/period"]
