"""工作台账 through the REST API: the rows within the caller's scope with the screen's filters, one row, its
remarks edited (and seen on the ledger screen), the export (the file at once or the job under My exports);
another county's row is missing; roles without the screen's permission are refused; every problem at once."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from app.models.case import CaseAccessLog, LedgerEntry
from app.models.exports import ExportJob
from tests import factories
from tests.conftest import config_override
from tests.services.supervision import other_county_case


def _row(db, case, center_key: str) -> LedgerEntry:
    center = factories.center(db, center_key)
    return db.scalar(select(LedgerEntry).where(LedgerEntry.case_id == case.id, LedgerEntry.center_id == center.id))


def test_the_rows_in_scope_with_the_screens_filters(api, db):
    mine, theirs = factories.accepted_case(db, date(2026, 3, 2)), other_county_case(db)
    mine_row, their_row = _row(db, mine, "lz_center"), _row(db, theirs, "cx_center")
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/ledger/").get_json()
    ids = [r["id"] for r in listed["result"]]
    assert mine_row.id in ids and their_row.id not in ids and listed["count"] == len(ids)
    row = next(r for r in listed["result"] if r["id"] == mine_row.id)
    assert row["case_number"] == mine.number and row["applicant_phone"] != mine.applicant_phone  # masked
    assert "*" in row["applicant_phone"]

    assert clerk.get("/api/v1/ledger/?date_from=2026-03-03").get_json()["count"] == 0
    assert clerk.get("/api/v1/ledger/?date_from=2026-03-02&date_to=2026-03-02").get_json()["count"] == 1
    name = mine.applicant_name[1:]
    assert clerk.get(f"/api/v1/ledger/?applicant_name={name}").get_json()["count"] == 1
    assert clerk.get("/api/v1/ledger/?matter_name=没有这个事项").get_json()["count"] == 0

    assert clerk.get(f"/api/v1/ledger/{mine_row.id}").get_json()["result"]["id"] == mine_row.id
    assert clerk.get(f"/api/v1/ledger/{their_row.id}").status_code == 404
    assert clerk.get("/api/v1/ledger/2000000000").status_code == 404
    # the city reads both windows' ledgers
    city = {r["id"] for r in api("city_super").get("/api/v1/ledger/").get_json()["result"]}
    assert {mine_row.id, their_row.id} <= city


def test_every_problem_of_a_filter_at_once(api, db):
    factories.accepted_case(db)
    answer = api("lz_window").get("/api/v1/ledger/?date_from=2026-13-01&date_to=x&center_id=abc")
    assert answer.status_code == 422
    assert {e["field"] for e in answer.get_json()["errors"]} == {"date_from", "date_to", "center_id"}
    assert api("lz_window").get("/api/v1/ledger/?page=x").status_code == 400


def test_remarks_edited_through_the_api_show_on_the_ledger_screen(api, db, client, login):
    mine, theirs = factories.accepted_case(db), other_county_case(db)
    mine_row, their_row = _row(db, mine, "lz_center"), _row(db, theirs, "cx_center")
    clerk = api("lz_window")
    answer = clerk.put(f"/api/v1/ledger/{mine_row.id}", json={"remarks": "申请人要求邮寄结果（接口）"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["result"]["remarks"] == "申请人要求邮寄结果（接口）"
    db.expire_all()
    assert db.get(LedgerEntry, mine_row.id).remarks == "申请人要求邮寄结果（接口）"
    login("lz_window")
    assert "申请人要求邮寄结果（接口）" in client.get("/ledgerview/list/").get_data(as_text=True)

    assert clerk.put(f"/api/v1/ledger/{their_row.id}", json={"remarks": "x"}).status_code == 404
    invalid = clerk.put(f"/api/v1/ledger/{mine_row.id}", json={"remarks": 5})
    assert invalid.status_code == 422 and [e["field"] for e in invalid.get_json()["errors"]] == ["remarks"]
    assert clerk.put(f"/api/v1/ledger/{mine_row.id}", data="nope", content_type="application/json").status_code == 400
    # the county administrator reads the ledger but does not edit it, as on the screen
    assert api("lz_admin").get(f"/api/v1/ledger/{mine_row.id}").status_code == 200
    assert api("lz_admin").put(f"/api/v1/ledger/{mine_row.id}", json={"remarks": "x"}).status_code in (401, 403)


def test_roles_without_the_ledger_are_refused(api, db):
    row = _row(db, factories.accepted_case(db), "lz_center")
    officer = api("cx_hrss")
    assert officer.get("/api/v1/ledger/").status_code in (401, 403)
    assert officer.get(f"/api/v1/ledger/{row.id}").status_code in (401, 403)
    assert officer.post("/api/v1/ledger/export", json={"kind": "xlsx"}).status_code in (401, 403)


def test_a_small_export_is_the_file_and_logged(api, db):
    case = factories.accepted_case(db, date(2026, 3, 2))
    answer = api("lz_window").post("/api/v1/ledger/export", json={"kind": "xlsx", "date_from": "2026-03-01"})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    rows = list(load_workbook(io.BytesIO(answer.data)).worksheets[0].iter_rows(values_only=True))
    assert any(case.number in [str(v) for v in r] for r in rows)
    logged = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case.id)).all()
    assert any(entry.channel == "api" for entry in logged)


def test_a_large_export_is_a_job_followed_under_my_exports(api, db, app):
    factories.accepted_case(db, date(2026, 3, 2))
    factories.accepted_case(db, date(2026, 3, 3))
    clerk = api("lz_window")
    with config_override(app, EXPORT_INLINE_MAX_ROWS=1, EXPORT_PDF_INLINE_MAX_ROWS=1):
        answer = clerk.post("/api/v1/ledger/export", json={"kind": "xlsx"})
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    job = db.get(ExportJob, body["id"])
    assert job.user_fk == factories.user(db, "lz_window").id and job.subject == "ledger"
    assert body["progress_url"] == f"/api/v1/export/{job.id}" == answer.headers["Location"]
    progress = clerk.get(body["progress_url"]).get_json()["result"]
    assert progress["status"] == "queued" and progress["file_url"] is None
    # the same job the screen's button makes: on the My exports page
    factories.run_outbox(db, "build_export")
    done = clerk.get(body["progress_url"]).get_json()["result"]
    assert done["status"] == "done" and done["percent"] == 100
    assert clerk.get(done["file_url"]).status_code == 200


def test_every_problem_of_an_export_at_once(api, db):
    factories.accepted_case(db)
    answer = api("lz_window").post("/api/v1/ledger/export", json={"kind": "doc", "date_from": "03/02/2026",
                                                                   "center_id": "x"})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.get_json()["errors"]} == {"kind", "date_from", "center_id"}
    assert db.scalar(select(ExportJob.id)) is None


def test_the_endpoints_are_in_the_openapi_document(api, db):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/ledger/"]
    assert {"get", "put"} <= set(paths["/api/v1/ledger/{entry_id}"])
    assert "post" in paths["/api/v1/ledger/export"]
    assert "LedgerEntry" in spec["components"]["schemas"]
