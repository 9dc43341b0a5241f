"""The demo's working load (``make run``): some fifty cases of the last four months taken through the real steps on
their own days, at every stage, some late, so the supervisors' dashboard has something to show; loading it again
changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from app.demo import workload
from app.models.case import Case, CaseEvent, OutboxMessage
from app.services.demo import load_demo_workload

TODAY = date(2026, 12, 1)


def _workload(db) -> list[Case]:
    return db.scalars(select(Case).where(Case.remarks.startswith(workload.REMARK))).all()


def test_the_demo_workload_has_cases_at_every_stage_some_late_dated_as_they_happened_and_loads_once(db):
    # one test: loading the workload takes a while
    made = load_demo_workload(db, TODAY)
    cases = _workload(db)
    assert made == len(cases) == workload.CASES
    statuses = Counter(c.status for c in cases)
    assert {"accepted", "in_transit", "processing", "completed", "delivered"} <= set(statuses), statuses
    assert statuses["delivered"] >= 15
    levels = Counter(c.warning_level for c in cases if c.status != "delivered")
    assert levels["red"] >= 1, levels
    late = [c for c in cases if c.completed_on and c.process_due and c.completed_on > c.process_due]
    assert late and len(late) < len([c for c in cases if c.completed_on])
    assert any(c.corrections for c in cases)
    assert {c.origin_center.code for c in cases} == {"GYLZ", "GYCX"}
    assert "CQYZ" in {c.home_center.code for c in cases}
    assert min(c.registered_on.date() for c in cases) < date(2026, 8, 15)

    case = next(c for c in _workload(db) if c.status == "delivered")
    days = [e.at.date() for e in case.events]
    assert days == sorted(days) and days[0] == case.registered_on.date() and days[-1] == case.delivered_on
    assert db.scalar(select(func.max(CaseEvent.at)).where(CaseEvent.case_id.in_([c.id for c in _workload(db)]))
                     ).date() <= TODAY

    # its history's notices, SMS records and bookings are made at loading, not left to hold up the worker
    assert db.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.done_on.is_(None), OutboxMessage.case_id.in_([c.id for c in cases]))) == 0
    assert load_demo_workload(db, TODAY) == 0
    assert len(_workload(db)) == workload.CASES
