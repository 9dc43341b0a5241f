"""整改: the county administrators of the accepting window's county call back, record measures and close; or
appeal, which the city supervisor alone decides. Each command keeps its history and reports every problem."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.ratings import rectifications as fix
from app.services.ratings.rating import satisfaction_of
from tests import factories
from tests.services.ratings import rated_case


def _user(db, name):
    return factories.user(db, name)


def _open(db):
    _, rating = rated_case(db, 2)
    return rating.rectification


def test_call_back_measures_and_close_keep_their_history(db):
    item = _open(db)
    admin = _user(db, "lz_admin")
    fix.record_callback(db, admin, item.id, {"called_at": datetime.now().strftime("%Y-%m-%d %H:%M"),
                                            "contact": "申请人本人", "note": "对窗口答复不满意，已解释"})
    fix.record_actions(db, admin, item.id, {"actions": "对窗口人员进行服务规范培训"})
    fix.close(db, admin, item.id, {})
    assert item.status == "closed" and item.closed_at is not None and item.warning_level == "none"
    assert [e.action for e in item.events] == ["opened", "callback", "actions", "closed"]
    assert item.events[1].actor_name and item.callback_contact == "申请人本人"


def test_closing_without_a_call_back_or_measures_lists_both(db):
    item = _open(db)
    with pytest.raises(ValidationFailed) as refused:
        fix.close(db, _user(db, "lz_admin"), item.id, {})
    assert [p.field for p in refused.value.problems] == ["called_at", "actions"]
    assert item.status == "open"


def test_a_call_back_reports_every_problem_at_once(db):
    item = _open(db)
    with pytest.raises(ValidationFailed) as refused:
        fix.record_callback(db, _user(db, "lz_admin"), item.id, {"called_at": "2999-01-01 10:00", "contact": "",
                                                                "note": " "})
    assert [p.field for p in refused.value.problems] == ["called_at", "contact", "note"]


def test_another_county_and_the_window_cannot_write_it(db):
    item = _open(db)
    with pytest.raises(NotFound):
        fix.record_actions(db, _user(db, "cx_admin"), item.id, {"actions": "x"})
    with pytest.raises(NotFound):
        fix.record_actions(db, _user(db, "lz_window"), item.id, {"actions": "x"})
    with pytest.raises(Forbidden):
        fix.record_actions(db, _user(db, "city_super"), item.id, {"actions": "x"})


def test_an_upheld_appeal_takes_the_rating_out_of_the_figures(db):
    item = _open(db)
    start, end = datetime(2000, 1, 1), datetime(2999, 1, 1)
    before = satisfaction_of(db, start, end, [item.case_id])
    assert before.counted == 1 and before.rate == 0.0
    fix.appeal(db, _user(db, "lz_admin"), item.id, {"reason": "申请人评价的是政策本身，与窗口服务无关"})
    assert item.status == "appealed"
    with pytest.raises(Forbidden):
        fix.decide_appeal(db, _user(db, "lz_admin"), item.id, {"outcome": "upheld"})
    fix.decide_appeal(db, _user(db, "city_super"), item.id, {"outcome": "upheld", "note": "属实"})
    assert item.status == "voided" and item.rating.excluded
    after = satisfaction_of(db, start, end, [item.case_id])
    assert after.counted == 0 and after.excluded == 1 and after.rate is None
    assert [e.action for e in item.events][-2:] == ["appealed", "appeal_upheld"]


def test_a_rejected_appeal_lets_the_rectification_go_on_and_cannot_be_repeated(db):
    item = _open(db)
    admin, supervisor = _user(db, "lz_admin"), _user(db, "city_super")
    fix.appeal(db, admin, item.id, {"reason": "与服务无关"})
    with pytest.raises(Conflict):
        fix.close(db, admin, item.id, {})
    with pytest.raises(ValidationFailed) as refused:
        fix.decide_appeal(db, supervisor, item.id, {"outcome": "maybe"})
    assert [p.field for p in refused.value.problems] == ["outcome"]
    with pytest.raises(ValidationFailed) as refused:
        fix.decide_appeal(db, supervisor, item.id, {"outcome": "rejected"})
    assert [p.field for p in refused.value.problems] == ["note"]
    fix.decide_appeal(db, supervisor, item.id, {"outcome": "rejected", "note": "差评内容涉及窗口告知不清"})
    assert item.status == "open" and not item.rating.excluded
    with pytest.raises(Conflict):
        fix.appeal(db, admin, item.id, {"reason": "再次申诉"})
    with pytest.raises(Conflict):
        fix.decide_appeal(db, supervisor, item.id, {"outcome": "upheld"})


def test_the_reports_count_the_ratings_per_level_and_the_satisfaction_rate(db):
    from datetime import date

    from app.services.notifications.reports import compute_figures, report_xlsx

    _, poor = rated_case(db, 2, at=datetime(2026, 3, 3, 9, 0))
    _, good = rated_case(db, 5, tags=("warm",), comment="", at=datetime(2026, 3, 4, 9, 0))
    fix.appeal(db, _user(db, "lz_admin"), poor.rectification.id, {"reason": "与服务无关"})
    fix.decide_appeal(db, _user(db, "city_super"), poor.rectification.id, {"outcome": "upheld"})
    figures = compute_figures(db, "weekly", date(2026, 3, 2), date(2026, 3, 8))["satisfaction"]
    assert figures["per_level"]["5"] == 1 and figures["excluded"] == 1 and figures["satisfaction_rate"] == 1.0
    lizhou = poor.county
    assert compute_figures(db, "weekly", date(2026, 3, 2), date(2026, 3, 8), lizhou)["satisfaction"]["counted"] == 1
    assert report_xlsx("周报", compute_figures(db, "weekly", date(2026, 3, 2), date(2026, 3, 8)))
