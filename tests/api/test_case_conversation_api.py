"""The case conversation in the REST API: /api/v1/case/<id>/messages (list and post)."""

from __future__ import annotations

import io

from tests import factories


def test_a_side_posts_with_mentions_and_the_other_side_lists_it(api, db):
    case = factories.at_the_department(db)
    clerk = factories.user(db, "lz_window")
    posted = api("cx_hrss").post(f"/api/v1/case/{case.id}/messages",
                                 json={"body": "请联系申请人补充说明", "mentions": [f"user:{clerk.id}", "side:home_window"]})
    assert posted.status_code == 201, posted.get_json()
    result = posted.get_json()["result"]
    assert result["author_side"] == "department" and result["mentioned_user_ids"] == [clerk.id]
    listed = api("lz_window").get(f"/api/v1/case/{case.id}/messages")
    assert listed.status_code == 200 and listed.get_json()["count"] == 1
    assert listed.get_json()["result"][0]["body"] == "请联系申请人补充说明"
    events = api("lz_window").get(f"/api/v1/case/{case.id}/events").get_json()["result"]
    assert events[-1]["action"] == "message"


def test_an_attachment_is_sent_as_multipart_and_checked_like_case_files(api, db):
    case = factories.at_the_department(db)
    ok = api("lz_window").post(f"/api/v1/case/{case.id}/messages", content_type="multipart/form-data",
                               data={"body": "扫描件见附件", "file": (io.BytesIO(factories.small_png()), "scan.png")})
    assert ok.status_code == 201 and ok.get_json()["result"]["file_content_type"] == "image/png"
    refused = api("lz_window").post(f"/api/v1/case/{case.id}/messages", content_type="multipart/form-data",
                                    data={"body": "", "file": (io.BytesIO(b"text"), "fake.pdf")})
    assert refused.status_code == 422
    assert sorted(p["field"] for p in refused.get_json()["errors"]) == ["body", "file"]


def test_out_of_scope_is_404_and_a_reader_who_is_no_side_is_403(api, db):
    case = factories.at_the_department(db)
    url = f"/api/v1/case/{case.id}/messages"
    assert api("lz_police").get(url).status_code == 404
    assert api("lz_police").post(url, json={"body": "?"}).status_code == 404
    assert api("lz_admin").get(url).status_code == 403
    assert api("city_super").get(url).status_code == 200
    assert api("city_super").post(url, json={"body": "督办"}).status_code == 403


def test_the_conversation_endpoints_are_in_the_openapi_document(api):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    operations = spec["paths"]["/api/v1/case/{pk}/messages"]
    assert set(operations) == {"get", "post"}
    assert "CaseMessage" in spec["components"]["schemas"]
