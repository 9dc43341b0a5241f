"""The deadline job: warning levels for all open cases, one reminder per (case, stage, level) to
whoever must act, escalations of red cases to the county administrators and the city supervisor —
however often it runs — in a number of SQL statements that does not depend on the number of cases."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.domain.workflow import Side, Status
from app.models.case import Case, new_public_token
from app.models.notify import Reminder
from app.services.notifications import reminders
from app.services.notifications.reminders import ACTING, check_deadlines
from tests import factories
from tests.conftest import count_statements

MON, TUE, WED, THU, FRI = (date(2026, 3, d) for d in (2, 3, 4, 5, 6))
ESCALATED_TO = {"lz_admin", "cx_admin", "city_super"}  # 利州区 (origin), 苍溪县 (home, department), the city


def reminders_of_case(db, case) -> set[tuple[str, str, str, str]]:
    """(username, kind, stage, level) of every reminder of ``case``."""
    rows = db.scalars(select(Reminder).where(Reminder.case_id == case.id)).all()
    return {(r.user.username, r.kind, r.stage, r.level) for r in rows}


def _escalations(username: str, stage: str) -> set:
    return {(u, "escalation", stage, "red") for u in ESCALATED_TO} if username else set()


def test_an_overdue_case_is_reminded_once_to_its_acting_window_and_escalated_once(db):
    case = factories.accepted_case(db, MON)  # materials due to leave by Tuesday
    for _ in range(3):  # the job runs every few minutes; and at 08:30
        check_deadlines(db, THU)
    assert db.get(Case, case.id).warning_level == "red"
    assert reminders_of_case(db, case) == {("lz_window", "reminder", "dispatch", "red")} | _escalations("x", "dispatch")
    assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.case_id == case.id)) == 4


def test_yellow_is_reminded_to_the_actors_only_and_red_follows_once(db):
    case = factories.accepted_case(db, MON)
    check_deadlines(db, MON)
    assert reminders_of_case(db, case) == set()  # due tomorrow: not near yet
    first = check_deadlines(db, TUE)  # due today: yellow
    assert first.reminders >= 1 and first.escalations == 0
    assert reminders_of_case(db, case) == {("lz_window", "reminder", "dispatch", "yellow")}
    check_deadlines(db, WED)
    check_deadlines(db, WED)
    assert reminders_of_case(db, case) == {("lz_window", "reminder", "dispatch", "yellow"),
                                           ("lz_window", "reminder", "dispatch", "red")} | _escalations("x", "dispatch")
    yellow = db.scalar(select(Reminder).where(Reminder.case_id == case.id, Reminder.level == "yellow"))
    assert yellow.resolved_on is not None  # superseded by the red one: no longer open


def test_the_reminder_follows_the_step_to_the_side_that_must_act(db):
    case = factories.accepted_case(db, MON)
    case = factories.step(db, "lz_window", case, "dispatch", MON, waybill_number="EMS1")
    # in transit: the home window (苍溪县) must receive it; the process deadline is far away
    check_deadlines(db, MON)
    assert reminders_of_case(db, case) == set()
    case = factories.step(db, "cx_window", case, "receive", TUE)
    case = factories.step(db, "cx_window", case, "forward", TUE)
    late = db.get(Case, case.id).process_due + timedelta(days=3)
    check_deadlines(db, late)
    assert reminders_of_case(db, case) == {("cx_hrss", "reminder", "process", "red"),
                                          ("cx_hrss_head", "reminder", "process", "red")} | _escalations("x", "process")
    case = factories.step(db, "cx_hrss", case, "complete", late, **factories.completion())
    check_deadlines(db, late + timedelta(days=7))
    got = {r for r in reminders_of_case(db, case) if r[2] == "delivery" and r[1] == "reminder"}
    # collected at 利州区: the result is at 苍溪县's window, which must send it there first
    assert got == {("cx_window", "reminder", "delivery", "red")}
    stale = db.scalars(select(Reminder).where(Reminder.case_id == case.id, Reminder.stage == "process")).all()
    assert stale and all(r.resolved_on is not None for r in stale)


def test_closed_and_paused_cases_are_not_reminded(db):
    case = factories.accepted_case(db, MON)
    factories.step(db, "lz_window", case, "withdraw", MON, reason="申请人撤回")
    check_deadlines(db, date(2026, 4, 1))
    assert reminders_of_case(db, case) == set()


def test_the_acting_sides_come_from_the_transition_table():
    # dispatch, receive/forward, process, deliver: who must act with every side inside the system
    inside = (False, False, True, False)  # (origin external, home external, has department, result mailed)
    assert {s for s, by_status in ACTING.items() if inside in by_status.get(Status.ACCEPTED, ())} == {Side.ORIGIN_WINDOW}
    assert {s for s, by_status in ACTING.items() if inside in by_status.get(Status.IN_TRANSIT, ())} == {Side.HOME_WINDOW}
    assert {s for s, by_status in ACTING.items() if inside in by_status.get(Status.PROCESSING, ())} == {Side.DEPARTMENT}
    # collected at the window: the home window sends the result there, then that window delivers it;
    # mailed: the home window mails it
    assert {s for s, by_status in ACTING.items() if inside in by_status.get(Status.COMPLETED, ())} == {
        Side.HOME_WINDOW}
    assert {s for s, by_status in ACTING.items() if inside in by_status.get(Status.RESULT_SENT, ())} == {
        Side.ORIGIN_WINDOW}
    mailed = (False, False, True, True)
    assert {s for s, by_status in ACTING.items() if mailed in by_status.get(Status.COMPLETED, ())} == {Side.HOME_WINDOW}
    # an outbound case (home window and department outside): our origin window acts for them
    outbound = (False, True, False, False)
    assert {s for s, by_status in ACTING.items() if outbound in by_status.get(Status.IN_TRANSIT, ())} == {Side.ORIGIN_WINDOW}
    assert {s for s, by_status in ACTING.items() if outbound in by_status.get(Status.PROCESSING, ())} == {Side.ORIGIN_WINDOW}


def test_an_outbound_case_reminds_the_origin_window_for_the_outside_department(db):
    case = factories.accepted_case(db, MON, home=factories.key_of_center("CQYZ"), department_key=None,
                         department_name="重庆市渝中区人力资源和社会保障局")
    case = factories.step(db, "lz_window", case, "dispatch", MON, waybill_number="EMS2")
    late = db.get(Case, case.id).process_due + timedelta(days=2)
    check_deadlines(db, late)
    mine = {r for r in reminders_of_case(db, case) if r[1] == "reminder"}
    assert mine == {("lz_window", "reminder", "process", "red")}
    escalated = {r[0] for r in reminders_of_case(db, case) if r[1] == "escalation"}
    assert escalated == {"lz_admin", "city_super"}  # 渝中区 has no administrator of ours


def _statements(db, fn) -> int:
    """SQL statements ``fn`` runs (the savepoints the test transaction puts around commits aside)."""
    db.commit()
    return count_statements(fn, savepoints=False)


def _bulk_copies(db, template: Case, count: int) -> None:
    """``count`` more open cases like ``template``, written with one bulk INSERT (no numbers)."""
    values = {c.key: getattr(template, c.key) for c in Case.__table__.columns
              if c.key not in ("id", "number", "public_token")}
    values["warning_level"] = "none"
    db.execute(Case.__table__.insert(), [values | {"public_token": new_public_token()} for _ in range(count)])
    db.commit()


def test_ten_thousand_open_cases_take_the_same_number_of_statements_as_one(db):
    template = factories.accepted_case(db, MON)
    check_deadlines(db, MON)  # warm: the same path as every later run
    few = _statements(db, lambda: check_deadlines(db, THU))
    assert reminders_of_case(db, template) >= {("lz_window", "reminder", "dispatch", "red")}

    _bulk_copies(db, template, 10_000)
    many = _statements(db, lambda: check_deadlines(db, FRI))
    assert many == few
    red = db.scalar(select(func.count()).select_from(Case).where(Case.warning_level == "red"))
    assert red >= 10_001
    counts = dict(db.execute(select(Reminder.kind, func.count()).group_by(Reminder.kind)).all())
    assert counts["reminder"] >= 10_001 and counts["escalation"] >= 3 * 10_001
    # and once more: nothing new, still the same statements
    assert _statements(db, lambda: check_deadlines(db, FRI)) == few
    assert db.scalar(select(func.count()).select_from(Reminder)) == counts["reminder"] + counts["escalation"]


def test_inactive_users_are_not_reminded(db):
    clerk = factories.user(db, "lz_window")
    clerk.active = False
    db.commit()
    case = factories.accepted_case(db, MON)
    clerk.active = False  # the step above does not touch users; keep it explicit
    db.commit()
    check_deadlines(db, THU)
    assert "lz_window" not in {r[0] for r in reminders_of_case(db, case)}


def test_my_reminders_page_shows_only_my_own_and_marks_them_read(db, client, login):
    case = factories.accepted_case(db, MON)
    check_deadlines(db, THU)
    number = db.get(Case, case.id).number

    login("lz_window")
    page = client.get("/reminders/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert number in text and 'class="badge reminder-count"' in text
    home = client.get("/cases/queue/").get_data(as_text=True)
    assert "fa-bell" in home and ">1</span>" in home.replace(' style="background-color: #c9302c;"', "")

    from tests.conftest import csrf_token

    mine = db.scalar(select(Reminder).where(Reminder.case_id == case.id, Reminder.kind == "reminder"))
    others = db.scalars(select(Reminder.id).where(Reminder.case_id == case.id, Reminder.kind == "escalation")).all()
    token = csrf_token(client, "/reminders/")
    client.post("/reminders/read", data={"id": [str(mine.id), *map(str, others)], "csrf_token": token})
    db.expire_all()
    assert db.get(Reminder, mine.id).read_on is not None
    assert all(db.get(Reminder, i).read_on is None for i in others)  # someone else's: untouched
    assert number not in client.get("/reminders/").get_data(as_text=True)
    assert number in client.get("/reminders/?show=all").get_data(as_text=True)
    client.get("/logout/")

    login("cx_police")  # nothing to do with the case
    assert number not in client.get("/reminders/").get_data(as_text=True)
    client.get("/logout/")

    login("lz_admin")  # its escalation
    assert number in client.get("/reminders/").get_data(as_text=True)


def test_unread_count_and_mark_all(db):
    case = factories.accepted_case(db, MON)
    check_deadlines(db, THU)
    admin = factories.user(db, "lz_admin")
    assert reminders.unread_count(db, admin.id) >= 1
    assert reminders.mark_read(db, admin.id) >= 1
    assert reminders.unread_count(db, admin.id) == 0
    assert reminders_of_case(db, case)  # still listed under "all"
