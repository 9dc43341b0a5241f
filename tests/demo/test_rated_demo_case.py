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


def test_the_demo_has_a_delivered_case_waiting_for_the_visitor_to_rate_it_on_the_portal(db):
    from sqlalchemy import select

    from app.demo import data
    from app.models.case import Case
    from app.services.public.progress import progress_by_number

    assert load_rated_demo_case(db, data.DELIVERED_CASE) is None  # delivered, not rated
    case = db.scalars(select(Case).where(Case.remarks == data.DELIVERED_CASE["remark"])).one()
    progress = progress_by_number(db, case.number, data.DELIVERED_CASE["applicant"]["applicant_phone"])
    assert progress["status"] == "delivered" and progress["rating"] == {"open": True, "given": False, "rating": None}
    assert db.scalars(select(Case.id).where(Case.remarks == data.DELIVERED_CASE["remark"])).all() == [case.id]
