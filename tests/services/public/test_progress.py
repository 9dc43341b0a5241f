"""The applicant's progress (办件查询): the stage in plain words, the milestones that matter to the applicant
(never a staff name or an internal note), the waybills, the open correction, where to collect the result."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import NotFound
from app.models.case import Case
from app.services.public.progress import progress_by_number, progress_by_token, progress_link
from tests import factories
from tests.conftest import config_override


def test_every_case_gets_its_own_unguessable_token_at_registration(db):
    cases = [factories.make_case(db) for _ in range(3)]
    tokens = {c.public_token for c in cases}
    assert len(tokens) == 3 and all(len(t) >= 22 for t in tokens)
    assert db.scalar(select(func.count()).select_from(Case).where(Case.public_token.is_(None))) == 0


def test_the_link_is_the_public_address_with_the_token(app, db):
    case = factories.make_case(db)
    with config_override(app, PUBLIC_URL="https://zwfw.cngy.gov.cn"):
        assert progress_link(case) == f"https://zwfw.cngy.gov.cn/p/{case.public_token}"


def test_a_case_at_the_department_shows_its_stage_due_day_and_milestones_in_order(db):
    case = factories.at_the_department(db)
    progress = progress_by_number(db, case.number, "13908121234")
    assert progress["stage"] == "属地审批部门办理中" and progress["stage_due"] == case.process_due.isoformat()
    assert [m["title"] for m in progress["milestones"]] == [
        "已提交申请", "已受理", "材料已寄往属地窗口", "属地窗口已收到材料", "已转属地审批部门"]
    dispatched = progress["milestones"][2]
    assert "苍溪县政务服务中心" in dispatched["detail"] and "EMS1234567890CN" in dispatched["detail"]
    assert progress["milestones"][0]["at"].endswith("+08:00")
    assert progress["department_name"] == "苍溪县人力资源和社会保障局"
    assert progress["correction"] is None and progress["pickup"]["name"] == "广元市利州区政务服务中心"


def test_milestones_never_name_the_staff_nor_repeat_their_notes(db):
    case = factories.make_case(db)
    case = factories.run_steps(db, case, [
        ("lz_window", "accept", factories.verify_all(case) | {"note": "内部备注：申请人脾气急"}),
        ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN", "note": "快递员迟到"}),
    ])
    text = repr(progress_by_token(db, case.public_token))
    staff = [e.actor_name for e in case.events if e.actor_name]
    assert staff and not any(name in text for name in staff)
    assert "脾气" not in text and "迟到" not in text


def test_an_open_correction_lists_what_to_supply_and_where(db):
    case = factories.run_steps(db, factories.at_the_department(db), [
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "复印件不清晰"},
                                                     {"name": "照片", "reason": "底色不符"}]}),
    ])
    progress = progress_by_token(db, case.public_token)
    assert progress["status"] == "correction" and progress["stage_due"] is None  # the clock pauses
    correction = progress["correction"]
    assert [(i["name"], i["reason"]) for i in correction["items"]] == [("户口簿", "复印件不清晰"), ("照片", "底色不符")]
    assert correction["hand_to"]["name"] == "广元市利州区政务服务中心" and correction["hand_to"]["address"]
    assert progress["milestones"][-1]["title"] == "需要补正材料" and "2" in progress["milestones"][-1]["detail"]


def test_a_delivered_case_opens_the_rating_and_lists_every_waybill(db):
    case = factories.delivered_case(db)
    progress = progress_by_token(db, case.public_token)
    assert progress["status"] == "delivered" and progress["rating"] == {"open": True, "given": False, "rating": None}
    assert {(w["direction"], w["waybill_number"]) for w in progress["waybills"]} >= {
        ("materials", "EMS1234567890CN"), ("supplement", "EMS1234567891CN"), ("result_to_window", "EMS1234567892CN")}
    titles = [m["title"] for m in progress["milestones"]]
    assert titles[-3:] == ["已办结", "结果已寄往取件窗口", "结果已送达"]


@pytest.mark.parametrize("number, phone", [
    ("known", "13900000000"), ("GYLZ-2026-999999", "13908121234"), ("known", ""), ("", ""),
])
def test_a_wrong_phone_or_an_unknown_number_is_not_found(db, number, phone):
    case = factories.accepted_case(db)
    with pytest.raises(NotFound):
        progress_by_number(db, case.number if number == "known" else number, phone)


def test_a_bad_token_is_not_found(db):
    case = factories.accepted_case(db)
    for token in ("", case.public_token[:-1], case.public_token + "x", "x" * 500):
        with pytest.raises(NotFound):
            progress_by_token(db, token)
