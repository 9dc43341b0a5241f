"""The admin's configuration pages as REST resources (issue 15): work calendar days and years, business lines,
required materials, published guides (read-only), portal articles and message templates — with their pages'
permissions, their record rules (every problem at once, 422) and their read-only limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models.case import OutboxMessage
from app.models.catalog import MaterialRequirement
from tests import factories

RESOURCES = ("work_calendar_day", "work_calendar_year", "business_line", "material_requirement", "guide",
             "article", "message_template")


def fields_of(answer) -> set[str]:
    return {problem["field"] for problem in answer.get_json()["errors"]}


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_admin_lists_and_reads_each_resource(api, resource):
    admin = api("admin")
    listed = admin.get(f"/api/v1/{resource}/")
    assert listed.status_code == 200, listed.get_json()
    rows = listed.get_json()
    assert rows["count"] > 0, resource
    assert admin.get(f"/api/v1/{resource}/{rows['ids'][0]}").status_code == 200


def test_the_pages_permissions_hold_for_the_api(api):
    clerk = api("lz_window")
    assert clerk.get("/api/v1/guide/").status_code == 200  # every staff member reads the guides
    assert clerk.get("/api/v1/message_template/").status_code == 403  # the admin's alone
    assert clerk.get("/api/v1/article/").status_code == 403
    assert api("city_super").get("/api/v1/article/").status_code == 200
    assert clerk.post("/api/v1/business_line/", json={"code": "x", "name": "x"}).status_code == 403
    assert clerk.post("/api/v1/work_calendar_day/", json={"day": "2031-10-08", "is_working": False}).status_code == 403


def test_read_only_resources_offer_no_writes(api):
    admin = api("admin")
    guide_id = admin.get("/api/v1/guide/").get_json()["ids"][0]
    year_id = admin.get("/api/v1/work_calendar_year/").get_json()["ids"][0]
    template_id = admin.get("/api/v1/message_template/").get_json()["ids"][0]
    assert admin.post("/api/v1/guide/", json={}).status_code == 405
    assert admin.put(f"/api/v1/guide/{guide_id}", json={"note": "x"}).status_code in (404, 405)
    assert admin.delete(f"/api/v1/work_calendar_year/{year_id}").status_code in (404, 405)
    assert admin.post("/api/v1/message_template/", json={}).status_code == 405
    assert admin.delete(f"/api/v1/message_template/{template_id}").status_code in (404, 405)


def test_a_calendar_day_is_checked_by_the_calendars_rule(api):
    admin = api("admin")
    monday = date(2031, 10, 6)
    refused = admin.post("/api/v1/work_calendar_day/", json={"day": monday.isoformat(), "is_working": True})
    assert refused.status_code == 422 and fields_of(refused) == {"is_working"}  # an ordinary working day
    added = admin.post("/api/v1/work_calendar_day/", json={"day": monday.isoformat(), "is_working": False,
                                                           "name": "国庆节"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["result"]["name"] == "国庆节"
    day_id = added.get_json()["id"]
    saturday = monday + timedelta(days=5)
    assert admin.put(f"/api/v1/work_calendar_day/{day_id}", json={"day": saturday.isoformat(),
                                                                   "is_working": True}).status_code == 200
    assert admin.delete(f"/api/v1/work_calendar_day/{day_id}").status_code == 200


def test_an_article_lists_every_problem_and_a_saved_one_queues_the_portals_rebuild(api, db):
    admin = api("admin")
    refused = admin.post("/api/v1/article/", json={"title": " ", "category": "gossip", "published": True})
    assert refused.status_code == 422
    assert fields_of(refused) >= {"title", "category", "body"}
    added = admin.post("/api/v1/article/", json={"title": "跨域通办新增十项事项", "category": "news",
                                                 "body": "即日起可在各窗口办理。", "published": True})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["result"]["published_on"]  # a published article without a date gets today's
    waiting = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "publish_portal",
                                                     OutboxMessage.published_on.is_(None))).all()
    assert waiting


def test_a_message_templates_text_is_edited(api):
    admin = api("admin")
    template_id = admin.get("/api/v1/message_template/").get_json()["ids"][0]
    edited = admin.put(f"/api/v1/message_template/{template_id}", json={"body": "您的办件{number}已受理。"})
    assert edited.status_code == 200, edited.get_json()
    assert admin.get(f"/api/v1/message_template/{template_id}").get_json()["result"]["body"] == "您的办件{number}已受理。"
    assert admin.put(f"/api/v1/message_template/{template_id}", json={"event": "other"}).status_code == 422


def test_a_required_material_is_checked_by_the_catalogs_rule(api, db):
    admin = api("admin")
    matter = factories.matter(db, "KYTB-HRSS-001")
    added = admin.post("/api/v1/material_requirement/", json={"matter": matter.id, "seq": 99, "name": "户口簿",
                                                              "copies": 1, "form": "copy"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["result"]["name"] == "户口簿"
    refused = admin.post("/api/v1/material_requirement/", json={"matter": matter.id, "seq": 98, "name": "",
                                                                "copies": 0, "form": "photo"})
    assert refused.status_code == 422, refused.get_json()
    assert len(fields_of(refused)) >= 2


def test_a_matter_is_retired_and_published_again_as_with_the_pages_actions(api, db):
    admin = api("admin")
    matter = factories.matter(db, "KYTB-HRSS-003")
    retired = admin.post(f"/api/v1/matter/{matter.id}/retire")
    assert retired.status_code == 200, retired.get_json()
    assert retired.get_json()["result"]["status"] == "retired"
    assert admin.post(f"/api/v1/matter/{matter.id}/retire").status_code == 409  # already retired
    published = admin.post(f"/api/v1/matter/{matter.id}/publish")
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["result"]["status"] == "published"
    assert published.get_json()["result"]["guide_version"] >= 1
    assert api("lz_window").post(f"/api/v1/matter/{matter.id}/retire").status_code == 403
    assert admin.post("/api/v1/matter/999999/publish").status_code == 404


def test_a_sample_form_is_downloaded_as_on_the_page(app, api, db):
    from app.adapters import storage
    from tests.hostile_files import pdf_with

    admin = api("admin")
    with_sample, without = db.scalars(select(MaterialRequirement).order_by(MaterialRequirement.id).limit(2)).all()
    with app.app_context():
        storage.attach_sample_form(with_sample, "样表.pdf", pdf_with())
    without.sample_file_key = None
    db.flush()
    answer = admin.get(f"/api/v1/material_requirement/{with_sample.id}/sample")
    assert answer.status_code == 200 and answer.data == pdf_with()
    assert admin.get(f"/api/v1/material_requirement/{without.id}/sample").status_code == 404
