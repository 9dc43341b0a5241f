"""Stand-ins (代办): who may stand in for whom, when, and what their steps record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import NotFound, ValidationFailed
from app.models.case import LedgerEntry
from app.services.cases.work_queue import work_queue
from app.services.organisation.stand_ins import delete_stand_in, save_stand_in, stand_ins_seen_by
from tests import factories

TODAY = date.today()


def _days(first: int, last: int) -> dict[str, str]:
    return {"starts_on": (TODAY + timedelta(days=first)).isoformat(),
            "ends_on": (TODAY + timedelta(days=last)).isoformat()}


def _fields(error: ValidationFailed) -> list[str | None]:
    return [p.field for p in error.problems]


def test_every_problem_of_a_stand_in_is_listed_at_once(db):
    clerk = factories.user(db, "lz_window")
    with pytest.raises(ValidationFailed) as refused:
        save_stand_in(db, clerk, {"stand_in_user_id": factories.user(db, "cx_window").id, **_days(5, 1)})
    assert sorted(_fields(refused.value)) == ["ends_on", "stand_in_user_id"]  # date order and another window
    with pytest.raises(ValidationFailed) as refused:
        save_stand_in(db, clerk, {"stand_in_user_id": clerk.id, "starts_on": "2026-13-01"})
    assert sorted(_fields(refused.value)) == ["ends_on", "stand_in_user_id", "starts_on"]


def test_an_officer_of_another_role_in_the_same_center_cannot_stand_in(db):
    clerk = factories.user(db, "lz_window")
    county_admin_like = factories.make_colleague(db, "lz_hrss")  # an officer, not a clerk
    with pytest.raises(ValidationFailed) as refused:
        save_stand_in(db, clerk, {"stand_in_user_id": county_admin_like.id, **_days(0, 2)})
    assert _fields(refused.value) == ["stand_in_user_id"]


def test_stand_ins_of_one_person_do_not_overlap_and_a_stand_in_is_not_away_then(db):
    clerk = factories.user(db, "lz_window")
    mate, other = factories.make_colleague(db), factories.make_colleague(db, given_name="静")
    save_stand_in(db, clerk, {"stand_in_user_id": mate.id, **_days(0, 4)})
    with pytest.raises(ValidationFailed) as refused:
        save_stand_in(db, clerk, {"stand_in_user_id": other.id, **_days(3, 6)})
    assert _fields(refused.value) == ["starts_on"]
    with pytest.raises(ValidationFailed) as refused:
        save_stand_in(db, other, {"stand_in_user_id": clerk.id, **_days(2, 2)})  # 张丽 is away then
    assert _fields(refused.value) == ["stand_in_user_id"]
    save_stand_in(db, clerk, {"stand_in_user_id": other.id, **_days(5, 6)})  # after it: fine


def test_only_the_absent_user_or_an_administrator_names_or_ends_a_stand_in(db):
    clerk, mate = factories.user(db, "lz_window"), factories.make_colleague(db)
    admin = factories.user(db, "admin")
    record = save_stand_in(db, admin, {"absent_user_id": clerk.id, "stand_in_user_id": mate.id, **_days(0, 1)})
    assert record.absent_user_id == clerk.id and record.created_by_fk == admin.id
    assert stand_ins_seen_by(db, mate) == [record] and stand_ins_seen_by(db, clerk) == [record]
    assert stand_ins_seen_by(db, factories.user(db, "cx_window")) == []
    with pytest.raises(NotFound):
        delete_stand_in(db, factories.user(db, "cx_window"), record.id)
    # someone else naming "absent_user_id" names their own stand-in instead: the field is the admin's
    own = save_stand_in(db, mate, {"absent_user_id": clerk.id, "stand_in_user_id": clerk.id, **_days(3, 3)})
    assert own.absent_user_id == mate.id
    delete_stand_in(db, clerk, record.id)
    assert stand_ins_seen_by(db, clerk) == [own]


def test_the_stand_ins_queue_marks_the_absent_colleagues_cases(db):
    clerk, mate = factories.user(db, "lz_window"), factories.make_colleague(db)
    case = factories.accepted_case(db)  # accepted by 张丽: hers to dispatch
    assert all(item.on_behalf_of is None for item in work_queue(db, mate))
    save_stand_in(db, clerk, {"stand_in_user_id": mate.id, **_days(0, 2)})
    item = next(item for item in work_queue(db, mate) if item.case.id == case.id)
    assert item.on_behalf_of.id == clerk.id
    assert all(i.on_behalf_of is None for i in work_queue(db, mate, today=TODAY + timedelta(days=3)))


def test_a_stand_ins_step_records_on_behalf_in_the_history_and_the_ledger(db):
    clerk, mate = factories.user(db, "lz_window"), factories.make_colleague(db)
    case = factories.accepted_case(db)
    save_stand_in(db, clerk, {"stand_in_user_id": mate.id, **_days(0, 2)})
    case = factories.step(db, mate.username, case, "dispatch", waybill_number="EMS1234567890CN")
    event = case.events[-1]
    assert event.actor_name == "王芳" and event.data["on_behalf_of"] == "张丽"
    ledger = db.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id,
                                                  LedgerEntry.center_id == clerk.center_id)).one()
    assert ledger.handler_name == "张丽、王芳（代张丽办理）"
    # the case stays 张丽's: the next step of her window says so too; the home window's do not
    case = factories.step(db, "cx_window", case, "receive")
    assert "on_behalf_of" not in case.events[-1].data


def test_after_the_range_the_colleague_acts_in_their_own_name(db):
    clerk, mate = factories.user(db, "lz_window"), factories.make_colleague(db)
    case = factories.accepted_case(db)
    save_stand_in(db, clerk, {"stand_in_user_id": mate.id, **_days(1, 2)})  # starts tomorrow
    case = factories.step(db, mate.username, case, "dispatch", waybill_number="EMS1234567890CN")
    assert "on_behalf_of" not in case.events[-1].data
