"""我的提醒 through the REST API: the caller's own reminders (open or all), one marked read (and gone from the
page's open list), all marked read; anyone else's reminder is missing; a list it cannot show is refused."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models.notify import Reminder
from app.services.notifications.reminders import check_deadlines
from tests import factories

MON, THU = date(2026, 3, 2), date(2026, 3, 5)


def _reminders(db):
    case = factories.accepted_case(db, MON)
    check_deadlines(db, THU)
    clerk = factories.user(db, "lz_window")
    mine = db.scalar(select(Reminder).where(Reminder.case_id == case.id, Reminder.user_id == clerk.id))
    theirs = db.scalar(select(Reminder).where(Reminder.case_id == case.id, Reminder.user_id != clerk.id))
    assert mine is not None and theirs is not None
    return case, mine, theirs


def test_my_reminders_one_read_and_the_page_agrees(api, db, client, login):
    case, mine, theirs = _reminders(db)
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/reminder/").get_json()
    assert mine.id in [r["id"] for r in listed["result"]] and theirs.id not in [r["id"] for r in listed["result"]]
    assert listed["unread"] == listed["count"] >= 1
    row = next(r for r in listed["result"] if r["id"] == mine.id)
    assert row["case_number"] == case.number and row["read_on"] is None

    answer = clerk.post(f"/api/v1/reminder/{mine.id}/read")
    assert answer.status_code == 200 and answer.get_json()["result"]["read_on"]
    assert mine.id not in [r["id"] for r in clerk.get("/api/v1/reminder/").get_json()["result"]]
    assert mine.id in [r["id"] for r in clerk.get("/api/v1/reminder/?show=all").get_json()["result"]]
    login("lz_window")
    assert case.number not in client.get("/reminders/").get_data(as_text=True)
    # again: as it was
    assert clerk.post(f"/api/v1/reminder/{mine.id}/read").status_code == 200


def test_anyone_elses_reminder_is_missing(api, db):
    _, mine, theirs = _reminders(db)
    clerk = api("lz_window")
    assert clerk.get(f"/api/v1/reminder/{theirs.id}").status_code == 404
    assert clerk.post(f"/api/v1/reminder/{theirs.id}/read").status_code == 404
    assert api("admin").get(f"/api/v1/reminder/{mine.id}").status_code == 404
    db.expire_all()
    assert db.get(Reminder, theirs.id).read_on is None


def test_all_marked_read(api, db):
    _, mine, theirs = _reminders(db)
    answer = api("lz_window").post("/api/v1/reminder/read")
    assert answer.status_code == 200 and answer.get_json()["count"] >= 1 and answer.get_json()["unread"] == 0
    db.expire_all()
    assert db.get(Reminder, mine.id).read_on is not None and db.get(Reminder, theirs.id).read_on is None


def test_a_list_it_cannot_show_is_refused(api, db):
    answer = api("lz_window").get("/api/v1/reminder/?show=mine")
    assert answer.status_code == 422 and [e["field"] for e in answer.get_json()["errors"]] == ["show"]
    assert api("lz_window").get("/api/v1/reminder/?page=-1").status_code == 400


def test_conversation_notices_listed_and_marked_read_as_on_the_page(api, db, client, login):
    from app.services.cases import conversation

    case = factories.at_the_department(db)
    message = conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "第3项材料的复印件不清晰，可否重新扫描？")
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/reminder/messages").get_json()
    notice = next(n for n in listed["result"] if n["message_id"] == message.id)
    assert listed["unread"] >= 1 and notice["case_id"] == case.id and "复印件" in notice["body"]
    assert api("cx_window").post("/api/v1/reminder/messages/read", json={"ids": [notice["id"]]}).get_json()["count"] == 0
    answer = clerk.post("/api/v1/reminder/messages/read", json={"ids": [notice["id"]]})
    assert answer.status_code == 200 and answer.get_json()["count"] == 1
    assert notice["id"] not in [n["id"] for n in clerk.get("/api/v1/reminder/messages").get_json()["result"]]
    assert notice["id"] in [n["id"] for n in clerk.get("/api/v1/reminder/messages?show=all").get_json()["result"]]
    assert clerk.post("/api/v1/reminder/messages/read", json={"ids": "x"}).status_code == 400
    assert clerk.post("/api/v1/reminder/messages/read").status_code == 200  # all


def test_message_preferences_every_problem_at_once(api, db):
    clerk = api("lz_window")
    assert clerk.get("/api/v1/reminder/preferences").get_json()["result"] == {"language": "zh",
                                                                               "mail_reminders": True}
    refused = clerk.put("/api/v1/reminder/preferences", json={"language": "fr", "mail_reminders": "yes"})
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"language", "mail_reminders"}
    saved = clerk.put("/api/v1/reminder/preferences", json={"language": "en", "mail_reminders": False})
    assert saved.status_code == 200 and saved.get_json()["result"] == {"language": "en", "mail_reminders": False}
    assert clerk.put("/api/v1/reminder/preferences", json={"mail_reminders": True}).get_json()["result"] == {
        "language": "en", "mail_reminders": True}
    assert api("cx_window").get("/api/v1/reminder/preferences").get_json()["result"]["language"] == "zh"


def test_the_endpoints_are_in_the_openapi_document(api, db):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "get" in paths["/api/v1/reminder/"] and "get" in paths["/api/v1/reminder/{reminder_id}"]
    assert "post" in paths["/api/v1/reminder/{reminder_id}/read"] and "post" in paths["/api/v1/reminder/read"]
    assert "get" in paths["/api/v1/reminder/messages"] and "post" in paths["/api/v1/reminder/messages/read"]
    assert {"get", "put"} <= set(paths["/api/v1/reminder/preferences"])
