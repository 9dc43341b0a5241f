"""办件查询: the applicant's view of a case, by its number and the applicant's phone, or by the unguessable token
printed as a QR code on the acceptance notice and sent in the SMS (``progress_link``).

What the answer carries is chosen for the applicant and for nobody else who might hold the link: the stage in
plain words with its due day, the milestones that matter to the applicant (never a staff name or an internal
note), the waybills, what to supply while a correction is open, where to collect the result. No personal data:
not the applicant's name, ID number, phone or address.

A wrong phone, an unknown number and a bad token all raise the same ``NotFound`` after the same work: one
statement that reads two columns of at most one row (never the relationships a found case would load), and one
``hmac.compare_digest`` against the row's value or a stand-in of the same shape. Nothing tells apart a number
that exists from one that does not. This package must not import ``app.services.cases`` (which imports it for
the notice's QR code): the sub-domains of the services form no cycle.
"""

from __future__ import annotations

import hmac
import re
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.workflow import Status, StepName
from app.errors import NotFound
from app.labels import SPECIAL_PROCEDURE_LABELS, STATUS_LABELS
from app.models.base import LOCAL_ZONE
from app.models.case import BookingStatus, Case, CaseEvent, DeliveryMethod
from app.models.org import ServiceCenter
from app.services.public.ratings import rating_summary

#: the longest case number and token a lookup reads (longer input is cut, never refused differently)
NUMBER_MAX, TOKEN_MAX, PHONE_MAX = 40, 64, 32
#: what a wrong phone is compared with when the number is unknown: digits of a mobile's length
_STAND_IN_PHONE = b"00000000000"
_STAND_IN_TOKEN = b"0" * 22

#: the stage of a case in plain words: the status labels where they read well to an applicant, otherwise
#: a sentence of what is happening to the application
STAGES: dict[str, Any] = {
    Status.DRAFT: _l("Your materials are being checked at the window"),
    Status.ACCEPTED: _l("Accepted; the materials are about to be mailed to the home window"),
    Status.PRECHECK: _l("Accepted; the department is checking the scanned materials"),
    Status.PRECHECK_CORRECTION: _l("Accepted; some materials need correcting at the window"),
    Status.REJECTED: STATUS_LABELS["rejected"],
    Status.IN_TRANSIT: _l("The materials are on their way to the home window"),
    Status.RECEIVED: _l("The home window has received the materials"),
    Status.PROCESSING: _l("Being processed by the approving department"),
    Status.CORRECTION: _l("Awaiting correction: please supply the items listed"),
    Status.SUPPLEMENT_SENT: STATUS_LABELS["supplement_sent"],
    Status.IN_PROCEDURE: STATUS_LABELS["in_procedure"],
    # an extension the department asked for is its own business until it is approved
    Status.EXTENSION_ASKED: _l("Being processed by the approving department"),
    Status.COMPLETED: _l("Completed; the result is being mailed to you"),
    Status.RESULT_SENT: _l("Completed; the result is on its way to the window where you collect it"),
    Status.DELIVERED: STATUS_LABELS["delivered"],
    Status.ARCHIVED: _l("Delivered and archived"),
    Status.WITHDRAWN: STATUS_LABELS["withdrawn"],
}

#: the events of the history that an applicant is told about, with their title in plain words
MILESTONES: dict[str, Any] = {
    "register": _l("Application handed in"),
    StepName.ACCEPT: _l("Application accepted"),
    StepName.REJECT: _l("Application declined"),
    StepName.REQUEST_PRECHECK_CORRECTION: _l("Corrections asked at the pre-check"),
    StepName.SUPPLY_PRECHECK: _l("Corrections supplied at the window"),
    StepName.DISPATCH: _l("Materials mailed to the home window"),
    StepName.RECEIVE: _l("Materials received at the home window"),
    StepName.FORWARD: _l("Handed to the approving department"),
    StepName.REQUEST_CORRECTION: _l("Correction asked"),
    StepName.SUPPLEMENT: _l("Correction supplied"),
    StepName.RECEIVE_SUPPLEMENT: _l("Supplied materials reached the department"),
    StepName.START_SPECIAL_PROCEDURE: _l("Special procedure started"),
    StepName.END_SPECIAL_PROCEDURE: _l("Special procedure ended"),
    StepName.APPROVE_EXTENSION: _l("Time limit extended"),
    StepName.COMPLETE: _l("Completed"),
    StepName.SEND_RESULT: _l("Result sent to the window"),
    StepName.DELIVER: _l("Result delivered"),
    StepName.WITHDRAW: _l("Application withdrawn"),
    "supply_deferred": _l("Deferred material supplied"),
}


# --- the link --------------------------------------------------------------------------------------


def progress_link(case: Case) -> str:
    """The short link of the case's progress page (``{PUBLIC_URL}/p/<token>``): the QR code on the acceptance
    notice, the SMS. Relative when no PUBLIC_URL (nor APP_URL) is configured."""
    return f"{current_app.config.get('PUBLIC_URL', '')}/p/{case.public_token}"


# --- the lookups -----------------------------------------------------------------------------------


def phone_digits(text: str) -> str:
    """A phone as digits only (spaces, dashes, +86 ignored), for comparing what the applicant typed."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def progress_by_number(session: Session, number: str, phone: str) -> dict[str, Any]:
    """The progress of the case ``number`` when ``phone`` is the applicant's (as digits); ``NotFound``
    otherwise, alike for a wrong phone and an unknown number (the same statement, the same comparison)."""
    number = (number or "").strip()[:NUMBER_MAX]
    typed = phone_digits((phone or "")[:PHONE_MAX]).encode()
    row = session.execute(select(Case.id, Case.applicant_phone).where(Case.number == number)).first()
    stored = phone_digits(row.applicant_phone).encode() if row is not None else _STAND_IN_PHONE
    matches = hmac.compare_digest(stored, typed)
    if row is None or not matches or not typed:
        raise NotFound()
    return _progress(session, row.id)


def progress_by_token(session: Session, token: str) -> dict[str, Any]:
    """The progress of the case whose public token is ``token``; ``NotFound`` as for a wrong phone."""
    typed = (token or "").strip()[:TOKEN_MAX].encode()
    row = session.execute(select(Case.id, Case.public_token).where(Case.public_token == typed.decode())).first()
    matches = hmac.compare_digest(row.public_token.encode() if row is not None else _STAND_IN_TOKEN, typed)
    if row is None or not matches or not typed:
        raise NotFound()
    return _progress(session, row.id)


# --- the answer ------------------------------------------------------------------------------------


def _progress(session: Session, case_id: int) -> dict[str, Any]:
    case = session.get(Case, case_id)
    if case is None:  # deleted between the two statements
        raise NotFound()
    status = case.status
    due = case.current_due if case.is_open else None
    return {
        "number": case.number or "",
        "token": case.public_token,
        "matter": {"code": case.matter.code, "name": case.matter.name},
        "handling_type": case.handling_type.name,
        "status": status,
        "stage": _stage(case),
        "stage_due": _day(due),
        "accepted_on": _day(case.accepted_on),
        "origin_window": _window(case.origin_center),
        "home_window": {"name": case.home_center.name},
        "department_name": _department_name(case),
        "delivery_method": case.delivery_method,
        "milestones": _milestones(case),
        "waybills": [{"direction": s.direction, "carrier": s.carrier, "waybill_number": s.waybill_number}
                     for s in case.shipments
                     if s.waybill_number and s.booking_status != BookingStatus.CANCELLED],
        "correction": _correction(case),
        "pickup": _pickup(case),
        "rating": rating_summary(session, case),
    }


def _stage(case: Case) -> str:
    if case.status == Status.COMPLETED and case.delivery_method == DeliveryMethod.PICKUP:
        return str(_l("Completed; the result is being sent to the window where you collect it"))
    return str(STAGES.get(case.status, STATUS_LABELS.get(case.status, case.status)))


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _moment(at: datetime) -> str:
    return (at if at.tzinfo is not None else at.replace(tzinfo=LOCAL_ZONE)).isoformat()


def _window(center: ServiceCenter | None) -> dict[str, str] | None:
    if center is None:
        return None
    return {"name": center.name, "address": center.address, "hours": center.hours, "phone": center.phone}


def _department_name(case: Case) -> str:
    return case.department.name if case.department is not None else case.department_name


def _serving_window(case: Case) -> ServiceCenter:
    """The window of ours that serves the applicant: where the application was handed in, or, for a case an
    outside window accepted and mailed to us, the home window (as the SMS name it)."""
    return case.origin_center if not case.origin_center.external else case.home_center


def _correction(case: Case) -> dict[str, Any] | None:
    """What to supply while the department waits for it (status 待补正), and where to hand it in."""
    correction = case.open_correction
    if case.status != Status.CORRECTION or correction is None:
        return None
    return {"requested_on": _day(correction.requested_on),
            "items": [{"name": item.name, "reason": item.reason} for item in correction.items if not item.supplied],
            "hand_to": _window(_serving_window(case))}


def _pickup(case: Case) -> dict[str, str] | None:
    """Where the result is collected (the window where the application was handed in), for a case whose
    result is collected and that goes on to a result."""
    if case.delivery_method != DeliveryMethod.PICKUP or case.status in (Status.REJECTED, Status.WITHDRAWN):
        return None
    return _window(case.origin_center)


def _milestones(case: Case) -> list[dict[str, Any]]:
    milestones = []
    for event in case.events:
        title = MILESTONES.get(event.action)
        if title is None:
            continue
        if event.action == StepName.ACCEPT and case.inbound:
            title = _l("Materials received at the home window")
        milestones.append({"at": _moment(event.at), "title": str(title), "detail": _detail(case, event)})
    return milestones


def _detail(case: Case, event: CaseEvent) -> str:
    """A sentence for the applicant: places, waybills, counts and days from the event's data; never its note,
    its actor or anything typed by staff for staff."""
    data = event.data or {}
    action = event.action
    if action == "register":
        return str(_l("At %(window)s", window=case.origin_center.name))
    if action == StepName.ACCEPT:
        if case.inbound:
            return str(_l("Accepted at %(origin)s and received at %(window)s", origin=case.origin_center.name,
                          window=case.home_center.name))
        return str(_l("Accepted at %(window)s, case number %(number)s", window=case.origin_center.name,
                      number=case.number or ""))
    if action == StepName.REJECT:
        return str(_l("Every reason was given to you in writing at once."))
    mailed_result = action == StepName.DELIVER and data.get("waybill_number")
    if action in (StepName.DISPATCH, StepName.SEND_RESULT) or mailed_result:
        destination = case.home_center.name if action == StepName.DISPATCH else (
            case.origin_center.name if action == StepName.SEND_RESULT else "")
        carrier, waybill = data.get("carrier", ""), data.get("waybill_number", "")
        if action == StepName.DELIVER:
            return str(_l("Mailed to you, %(carrier)s waybill %(waybill)s", carrier=carrier, waybill=waybill))
        if waybill:
            return str(_l("To %(place)s, %(carrier)s waybill %(waybill)s", place=destination, carrier=carrier,
                          waybill=waybill))
        return str(_l("To %(place)s", place=destination))
    if action == StepName.RECEIVE:
        return case.home_center.name
    if action == StepName.FORWARD:
        return _department_name(case)
    if action in (StepName.REQUEST_CORRECTION, StepName.REQUEST_PRECHECK_CORRECTION):
        return str(_l("%(count)s item(s) to supply; see the correction notice", count=len(data.get("items") or [])))
    if action == StepName.SUPPLEMENT:
        return str(_l("At %(window)s", window=_serving_window(case).name))
    if action == StepName.START_SPECIAL_PROCEDURE:
        procedure = SPECIAL_PROCEDURE_LABELS.get(data.get("procedure", ""), data.get("procedure", ""))
        return str(_l("%(procedure)s, expected %(days)s working day(s), not counted in the time limit",
                      procedure=procedure, days=data.get("expected_days", "")))
    if action == StepName.APPROVE_EXTENSION and data.get("days"):
        return str(_l("By %(days)s working day(s)", days=data["days"]))
    if action == StepName.COMPLETE:
        return (str(_l("The result will be mailed to you")) if case.delivery_method == DeliveryMethod.MAIL
                else str(_l("Collect the result at %(window)s once it arrives there", window=case.origin_center.name)))
    if action == StepName.DELIVER:
        if case.delivery_method == DeliveryMethod.MAIL:
            return str(_l("The result was mailed to you"))
        return str(_l("Collected at %(window)s", window=case.origin_center.name))
    return ""
