"""Inbound cases (issue 11, defect 1): an outside window accepted the application and mailed it to us.

Our window records the outside window's acceptance (who, when, their number as on their notice), and
prints what it issues itself — a receipt of the parcel — never an acceptance notice in another office's
name; the applicant's SMS does not claim that our window accepted the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import NotFound, ValidationFailed
from app.models.case import CaseDocument, Notification
from app.scope import reach_of
from app.services.cases import notices
from app.services.cases.access import Viewer
from tests import factories
from tests.documents.notice_pdf import pdf_text, squash

OUTSIDE_NUMBER = "JJ-2026-0042"
OUTSIDE_CLERK = "王芳"


def inbound_draft(db):
    """A case 成都市锦江区's window accepted and mailed to 利州区, registered by 利州区's clerk."""
    jinjiang = factories.center(db, factories.key_of_center("CDJJ"))
    return factories.make_case(db, "lz_window", origin_center_id=jinjiang.id, home="lz_center",
                               department_key="lz_hrss", handling_type_code="shengnei",
                               counterpart_number=OUTSIDE_NUMBER, applied_on=date.today() - timedelta(days=5))


def accept_inbound(db, case, **fields):
    accepted_on = (date.today() - timedelta(days=3)).isoformat()
    values = factories.verify_all(case) | {"accepted_on": accepted_on, "counterpart_accepted_by": OUTSIDE_CLERK}
    return factories.step(db, "lz_window", case, "accept", **(values | fields))


def test_recording_an_inbound_acceptance_asks_who_accepted_it_at_the_outside_window(db):
    case = inbound_draft(db)
    with pytest.raises(ValidationFailed) as refused:
        accept_inbound(db, case, counterpart_accepted_by="")
    assert "counterpart_accepted_by" in {p.field for p in refused.value.problems}
    case = accept_inbound(db, case)
    assert case.counterpart_accepted_by == OUTSIDE_CLERK
    assert case.accepted_on == date.today() - timedelta(days=3)


def test_a_case_of_our_own_window_takes_no_outside_clerk(db):
    case = factories.make_case(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "accept", **factories.verify_all(case), counterpart_accepted_by="王芳")
    assert {p.field for p in refused.value.problems} == {"counterpart_accepted_by"}


def test_an_inbound_case_prints_our_receipt_never_an_acceptance_notice_in_another_offices_name(db):
    case = accept_inbound(db, inbound_draft(db))
    factories.run_outbox(db, "render_notice", case.id)
    kinds = db.scalars(select(CaseDocument.kind).where(CaseDocument.case_id == case.id)).all()
    assert kinds == ["receipt"]
    assert notices.applicable(case, "acceptance") == [] and notices.applicable(case, "receipt") == [""]
    viewer = Viewer(factories.user(db, "lz_window"), reach_of(factories.user(db, "lz_window")), "", "web")
    with pytest.raises(NotFound):
        notices.notice_for(db, viewer, case.id, "acceptance")
    state = notices.notice_for(db, viewer, case.id, "receipt")
    text = squash("".join(pdf_text(state.path.read_bytes())))
    assert "“跨域通办”材料接收回执" in text and "“跨域通办”受理(代收)通知书" not in text
    for expected in ("成都市锦江区政务服务中心", OUTSIDE_NUMBER, OUTSIDE_CLERK, "广元市利州区政务服务中心", "张丽",
                     case.number, "广元市利州区人力资源和社会保障局"):
        assert squash(expected) in text, expected
    # 张丽 signs for the parcel; the outside clerk is the one who accepted it
    assert text.index(OUTSIDE_CLERK) < text.index("张丽")


def test_the_sms_of_an_inbound_case_does_not_claim_our_window_accepted_it(db):
    case = accept_inbound(db, inbound_draft(db))
    factories.run_outbox(db, "notify_applicant", case.id)
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms"))
    assert "成都市锦江区政务服务中心" in sms.body and OUTSIDE_NUMBER in sms.body
    assert "由广元市利州区政务服务中心受理" not in sms.body and "广元市利州区政务服务中心" in sms.body


def test_a_case_accepted_at_our_window_keeps_its_acceptance_notice_and_sms(db):
    case = factories.accepted_case(db)
    assert notices.applicable(case, "acceptance") == [""] and notices.applicable(case, "receipt") == []
    factories.run_outbox(db, "notify_applicant", case.id)
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms"))
    assert "已由广元市利州区政务服务中心受理" in sms.body
