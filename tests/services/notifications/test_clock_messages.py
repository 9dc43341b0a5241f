"""SMS of the legal clock (issue 12): the applicant is told of a special procedure (which, how long, that the
time is not counted, the expected due day) and of an approved extension (how many working days, the new due
day), through the SMS gateway; the values come from the segment the job's ref names."""

from __future__ import annotations

from sqlalchemy import select

from app.models.case import Notification, OutboxMessage
from app.platform import outbox
from app.services.calendar import load_calendar
from app.services.cases.clock import case_clock
from app.services.notifications import messages as notifications
from tests import factories
from tests.conftest import config_override
from tests.fakes.messaging import SmsGateway


def cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _job(db, case, key) -> OutboxMessage:
    return db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                 OutboxMessage.topic == "notify_applicant", OutboxMessage.key == key))


def _sent_through_the_gateway(db, app, message: OutboxMessage) -> tuple[Notification, dict]:
    gateway = SmsGateway(script=[200]).start()
    try:
        with config_override(app, **gateway.config()):
            assert outbox.run_message(db, message.id)
    finally:
        gateway.stop()
    sms = db.scalar(select(Notification).where(Notification.outbox_id == message.id))
    assert sms is not None and sms.status == "sent" and len(gateway.deliveries) == 1
    return sms, gateway.requests[0]["json"]


def test_the_applicant_is_told_by_sms_of_a_special_procedure_its_length_and_the_expected_due_day(db, app):
    case = factories.at_the_department(db)
    calendar = load_calendar(db)
    began = calendar.add_working_days(case.accepted_on, 1).due
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", on=began, procedure="expert_review",
                          expected_days="4", reason="组织专家评审。")
    expected_due = case_clock(calendar, case, began).expected_due
    message = _job(db, case, "special_procedure")
    sms, request = _sent_through_the_gateway(db, app, message)
    assert request["phone"] == case.applicant_phone and request["text"] == sms.body
    for value in ("【广元政务服务】李晓梅您好", f"（编号{case.number}）", "需进行专家评审", "预计4个工作日",
                  "期间不计入办理时限", f"预计{cn(expected_due)}前办结"):
        assert value in sms.body, value
    assert db.get(OutboxMessage, message.id).done_on is not None


def test_the_applicant_is_told_by_sms_of_an_approved_extension_and_the_new_due_day(db, app):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "request_extension", days="5", reason="需现场核查。")
    case = factories.step(db, "cx_hrss_head", case, "approve_extension", days="3")
    sms, _ = _sent_through_the_gateway(db, app, _job(db, case, "extended"))
    for value in ("【广元政务服务】李晓梅您好", f"（编号{case.number}）", "经批准延长3个工作日",
                  f"预计{cn(case.process_due)}前办结"):
        assert value in sms.body, value


def test_the_english_texts_name_the_procedure_the_days_and_the_due_day(db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", procedure="hearing", expected_days="6",
                          reason="依申请人要求举行听证。")
    values = notifications.message_values(db, case, "en", "special_procedure", "1")
    body = notifications.render(db, "special_procedure", "sms", "en", values).body
    assert "hearing" in body and "6 working days" in body and case.number in body
    assert values["due"] and values["due"] in body
    zh = notifications.message_values(db, case, "zh", "special_procedure", "1")
    assert zh["procedure"] == "听证" and zh["days"] == 6


def test_the_clock_templates_refuse_unknown_placeholders_and_know_their_own(db):
    assert not notifications.template_problems("extended", "sms", "zh", "", "{name}{days}{due}{number}").problems
    assert not notifications.template_problems("special_procedure", "sms", "zh", "",
                                               "{procedure}{days}{due}{matter}").problems
    assert [p.field for p in notifications.template_problems("extended", "sms", "zh", "", "{procedure}").problems] \
        == ["body"]


def test_every_notice_and_message_the_transition_table_queues_is_one_its_job_knows():
    """A job whose kind is unknown fails on every attempt (the outbox keeps retrying it): none may be."""
    from app.domain.workflow import TRANSITIONS
    from app.services.cases import notices

    effects = {(e.topic, e.key) for t in TRANSITIONS.values() for e in t.effects_for(delivery_by_mail=True)}
    effects |= {(e.topic, e.key) for t in TRANSITIONS.values() for e in t.effects_for(delivery_by_mail=False)}
    assert {key for topic, key in effects if topic == "render_notice"} - set(notices.NOTICE_KINDS) == set()
    assert {key for topic, key in effects if topic == "notify_applicant"} - set(notifications.SMS_EVENTS) == set()
