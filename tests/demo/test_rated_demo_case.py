"""The demo's rated case (``make run``): delivered through the real steps, rated 不满意 by its applicant, with its
rectification open for 利州区's administrators; loading it again changes nothing."""

from __future__ import annotations

from app.models.rating import Rating
from app.services.demo import load_rated_demo_case


def test_the_demo_has_a_delivered_case_rated_dissatisfied_with_its_open_rectification(db):
    rating = load_rated_demo_case(db)
    assert rating is not None and rating.level == 2 and rating.case.status == "delivered"
    assert rating.channel == "sms" and rating.tags == ["unclear", "more_trips"]
    fix = rating.rectification
    assert fix.status == "open" and fix.county.name == "利州区" and fix.due_on > fix.opened_on
    assert load_rated_demo_case(db) is None
    assert db.query(Rating).filter(Rating.case_id == rating.case_id).count() == 1
