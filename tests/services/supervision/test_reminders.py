"""督办单 in the deadline job: yellow when at most one working day is left before the reply is due, red once
overdue; the responsible side's users are reminded at each level, a red one is escalated to the issuer and the
county administrators of the responsible unit's county; the reply resolves them. Each once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models.notify import Reminder
from app.services.notifications import reminders
from app.services.notifications.reminders import check_deadlines
from app.services.supervision import orders
from tests import factories
from tests.services.notifications.test_deadline_checks import reminders_of_case
from tests.services.supervision import ORDER

MON = date(2026, 3, 2)  # an order issued Monday with 3 working days is due Thursday 5 March


def _supervised(db, issuer="city_super", side="department"):
    case = factories.accepted_case(db, MON)
    [order] = orders.issue_orders(db, factories.user(db, issuer), [case.id], ORDER | {"responsible_side": side},
                                  today=MON)
    assert order.reply_due == date(2026, 3, 5)
    return case, order


def _of_order(db, case, order):
    return {r for r in reminders_of_case(db, case) if r[2] == f"sv{order.id}"}


def test_yellow_then_red_reminds_the_department_and_escalates_to_the_issuer_and_its_county(db):
    case, order = _supervised(db)
    check_deadlines(db, MON)
    assert order.warning_level == "none" and _of_order(db, case, order) == set()
    for _ in range(2):
        check_deadlines(db, date(2026, 3, 4))  # Wednesday: the next working day is the due day
    db.refresh(order)
    stage = f"sv{order.id}"
    officers = {("cx_hrss", "supervision", stage, "yellow"), ("cx_hrss_head", "supervision", stage, "yellow")}
    assert order.warning_level == "yellow" and _of_order(db, case, order) == officers
    check_deadlines(db, date(2026, 3, 6))
    db.refresh(order)
    assert order.warning_level == "red"
    assert _of_order(db, case, order) == officers | {
        ("cx_hrss", "supervision", stage, "red"), ("cx_hrss_head", "supervision", stage, "red"),
        ("city_super", "escalation", stage, "red"), ("cx_admin", "escalation", stage, "red")}


def test_a_window_is_reminded_of_an_order_to_its_window(db):
    case, order = _supervised(db, issuer="lz_admin", side="origin_window")
    check_deadlines(db, date(2026, 3, 6))
    stage = f"sv{order.id}"
    assert _of_order(db, case, order) == {("lz_window", "supervision", stage, "red"),
                                          ("lz_admin", "escalation", stage, "red")}


def test_the_reply_resolves_the_reminders_of_the_order(db):
    case, order = _supervised(db)
    check_deadlines(db, date(2026, 3, 6))
    orders.reply_to_order(db, factories.user(db, "cx_hrss"), order.id, {"reply": "已办结"})
    check_deadlines(db, date(2026, 3, 9))
    still = db.scalars(select(Reminder).where(Reminder.stage == f"sv{order.id}", Reminder.resolved_on.is_(None))).all()
    assert still == [] and order.warning_level == "none" and order.answered_late


def test_two_orders_on_one_case_are_reminded_apart(db):
    case, first = _supervised(db)
    [second] = orders.issue_orders(db, factories.user(db, "cx_admin"), [case.id], ORDER, today=MON)
    check_deadlines(db, date(2026, 3, 6))
    assert {r[2] for r in reminders_of_case(db, case) if r[2].startswith("sv")} == {f"sv{first.id}", f"sv{second.id}"}


def test_the_digest_says_what_the_order_asks(db, mail_on):
    case, order = _supervised(db)
    check_deadlines(db, date(2026, 3, 6))
    assert reminders.queue_reminder_mail(db) >= 1
    mailed = db.scalars(select(Reminder).where(Reminder.stage == f"sv{order.id}", Reminder.kind == "supervision")).first()
    assert "督办单" in mailed.notification.body and "2026-03-05" in mailed.notification.body
