"""督办单 commands: who issues (city supervisor everywhere, county administrator in its county), every problem at
once, a selection all or nothing, the reply by the responsible side once, 催办; each in the case history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.models.case import CaseEvent
from app.models.supervision import SupervisionOrder
from app.scope import reach_of
from app.services.supervision import orders
from app.services.supervision.queries import OrderFilter, awaiting_reply, list_orders, nudge_count
from tests import factories
from tests.services.supervision import ORDER, other_county_case

MON = date(2026, 3, 2)


def _events(db, case, action):
    return db.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == action)).all()


def test_the_city_supervisor_issues_an_order_due_in_working_days_recorded_in_the_history(db):
    case = factories.accepted_case(db, MON)
    supervisor = factories.user(db, "city_super")
    [order] = orders.issue_orders(db, supervisor, [case.id], ORDER, today=date(2026, 3, 5))  # Thursday
    assert order.reply_due == date(2026, 3, 10)  # 3 working days: Fri, Mon, Tue
    assert order.status == "open" and order.department_id == case.department_id and order.center_id is None
    assert order.issued_by_name == supervisor.name and order.responsible_unit == case.department.name
    [event] = _events(db, case, "supervision_issued")
    assert event.note == ORDER["instruction"] and event.data["order_id"] == order.id


def test_every_problem_at_once(db):
    case = factories.accepted_case(db)
    with pytest.raises(ValidationFailed) as refused:
        orders.issue_orders(db, factories.user(db, "city_super"), [case.id],
                            {"instruction": " ", "responsible_side": "nobody", "reply_days": "0"})
    assert {p.field for p in refused.value.problems} == {"instruction", "responsible_side", "reply_days"}
    assert db.scalar(select(SupervisionOrder.id)) is None


def test_a_selection_is_all_or_nothing_with_every_case_named(db):
    inside = factories.accepted_case(db)
    outbound = factories.outbound_case_in_correction(db)  # its department is outside the system
    with pytest.raises(ValidationFailed) as refused:
        orders.issue_orders(db, factories.user(db, "city_super"), [inside.id, outbound.id], ORDER)
    assert [p.field for p in refused.value.problems] == [f"case_ids[{outbound.id}]"]
    assert db.scalar(select(SupervisionOrder.id)) is None
    made = orders.issue_orders(db, factories.user(db, "city_super"), [inside.id, outbound.id],
                               ORDER | {"responsible_side": "origin_window"})
    assert len(made) == 2 and {o.center_id for o in made} == {inside.origin_center_id, outbound.origin_center_id}


def test_a_county_administrator_issues_in_its_county_only(db):
    mine, theirs = factories.accepted_case(db), other_county_case(db)
    admin = factories.user(db, "lz_admin")
    assert orders.issue_orders(db, admin, [mine.id], ORDER)
    with pytest.raises(NotFound):
        orders.issue_orders(db, admin, [mine.id, theirs.id], ORDER)
    with pytest.raises(NotFound):
        orders.nudge_case(db, admin, theirs.id)


@pytest.mark.parametrize("username", ["lz_window", "cx_hrss", "city_hrss", "admin"])
def test_others_do_not_issue_nor_nudge(db, username):
    case = factories.accepted_case(db)
    with pytest.raises(Forbidden):
        orders.issue_orders(db, factories.user(db, username), [case.id], ORDER)
    with pytest.raises(Forbidden):
        orders.nudge_case(db, factories.user(db, username), case.id)


def test_the_responsible_side_replies_once(db):
    case = factories.accepted_case(db)
    [order] = orders.issue_orders(db, factories.user(db, "city_super"), [case.id], ORDER)
    officer = factories.user(db, "cx_hrss")
    assert [o.id for o in awaiting_reply(db, officer)] == [order.id]
    with pytest.raises(ValidationFailed) as refused:
        orders.reply_to_order(db, officer, order.id, {"reply": ""})
    assert [p.field for p in refused.value.problems] == ["reply"]
    done = orders.reply_to_order(db, officer, order.id, {"reply": "已核实，材料齐全，预计周五办结。"})
    assert done.status == "answered" and done.replied_by_name == officer.name and not done.answered_late
    assert awaiting_reply(db, officer) == []
    with pytest.raises(Conflict):
        orders.reply_to_order(db, officer, order.id, {"reply": "再次反馈"})
    [event] = _events(db, case, "supervision_replied")
    assert event.note == "已核实，材料齐全，预计周五办结。"


def test_a_reply_after_the_due_day_is_late(db):
    case = factories.accepted_case(db, MON)
    [order] = orders.issue_orders(db, factories.user(db, "city_super"), [case.id], ORDER, today=MON)
    done = orders.reply_to_order(db, factories.user(db, "cx_hrss"), order.id, {"reply": "已办理"},
                                 today=date(2026, 3, 6))
    assert done.answered_late
    reach = reach_of(factories.user(db, "city_super"))
    assert list_orders(db, reach, OrderFilter(state="late"))[0] == 1
    assert list_orders(db, reach, OrderFilter(state="open"))[0] == 0


@pytest.mark.parametrize("username", ["cx_window", "lz_window", "lz_hrss", "city_super", "cx_admin"])
def test_who_is_not_the_responsible_side_cannot_answer(db, username):
    case = factories.accepted_case(db)
    [order] = orders.issue_orders(db, factories.user(db, "city_super"), [case.id], ORDER)
    with pytest.raises(NotFound):
        orders.reply_to_order(db, factories.user(db, username), order.id, {"reply": "我来答"})


def test_a_window_answers_an_order_to_its_window(db):
    case = factories.accepted_case(db)
    [order] = orders.issue_orders(db, factories.user(db, "cx_admin"), [case.id],
                                  ORDER | {"responsible_side": "home_window"})
    assert order.center_id == case.home_center_id
    assert orders.reply_to_order(db, factories.user(db, "cx_window"), order.id, {"reply": "已签收"}).status == "answered"


def test_orders_are_read_through_the_case_scope(db):
    mine, theirs = factories.accepted_case(db), other_county_case(db)
    orders.issue_orders(db, factories.user(db, "city_super"), [mine.id, theirs.id], ORDER | {"responsible_side":
                                                                                               "origin_window"})
    assert list_orders(db, reach_of(factories.user(db, "lz_admin")))[0] == 1
    assert list_orders(db, reach_of(factories.user(db, "lz_window")))[0] == 1
    assert list_orders(db, reach_of(factories.user(db, "cx_window")))[0] == 2
    assert list_orders(db, reach_of(factories.user(db, "city_super")))[0] == 2


def test_a_nudge_is_logged_and_counted(db):
    case = factories.accepted_case(db)
    for _ in range(2):
        orders.nudge_case(db, factories.user(db, "city_super"), case.id, {"note": "请加快办理"})
    assert nudge_count(db, case.id) == 2
    assert [e.note for e in _events(db, case, "supervision_nudged")] == ["请加快办理"] * 2
    with pytest.raises(ValidationFailed):
        orders.nudge_case(db, factories.user(db, "city_super"), case.id, {"note": "x" * 201})
