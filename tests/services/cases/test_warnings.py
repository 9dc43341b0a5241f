"""Warnings for all open cases in one set-based pass, agreeing with the per-case rule."""

from __future__ import annotations

from datetime import date

from app.services.cases.deadlines import refresh_deadlines
from app.services.cases.warnings import refresh_warnings
from tests import factories
from tests.conftest import count_statements


def test_the_set_based_pass_agrees_with_the_per_case_rule(db):
    cases = [factories.accepted_case(db, date(2026, 3, d)) for d in (2, 3, 4, 5, 6)]
    today = date(2026, 3, 5)
    refresh_warnings(db, today)
    db.expire_all()
    set_based = {c.id: c.warning_level for c in cases}
    for case in cases:
        refresh_deadlines(db, case, today)
    assert {c.id: c.warning_level for c in cases} == set_based
    assert set(set_based.values()) >= {"red", "yellow"}


def test_the_pass_issues_the_same_number_of_statements_for_few_or_many_cases(db):
    def statements(today: date) -> int:
        return count_statements(lambda: refresh_warnings(db, today))

    factories.accepted_case(db, date(2026, 3, 2))
    few = statements(date(2026, 3, 10))
    for day in (2, 3, 4, 5, 6, 9):
        factories.accepted_case(db, date(2026, 3, day))
    assert statements(date(2026, 3, 11)) == few
