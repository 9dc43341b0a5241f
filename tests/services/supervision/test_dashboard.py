"""The dashboard's 督办 panel: open, overdue unanswered, answered, answered late and the nudges of 30 days, in the
user's scope, in one statement whatever the number of orders; each count links to the list that shows it."""

from __future__ import annotations

from datetime import date

from app.scope import reach_of
from app.services.notifications.reminders import check_deadlines
from app.services.supervision import orders
from app.services.supervision.dashboard import supervision_panel
from app.services.supervision.queries import OrderFilter, list_orders
from tests import factories
from tests.conftest import count_statements
from tests.services.supervision import ORDER, other_county_case

MON = date(2026, 3, 2)


def _counts(panel):
    return [(row.count, row.url, row.level) for row in panel.rows]


def test_the_panel_counts_in_scope_and_links_to_the_list_it_counts(app, db):
    mine, theirs = factories.accepted_case(db, MON), other_county_case(db)
    supervisor = factories.user(db, "city_super")
    made = orders.issue_orders(db, supervisor, [mine.id, theirs.id], ORDER | {"responsible_side": "origin_window"},
                               today=MON)
    check_deadlines(db, date(2026, 3, 9))  # both overdue
    orders.reply_to_order(db, factories.user(db, "lz_window"), made[0].id, {"reply": "已处理"}, today=date(2026, 3, 9))
    orders.nudge_case(db, supervisor, theirs.id)
    with app.test_request_context():
        city = supervision_panel(db, reach_of(supervisor))
        county = supervision_panel(db, reach_of(factories.user(db, "lz_admin")))
    assert city.key == "supervision" and [r.label for r in city.rows] == ["督办中", "逾期未反馈", "已反馈", "逾期反馈",
                                                                          "近30日催办次数"]
    assert _counts(city) == [(1, "/supervision/?state=open", ""), (1, "/supervision/?state=red", "red"),
                             (1, "/supervision/?state=answered", ""), (1, "/supervision/?state=late", "yellow"),
                             (1, "", "")]
    assert [row.count for row in county.rows] == [0, 0, 1, 1, 0]
    reach = reach_of(factories.user(db, "lz_admin"))
    for row in county.rows[:4]:
        state = row.url.split("state=")[1]
        assert list_orders(db, reach, OrderFilter(state=state))[0] == row.count


def test_one_statement_whatever_the_number_of_orders(app, db):
    supervisor = factories.user(db, "city_super")
    reach = reach_of(supervisor)
    with app.test_request_context():
        before = count_statements(lambda: supervision_panel(db, reach), savepoints=False)
        cases = [factories.accepted_case(db) for _ in range(3)]
        orders.issue_orders(db, supervisor, [c.id for c in cases], ORDER)
        after = count_statements(lambda: supervision_panel(db, reach), savepoints=False)
    assert before == after == 1
