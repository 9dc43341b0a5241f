"""The printed notices of a case: a frozen *document context* built from the case, then a PDF.

Seven kinds (``NOTICE_KINDS``):

* ``acceptance`` — 广元市政务服务“跨域通办”受理(代收)通知书 (附件1), 一式三份: 申请人联, 受理(代收)部门联,
  属地办理部门联;
* ``correction`` — 广元市政务服务“跨域通办”补正通知书 (附件2), 一式二份: 申请人联, 属地办理部门联;
* ``rejection`` — 广元市政务服务“跨域通办”不予受理(代收)告知书, 一式二份: 申请人联, 受理(代收)部门联;
* ``special_procedure`` — 广元市政务服务“跨域通办”特别程序告知书 (行政许可法第四十五条), 一式二份: 申请人联,
  属地办理部门联: which procedure, why, from when and for how many working days (not counted in the limit),
  the expected due day;
* ``extension`` — 广元市政务服务“跨域通办”延期办理告知书 (行政许可法第四十二条), 一式二份: why, who approved,
  how many working days, the due day before and after;
* ``deferral`` — 广元市政务服务“跨域通办”容缺受理告知承诺书, 一式二份: 申请人联, 窗口留存联: the non-key
  materials accepted 容缺, each with the day the applicant promised to supply it by, the applicant's promise
  and what follows if it is broken, signed by the applicant and the accepting clerk;
* ``receipt`` — 广元市政务服务“跨域通办”材料接收回执, 一式三份: what our window issues for a case an outside
  window accepted and mailed to us (inbound). It records the outside window's acceptance (its clerk, date and
  number, as on its notice) and our receiving of the parcel; it is no acceptance notice in another office's name.

``acceptance_context(case)``, ``correction_context(case, correction)`` and ``rejection_context(case)``
read everything the notice prints from the case (and its frozen guide version, its history; the app's
COMPLAINT_PHONE for a guide without a hotline) into a frozen dataclass of plain values;
``render_notice(kind, context)`` turns that into PDF bytes without a database, an app or a request.
The same context always gives the same PDF, byte for byte.
``context_to_dict`` / ``context_from_dict`` carry a context through JSON (a job queue, an archive).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from flask import current_app

from app.documents.render import DEFAULT_AUTHOR, Metadata, qr_data_uri, render_pdf
from app.domain.workflow import StepName

FORM_LABELS = {"original": "原件", "copy": "复印件", "scan": "扫描件"}
#: 特别程序 as the notice names them (行政许可法第四十五条, and 公示); keys: ``workflow.SPECIAL_PROCEDURES``
PROCEDURE_NAMES = {"hearing": "听证", "tender": "招标", "auction": "拍卖", "testing": "检验", "inspection": "检测",
                   "quarantine": "检疫", "appraisal": "鉴定", "expert_review": "专家评审", "public_notice": "公示"}


# --- contexts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialLine:
    """One row of 接收材料."""

    seq: int
    name: str
    copies: int
    form: str  # 原件 / 复印件 / 扫描件, as printed


@dataclass(frozen=True)
class AcceptanceContext:
    """Everything 附件1 prints, in its order."""

    number: str
    applied_on: date
    matter_name: str
    applicant_name: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    applicant_postcode: str
    window_name: str  # 受理(代收)部门
    application_count: int
    accepted_on: date | None
    accepted_by: str
    consult: str
    legal_limit_days: int | None
    promised_limit_days: int | None
    fee_note: str
    complaint_phone: str
    materials: tuple[MaterialLine, ...]
    delivery_method: str  # pickup / mail
    mail_address: str
    remarks: str
    issuer: str = DEFAULT_AUTHOR  # the PDF's author
    #: 属地办理部门: the department that will decide, and its phone (printed on a line of its own, so the
    #: applicant and the receiving window know whom the case is waiting for; empty in notices stored before)
    home_department: str = ""
    home_department_phone: str = ""
    #: the short link of the case's progress page (办件查询): the QR code encodes it, captioned 扫码查询办理进度
    #: (empty in notices stored before: the QR code then holds the case number)
    progress_link: str = ""
    #: 补充信息: (label, value) of the matter's extra fields the case answered (issue 15 item 3), printed as
    #: rows of 申请信息 (empty in notices stored before)
    extra_info: tuple[tuple[str, str], ...] = ()

    kind = "acceptance"


@dataclass(frozen=True)
class CorrectionItem:
    name: str
    reason: str


@dataclass(frozen=True)
class CorrectionContext:
    """Everything 附件2 prints."""

    number: str
    round: int
    applicant_name: str
    received_on: date | None  # 本部门于…收到
    matter_name: str
    materials_summary: str  # …的 <材料> 等材料
    items: tuple[CorrectionItem, ...]
    department_name: str  # full name
    handler: str  # 经办人
    phone: str
    requested_on: date

    kind = "correction"


@dataclass(frozen=True)
class RejectionContext:
    """不予受理(代收)告知书: every reason at once, and what the applicant can do."""

    number: str
    applicant_name: str
    applicant_phone: str
    applied_on: date
    matter_name: str
    handling_type: str
    window_name: str
    reasons: tuple[str, ...]
    decided_on: date | None
    handler: str
    consult: str
    complaint_phone: str
    home_name: str = ""  # the region/window the matter belongs to, for the explanation

    kind = "rejection"


@dataclass(frozen=True)
class ReceiptContext:
    """材料接收回执: our window received the parcel of a case an outside window accepted (inbound)."""

    number: str  # ours, drawn when the acceptance was recorded
    applied_on: date
    matter_name: str
    handling_type: str
    applicant_name: str
    applicant_phone: str
    sender_name: str  # the outside window that accepted the case and mailed it
    sender_number: str  # its number, as on its acceptance notice
    accepted_on: date | None
    accepted_by: str  # its clerk, as on its acceptance notice
    window_name: str  # our (home) window
    window_phone: str
    received_on: date | None
    received_by: str  # our clerk who signed for the parcel
    department_name: str
    department_phone: str
    promised_limit_days: int | None
    materials: tuple[MaterialLine, ...]
    delivery_method: str
    mail_address: str
    remarks: str
    issuer: str = DEFAULT_AUTHOR

    kind = "receipt"


@dataclass(frozen=True)
class SpecialProcedureContext:
    """特别程序告知书: the department stops the clock for a procedure of Art. 45."""

    number: str
    applicant_name: str
    applied_on: date
    matter_name: str
    procedure: str  # 听证 / 检验 / …, as printed
    reason: str  # as the department stated it (without its closing full stop: the sentence goes on)
    started_on: date  # also the day of the notice
    expected_days: int
    expected_due: date | None  # the due day if the procedure takes its expected length
    department_name: str
    handler: str  # 经办人: who started the procedure
    phone: str  # the department's

    kind = "special_procedure"


@dataclass(frozen=True)
class ExtensionContext:
    """延期办理告知书: the approving head lengthened the limit (Art. 42)."""

    number: str
    applicant_name: str
    applied_on: date
    matter_name: str
    reason: str  # as the department stated it (without its closing full stop)
    days: int  # granted
    approver: str  # 本行政机关负责人
    approved_on: date | None  # also the day of the notice
    due_before: date | None  # the due day without this extension
    new_due: date | None  # the due day with it
    department_name: str
    handler: str  # 经办人: who asked for the extension
    phone: str

    kind = "extension"


@dataclass(frozen=True)
class DeferredLine:
    """One row of the materials accepted 容缺: what is missing and the day the applicant promised it by."""

    seq: int
    name: str
    until: date


@dataclass(frozen=True)
class DeferralContext:
    """容缺受理告知承诺书: the window accepted with non-key materials missing, against the applicant's promise."""

    number: str
    applicant_name: str
    applied_on: date
    matter_name: str
    items: tuple[DeferredLine, ...]
    window_name: str  # 受理窗口
    accepted_by: str  # 受理人: the clerk who accepted
    phone: str  # the window's
    accepted_on: date | None  # also the day of the notice

    kind = "deferral"


NoticeContext = (AcceptanceContext | CorrectionContext | RejectionContext | ReceiptContext | SpecialProcedureContext
                 | ExtensionContext | DeferralContext)


@dataclass(frozen=True)
class NoticeKind:
    name: str
    title: str
    template: str
    copies: tuple[str, ...]
    context_type: type
    footnote: str = field(default="")


NOTICE_KINDS: dict[str, NoticeKind] = {
    k.name: k
    for k in (
        NoticeKind("acceptance", "广元市政务服务“跨域通办”受理(代收)通知书", "acceptance.html",
                   ("第一联　申请人联", "第二联　受理(代收)部门联", "第三联　属地办理部门联"), AcceptanceContext,
                   "注：本通知书一式三份，申请人、受理(代收)部门、属地办理部门各一份。"),
        NoticeKind("receipt", "广元市政务服务“跨域通办”材料接收回执", "receipt.html",
                   ("第一联　寄件(受理)窗口联", "第二联　接收窗口联", "第三联　属地办理部门联"), ReceiptContext,
                   "注：本回执一式三份，寄件(受理)窗口、接收窗口、属地办理部门各一份。"),
        NoticeKind("correction", "广元市政务服务“跨域通办”补正通知书", "correction.html",
                   ("第一联　申请人联", "第二联　属地办理部门联"), CorrectionContext,
                   "注：本通知一式二份，申请人、属地办理部门（单位）各一份。"),
        NoticeKind("rejection", "广元市政务服务“跨域通办”不予受理(代收)告知书", "rejection.html",
                   ("第一联　申请人联", "第二联　受理(代收)部门联"), RejectionContext,
                   "注：本告知书一式二份，申请人、受理(代收)部门各一份。"),
        NoticeKind("special_procedure", "广元市政务服务“跨域通办”特别程序告知书", "special_procedure.html",
                   ("第一联　申请人联", "第二联　属地办理部门联"), SpecialProcedureContext,
                   "注：本告知书一式二份，申请人、属地办理部门（单位）各一份。"),
        NoticeKind("extension", "广元市政务服务“跨域通办”延期办理告知书", "extension.html",
                   ("第一联　申请人联", "第二联　属地办理部门联"), ExtensionContext,
                   "注：本告知书一式二份，申请人、属地办理部门（单位）各一份。"),
        NoticeKind("deferral", "广元市政务服务“跨域通办”容缺受理告知承诺书", "deferral.html",
                   ("第一联　申请人联", "第二联　窗口留存联"), DeferralContext,
                   "注：本告知承诺书一式二份，申请人、受理窗口各一份。"),
    )
}


# --- from a case ---------------------------------------------------------------------------------


def _guide(case) -> Mapping[str, Any]:
    return (case.guide.content if case.guide is not None else None) or {}


def _complaint_phone(guide: Mapping[str, Any]) -> str:
    """The guide's complaint hotline; the installation's (COMPLAINT_PHONE) for a guide without one."""
    return guide.get("complaint_phone") or current_app.config["COMPLAINT_PHONE"]


def _event_actor(case, action: str) -> str:
    """Who took ``action`` on the case, as the history recorded it (the name at the time)."""
    for event in reversed(list(case.events)):
        if event.action == action and event.actor_name:
            return event.actor_name
    return ""


def _staff_name(case, user_id: int | None) -> str:
    if user_id is None:
        return ""
    from sqlalchemy.orm import object_session

    from app.models.staff import StaffUser

    session = object_session(case)
    user = session.get(StaffUser, user_id) if session is not None else None
    return user.name if user is not None else ""


def _consult(case, guide: Mapping[str, Any]) -> str:
    """咨询方式: the receiving window's phone and hours, and the matter's own consultation line."""
    center = case.origin_center
    window_phone = (center.phone if center else "") or ""
    matter_phone = (guide.get("consult_phone") or "").strip()
    phones = []
    if window_phone:
        phones.append(f"{window_phone}（受理窗口）")
    if matter_phone and matter_phone != window_phone:
        phones.append(f"{matter_phone}（事项咨询）")
    text = "、".join(phones)
    hours = (center.hours if center else "") or ""
    if hours:
        text = f"{text}；{hours}" if text else hours
    return text


def _department_name(case) -> str:
    return case.department.name if case.department is not None else (case.department_name or "")


def _department_phone(case) -> str:
    """The deciding department's phone; for a department outside the system (typed by name), or one
    without a phone, the home window's, which relays to it."""
    department = case.department
    phone = (department.phone if department is not None else "") or ""
    if not phone and case.home_center is not None:
        phone = case.home_center.phone or ""
    return phone


def _mail_address(case) -> str:
    if case.delivery_method != "mail":
        return ""
    parts = [case.mail_address.strip()]
    recipient = (case.mail_recipient or case.applicant_name).strip()
    if recipient:
        parts.append(f"{recipient}（收）")
    phone = (case.mail_phone or "").strip()
    if phone:
        parts.append(phone)
    if case.mail_postcode:
        parts.append(f"邮编 {case.mail_postcode}")
    return "，".join(p for p in parts if p)


def _form_label(material) -> str:
    label = FORM_LABELS.get(material.form, material.form)
    if material.form != "original" and material.verified:
        label += "（已核原件）"
    return label


def acceptance_context(case, progress_link: str = "",
                       extra_info: Iterable[tuple[str, str]] = ()) -> AcceptanceContext:
    """附件1 for an accepted case (the materials printed are the ones received); ``progress_link``: the case's
    progress page, which the QR code then holds (the services know the link; the documents do not);
    ``extra_info``: the (label, value) rows of the case's extra fields, as the services read them."""
    guide = _guide(case)
    received = [m for m in sorted(case.materials, key=lambda m: m.seq) if m.received]
    window = case.origin_center
    return AcceptanceContext(
        number=case.number or "",
        applied_on=case.applied_on,
        matter_name=guide.get("name") or case.matter.name,
        applicant_name=case.applicant_name,
        applicant_phone=case.applicant_phone,
        applicant_email=case.applicant_email or "",
        applicant_address=case.applicant_address or "",
        applicant_postcode=case.applicant_postcode or "",
        window_name=window.name if window else "",
        application_count=1,
        accepted_on=case.accepted_on,
        accepted_by=_event_actor(case, StepName.ACCEPT) or _staff_name(case, case.accepted_by_fk),
        consult=_consult(case, guide),
        legal_limit_days=guide.get("legal_limit_days"),
        promised_limit_days=guide.get("promised_limit_days"),
        fee_note=case.fee_note or guide.get("fee_note") or "不收费",
        complaint_phone=_complaint_phone(guide),
        materials=tuple(MaterialLine(seq=i, name=m.name, copies=m.copies, form=_form_label(m))
                        for i, m in enumerate(received, start=1)),
        delivery_method=case.delivery_method,
        mail_address=_mail_address(case),
        remarks=case.remarks or "",
        issuer=window.name if window else DEFAULT_AUTHOR,
        home_department=_department_name(case),
        home_department_phone=_department_phone(case),
        progress_link=progress_link,
        extra_info=tuple(extra_info),
    )


#: the caption under a QR code that holds the progress link
QR_PROGRESS_CAPTION = "扫码查询办理进度"


def _received_materials(case) -> tuple[MaterialLine, ...]:
    received = [m for m in sorted(case.materials, key=lambda m: m.seq) if m.received]
    return tuple(MaterialLine(seq=i, name=m.name, copies=m.copies, form=_form_label(m))
                 for i, m in enumerate(received, start=1))


def _materials_received_on(case) -> date | None:
    """接收日期: the day our window signed for the parcel of materials (entered in 接收登记); a case recorded
    before that, its parcel signed for later or never: that day, or the day it was registered."""
    received = [s.received_on for s in case.shipments if s.direction == "materials" and s.received_on]
    if received:
        return min(received)
    return case.registered_on.date() if case.registered_on else None


def receipt_context(case) -> ReceiptContext:
    """材料接收回执 for an inbound case: the outside window's acceptance as it recorded it, our receiving."""
    guide = _guide(case)
    sender, window, department = case.origin_center, case.home_center, case.department
    return ReceiptContext(
        number=case.number or "",
        applied_on=case.applied_on,
        matter_name=guide.get("name") or case.matter.name,
        handling_type=case.handling_type.name if case.handling_type is not None else "",
        applicant_name=case.applicant_name,
        applicant_phone=case.applicant_phone,
        sender_name=sender.name,
        sender_number=case.counterpart_number or "",
        accepted_on=case.accepted_on,
        accepted_by=case.counterpart_accepted_by or "",
        window_name=window.name,
        window_phone=window.phone or "",
        received_on=_materials_received_on(case),
        # who recorded the receipt (接收登记); a case recorded before that step existed: who registered it
        received_by=(_event_actor(case, StepName.ACCEPT) or _staff_name(case, case.accepted_by_fk)
                     or _event_actor(case, "register")),
        department_name=_department_name(case),
        department_phone=(department.phone if department is not None else "") or "",
        promised_limit_days=guide.get("promised_limit_days"),
        materials=_received_materials(case),
        delivery_method=case.delivery_method,
        mail_address=_mail_address(case),
        remarks=case.remarks or "",
        issuer=window.name,
    )


def correction_context(case, correction) -> CorrectionContext:
    """附件2 for one round of correction of the case."""
    guide = _guide(case)
    received = [m.name for m in sorted(case.materials, key=lambda m: m.seq) if m.received]
    return CorrectionContext(
        number=case.number or "",
        round=correction.round,
        applicant_name=case.applicant_name,
        received_on=correction.materials_received_on or case.accepted_on,
        matter_name=guide.get("name") or case.matter.name,
        materials_summary="、".join(received[:3]),
        items=tuple(CorrectionItem(name=i.name, reason=i.reason) for i in sorted(correction.items, key=lambda i: i.seq)),
        department_name=_department_name(case),
        handler=correction.requested_by_name or _staff_name(case, correction.requested_by_fk),
        phone=_department_phone(case),
        requested_on=correction.requested_on,
    )


def rejection_context(case) -> RejectionContext:
    """不予受理(代收)告知书 for a declined case: one reason per line of ``closed_reason``."""
    guide = _guide(case)
    home = case.home_center
    home_name = ""
    if home is not None:
        home_name = home.region.full_name if home.region is not None else home.name
    return RejectionContext(
        number=case.number or "",
        applicant_name=case.applicant_name,
        applicant_phone=case.applicant_phone,
        applied_on=case.applied_on,
        matter_name=guide.get("name") or case.matter.name,
        handling_type=case.handling_type.name if case.handling_type is not None else "",
        window_name=case.origin_center.name if case.origin_center else "",
        reasons=tuple(line.strip() for line in (case.closed_reason or "").splitlines() if line.strip()),
        decided_on=case.decided_on,
        handler=_event_actor(case, StepName.REJECT),
        consult=_consult(case, guide),
        complaint_phone=_complaint_phone(guide),
        home_name=home_name,
    )


def _clause(text: str) -> str:
    """A reason as a clause inside a sentence: without its closing punctuation."""
    return (text or "").strip().rstrip("。．.；;，,、 ")


def special_procedure_context(case, segment, expected_due: date | None) -> SpecialProcedureContext:
    """特别程序告知书 of one special procedure of the case (a ``ClockSegment``); ``expected_due``: the due day
    if it takes its expected length, as the clock read it the day it began (the services compute it)."""
    guide = _guide(case)
    return SpecialProcedureContext(
        number=case.number or "",
        applicant_name=case.applicant_name,
        applied_on=case.applied_on,
        matter_name=guide.get("name") or case.matter.name,
        procedure=PROCEDURE_NAMES.get(segment.procedure, segment.procedure),
        reason=_clause(segment.reason),
        started_on=segment.started_on,
        expected_days=segment.days,
        expected_due=expected_due,
        department_name=_department_name(case),
        handler=segment.requested_by_name or _staff_name(case, segment.requested_by_fk),
        phone=_department_phone(case),
    )


def extension_context(case, segment, due_before: date | None, new_due: date | None) -> ExtensionContext:
    """延期办理告知书 of one approved extension of the case (a ``ClockSegment``); the due days without and with
    it, as the clock read them the day it was approved (the services compute them)."""
    guide = _guide(case)
    return ExtensionContext(
        number=case.number or "",
        applicant_name=case.applicant_name,
        applied_on=case.applied_on,
        matter_name=guide.get("name") or case.matter.name,
        reason=_clause(segment.reason),
        days=segment.days,
        approver=segment.decided_by_name or _staff_name(case, segment.decided_by_fk),
        approved_on=segment.decided_on,
        due_before=due_before,
        new_due=new_due,
        department_name=_department_name(case),
        handler=segment.requested_by_name or _staff_name(case, segment.requested_by_fk),
        phone=_department_phone(case),
    )


def deferral_context(case) -> DeferralContext:
    """容缺受理告知承诺书 of a case accepted with materials deferred (容缺): each with its promised day, as
    recorded at acceptance (a material supplied since stays on it: the notice is what was promised)."""
    guide = _guide(case)
    deferred = [m for m in sorted(case.materials, key=lambda m: m.seq) if m.deferred_until is not None]
    window = case.origin_center
    return DeferralContext(
        number=case.number or "",
        applicant_name=case.applicant_name,
        applied_on=case.applied_on,
        matter_name=guide.get("name") or case.matter.name,
        items=tuple(DeferredLine(seq=i, name=m.name, until=m.deferred_until)
                    for i, m in enumerate(deferred, start=1)),
        window_name=window.name if window else "",
        accepted_by=_event_actor(case, StepName.ACCEPT) or _staff_name(case, case.accepted_by_fk),
        phone=(window.phone if window else "") or "",
        accepted_on=case.accepted_on,
    )


# --- to PDF --------------------------------------------------------------------------------------


def notice_metadata(kind: NoticeKind, context: NoticeContext) -> Metadata:
    """The document properties of a notice: its title, the issuing window or department, the matter
    and the case number."""
    if isinstance(context, (CorrectionContext, SpecialProcedureContext, ExtensionContext)):
        author = context.department_name or DEFAULT_AUTHOR
    elif isinstance(context, (AcceptanceContext, ReceiptContext)):
        author = context.issuer or DEFAULT_AUTHOR
    else:
        author = context.window_name or DEFAULT_AUTHOR
    subject = f"{context.matter_name}（编号 {context.number}）" if context.number else context.matter_name
    return Metadata(title=kind.title, author=author, subject=subject, keywords=context.number)


def render_notice(kind: str, context: NoticeContext) -> bytes:
    """The notice ``kind`` (see ``NOTICE_KINDS``) of ``context`` as PDF bytes, every copy one page."""
    spec = NOTICE_KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notice kind {kind!r}; one of {', '.join(NOTICE_KINDS)}")
    if not isinstance(context, spec.context_type):
        raise TypeError(f"a {kind} notice needs a {spec.context_type.__name__}, not {type(context).__name__}")
    values = {
        "n": context,
        "title": spec.title,
        "copies": spec.copies,
        "footnote": spec.footnote,
        "qr": qr_data_uri(context.number) if context.number else "",
        "qr_caption": "",
    }
    if getattr(context, "progress_link", ""):  # the applicant scans it to see the progress (issue 13)
        values["qr"], values["qr_caption"] = qr_data_uri(context.progress_link), QR_PROGRESS_CAPTION
    return render_pdf(spec.template, values, notice_metadata(spec, context))


def notice_text(context: NoticeContext) -> str:
    """All the text a context puts on paper (to check it with ``fonts.missing_glyphs`` first)."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)

    walk(context)
    return "\n".join(parts)


# --- through JSON --------------------------------------------------------------------------------


def context_to_dict(context: NoticeContext) -> dict[str, Any]:
    """The context as JSON-ready data (dates as ISO strings), with its kind."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return value

    return {"kind": context.kind, **plain(context)}


def context_from_dict(data: Mapping[str, Any]) -> NoticeContext:
    """The inverse of :func:`context_to_dict`."""
    data = dict(data)
    spec = NOTICE_KINDS[data.pop("kind")]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(spec.context_type):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in ("applied_on", "accepted_on", "received_on", "requested_on", "decided_on", "started_on",
                      "expected_due", "approved_on", "due_before", "new_due") and value:
            value = date.fromisoformat(value)
        elif f.name == "materials":
            value = tuple(MaterialLine(**m) for m in value)
        elif f.name == "items" and spec.context_type is DeferralContext:
            value = tuple(DeferredLine(**(i | {"until": date.fromisoformat(i["until"])})) for i in value)
        elif f.name == "items":
            value = tuple(CorrectionItem(**i) for i in value)
        elif f.name == "reasons":
            value = tuple(value)
        elif f.name == "extra_info":
            value = tuple((str(label), str(text)) for label, text in value)
        values[f.name] = value
    return spec.context_type(**values)


__all__ = [
    "AcceptanceContext", "CorrectionContext", "CorrectionItem", "DeferralContext", "DeferredLine", "ExtensionContext",
    "MaterialLine", "NOTICE_KINDS",
    "NoticeKind", "PROCEDURE_NAMES", "ReceiptContext", "RejectionContext", "SpecialProcedureContext",
    "acceptance_context", "context_from_dict", "context_to_dict", "correction_context", "deferral_context",
    "extension_context",
    "notice_text", "receipt_context", "rejection_context", "render_notice", "special_procedure_context",
]
