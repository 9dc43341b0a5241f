"""整改 in the deadline job: a rectification is yellow when at most one working day is left and red once overdue;
its county's administrators are reminded at each level, the city supervisors get the red one as an escalation;
closing it (or an appeal) resolves them. Each once, however often the job runs."""

from __future__ import annotations

from datetime import date, datetime

from app.services.notifications import reminders
from app.services.notifications.reminders import check_deadlines
from app.services.ratings import rectifications as fix
from tests import factories
from tests.services.notifications.test_deadline_checks import reminders_of_case
from tests.services.ratings import rated_case

RATED = datetime(2026, 3, 2, 10, 0)  # a Monday: due Monday 9 March (5 working days)


def _rated(db):
    case, rating = rated_case(db, 1, at=RATED)
    assert rating.rectification.due_on == date(2026, 3, 9)
    return case, rating.rectification


def test_yellow_then_red_reminds_the_county_and_escalates_red_to_the_city(db):
    case, item = _rated(db)
    check_deadlines(db, date(2026, 3, 5))
    assert item.warning_level == "none" and reminders_of_case(db, case) == set()
    for _ in range(2):
        check_deadlines(db, date(2026, 3, 6))  # Friday: the next working day is the due day
    db.refresh(item)
    assert item.warning_level == "yellow"
    assert reminders_of_case(db, case) == {("lz_admin", "rectification", "rectify", "yellow")}
    check_deadlines(db, date(2026, 3, 10))
    db.refresh(item)
    assert item.warning_level == "red"
    assert reminders_of_case(db, case) == {("lz_admin", "rectification", "rectify", "yellow"),
                                           ("lz_admin", "rectification", "rectify", "red"),
                                           ("city_super", "escalation", "rectify", "red")}


def test_closing_the_rectification_resolves_its_reminders(db):
    case, item = _rated(db)
    check_deadlines(db, date(2026, 3, 10))
    admin = factories.user(db, "lz_admin")
    fix.record_callback(db, admin, item.id, {"contact": "申请人", "note": "已致歉"})
    fix.close(db, admin, item.id, {"actions": "整改完毕"})
    check_deadlines(db, date(2026, 3, 11))
    from app.models.notify import Reminder

    open_ones = db.query(Reminder).filter(Reminder.case_id == case.id, Reminder.resolved_on.is_(None)).count()
    assert open_ones == 0 and item.warning_level == "none"


def test_the_digest_says_what_the_rectification_asks(db, mail_on):
    case, item = _rated(db)
    check_deadlines(db, date(2026, 3, 10))
    assert reminders.queue_reminder_mail(db) >= 1
    from app.models.notify import Reminder

    mailed = db.query(Reminder).filter(Reminder.case_id == case.id, Reminder.kind == "rectification").first()
    assert "差评整改" in mailed.notification.body and "2026-03-09" in mailed.notification.body
