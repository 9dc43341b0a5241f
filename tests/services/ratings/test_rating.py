"""好差评: a delivered case is rated once; 不满意 or below opens the rectification of the accepting window's
county, due RECTIFICATION_WORKING_DAYS working days later on the work calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.errors import Conflict, NotFound, ValidationFailed
from app.models.rating import Rating
from app.services.calendar import load_calendar
from app.services.ratings.rating import rate_case, rating_state
from app.services.ratings.tokens import case_for_token
from tests import factories
from tests.conftest import config_override
from tests.services.ratings import rated_case, token_of


def test_the_token_leads_to_its_case_and_nothing_else_does(db):
    case = factories.delivered_case(db)
    assert case_for_token(db, token_of(case)).id == case.id
    for bad in ("", "nope", None, 42, "x" * 200):
        assert case_for_token(db, bad) is None


def test_a_satisfied_rating_is_recorded_without_a_rectification(db):
    case = factories.delivered_case(db)
    rating = rate_case(db, token_of(case), 5, ["warm", "efficient"], "  很好  ")
    assert (rating.level, rating.tags, rating.comment, rating.channel) == (5, ["warm", "efficient"], "很好", "portal")
    assert rating.rectification is None and rating.center.name == "广元市利州区政务服务中心"
    assert rating.county.name == "利州区" and rating.number.startswith("PJ")
    state = rating_state(db, token_of(case))
    assert state["open"] and state["given"] and state["rating"]["label"] == "非常满意"


def test_a_dissatisfied_rating_opens_a_rectification_due_in_working_days(db):
    at = datetime(2026, 4, 30, 10, 0)  # the day before 劳动节: 5 working days end after the holiday
    case, rating = rated_case(db, 2, at=at)
    fix = rating.rectification
    expected = load_calendar(db).add_working_days(date(2026, 4, 30), 5).due
    assert fix.status == "open" and fix.opened_on == date(2026, 4, 30) and fix.due_on == expected
    assert expected > date(2026, 5, 7)  # the holiday does not count
    assert fix.county.name == "利州区" and fix.case_id == case.id
    assert [e.action for e in fix.events] == ["opened"]


def test_the_rectification_days_are_a_setting(app, db):
    with config_override(app, RECTIFICATION_WORKING_DAYS=1):
        _, rating = rated_case(db, 1, at=datetime(2026, 3, 6, 9, 0))  # a Friday
    assert rating.rectification.due_on == date(2026, 3, 9)


def test_a_case_is_rated_once(db):
    case, _ = rated_case(db, 4)
    with pytest.raises(Conflict):
        rate_case(db, token_of(case), 5, [], "")
    assert db.query(Rating).filter_by(case_id=case.id).count() == 1


def test_an_unknown_token_is_missing(db):
    with pytest.raises(NotFound):
        rate_case(db, "no-such-token", 5, [], "")


def test_a_case_not_delivered_yet_is_refused_with_every_other_problem(db):
    case = factories.accepted_case(db)
    with pytest.raises(ValidationFailed) as refused:
        rate_case(db, token_of(case), 9, ["cold", "bogus"], "长" * 501)
    fields = [p.field for p in refused.value.problems]
    assert fields == ["token", "level", "tags", "comment"]
    assert not rating_state(db, token_of(case))["open"]


def test_the_progress_answer_says_the_case_was_rated_and_how(db):
    from app.services.public.progress import progress_by_token

    case, _ = rated_case(db, level=2)
    rating = progress_by_token(db, case.public_token)["rating"]
    assert rating["open"] is True and rating["given"] is True
    assert rating["rating"]["level"] == 2 and rating["rating"]["label"] == "不满意"
    assert rating["rating"]["comment"] == "窗口人员态度生硬"
