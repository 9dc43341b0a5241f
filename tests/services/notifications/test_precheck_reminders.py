"""远程预审 tells the department at once: when the scans arrive for a pre-check (at acceptance, and again
when the window has supplied what was asked), each officer of the department gets a reminder in 我的提醒 —
mailed in the next digest when mail is on — saying by when to answer; the answer resolves it."""

from __future__ import annotations

from sqlalchemy import select

from app.models.notify import Reminder
from app.services.notifications import reminders
from tests import factories
from tests.services.cases.test_precheck import _in_precheck, _supplied
from tests.services.notifications.test_deadline_checks import reminders_of_case

#: the officers of 苍溪县人社局 (its head approves extensions and is an officer too)
OFFICERS = ("cx_hrss", "cx_hrss_head")


def _reminder(db, case, level="r1"):
    officer = factories.user(db, "cx_hrss")
    return db.scalars(select(Reminder).where(Reminder.case_id == case.id, Reminder.user_id == officer.id,
                                             Reminder.level == level)).one()


def _round_reminders(*levels):
    return {(officer, "precheck", "precheck", level) for officer in OFFICERS for level in levels}


def test_the_department_is_reminded_when_the_scans_arrive_for_its_pre_check(db):
    case = _in_precheck(db)
    assert reminders_of_case(db, case) == _round_reminders("r1")
    reminder = _reminder(db, case)
    assert reminder.due_on == case.precheck_rounds[0].due_at.date() and reminder.resolved_on is None


def test_the_answer_resolves_the_reminder_and_a_new_round_reminds_again(db):
    case = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                          items=[{"material": 2, "reason": "证明未盖单位公章"}])
    first = _reminder(db, case)
    assert first.resolved_on is not None
    case = factories.step(db, "lz_window", case, "supply_precheck", **_supplied(case))
    assert reminders_of_case(db, case) == _round_reminders("r1", "r2")
    second = _reminder(db, case, "r2")
    assert second.resolved_on is None
    factories.step(db, "cx_hrss", case, "pass_precheck")
    db.refresh(second)
    assert second.resolved_on is not None


def test_the_deadline_job_keeps_an_open_pre_check_reminder_open(db):
    case = _in_precheck(db)
    reminders.check_deadlines(db)
    assert _reminder(db, case).resolved_on is None


def test_the_digest_mail_tells_the_officer_to_answer_the_pre_check_by_its_time(db, mail_on):
    case = _in_precheck(db)
    assert reminders.queue_reminder_mail(db) >= 1
    reminder = _reminder(db, case)
    assert reminder.mail_status == "queued"
    body = reminder.notification.body
    due = case.precheck_rounds[0].due_at.strftime("%Y-%m-%d %H:%M")
    assert "远程预审" in body and due in body and case.number in body


def test_my_reminders_shows_the_pre_check_with_the_time_to_answer_by(db, client, login):
    case = _in_precheck(db)
    login("cx_hrss")
    page = client.get("/reminders/").get_data(as_text=True)
    due = case.precheck_rounds[0].due_at.strftime("%Y-%m-%d %H:%M")
    assert f'data-reminder="{_reminder(db, case).id}"' in page and "reminder-precheck-due" in page and due in page
