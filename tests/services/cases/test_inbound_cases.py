"""Inbound cases (issue 11, defect 1): an outside window accepted the application and mailed it to us.

Our window records the outside window's acceptance (who, when, their number as on their notice), and
prints what it issues itself — a receipt of the parcel — never an acceptance notice in another office's
name; the applicant's SMS does not claim that our window accepted the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.documents.notices import receipt_context
from app.documents.render import cn_date
from app.errors import NotFound, ValidationFailed
from app.models.case import CaseDocument, LedgerEntry, Notification, OutboxMessage
from app.scope import reach_of
from app.services.cases import notices
from app.services.cases.access import Viewer
from app.services.cases.take_step import available_steps
from tests import factories
from tests.documents.notice_pdf import pdf_text, squash

OUTSIDE_NUMBER = "JJ-2026-0042"
OUTSIDE_CLERK = "王芳"
WAYBILL = "EMS1234567895CN"


def inbound_draft(db):
    """A case 成都市锦江区's window accepted and mailed to 利州区, registered by 利州区's clerk."""
    jinjiang = factories.center(db, factories.key_of_center("CDJJ"))
    return factories.make_case(db, "lz_window", origin_center_id=jinjiang.id, home="lz_center",
                               department_key="lz_hrss", handling_type_code="shengnei",
                               counterpart_number=OUTSIDE_NUMBER, applied_on=date.today() - timedelta(days=5))


def accept_inbound(db, case, **fields):
    accepted_on = (date.today() - timedelta(days=3)).isoformat()
    values = factories.verify_all(case) | {"accepted_on": accepted_on, "counterpart_accepted_by": OUTSIDE_CLERK,
                                           "waybill_number": WAYBILL}
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


# --- issue 12: 接收登记, the day of receipt, and the rest of the walk ----------------------------------------


def test_an_inbound_case_arrives_with_its_parcel_and_goes_straight_to_received(db):
    """Registered because its parcel is on our desk: no dispatch to record, no parcel to sign for later."""
    case = accept_inbound(db, inbound_draft(db), received_on=(date.today() - timedelta(days=1)).isoformat())
    assert case.status == "received"
    # the dispatch within a working day was the outside window's to keep, not ours: no deadline of ours
    assert case.dispatch_due is None and case.process_due is not None
    [parcel] = factories.shipments_of(db, case)
    assert (parcel.waybill_number, parcel.received_on) == (WAYBILL, date.today() - timedelta(days=1))
    assert parcel.from_center.code == "CDJJ" and parcel.to_center.code == "GYLZ"
    steps = {t.name for t in available_steps(case, factories.user(db, "lz_window"))}
    assert "forward" in steps and not {"dispatch", "receive"} & steps
    topics = {m.topic for m in db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))}
    assert "book_parcel" not in topics  # nobody books a courier for a parcel that has arrived
    [row] = db.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id)).all()
    assert (row.role, row.case_status) == ("home", "received")


def test_recording_the_receipt_asks_for_the_waybill_and_a_day_of_receipt_after_the_outside_acceptance(db):
    case = inbound_draft(db)
    with pytest.raises(ValidationFailed) as refused:
        accept_inbound(db, case, waybill_number="", received_on=(date.today() - timedelta(days=4)).isoformat())
    assert {p.field for p in refused.value.problems} == {"waybill_number", "received_on"}  # every problem at once
    with pytest.raises(ValidationFailed) as refused:
        accept_inbound(db, case, received_on=(date.today() + timedelta(days=1)).isoformat())
    assert {p.field for p in refused.value.problems} == {"received_on"}
    db.refresh(case)
    assert case.status == "draft" and not case.shipments


def test_a_case_of_our_own_window_takes_no_waybill_or_day_of_receipt_at_acceptance(db):
    case = factories.make_case(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "accept", **factories.verify_all(case), waybill_number="EMS1",
                       received_on=date.today().isoformat())
    assert {p.field for p in refused.value.problems} == {"waybill_number", "received_on"}


def test_the_receipt_prints_the_outside_acceptance_date_and_the_day_our_window_received_the_materials(db):
    case = inbound_draft(db)  # registered today
    received_on = date.today() - timedelta(days=1)
    case = accept_inbound(db, case, received_on=received_on.isoformat())
    context = receipt_context(case)
    assert context.accepted_on == date.today() - timedelta(days=3) and context.received_on == received_on
    factories.run_outbox(db, "render_notice", case.id)
    viewer = Viewer(factories.user(db, "lz_window"), reach_of(factories.user(db, "lz_window")), "", "web")
    text = squash("".join(pdf_text(notices.notice_for(db, viewer, case.id, "receipt").path.read_bytes())))
    assert squash(f"受理日期{cn_date(date.today() - timedelta(days=3))}") in text
    assert squash(f"接收日期{cn_date(received_on)}") in text


def test_the_accept_step_of_an_inbound_case_is_shown_as_record_receipt_everywhere(app, db):
    from app.labels import event_label, step_help, step_label

    inbound, ours = inbound_draft(db), factories.make_case(db)
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert str(step_label("accept", inbound)) == "接收登记" and str(step_label("accept", ours)) == "受理(代收)"
        assert str(event_label("accept", inbound)) == "接收登记" and str(event_label("register", inbound)) == "登记"
        assert str(step_help("accept", inbound)) != str(step_help("accept", ours))
        assert "受理(代收)" not in str(step_label("accept", inbound))


def test_an_inbound_case_is_walked_to_archived_at_our_window(db):
    case = accept_inbound(db, inbound_draft(db))
    case = factories.run_steps(db, case, [
        ("lz_window", "forward", {}),
        ("lz_hrss", "complete", factories.completion("approved", "准予办理", "社会保障卡.pdf")),
        # collected at the outside window: our window sends the result there and records its delivery
        ("lz_window", "send_result", {"waybill_number": "EMS1122334455CN"}),
        ("lz_window", "deliver", {}),
    ])
    case = factories.run_steps(db, factories.ready_to_archive(db, case), [("lz_window", "archive", {})])
    assert case.status == "archived"
    assert [e.action for e in case.events] == ["register", "accept", "forward", "complete", "send_result", "deliver",
                                               "archive"]
    [row] = db.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id)).all()
    assert (row.role, row.case_status) == ("home", "archived")


def test_the_result_sms_of_an_inbound_case_sends_the_applicant_to_the_window_where_they_applied(db):
    """Collected at 收件处: the outside window where the application was handed in, not our home window."""
    case = accept_inbound(db, inbound_draft(db))
    case = factories.run_steps(db, case, [
        ("lz_window", "forward", {}),
        ("lz_hrss", "complete", factories.completion("approved", "准予办理", "社会保障卡.pdf")),
    ])
    factories.run_outbox(db, "notify_applicant", case.id)
    sms = db.scalar(select(Notification).where(Notification.case_id == case.id, Notification.event == "result_ready"))
    assert "结果寄达成都市锦江区政务服务中心后" in sms.body and "寄达广元市利州区政务服务中心" not in sms.body
