"""Messages to applicants (SMS at acceptance, correction needed, result ready, result mailed …).

Each message is a ``Notification`` row written once per outbox message and recipient, then handed to a
provider. The default provider ``log`` keeps the message in the database (visible to administrators)
and needs nothing outside the machine.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.base import now
from app.models.case import Case, Notification, OutboxMessage

#: the default texts (zh); {placeholders} are filled from the case
SMS_TEMPLATES = {
    "accepted": "【广元政务服务】{name}您好，您申请的“{matter}”已由{window}受理（代收），编号{number}，"
                "承诺办理时限{limit}个工作日。可凭编号和手机号查询办理进度。",
    "rejected": "【广元政务服务】{name}您好，您申请的“{matter}”不予受理（代收），原因已一次性书面告知，"
                "如有疑问请咨询{window}，电话{phone}。",
    "correction": "【广元政务服务】{name}您好，您申请的“{matter}”（编号{number}）需补正材料，"
                  "请按补正通知书一次性补齐后交{window}。咨询电话{phone}。",
    "result_ready": "【广元政务服务】{name}您好，您申请的“{matter}”（编号{number}）已办结，"
                    "{delivery}。咨询电话{phone}。",
    "delivered": "【广元政务服务】{name}您好，您申请的“{matter}”（编号{number}）办理结果已送达，"
                 "欢迎对本次服务作出评价。",
    "withdrawn": "【广元政务服务】{name}您好，您申请的“{matter}”（编号{number}）已按您的要求撤回。",
}


def _fill(event: str, case: Case) -> str:
    window = case.origin_center if not case.origin_center.external else case.home_center
    delivery = ("结果将邮寄至您预留的地址" if case.delivery_method == "mail"
                else f"请携带有效证件到{window.name}领取")
    return SMS_TEMPLATES[event].format(
        name=case.applicant_name, matter=case.matter.name, number=case.number or "", window=window.name,
        phone=window.phone, limit=case.guide.content.get("promised_limit_days", ""), delivery=delivery)


def notify_applicant(session: Session, message: OutboxMessage) -> Notification | None:
    """Writes (once) and sends the SMS of ``message`` through the configured provider."""
    case = session.get(Case, message.case_id)
    if case is None or message.key not in SMS_TEMPLATES:
        return None
    existing = session.scalar(select(Notification).where(Notification.outbox_id == message.id,
                                                         Notification.channel == "sms"))
    if existing is not None and existing.status == "sent":
        return existing
    notification = existing or Notification(outbox_id=message.id, case_id=case.id, channel="sms",
                                            event=message.key, recipient=case.applicant_phone,
                                            body=_fill(message.key, case), provider="log", attempts=0)
    session.add(notification)
    notification.attempts += 1
    # The "log" provider delivers by keeping the message; HTTP gateways plug in here.
    notification.status, notification.sent_on = "sent", now()
    return notification
