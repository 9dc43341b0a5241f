"""Case files the page serves, through the API (issue 15 API parity): an earlier version of a material's scan
and a conversation message's attachment — the page's access rules, access-log entries and private caching."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.models.case import CaseAccessLog
from app.models.conversation import CaseMessage
from app.services.cases import files as case_files
from tests import factories


def _logged(db, case, kind):
    return db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case.id, CaseAccessLog.kind == kind,
                                                  CaseAccessLog.channel == "api")).all()


def test_an_earlier_scan_version_is_served_as_on_the_page(api, db):
    case = factories.at_the_department(db)
    form = case.materials[1]
    case_files.attach_scan(db, factories.user(db, "lz_window"), case.id, form.id, "登记表-初次.pdf",
                           factories.small_pdf())
    case = factories.step(db, "cx_hrss", case, "request_correction", items=[{"material": 2, "reason": "缺少签字"}])
    case = factories.step(db, "lz_window", case, "supplement", **factories.supplied(case))
    first = form.versions[0]
    url = f"/api/v1/case/{case.id}/scan_versions/{first.id}"
    answer = api("lz_window").get(url)
    assert answer.status_code == 200 and answer.data == factories.small_pdf()
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert len(_logged(db, case, "scan")) == 1
    assert api("lz_police").get(url).status_code == 404  # another county's case: out of scope
    assert api("lz_admin").get(url).status_code == 403  # a reader who sees masks
    assert api("lz_window").get(f"/api/v1/case/{case.id}/scan_versions/999999").status_code == 404


def test_a_message_attachment_is_served_as_on_the_page(api, db):
    case = factories.at_the_department(db)
    posted = api("cx_hrss").post(f"/api/v1/case/{case.id}/messages", content_type="multipart/form-data",
                                 data={"body": "见附件", "file": (io.BytesIO(factories.small_pdf()), "标注.pdf")})
    assert posted.status_code == 201, posted.get_json()
    message_id = posted.get_json()["result"]["id"]
    url = f"/api/v1/case/{case.id}/messages/{message_id}/file"
    answer = api("lz_window").get(url)
    assert answer.status_code == 200 and answer.data == factories.small_pdf()
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert len(_logged(db, case, "message")) == 1
    assert api("lz_police").get(url).status_code == 404
    assert api("lz_admin").get(url).status_code == 403
    plain = api("lz_window").post(f"/api/v1/case/{case.id}/messages", json={"body": "无附件"}).get_json()["result"]
    assert api("lz_window").get(f"/api/v1/case/{case.id}/messages/{plain['id']}/file").status_code == 404
    assert db.get(CaseMessage, message_id).file_name == "标注.pdf"
