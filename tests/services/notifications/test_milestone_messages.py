"""The applicant's SMS at the milestones (issue 13): accepted, dispatched, correction, result ready, delivered —
each with the short link of the case's progress page, each sent once per case even when its job runs again."""

from __future__ import annotations

from sqlalchemy import select, update

from app.domain.workflow import Effect
from app.models.case import Notification, OutboxMessage
from app.platform import outbox
from app.services.public.progress import progress_link
from tests import factories

MILESTONES = ["accepted", "dispatched", "correction", "result_ready", "delivered"]


def _sms(db, case) -> list[Notification]:
    db.expire_all()
    return db.scalars(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms")
                      .order_by(Notification.id)).all()


def test_each_milestone_sends_one_sms_with_the_progress_link_even_when_the_jobs_run_twice(db):
    case = factories.delivered_case(db)  # accepted, mailed, a correction, completed, collected at the window
    factories.run_outbox(db, "notify_applicant", case.id)
    factories.run_outbox(db, "notify_applicant", case.id)  # the relay hands the rows over again: done already
    # a restored database runs every row again, and a duplicated row asks for a milestone told already
    db.execute(update(OutboxMessage).where(OutboxMessage.case_id == case.id, OutboxMessage.topic == "notify_applicant")
               .values(done_on=None, held_by="", started_on=None))
    for event in ("dispatched", "delivered"):
        outbox.queue(db, Effect("notify_applicant", event), case)
    db.commit()
    factories.run_outbox(db, "notify_applicant", case.id)

    sent = _sms(db, case)
    assert [s.event for s in sent] == MILESTONES
    link = progress_link(case)
    assert link.endswith(f"/p/{case.public_token}")
    for sms in sent:
        assert link in sms.body, sms.event
        assert sms.status == "sent"


def test_the_dispatch_message_says_the_materials_left_for_the_home_window(db):
    case = factories.at_the_department(db)
    factories.run_outbox(db, "notify_applicant", case.id)
    (dispatched,) = [s for s in _sms(db, case) if s.event == "dispatched"]
    assert "申请材料已寄往属地窗口" in dispatched.body and case.number in dispatched.body


def test_each_round_of_correction_is_told_once(db):
    case = factories.delivered_case(db, completed_with=None)
    case_two = factories.run_steps(db, factories.at_the_department(db), [
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "复印件不清晰"}]}),
    ])
    case_two = factories.supplement(db, case_two, waybill_number="EMS1234567893CN")
    case_two = factories.step(db, "cx_hrss", case_two, "request_correction",
                              items=[{"name": "照片", "reason": "底色不符"}])
    factories.run_outbox(db, "notify_applicant")
    factories.run_outbox(db, "notify_applicant")
    assert [s.event for s in _sms(db, case_two)].count("correction") == 2
    assert [s.event for s in _sms(db, case)].count("correction") == 1


def test_an_earlier_default_text_is_brought_to_the_one_with_the_link_and_an_edited_one_is_kept(db):
    from app.models.notify import MessageTemplate
    from app.services.notifications.messages import SPECS, SUPERSEDED_DEFAULTS, seed_templates

    def row(event, language):
        return db.scalar(select(MessageTemplate).where(MessageTemplate.event == event, MessageTemplate.channel == "sms",
                                                       MessageTemplate.language == language))

    row("accepted", "zh").body = SUPERSEDED_DEFAULTS[("accepted", "sms", "zh")][0]
    row("delivered", "zh").body = "【广元政务服务】{name}您好，结果已送达。"  # an administrator's own text
    db.commit()
    seed_templates(db)
    assert row("accepted", "zh").body == SPECS[("accepted", "sms")].defaults["zh"][1]
    assert "{link}" in row("accepted", "zh").body
    assert row("delivered", "zh").body == "【广元政务服务】{name}您好，结果已送达。"
