"""How stored codes read to people: one table per code set, zh first (the default), en through the
language menu. The one label module: views, APIs, services and documents all read their words here.

The names and help texts of the steps live in the transition table (``app.domain.workflow``, marked
with ``N_``) and are translated here; the table stays free of Flask.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.domain.privacy import AccessKind
from app.domain.workflow import TRANSITIONS
from app.models.exports import ExportStatus


def label(table: Mapping[str, Any], value: Any) -> str:
    return str(table.get(value, value if value is not None else ""))


def choices(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return list(table.items())


def joined(values: Any) -> str:
    """A list in running text: 跨省通办、川渝通办 in Chinese, "a, b" in English (the 顿号 is Chinese punctuation)."""
    locale = get_locale() if has_request_context() else None
    separator = "、" if locale is None or locale.language == "zh" else ", "
    return separator.join(str(v) for v in values or [])


def role_names(roles: Any) -> str:
    return joined(label(ROLE_LABELS, role.name) for role in roles or [])


# --- cases and their steps ---

#: the system's name in the navbar and the page titles, in the user's language (config.APP_NAME is the Chinese
#: name for what has no request, such as mail)
APP_TITLE = _l("Guangyuan cross-region government service system")
STATUS_LABELS = {
    "draft": _l("Registered"), "accepted": _l("Accepted"), "precheck": _l("In pre-check"),
    "precheck_fix": _l("Pre-check corrections asked"), "rejected": _l("Declined"), "in_transit": _l("In transit"),
    "received": _l("Received"), "processing": _l("Processing"), "correction": _l("Awaiting correction"),
    "supplement_sent": _l("Supplement on its way"), "in_procedure": _l("In special procedure"),
    "extension_asked": _l("Extension awaiting approval"),
    "completed": _l("Completed"), "result_sent": _l("Result on its way to the window"), "delivered": _l("Delivered"),
    "archived": _l("Archived"), "withdrawn": _l("Withdrawn"),
}
#: the steps' names and help on a case of ours; on a case an outside window accepted and mailed to us
#: (inbound) a step may be a different act of our window: ask ``step_label``/``step_help`` with the case
TRANSITION_LABELS = {name: _l(transition.label) for name, transition in TRANSITIONS.items()}
STEP_HELP = {name: _l(transition.help) for name, transition in TRANSITIONS.items()}
_INBOUND_LABELS = {name: _l(t.label_for(inbound=True)) for name, t in TRANSITIONS.items()}
_INBOUND_HELP = {name: _l(t.help_for(inbound=True)) for name, t in TRANSITIONS.items()}
#: what the history shows for each event: the steps, and the changes of a draft
EVENT_LABELS = {**TRANSITION_LABELS, "register": _l("Register"), "update": _l("Draft changed"),
                "message": _l("Message"), "supply_deferred": _l("Deferred material supplied"),
                "precheck_timeout": _l("Pre-check timed out: the materials are sent as they are")}


def _inbound(case: Any) -> bool:
    return bool(case is not None and getattr(case, "inbound", False))


def step_label(name: str, case: Any = None) -> Any:
    """What the step ``name`` is called on ``case`` (translated when shown): the one answer for buttons,
    forms, the history, the queue, messages and the API (an inbound case's accept is 接收登记, not 受理(代收))."""
    return (_INBOUND_LABELS if _inbound(case) else TRANSITION_LABELS).get(name, name)


def step_help(name: str, case: Any = None) -> Any:
    return (_INBOUND_HELP if _inbound(case) else STEP_HELP).get(name, "")


def event_label(action: str, case: Any = None) -> Any:
    """A history event's name: a step as ``step_label`` calls it on the case, or register/update/message."""
    return step_label(action, case) if action in TRANSITIONS else EVENT_LABELS.get(action, action)
#: the sides of a case, as a message names them (@受理窗口 …)
SIDE_LABELS = {"origin_window": _l("Accepting window"), "home_window": _l("Home window"),
               "department": _l("Handling department")}
NOTICE_LABELS = {"acceptance": _l("Acceptance notice"), "correction": _l("Correction notice"),
                 "rejection": _l("Notice of decline"), "receipt": _l("Receipt of materials"),
                 "special_procedure": _l("Notice of special procedure"), "extension": _l("Notice of extension"),
                 "deferral": _l("Deferred-material promise")}
WARNING_LABELS = {"none": _l("On time"), "yellow": _l("Due soon"), "red": _l("Overdue")}
RESULT_LABELS = {"approved": _l("Approved"), "denied": _l("Denied")}
#: 特别程序 (Administrative Licensing Law Art. 45, and 公示)
SPECIAL_PROCEDURE_LABELS = {"hearing": _l("Hearing"), "tender": _l("Tender"), "auction": _l("Auction"),
                            "testing": _l("Testing"), "inspection": _l("Inspection"), "quarantine": _l("Quarantine"),
                            "appraisal": _l("Appraisal"), "expert_review": _l("Expert review"),
                            "public_notice": _l("Public notice")}
EXTENSION_DECISIONS = {"requested": _l("Awaiting approval"), "approved": _l("Approved"), "refused": _l("Refused")}
#: how a round of the remote pre-check (远程预审) ended ("" while the department has it)
PRECHECK_OUTCOMES = {"": _l("With the department"), "passed": _l("Pre-check passed"),
                     "corrections": _l("Corrections asked"), "timed_out": _l("Not answered in time: sent as it was")}
#: the clock's reasons and stretches (the timeline on the case page)
CLOCK_REASONS = {"correction": _l("Correction"), "special_procedure": _l("Special procedure"),
                 "extension": _l("Extension")}
CLOCK_SEGMENTS = {"running": _l("Clock running"), "stopped": _l("Stopped"), "extended": _l("Extended")}
#: the words of a choice field of a step, by the field's name
CHOICE_LABELS = {"result": RESULT_LABELS, "procedure": SPECIAL_PROCEDURE_LABELS}
DELIVERY_LABELS = {"pickup": _l("Pick up at the window"), "mail": _l("By mail")}
APPLICANT_KINDS = {"person": _l("Natural person"), "organisation": _l("Legal person or other organisation")}
ID_TYPES = {"resident_id": _l("Resident ID card"), "uscc": _l("Unified social credit code"),
            "other": _l("Other identity document")}
SHIPMENT_DIRECTIONS = {"materials": _l("Application materials"), "supplement": _l("Supplemented materials"),
                       "result": _l("Result to the applicant"), "result_to_window": _l("Result to the window")}
#: labels of the fields that steps take (FieldSpec names of the transition table)
STEP_FIELD_LABELS = {
    "verified": _l("Originals verified"),
    "deferred": _l("Accepted 容缺 against a written promise"),
    "material": _l("Material"),
    "deferred_until": _l("Promised by"),
    "scan": _l("Scan"),
    "accepted_on": _l("Accepted by the outside window on"),
    "counterpart_accepted_by": _l("Accepted at the outside window by"),
    "note": _l("Note"),
    "reasons": _l("Reasons for declining"),
    "carrier": _l("Courier"),
    "waybill_number": _l("Waybill number"),
    "sent_on": _l("Sent on"),
    "received_on": _l("Received on"),
    "items": _l("Items to correct"),
    "supplied_on": _l("Supplied on"),
    "supplied": _l("Items supplied"),
    "result": _l("Result"),
    "result_note": _l("Result note"),
    "result_received_on": _l("Result arrived at the window on"),
    "delivered_on": _l("Delivered on"),
    "reason": _l("Reason"),
    "result_documents": _l("Result documents"),
    "mail_recipient": _l("Recipient"),
    "mail_phone": _l("Recipient's phone"),
    "mail_address": _l("Mailing address"),
    "mail_postcode": _l("Postcode of the mailing address"),
    "procedure": _l("Special procedure"),
    "expected_days": _l("Expected length (working days)"),
    "started_on": _l("Started on"),
    "ended_on": _l("Ended on"),
    "outcome": _l("Outcome"),
    "days": _l("Working days"),
}


# --- organisation, catalog, staff, calendar ---

REGION_LEVELS = {
    "province": _l("Province"),
    "city": _l("City"),
    "county": _l("County/district"),
    "township": _l("Township/street"),
}
CENTER_KINDS = {"center": _l("Government service center"), "station": _l("Convenience service center/station")}
MATTER_STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "retired": _l("Retired")}
MATERIAL_FORMS = {"original": _l("Original"), "copy": _l("Copy"), "scan": _l("Scan")}
#: kinds of the extra fields a matter asks at registration (补充信息, issue 15 item 3)
FIELD_KINDS = {
    "text": _l("Free text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "choice": _l("Choice"),
    "yes_no": _l("Yes or no"),
    "id_number": _l("Resident ID number"),
    "phone": _l("Phone"),
    "address": _l("Address"),
}
ROLE_LABELS = {
    "Admin": _l("System administrator"),
    "CitySupervisor": _l("City supervisor"),
    "CountyAdmin": _l("County administrator"),
    "WindowClerk": _l("Window clerk"),
    "DepartmentOfficer": _l("Department officer"),
    "CityDepartment": _l("City department"),
    "Approver": _l("Approving head"),
    "Public": _l("Public"),
}
CALENDAR_SOURCES = {"chinesecalendar": _l("chinesecalendar package"), "import": _l("Imported file"),
                    "manual": _l("Entered by hand")}


# --- courier ---

BOOKING_STATUSES = {"planned": _l("Not booked yet"), "booked": _l("Booked"), "failed": _l("Booking refused"),
                    "cancelled": _l("Cancelled")}
TRACKING_STATUSES = {"": _l("No tracking yet"), "in_transit": _l("On its way"), "delivered": _l("Delivered by the courier"),
                     "exception": _l("Held by the courier"), "returned": _l("Returned to the sender")}
COURIER_PROVIDERS = {"manual": _l("Waybill typed by the clerk"), "http": _l("Courier API")}
BOOKING_WARNINGS = {"none": _l("On time"), "yellow": _l("Book today"), "red": _l("Not booked in time")}


# --- exports ---

EXPORT_STATUSES = {
    ExportStatus.QUEUED: _l("Queued"),
    ExportStatus.RUNNING: _l("Running"),
    ExportStatus.DONE: _l("Ready"),
    ExportStatus.FAILED: _l("Failed"),
    ExportStatus.EXPIRED: _l("Expired"),
}
EXPORT_SUBJECTS = {"ledger": _l("Work ledger"), "audit": _l("Audit export")}


# --- reminders, messages, reports ---

STAGE_LABELS = {"dispatch": _l("Dispatch of the materials"), "process": _l("Processing"),
                "delivery": _l("Delivery of the result"), "promise": _l("Deferred material promised"),
                "precheck": _l("Remote pre-check"), "rectify": _l("Rectification of a poor rating")}
LEVEL_LABELS = {"yellow": _l("Yellow: near its due day"), "red": _l("Red: overdue")}
REMINDER_KINDS = {"reminder": _l("Reminder"), "escalation": _l("Escalation"),
                  "promise": _l("Promise overdue"), "precheck": _l("Scans to pre-check"),
                  "rectification": _l("Rectification due")}
MAIL_STATUSES = {"off": _l("No mail"), "pending": _l("To be mailed"), "queued": _l("Mail queued"),
               "sent": _l("Mailed"), "failed": _l("Mail failed"), "skipped": _l("Not mailed (resolved)")}
CHANNEL_LABELS = {"sms": _l("SMS"), "mail": _l("Mail")}
MESSAGE_STATUSES = {"pending": _l("Pending"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed"),
                    "parked": _l("Not sent: waiting to be sent again")}
LANGUAGE_LABELS = {"zh": "中文", "en": "English"}
REPORT_KINDS = {"weekly": _l("Weekly"), "monthly": _l("Monthly"), "custom": _l("On demand")}
REPORT_REQUEST_STATUSES = {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Ready"),
                           "failed": _l("Build failed")}


# --- why a phone number is refused (app.domain.validators.PhoneProblem) ---

PHONE_PROBLEMS = {
    "not_a_number": lambda field, value: _l(
        "%(field)s: %(value)s is not a phone number.", field=field, value=value),
    "not_chinese": lambda field, value: _l(
        "%(field)s: %(value)s is not a phone number of mainland China.", field=field, value=value),
    "service_number": lambda field, value: _l(
        "%(field)s: %(value)s is a service hotline, nobody's own phone; enter a mobile number or a fixed line "
        "with its area code.", field=field, value=value),
    "no_area_code": lambda field, value: _l(
        "%(field)s: %(value)s lacks its area code; write a fixed line as 0839-3261234.", field=field, value=value),
    "too_short": lambda field, value: _l(
        "%(field)s: %(value)s has too few digits for a mobile number (11 digits) or a fixed line with its area "
        "code.", field=field, value=value),
    "too_long": lambda field, value: _l(
        "%(field)s: %(value)s has too many digits for a mobile number (11 digits) or a fixed line with its area "
        "code.", field=field, value=value),
    "not_assigned": lambda field, value: _l(
        "%(field)s: %(value)s is no mobile or fixed-line number in use in China.", field=field, value=value),
}
#: the phone fields whose problems the messages name
PHONE_FIELDS = {"applicant_phone": _l("Applicant's phone"), "mail_phone": _l("Recipient's phone"),
                "phone": _l("Phone")}


def phone_message(field: str, value: str, problem: str) -> Any:
    """The message for a refused phone: which field, the value, and why."""
    return PHONE_PROBLEMS[problem](PHONE_FIELDS.get(field, field), value)


# --- 好差评 and 整改 (app.domain.ratings) ---

RATING_LEVEL_LABELS = {5: _l("Very satisfied"), 4: _l("Satisfied"), 3: _l("Fairly satisfied"), 2: _l("Dissatisfied"),
                       1: _l("Very dissatisfied")}
RATING_TAG_LABELS = {
    "warm": _l("Warm and friendly"), "efficient": _l("Quick and efficient"), "told_once": _l("Told everything at once"),
    "fewer_trips": _l("Fewer trips"), "skilled": _l("Knows the business well"), "cold": _l("Curt manner"),
    "slow": _l("Took too long"), "unclear": _l("Not told clearly"), "more_trips": _l("Had to come several times"),
    "unreachable": _l("Could not reach the window"), "result_wrong": _l("The result was wrong"),
}
RATING_CHANNEL_LABELS = {"portal": _l("Portal"), "sms": _l("SMS link"), "window": _l("Rating device at the window")}
RECTIFICATION_STATUS_LABELS = {"open": _l("Being rectified"), "appealed": _l("Appeal pending"),
                               "closed": _l("Rectified"), "voided": _l("Appeal upheld: not counted")}
APPEAL_OUTCOME_LABELS = {"upheld": _l("Upheld"), "rejected": _l("Rejected")}
RECTIFICATION_EVENT_LABELS = {
    "opened": _l("Opened by the rating"), "callback": _l("Called the applicant back"),
    "actions": _l("Measures recorded"), "closed": _l("Rectification closed"), "appealed": _l("Appealed"),
    "appeal_upheld": _l("Appeal upheld"), "appeal_rejected": _l("Appeal rejected"),
}
WARNING_LABELS = {"none": _l("On time"), "yellow": _l("Due soon"), "red": _l("Overdue")}


# --- 督办单 and 催办 (issue 14: app.models.supervision) ---

SUPERVISION_STATUS_LABELS = {"open": _l("Awaiting reply"), "answered": _l("Answered"), "withdrawn": _l("Withdrawn")}
SUPERVISION_EVENT_LABELS = {"supervision_issued": _l("Supervision order issued"),
                            "supervision_replied": _l("Supervision order answered"),
                            "supervision_nudged": _l("Nudged by the supervisor")}
#: the list's filters of the orders (one source for the page, the export, the API and the dashboard's links)
SUPERVISION_STATES = {"open": _l("Awaiting reply"), "red": _l("Reply overdue"), "answered": _l("Answered"),
                      "late": _l("Answered late")}
EVENT_LABELS.update(SUPERVISION_EVENT_LABELS)
STAGE_LABELS["sv"] = _l("Supervision order")
REMINDER_KINDS["supervision"] = _l("Supervision order to answer")

# --- the access log of personal data (issue 9) and the audit export (issue 14) ---

#: what the access log says was seen
ACCESS_KINDS = {
    AccessKind.PAGE: _l("Case page"),
    AccessKind.API: _l("Case in the API"),
    AccessKind.NOTICE: _l("Notice"),
    AccessKind.SCAN: _l("Scan of a material"),
    AccessKind.RESULT: _l("Result document"),
    AccessKind.ARCHIVE: _l("Archive package"),
    AccessKind.EXPORT: _l("Ledger export"),
    AccessKind.SEARCH: _l("Search by ID number or phone"),
    AccessKind.DISCLOSURE: _l("Show personal data"),
    AccessKind.MESSAGE: _l("Attachment of a message"),
    AccessKind.AUDIT: _l("Audit export"),
}
ACCESS_CHANNELS = {"web": _l("Web"), "api": _l("API"), "job": _l("Background job")}
