"""The whole path through the services, for the three kinds of case."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.models.case import LedgerEntry, OutboxMessage
from app.services.cases.take_step import take_step
from tests import factories


def test_internal_case_runs_from_registration_to_archive(db):
    case = factories.make_case(db)
    assert case.status == "draft" and case.number is None
    case = factories.run_steps(db, case, [
        ("lz_window", "accept", factories.verify_all(case)),
        ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
        ("cx_window", "receive", {}),
        ("cx_window", "forward", {}),
        ("cx_hrss", "complete", factories.completion()),
        ("cx_window", "send_result", {"waybill_number": "EMS1234567892CN"}),
        ("lz_window", "deliver", {}),
    ])
    case = factories.run_steps(db, factories.ready_to_archive(db, case), [("lz_window", "archive", {})])
    assert case.status == "archived"
    assert case.number.startswith(f"GYLZ-{date.today().year}-")
    assert [e.action for e in case.events] == ["register", "accept", "dispatch", "receive", "forward", "complete",
                                              "send_result", "deliver", "archive"]
    ledger = db.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id)).all()
    assert {e.role for e in ledger} == {"origin", "home"}
    topics = {(m.topic, m.key) for m in db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))}
    assert ("render_notice", "acceptance") in topics and ("notify_applicant", "accepted") in topics


def test_outbound_case_to_a_window_outside_the_system_is_recorded_by_our_window(db):
    case = factories.outbound_case_in_correction(db)
    case = factories.supplement(db, case, home_clerk="lz_window")  # our window records the outside one signing
    case = factories.run_steps(db, case, [
        ("lz_window", "complete", {"result": "approved"}),
        ("lz_window", "send_result", {"waybill_number": "EMS0000000003CN", "note": "渝中区窗口寄回"}),
        ("lz_window", "deliver", {}),
    ])
    case = factories.run_steps(db, factories.ready_to_archive(db, case), [("lz_window", "archive", {})])
    assert case.status == "archived" and case.department_id is None
    assert db.scalars(select(LedgerEntry.role).where(LedgerEntry.case_id == case.id)).all() == ["origin"]


def test_inbound_case_mailed_by_an_outside_window_is_registered_and_worked_at_home(db):
    hangzhou = factories.center(db, factories.key_of_center("HZXH"))
    case = factories.make_case(db, "cx_window", origin_center_id=hangzhou.id, home="cx_center",
                               department_key="cx_hrss", counterpart_number="XH-2026-0815")
    case = factories.run_steps(db, case, [
        # 接收登记: the parcel 西湖区's window mailed is on our desk; the case goes straight to received
        ("cx_window", "accept", factories.verify_all(case) | {"accepted_on": str(date.today()),
                                                         "counterpart_accepted_by": "赵敏",
                                                         "waybill_number": "EMS0000000002CN"}),
        ("cx_window", "forward", {}),
        ("cx_hrss", "complete", factories.completion("denied", "不符合申领条件", "不予许可决定书.pdf")),
        ("cx_window", "send_result", {"waybill_number": "EMS0000000004CN"}),  # to the outside window
        ("cx_window", "deliver", {}),  # the outside window hands it over: ours records it
    ])
    case = factories.run_steps(db, factories.ready_to_archive(db, case), [("cx_window", "archive", {})])
    assert case.status == "archived" and case.number.startswith("GYCX-")
    assert db.scalars(select(LedgerEntry.role).where(LedgerEntry.case_id == case.id)).all() == ["home"]


def test_a_department_cannot_accept_and_a_window_cannot_take_the_other_windows_step(db):
    case = factories.make_case(db)
    with pytest.raises(Forbidden):
        take_step(db, factories.user(db, "cx_window"), case.id, "accept", factories.verify_all(case))
    with pytest.raises((Forbidden, NotFound)):
        take_step(db, factories.user(db, "cx_hrss"), case.id, "accept", factories.verify_all(case))


def test_a_case_of_another_county_is_not_found(db):
    case = factories.make_case(db)
    with pytest.raises(NotFound):
        take_step(db, factories.user(db, "lz_hrss"), case.id, "complete", {"result": "approved"})


def test_an_illegal_step_names_the_status_and_what_is_possible(db):
    case = factories.make_case(db)
    with pytest.raises(Conflict) as refused:
        take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "X"})
    message = str(refused.value)
    assert "dispatch" in message.lower() or "寄" in message
    assert "accept" in message.lower() or "受理" in message


def test_acceptance_lists_every_missing_material_and_unverified_original(db):
    case = factories.make_case(db, received=False)
    with pytest.raises(ValidationFailed) as refused:
        take_step(db, factories.user(db, "lz_window"), case.id, "accept", {})
    required = [m for m in case.guide.content["materials"] if m["required"]]
    assert len([p for p in refused.value.problems if p.field == "materials"]) == len(required)
    db.refresh(case)
    assert case.status == "draft" and case.number is None


def test_decline_needs_every_reason_and_gives_a_number(db):
    case = factories.make_case(db)
    with pytest.raises(ValidationFailed):
        take_step(db, factories.user(db, "lz_window"), case.id, "reject", {"reasons": []})
    case = take_step(db, factories.user(db, "lz_window"), case.id, "reject",
                   {"reasons": ["申请人不符合受理条件", "缺少户口簿原件"]})
    assert case.status == "rejected" and case.number and "缺少户口簿原件" in case.closed_reason


def test_withdraw_from_an_open_state_with_a_reason(db):
    case = factories.accepted_case(db)
    with pytest.raises(ValidationFailed):
        take_step(db, factories.user(db, "lz_window"), case.id, "withdraw", {})
    case = take_step(db, factories.user(db, "lz_window"), case.id, "withdraw", {"reason": "申请人申请撤回"})
    assert case.status == "withdrawn"
    with pytest.raises(Conflict):
        take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "X"})
