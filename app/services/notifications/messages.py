"""Messages: SMS to applicants (acceptance, correction needed, result ready, result delivered …) and
mail to staff (reminder digests, reports), from editable templates, with a delivery status each.

- **Templates** (``MessageTemplate``): one text per event × channel × language with ``{placeholders}``.
  The defaults below are seeded by ``flask setup`` (never overwriting an administrator's edit); a
  template that is missing from the table falls back to its default here. An English text that is
  switched off falls back to Chinese; a Chinese text switched off turns the message off.
  Saving a template refuses unknown placeholders, all of them listed at once.
- **Language**: applicants get Chinese (the case records no language of its own; see
  ``applicant_language``); staff get the language of their preference (``StaffPreference``, set on the
  "My reminders" page), Chinese by default.
- **Delivery**: a ``Notification`` row is written (committed) before the first attempt, then claimed
  with a conditional UPDATE (so two workers never send one message at once), handed to the provider
  and marked ``sent`` or ``failed`` with the attempt count and the error. The outbox job of an SMS
  writes it and makes the first attempt; mail is written by whatever causes it. Every later attempt is
  made by the periodic sender (``send_due_messages``, run by beat) when the message's own
  ``next_attempt_on`` comes: the schedule of the configuration (``retry_wait``: 1, 2, 4 … minutes, at
  most an hour) is kept in the database, so a Redis restart or a dead worker loses no retry. A message
  whose waits would pass ``NOTIFY_RETRY_BUDGET_SECONDS`` is **parked** (never dropped): listed under
  发送失败的消息 for 重新发送 (``resend_parked``) and counted for the health check
  (``parked_messages_count``). A message that was sent is never sent again, and every attempt at one
  SMS carries the same request id, which the gateway must de-duplicate (docs/MESSAGING.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from string import Formatter
from typing import Any, Mapping

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.orm import Session

from app.adapters.messaging import (
    DeliveryError,
    Mail,
    Sms,
    mail_enabled,
    send_mail,
    sms_provider,
)
from app.domain.privacy import mask_phone
from app.errors import NotFound, ProblemCollector
from app.models.base import now
from app.models.case import Case, Notification, OutboxMessage
from app.models.notify import MailStatus, MessageTemplate, Reminder, StaffPreference
from app.platform import outbox, records, system
from app.scope import Reach, as_record_id, criterion
from app.services.public.progress import progress_link

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
CHANNELS = ("sms", "mail")
#: how long one attempt holds a message (a worker that died mid-send frees it after this)
LEASE = timedelta(minutes=5)


# --- templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSpec:
    event: str
    channel: str
    label: Any
    #: placeholder -> what it is filled with (shown to the administrator)
    placeholders: Mapping[str, Any]
    #: language -> (subject, body)
    defaults: Mapping[str, tuple[str, str]] = field(default_factory=dict)


_APPLICANT = {
    "name": _l("applicant's name"), "matter": _l("matter name"), "number": _l("case number"),
    "window": _l("name of the window that serves the applicant"), "phone": _l("phone of that window"),
    "limit": _l("promised time limit in working days"), "delivery": _l("how the result reaches the applicant"),
    "origin": _l("the window where the applicant handed in the application"),
    "origin_number": _l("the number that window gave the case"),
    "link": _l("the short link of the case's progress page (办件查询, the QR code of the acceptance notice)"),
}
#: the legal clock's messages (issue 12): the segment the job's ref names fills these
_CLOCK = {"days": _l("working days (the procedure's expected length, or the extension granted)"),
          "due": _l("the expected due day")}
_PROCEDURE = {"procedure": _l("the special procedure (hearing, testing, expert review …)")}
_SMS_ZH = "【广元政务服务】"
_SMS_EN = "[Guangyuan Gov Services] "

SPECS: dict[tuple[str, str], TemplateSpec] = {(s.event, s.channel): s for s in (
    TemplateSpec("accepted", "sms", _l("SMS: application accepted"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”已由{window}受理（代收），编号{number}，"
                             "承诺办理时限{limit}个工作日。办理进度：{link}（也可凭编号和手机号查询）"),
        "en": ("", _SMS_EN + "Dear {name}, your application for \"{matter}\" was accepted by {window}, case number "
                             "{number}; promised time limit {limit} working days. Progress: {link} (or look it up "
                             "with the case number and your phone number)."),
    }),
    TemplateSpec("dispatched", "sms", _l("SMS: materials mailed to the home window"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）的申请材料已寄往属地窗口，"
                             "办理进度：{link}"),
        "en": ("", _SMS_EN + "Dear {name}, the materials of your application \"{matter}\" (case {number}) were "
                             "mailed to the home window. Progress: {link}"),
    }),
    # inbound: an outside window accepted the case and mailed it to us; our window only received it
    TemplateSpec("inbound", "sms", _l("SMS: materials accepted elsewhere received at the home window"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您在{origin}申请的“{matter}”（受理编号{origin_number}），申报材料已由"
                             "{window}接收，转属地部门办理，本地编号{number}，承诺办理时限{limit}个工作日。"
                             "咨询电话{phone}。"),
        "en": ("", _SMS_EN + "Dear {name}, the materials of your application for \"{matter}\", accepted by {origin} "
                             "(number {origin_number}), were received by {window} and handed to the department; "
                             "case number {number}, promised time limit {limit} working days. Phone {phone}."),
    }),
    TemplateSpec("rejected", "sms", _l("SMS: application declined"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”不予受理（代收），原因已一次性书面告知，"
                             "如有疑问请咨询{window}，电话{phone}。"),
        "en": ("", _SMS_EN + "Dear {name}, your application for \"{matter}\" was not accepted; every reason was "
                             "given to you in writing. Questions: {window}, phone {phone}."),
    }),
    TemplateSpec("correction", "sms", _l("SMS: correction needed"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）需补正材料，"
                             "请按补正通知书一次性补齐后交{window}，需补正的材料见{link}。咨询电话{phone}。"),
        "en": ("", _SMS_EN + "Dear {name}, your application \"{matter}\" (case {number}) needs corrections: please "
                             "hand every item of the correction notice to {window} at once (the items: {link}). "
                             "Phone {phone}."),
    }),
    TemplateSpec("special_procedure", "sms", _l("SMS: special procedure started"),
                 {**_APPLICANT, **_PROCEDURE, **_CLOCK}, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）需进行{procedure}，预计{days}个工作日，"
                             "期间不计入办理时限，预计{due}前办结，详见特别程序告知书。咨询电话{phone}。"),
        "en": ("", _SMS_EN + "Dear {name}, your application \"{matter}\" (case {number}) goes through a special "
                             "procedure ({procedure}) expected to take {days} working days, not counted in the time "
                             "limit; expected to be completed by {due}. Phone {phone}."),
    }),
    TemplateSpec("extended", "sms", _l("SMS: time limit extended"), {**_APPLICANT, **_CLOCK}, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）办理时限经批准延长{days}个工作日，"
                             "预计{due}前办结，详见延期办理告知书。咨询电话{phone}。"),
        "en": ("", _SMS_EN + "Dear {name}, the time limit of your application \"{matter}\" (case {number}) was "
                             "extended by {days} working days with approval; expected to be completed by {due}. "
                             "Phone {phone}."),
    }),
    TemplateSpec("result_ready", "sms", _l("SMS: result ready"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）已办结，{delivery}。办理进度：{link}"
                             "，咨询电话{phone}。"),
        "en": ("", _SMS_EN + "Dear {name}, your application \"{matter}\" (case {number}) is completed; {delivery}. "
                             "Progress: {link}; phone {phone}."),
    }),
    TemplateSpec("delivered", "sms", _l("SMS: result delivered"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）办理结果已送达，欢迎对本次服务作出评价：{link}"),
        "en": ("", _SMS_EN + "Dear {name}, the result of \"{matter}\" (case {number}) has been delivered. Please rate "
                             "our service: {link}"),
    }),
    TemplateSpec("withdrawn", "sms", _l("SMS: application withdrawn"), _APPLICANT, {
        "zh": ("", _SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）已按您的要求撤回。"),
        "en": ("", _SMS_EN + "Dear {name}, your application \"{matter}\" (case {number}) was withdrawn as you asked."),
    }),
    TemplateSpec("reminders", "mail", _l("Mail: deadline reminders to staff"), {
        "name": _l("staff member's name"), "count": _l("number of reminders"),
        "items": _l("the list of cases (one block per case)"), "url": _l("address of the reminders page"),
    }, {
        "zh": ("【跨域通办】您有{count}条办件时限提醒",
               "{name}您好：\n\n以下办件已到时限预警，需要您处理或督办：\n\n{items}\n\n请登录系统查看：{url}\n\n"
               "（本邮件由广元市政务服务“跨域通办”管理系统自动发送，请勿回复。）"),
        "en": ("[Cross-region services] {count} deadline reminder(s)",
               "Dear {name},\n\nThese cases reached a deadline warning and need your action or follow-up:\n\n"
               "{items}\n\nSign in to see them: {url}\n\n(Sent automatically by the Guangyuan cross-region "
               "service system; please do not reply.)"),
    }),
    TemplateSpec("mention", "mail", _l("Mail: named in a case's conversation"), {
        "name": _l("staff member's name"), "author": _l("who wrote the message"), "number": _l("case number"),
        "matter": _l("matter name"), "body": _l("the message"), "url": _l("address of the case's conversation"),
    }, {
        "zh": ("【跨域通办】{author}在办件{number}的沟通记录中提到了您",
               "{name}您好：\n\n{author}在办件{number}（{matter}）的沟通记录中提到了您：\n\n{body}\n\n"
               "请登录系统查看并回复：{url}\n\n（本邮件由广元市政务服务“跨域通办”管理系统自动发送，请勿回复。）"),
        "en": ("[Cross-region services] {author} named you on case {number}",
               "Dear {name},\n\n{author} named you in the conversation of case {number} ({matter}):\n\n{body}\n\n"
               "Sign in to read and answer: {url}\n\n(Sent automatically by the Guangyuan cross-region service "
               "system; please do not reply.)"),
    }),
    TemplateSpec("report", "mail", _l("Mail: weekly and monthly reports"), {
        "title": _l("report title"), "period": _l("the period"), "accepted": _l("cases accepted"),
        "declined": _l("cases declined"), "completed": _l("cases completed"),
        "on_time_rate": _l("share completed on time"), "overdue": _l("overdue cases"), "url": _l("address of the report history"),
    }, {
        "zh": ("【跨域通办】{title}",
               "您好：\n\n{title}（{period}）已生成，XLSX 和 PDF 文件见附件。\n\n受理{accepted}件，不予受理{declined}件，"
               "办结{completed}件，按时办结率{on_time_rate}，逾期{overdue}件。\n\n报表历史：{url}\n\n"
               "（本邮件由系统自动发送，请勿回复。）"),
        "en": ("[Cross-region services] {title}",
               "Hello,\n\n{title} ({period}) is ready; the XLSX and PDF files are attached.\n\nAccepted {accepted}, "
               "declined {declined}, completed {completed}, on time {on_time_rate}, overdue {overdue}.\n\n"
               "Report history: {url}\n\n(Sent automatically; please do not reply.)"),
    }),
)}
#: default texts of earlier versions (event, channel, language) -> bodies: a row still holding one of them was
#: seeded, never edited, and ``seed_templates`` brings it to today's default (the progress link, issue 13)
SUPERSEDED_DEFAULTS: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("accepted", "sms", "zh"): (_SMS_ZH + "{name}您好，您申请的“{matter}”已由{window}受理（代收），编号{number}，"
                                          "承诺办理时限{limit}个工作日。可凭编号和手机号查询办理进度。",),
    ("accepted", "sms", "en"): (_SMS_EN + "Dear {name}, your application for \"{matter}\" was accepted by {window}, "
                                          "case number {number}; promised time limit {limit} working days. Track it "
                                          "with the case number and your phone number.",),
    ("correction", "sms", "zh"): (_SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）需补正材料，"
                                            "请按补正通知书一次性补齐后交{window}。咨询电话{phone}。",),
    ("correction", "sms", "en"): (_SMS_EN + "Dear {name}, your application \"{matter}\" (case {number}) needs "
                                            "corrections: please hand every item of the correction notice to {window} "
                                            "at once. Phone {phone}.",),
    ("result_ready", "sms", "zh"): (_SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）已办结，{delivery}。"
                                              "咨询电话{phone}。",),
    ("result_ready", "sms", "en"): (_SMS_EN + "Dear {name}, your application \"{matter}\" (case {number}) is "
                                              "completed; {delivery}. Phone {phone}.",),
    ("delivered", "sms", "zh"): (_SMS_ZH + "{name}您好，您申请的“{matter}”（编号{number}）办理结果已送达，"
                                           "欢迎对本次服务作出评价。",),
    ("delivered", "sms", "en"): (_SMS_EN + "Dear {name}, the result of \"{matter}\" (case {number}) has been "
                                           "delivered. Please rate our service.",),
}
#: the milestones an applicant is told of once per case, whichever outbox row asks (a correction, a special
#: procedure, an extension may come more than once: each of those is told once per outbox row, its own round)
ONCE_PER_CASE = frozenset({"accepted", "inbound", "dispatched", "result_ready", "delivered", "rejected", "withdrawn"})
SMS_EVENTS = tuple(event for event, channel in SPECS if channel == "sms")
#: the default Chinese SMS texts (kept for callers of the first version)
SMS_TEMPLATES = {event: SPECS[(event, "sms")].defaults["zh"][1] for event in SMS_EVENTS}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names of ``text`` in order (ValueError on an unmatched brace)."""
    return [name for _, name, _, _ in Formatter().parse(text) if name is not None]


def template_problems(event: str, channel: str, language: str, subject: str, body: str) -> ProblemCollector:
    """Every problem of a template at once: unknown event or language, unknown placeholders (each
    named), placeholders with a format, unmatched braces, an empty text."""
    problems = ProblemCollector()
    spec = SPECS.get((event, channel))
    if spec is None:
        problems.add("event", _l("There is no message %(event)s by %(channel)s.", event=event, channel=channel))
        return problems
    if language not in LANGUAGES:
        problems.add("language", _l("The language must be one of: %(languages)s.", languages=", ".join(LANGUAGES)))
    if not (body or "").strip():
        problems.add("body", _l("The text cannot be empty."))
    if channel == "mail" and not (subject or "").strip():
        problems.add("subject", _l("A mail needs a subject."))
    allowed = ", ".join("{%s}" % name for name in spec.placeholders)
    for name, text in (("subject", subject or ""), ("body", body or "")):
        try:
            parsed = list(Formatter().parse(text))
        except ValueError:
            problems.add(name, _l("A brace is not closed or not opened: write {{ and }} for a literal brace."))
            continue
        seen: set[str] = set()
        for _, field_name, spec_text, conversion in parsed:
            if field_name is None:
                continue
            if field_name not in spec.placeholders:
                if field_name not in seen:
                    problems.add(name, _l("Unknown placeholder {%(name)s}: this message knows %(allowed)s.",
                                          name=field_name, allowed=allowed))
                seen.add(field_name)
            elif spec_text or conversion:
                problems.add(name, _l("Write the placeholder {%(name)s} without a format or conversion.",
                                      name=field_name))
    return problems


@records.rule_for(MessageTemplate)
def _check_template(session: Session, item: MessageTemplate, reach: Reach, problems: ProblemCollector) -> None:
    found = template_problems(item.event, item.channel, item.language, item.subject, item.body)
    problems.problems.extend(found.problems)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replaces known placeholders by their values (never evaluates anything else; a text that
    does not parse is returned as it is)."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        return text
    out = []
    for literal, name, _, _ in parsed:
        out.append(literal)
        if name is not None:
            out.append(str(values.get(name, "")))
    return "".join(out)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def render(session: Session, event: str, channel: str, language: str, values: Mapping[str, Any]) -> Rendered | None:
    """The message in ``language`` (or Chinese), None when it is switched off."""
    spec = SPECS[(event, channel)]
    rows = {row.language: row for row in session.scalars(
        select(MessageTemplate).where(MessageTemplate.event == event, MessageTemplate.channel == channel))}
    for lang in dict.fromkeys((language if language in LANGUAGES else "zh", "zh")):
        row = rows.get(lang)
        if row is not None:
            if row.active:
                return Rendered(fill(row.subject, values), fill(row.body, values), lang)
        elif lang in spec.defaults:
            subject, body = spec.defaults[lang]
            return Rendered(fill(subject, values), fill(body, values), lang)
    return None


def seed_templates(session: Session) -> int:
    """Adds the default texts that are not in the table yet (an edited text is never replaced; a text still
    holding an earlier default is brought to today's: ``SUPERSEDED_DEFAULTS``). Returns the rows added."""
    existing = {tuple(row) for row in session.execute(
        select(MessageTemplate.event, MessageTemplate.channel, MessageTemplate.language))}
    for (event, channel, language), bodies in SUPERSEDED_DEFAULTS.items():
        body = SPECS[(event, channel)].defaults[language][1]
        session.execute(update(MessageTemplate).where(
            MessageTemplate.event == event, MessageTemplate.channel == channel, MessageTemplate.language == language,
            MessageTemplate.body.in_(bodies)).values(body=body))
    added = 0
    for (event, channel), spec in SPECS.items():
        for language, (subject, body) in spec.defaults.items():
            if (event, channel, language) not in existing:
                session.add(MessageTemplate(event=event, channel=channel, language=language, subject=subject,
                                            body=body, active=True))
                added += 1
    session.commit()
    return added


def staff_languages(session: Session, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(StaffPreference.user_id, StaffPreference.language)
                           .where(StaffPreference.user_id.in_(user_ids)))
    return {user_id: language for user_id, language in rows}


# --- applicants -----------------------------------------------------------------------------------


def applicant_language(case: Case) -> str:
    """Applicants get Chinese: the case records no language of its own (a later ``Case.language``
    chosen at registration would be read here)."""
    return getattr(case, "language", None) or "zh"


def applicant_values(case: Case, language: str) -> dict[str, Any]:
    window = case.origin_center if not case.origin_center.external else case.home_center
    # collected at 收件处: the window where the application was handed in, an outside one for an inbound case
    pickup = case.origin_center
    if language == "en":
        delivery = ("the result will be mailed to the address you gave" if case.delivery_method == "mail"
                    else f"once it reaches {pickup.name}, please collect the result there with a valid ID")
    else:
        # collected at the window: the result first travels there from the home window (寄回结果)
        delivery = ("结果将邮寄至您预留的地址" if case.delivery_method == "mail"
                    else f"结果寄达{pickup.name}后，请携带有效证件前往领取")
    return {"name": case.applicant_name, "matter": case.matter.name, "number": case.number or "",
            "window": window.name, "phone": window.phone, "limit": case.guide.content.get("promised_limit_days", ""),
            "delivery": delivery, "origin": case.origin_center.name, "origin_number": case.counterpart_number or "",
            "link": progress_link(case)}


#: a special procedure as an English message names it (the Chinese names are the notices')
PROCEDURE_NAMES_EN = {"hearing": "hearing", "tender": "tender", "auction": "auction", "testing": "testing",
                      "inspection": "inspection", "quarantine": "quarantine", "appraisal": "appraisal",
                      "expert_review": "expert review", "public_notice": "public notice"}
#: the message of the legal clock -> the notice whose segment its job's ref names
CLOCK_EVENTS = {"special_procedure": "special_procedure", "extended": "extension"}


def clock_values(session: Session, case: Case, language: str, event: str, ref: str) -> dict[str, Any]:
    """The values of a message of the legal clock: the procedure, its days and the expected due day (the
    special procedure ``ref``), or the days granted and the new due day (the extension ``ref``), as its
    notice prints them. Empty for other messages."""
    from app.documents.notices import PROCEDURE_NAMES
    from app.services.cases.notices import clock_figures, segment_of

    segment = segment_of(case, CLOCK_EVENTS[event], ref) if event in CLOCK_EVENTS else None
    if segment is None:
        return {}
    figures = clock_figures(session, case, segment)
    due = figures.get("expected_due") or figures.get("new_due")
    names = PROCEDURE_NAMES_EN if language == "en" else PROCEDURE_NAMES
    if due is None:
        written = ""
    else:
        written = due.isoformat() if language == "en" else f"{due.year}年{due.month}月{due.day}日"
    return {"procedure": names.get(segment.procedure, segment.procedure), "days": segment.days, "due": written}


def message_values(session: Session, case: Case, language: str, event: str, ref: str = "") -> dict[str, Any]:
    """Everything a message to the applicant can say: ``applicant_values`` and, for the legal clock, the
    segment's (``clock_values``)."""
    return {**applicant_values(case, language), **clock_values(session, case, language, event, ref)}


@outbox.handles("notify_applicant")
def notify_applicant(session: Session, message: OutboxMessage) -> Notification | None:
    """The outbox handler of ``notify_applicant:<event>``: writes the SMS once, then makes its first
    attempt. The job ends either way: a failed attempt is recorded on the message with its next
    attempt, which the periodic sender makes (``send_due_messages``) — the retries live on the message,
    not in Celery countdowns that a Redis restart forgets. A later run of the job finds the message and
    only tries it when it is due; once it is sent it is never sent again."""
    case = session.get(Case, message.case_id)
    if case is None or message.key not in SMS_EVENTS or not case.applicant_phone:
        return None
    notification = session.scalar(select(Notification).where(Notification.outbox_id == message.id,
                                                             Notification.channel == "sms"))
    if notification is None and message.key in ONCE_PER_CASE and session.scalar(
            select(Notification.id).where(Notification.case_id == case.id, Notification.channel == "sms",
                                          Notification.event == message.key).limit(1)) is not None:
        return None  # the applicant was told of this milestone already (another row asking for it)
    if notification is None:
        language = applicant_language(case)
        values = message_values(session, case, language, message.key, message.payload.get("ref", ""))
        rendered = render(session, message.key, "sms", language, values)
        if rendered is None:  # the administrator switched this message off
            return None
        # the request id from the outbox row: run again after a restore, the job sends the same message
        notification = Notification(outbox_id=message.id, case_id=case.id, channel="sms", event=message.key,
                                    request_id=f"kytb-{message.idempotency_key}",
                                    recipient=case.applicant_phone, body=rendered.body, language=rendered.language,
                                    provider=sms_provider(current_app.config).name, status="pending", attempts=0)
        session.add(notification)
        session.commit()
    try:
        # not due, held by another attempt, sent or parked: nothing to do here
        deliver(session, notification, respect_backoff=True)
    except DeliveryError:
        pass  # recorded on the message with its next attempt (or parked): the periodic sender owns it now
    return notification


# --- delivery -------------------------------------------------------------------------------------


def retry_wait(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling from ``NOTIFY_RETRY_FIRST_SECONDS``
    (1, 2, 4 … minutes), at most ``NOTIFY_RETRY_LONGEST_SECONDS`` (an hour). The one schedule of retries."""
    config = current_app.config
    first, longest = float(config["NOTIFY_RETRY_FIRST_SECONDS"]), float(config["NOTIFY_RETRY_LONGEST_SECONDS"])
    doublings = min(max(attempts - 1, 0), 32)  # past 32 doublings every wait is the longest anyway
    return timedelta(seconds=min(first * 2 ** doublings, longest))


def retry_waits() -> list[timedelta]:
    """Every wait of the schedule that fits in ``NOTIFY_RETRY_BUDGET_SECONDS``: a message that failed
    once more than this list is long is parked."""
    budget = timedelta(seconds=float(current_app.config["NOTIFY_RETRY_BUDGET_SECONDS"]))
    waits: list[timedelta] = []
    while sum(waits, timedelta()) + retry_wait(len(waits) + 1) <= budget:
        waits.append(retry_wait(len(waits) + 1))
    return waits


def _after_failure(attempts: int, at: datetime) -> dict[str, Any]:
    """The state of a message whose ``attempts``-th attempt failed at ``at``: retried when its wait
    comes, or parked once the schedule's budget is spent."""
    if attempts > len(retry_waits()):
        return {"status": Notification.PARKED, "next_attempt_on": None}
    return {"status": "failed", "next_attempt_on": at + retry_wait(attempts)}


def _claimable(at: datetime, respect_backoff: bool):
    return or_(
        Notification.status == "pending",
        and_(Notification.status == "failed", Notification.next_attempt_on.isnot(None),
             Notification.next_attempt_on <= at if respect_backoff else true()),
        and_(Notification.status == "sending", Notification.next_attempt_on < at),
    )


def _claim(session: Session, notification_id: int, at: datetime, respect_backoff: bool) -> bool:
    """Takes the message for one attempt (committed): False when it is not due, or someone has it."""
    session.commit()  # a fresh transaction: on SQLite a write after reads of an older snapshot can fail
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, _claimable(at, respect_backoff))
        .values(status="sending", attempts=Notification.attempts + 1, next_attempt_on=at + LEASE)
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


@dataclass(frozen=True)
class _Attempt:
    """What one attempt sends, read before sending (the transaction that read it is over by then)."""

    id: int
    channel: str
    event: str
    recipient: str
    subject: str
    body: str
    attachments: tuple
    attempts: int
    #: the message's own key (``Notification.request_id``), never its row id: a restore reuses ids
    request_id: str = ""


def _send(attempt: _Attempt) -> tuple[str, str]:
    """Hands the message to its provider: (provider name, provider's reference)."""
    config = current_app.config
    if attempt.channel == "sms":
        provider = sms_provider(config)
        return provider.name, provider.send(Sms(attempt.recipient, attempt.body, attempt.request_id))
    if not mail_enabled(config):
        raise DeliveryError("mail is not configured (MAIL_SERVER)")
    domain = config["MAIL_SENDER"].split("@")[-1]
    reference = send_mail(config, Mail(attempt.recipient, attempt.subject, attempt.body, attempt.attachments,
                                       message_id=f"<{attempt.request_id}@{domain}>"))
    return "smtp", reference[:64]


def deliver(session: Session, notification: Notification, *, at: datetime | None = None,
            respect_backoff: bool = False) -> bool:
    """One attempt at delivering ``notification``: True when it was sent, False when it was not due
    or another worker holds it; DeliveryError (after recording it) when the provider failed.

    Three short transactions: the claim, reading what to send, the outcome — nothing is held open
    while the provider is talking (and on SQLite each write starts a transaction of its own, so a
    concurrent writer makes it wait instead of fail)."""
    at = at or now()
    if not _claim(session, notification.id, at, respect_backoff):
        session.refresh(notification)
        return False
    session.refresh(notification)
    attempt = _Attempt(notification.id, notification.channel, notification.event, notification.recipient,
                       notification.subject, notification.body, tuple(notification.attachments or ()),
                       notification.attempts, request_id=notification.request_id)
    session.commit()
    try:
        provider, reference = _send(attempt)
    except Exception as error:  # recorded on the message whatever it was, then raised as a delivery failure
        message = (str(error) if isinstance(error, DeliveryError) else f"{type(error).__name__}: {error}")[:2000]
        outcome = _after_failure(attempt.attempts, at)
        _record(session, attempt, last_error=message, **outcome)
        log.warning("%s %s to %s failed (attempt %d, %s): %s", attempt.channel, attempt.event, _logged(attempt),
                    attempt.attempts, outcome["status"], message)
        if isinstance(error, DeliveryError):
            raise
        raise DeliveryError(message) from error
    _record(session, attempt, status="sent", sent_on=now(), last_error="", next_attempt_on=None,
            provider=provider, provider_ref=reference or "")
    log.info("%s %s to %s sent (attempt %d)", attempt.channel, attempt.event, _logged(attempt), attempt.attempts)
    return True


def _logged(attempt: _Attempt) -> str:
    """The recipient as the log may name it: an applicant's phone masked (mail goes to staff addresses)."""
    return mask_phone(attempt.recipient) if attempt.channel == "sms" else attempt.recipient


def _record(session: Session, attempt: _Attempt, **values: Any) -> None:
    """The outcome of an attempt, and the state of the reminders a digest carries, in one transaction."""
    session.execute(update(Notification).where(Notification.id == attempt.id).values(**values)
                    .execution_options(synchronize_session=False))
    if attempt.event == "reminders":
        if values["status"] == "sent":
            status = MailStatus.SENT
        else:
            status = MailStatus.QUEUED if values.get("next_attempt_on") is not None else MailStatus.FAILED
        session.execute(update(Reminder).where(Reminder.notification_id == attempt.id)
                        .values(mail_status=status.value).execution_options(synchronize_session=False))
    session.commit()
    session.expire_all()


def queue_mail(session: Session, *, to: str, subject: str, body: str, event: str, language: str = "zh",
               user_id: int | None = None, case_id: int | None = None,
               attachments: list[dict[str, str]] | None = None) -> Notification:
    """A mail to send (added to the session; the caller commits it with whatever caused it)."""
    notification = Notification(channel="mail", event=event, recipient=to, subject=subject[:255], body=body,
                                language=language, user_id=user_id, case_id=case_id, provider="smtp",
                                status="pending", attempts=0, attachments=list(attachments or []))
    session.add(notification)
    return notification


def send_due_mail(session: Session, *, at: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Sends the mail that is due (new, or failed and past its wait); nothing unless mail is configured."""
    if not mail_enabled(current_app.config):
        return {"sent": 0, "failed": 0}
    return _send_due(session, "mail", at or now(), limit)


def send_due_messages(session: Session, *, at: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """The periodic sender (beat, every ``NOTIFY_SEND_SECONDS``): every SMS and mail that is due — new,
    failed and past its wait, or held by an attempt that died — gets its attempt. Parked messages wait
    for 重新发送."""
    at = at or now()
    counts = {f"sms_{k}": v for k, v in _send_due(session, "sms", at, limit).items()}
    counts.update({f"mail_{k}": v for k, v in send_due_mail(session, at=at, limit=limit).items()})
    return counts


def _send_due(session: Session, channel: str, at: datetime, limit: int) -> dict[str, int]:
    """One attempt at each due message of ``channel``. Stops at the first failure to reach the
    provider: the rest waits for the next run (their own schedule is untouched)."""
    counts = {"sent": 0, "failed": 0}
    due = session.scalars(select(Notification).where(Notification.channel == channel, _claimable(at, True))
                          .order_by(Notification.id).limit(limit)).all()
    session.commit()
    for notification in due:
        try:
            if deliver(session, notification, at=at, respect_backoff=True):
                counts["sent"] += 1
        except DeliveryError as error:
            counts["failed"] += 1
            if error.unreachable:
                break  # the provider is not reachable: no use trying the others now
    return counts


# --- parked messages ------------------------------------------------------------------------------


def parked_messages_count(session: Session) -> int:
    """How many messages are parked (their retry budget spent, waiting for 重新发送): the health
    check turns red on them."""
    return system.parked_messages(session)


def resend_parked(session: Session, reach: Reach, ids: list[int]) -> int:
    """重新发送: the parked messages ``ids`` are queued again (pending, their schedule started afresh,
    the last error kept) for the periodic sender. Each must be parked and within the scope of the
    message list; otherwise nothing is queued and NotFound (404) is raised, as for a missing id. The
    SMS keeps its request id, so a gateway that took it after all still sends it once."""
    wanted = set(ids)
    if any(as_record_id(i) is None for i in wanted):
        raise NotFound()  # an id no record can have (beyond the database's integers) is missing like any other
    found = session.scalars(select(Notification).where(
        Notification.id.in_(wanted), Notification.status == Notification.PARKED,
        criterion(Notification, reach, write=True))).all()
    if not wanted or len(found) != len(wanted):
        raise NotFound()
    session.execute(update(Notification).where(Notification.id.in_(wanted))
                    .values(status="pending", attempts=0, next_attempt_on=None)
                    .execution_options(synchronize_session=False))
    digests = [n.id for n in found if n.event == "reminders"]
    if digests:
        session.execute(update(Reminder).where(Reminder.notification_id.in_(digests))
                        .values(mail_status=MailStatus.QUEUED.value).execution_options(synchronize_session=False))
    session.commit()
    session.expire_all()
    log.info("parked messages queued again by user %s: %s", reach.user_id, sorted(wanted))
    return len(found)
