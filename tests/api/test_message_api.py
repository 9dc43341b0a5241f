"""已发送消息 and 发送失败的消息 through the REST API: the messages within the caller's scope with the pages'
filters (the phone masked as on the pages), one with its text, 重新发送 of parked ones (an id out of scope is
404 and nothing is queued); roles without the pages are refused; every problem of a filter at once."""

from __future__ import annotations

from sqlalchemy import select, update

from app.models.case import Notification
from tests import factories


def _parked(db):
    """A parked SMS of a 苍溪 → 旺苍 case (苍溪's administrator reaches it, 利州's does not)."""
    case = factories.accepted_case(db, clerk="cx_window", home="wc_center", matter_code="KYTB-POL-001",
                                   department_key="wc_police")
    factories.run_outbox(db, "notify_applicant", case.id)
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms"))
    db.execute(update(Notification).where(Notification.id == sms.id)
               .values(status="parked", next_attempt_on=None, last_error="gateway busy"))
    db.commit()
    return case, sms


def test_the_sent_messages_masked_as_on_the_page(api, db):
    case, sms = _parked(db)
    supervisor = api("city_super")
    listed = supervisor.get("/api/v1/notification/?channel=sms").get_json()
    row = next(r for r in listed["result"] if r["id"] == sms.id)
    assert row["case_number"] == case.number and row["recipient"] != case.applicant_phone and "*" in row["recipient"]
    assert sms.id not in [r["id"] for r in supervisor.get("/api/v1/notification/?status=sent").get_json()["result"]]
    assert sms.id in [r["id"] for r in supervisor.get("/api/v1/notification/?status=parked").get_json()["result"]]
    detail = supervisor.get(f"/api/v1/notification/{sms.id}").get_json()["result"]
    assert detail["body"] and detail["status"] == "parked"
    refused = supervisor.get("/api/v1/notification/?channel=fax&status=lost&created_from=x")
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"channel", "status", "created_from"}
    assert api("lz_admin").get("/api/v1/notification/").status_code in (401, 403)


def test_parked_messages_are_sent_again_within_the_scope(api, db):
    _, sms = _parked(db)
    county = api("cx_admin")
    assert [r["id"] for r in county.get("/api/v1/parked_message/").get_json()["result"]] == [sms.id]
    assert county.get(f"/api/v1/parked_message/{sms.id}").get_json()["result"]["last_error"] == "gateway busy"
    other = api("lz_admin")
    assert other.get(f"/api/v1/parked_message/{sms.id}").status_code == 404
    assert other.post("/api/v1/parked_message/resend", json={"ids": [sms.id]}).status_code == 404
    db.expire_all()
    assert db.get(Notification, sms.id).status == "parked"
    assert api("city_super").post("/api/v1/parked_message/resend", json={"ids": [sms.id]}).status_code in (401, 403)
    assert county.post("/api/v1/parked_message/resend", json={"ids": ["x"]}).status_code == 400
    assert county.post("/api/v1/parked_message/resend", json={"ids": [2**70]}).status_code == 400  # no record can have it
    answer = county.post("/api/v1/parked_message/resend", json={"ids": [sms.id]})
    assert answer.status_code == 200 and answer.get_json() == {"count": 1}
    db.expire_all()
    assert db.get(Notification, sms.id).status == "pending"
    assert county.get(f"/api/v1/parked_message/{sms.id}").status_code == 404  # no longer parked


def test_the_endpoints_are_in_the_openapi_document(api, db):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "get" in paths["/api/v1/notification/"] and "get" in paths["/api/v1/notification/{notification_id}"]
    assert "get" in paths["/api/v1/parked_message/"] and "post" in paths["/api/v1/parked_message/resend"]
