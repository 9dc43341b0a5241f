"""The demo's 督办单 (``make run``): on the two 苍溪县 demo cases, one answered by the home window, one open for the
department; loading them again changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from app.demo import data
from app.models.supervision import SupervisionOrder
from app.services.demo import load_rated_demo_case, load_supervision_demo


def test_the_demo_has_an_answered_and_an_open_supervision_order(db):
    load_rated_demo_case(db)
    load_rated_demo_case(db, data.DELIVERED_CASE)
    assert load_supervision_demo(db) == 2
    answered, still_open = db.scalars(select(SupervisionOrder).order_by(SupervisionOrder.id)).all()
    assert answered.status == "answered" and answered.replied_by_name == "杜小娟"
    assert answered.center.name.startswith("苍溪") and answered.issued_by_name == "赵明远"
    assert still_open.status == "open" and still_open.department.name.startswith("苍溪")
    assert load_supervision_demo(db) == 0
