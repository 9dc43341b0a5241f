"""What each step of the process does: one plain function per transition of the table
(``app.domain.workflow.TRANSITIONS``), registered against it by name with ``@performs``, and, where the
step has rules of its own beyond its fields, one function that lists every problem (``@checks``).

The function only changes the case. Everything the steps share — the lock, the permission, the status
and side, the fields, the history, the deadlines, the ledger and the jobs the table declares — is done
around it by ``app.services.cases.take_step``. Adding a step means one row in the table and one
function here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.domain.workflow import MAILING_FIELDS, TRANSITIONS, Side, StepName, Transition
from app.errors import ProblemCollector, ValidationFailed
from app.models.case import (
    Case,
    CaseMaterial,
    Correction,
    CorrectionItem,
    DeliveryMethod,
    Shipment,
    ShipmentDirection,
)
from app.models.clock import ClockSegment, ClockSegmentKind, ExtensionDecision
from app.models.precheck import PrecheckOutcome
from app.models.staff import StaffUser
from app.services.calendar import load_calendar
from app.services.cases.archive import archive_problems
from app.services.cases.clock import extension_cap, granted_extensions, pending_extension, running_procedure
from app.services.cases.files import add_scan_version, check_file, keep_result_document
from app.services.cases.input import MAX_LENGTH, check_mailing_address
from app.services.cases.numbers import draw_number
from app.services.cases.precheck import answer_round, correction_round, precheck_applies, start_round
from app.services.courier.booking import booked_waybill, record_received, record_sent


@dataclass
class StepRun:
    """One step being taken: who, on which case, with which checked values."""

    session: Session
    user: StaffUser
    case: Case
    transition: Transition
    #: the step's fields, read and checked (dates as dates, items as lists)
    values: dict[str, Any]
    today: date
    #: the sides of the case the user stands on
    sides: frozenset[Side]
    #: the fields the user filled in (the others took their defaults, e.g. today for a date)
    given: frozenset[str] = frozenset()
    #: which document the step's jobs concern (the round of a correction notice); set by the step
    ref: str = ""


StepFunction = Callable[[StepRun], None]
CheckFunction = Callable[[StepRun, ProblemCollector], None]

STEP_FUNCTIONS: dict[StepName, StepFunction] = {}
CHECK_FUNCTIONS: dict[StepName, CheckFunction] = {}


def _register(table: dict[StepName, Any], name: StepName) -> Callable[[Any], Any]:
    if name not in TRANSITIONS:
        raise LookupError(f"{name!r} is not a transition of the table")

    def register(fn: Any) -> Any:
        if name in table:
            raise LookupError(f"{name!r} is registered twice")
        table[name] = fn
        return fn

    return register


def performs(name: StepName) -> Callable[[StepFunction], StepFunction]:
    """Registers what the step ``name`` does to the case."""
    return _register(STEP_FUNCTIONS, name)


def checks(name: StepName) -> Callable[[CheckFunction], CheckFunction]:
    """Registers the rules of the step ``name`` beyond its fields (every problem at once)."""
    return _register(CHECK_FUNCTIONS, name)


# --- accept / reject: the first formal decision ---------------------------------------------------


def _decide(run: StepRun) -> None:
    """The first formal decision gives the case its number, at the window that decides."""
    case = run.case
    deciding = case.home_center if case.origin_center.external else case.origin_center
    case.number = draw_number(run.session, deciding, run.today.year)
    case.decided_on = run.today


@checks(StepName.ACCEPT)
def acceptance_problems(run: StepRun, problems: ProblemCollector) -> None:
    case = run.case
    verified = {m.seq: run.values["verified"].get(m.seq, m.verified) for m in case.materials}
    received = {m.requirement_seq: m for m in case.materials if m.received and m.requirement_seq}
    deferred = _deferred_requirements(run, problems)
    for requirement in case.guide.content["materials"]:
        material = received.get(requirement["seq"])
        if requirement["required"] and material is None and requirement["seq"] in deferred:
            continue  # 容缺: accepted against the applicant's written promise
        if requirement["required"] and material is None:
            problems.add("materials", _l("Missing: %(name)s.", name=requirement["name"]))
        elif material is not None and requirement.get("original_check") and not verified[material.seq]:
            problems.add("verified", _l("Verify the original of: %(name)s.", name=requirement["name"]))
    if case.matter.status == "retired":
        problems.add("matter_id", _l("%(name)s has been retired and takes no new cases.", name=case.matter.name))
    if case.origin_center.external and not case.counterpart_number:
        problems.add("counterpart_number", _l("Enter the number the outside window gave the case."))
    _precheck_scan_problems(run, problems)
    if case.inbound:
        _receipt_problems(run, problems)
        return
    # never dropped silently: our own window accepts on the day it takes the step, in its own name
    if "accepted_on" in run.given:
        problems.add("accepted_on", _l("Only a case an outside window accepted takes the date it was accepted "
                                       "there; a case accepted at our window is accepted today."))
    if "counterpart_accepted_by" in run.given:
        problems.add("counterpart_accepted_by", _l("Only a case an outside window accepted names who accepted "
                                                   "it there; our window accepts in your name."))
    for name in ("received_on", "waybill_number"):
        if name in run.given:
            problems.add(name, _l("Only a case an outside window accepted and mailed to us arrives with a parcel "
                                  "at acceptance; the materials of a case accepted here are dispatched afterwards."))


def _deferred_requirements(run: StepRun, problems: ProblemCollector) -> set[int]:
    """容缺受理: the guide's requirements the clerk accepts without their material, each required, not
    handed in and 可容缺 in the guide, against a signed promise to supply them by a working day after today
    and no later than DEFERRED_MATERIAL_MAX_WORKING_DAYS. Every problem at once."""
    deferred = run.values.get("deferred") or {}
    if not deferred:
        return set()
    case = run.case
    if case.inbound:
        problems.add("deferred", _l("Only the window that accepts the case accepts a material 容缺."))
        return set()
    requirements = {r["seq"]: r for r in case.guide.content["materials"]}
    by_seq = {m.seq: m for m in case.materials}
    allowed = set()
    for seq in deferred["materials"]:
        material = by_seq[seq]
        requirement = requirements.get(material.requirement_seq)
        if material.received:
            problems.add("deferred", _l("%(name)s was handed in: it is not deferred.", name=material.name))
        elif requirement is None or not requirement.get("required"):
            problems.add("deferred", _l("%(name)s is not required: nothing to defer.", name=material.name))
        elif not requirement.get("deferrable"):
            problems.add("deferred", _l("%(name)s cannot be deferred (容缺): the matter needs it at acceptance.",
                                        name=material.name))
        else:
            allowed.add(requirement["seq"])
    until = deferred.get("until")
    if until is not None:
        calendar = load_calendar(run.session)
        latest = calendar.add_working_days(run.today, current_app.config["DEFERRED_MATERIAL_MAX_WORKING_DAYS"]).due
        if until <= run.today or not calendar.is_working_day(until):
            problems.add("deferred.until", _l("The promised day is a working day after today."))
        elif until > latest:
            problems.add("deferred.until", _l("The promised day is at the latest %(date)s.", date=latest.isoformat()))
    if not deferred.get("promise_signed"):
        problems.add("deferred.promise_signed", _l("The applicant signs the written promise (承诺书) to supply "
                                                   "the deferred materials."))
    return allowed
def _precheck_scan_problems(run: StepRun, problems: ProblemCollector) -> None:
    """远程预审: the department looks at the scans, so every material handed in has its scan at acceptance."""
    if precheck_applies(run.case):
        for material in run.case.materials:
            if material.received and not material.scan_key:
                problems.add("materials", _l("The department pre-checks this matter: upload the scan of %(name)s.",
                                             name=material.name))


def _receipt_problems(run: StepRun, problems: ProblemCollector) -> None:
    """接收登记 of an inbound case: the outside window's acceptance as its notice says, and the parcel it
    mailed as our window signed for it (its waybill, the day it arrived: not before the acceptance)."""
    if not run.values.get("counterpart_accepted_by"):
        problems.add("counterpart_accepted_by", _l("Enter who accepted the case at the outside window, as "
                                                   "named on its acceptance notice."))
    if not run.values.get("waybill_number"):
        problems.add("waybill_number", _l("Enter the waybill number of the parcel the outside window mailed."))
    accepted_on, received_on = run.values.get("accepted_on"), run.values.get("received_on")
    if accepted_on and received_on and received_on < accepted_on:
        problems.add("received_on", _l("The materials cannot have arrived before the outside window accepted the "
                                       "case (%(date)s).", date=accepted_on.isoformat()))


@performs(StepName.ACCEPT)
def accept(run: StepRun) -> None:
    case = run.case
    for material in case.materials:
        if material.seq in run.values["verified"]:
            material.verified = run.values["verified"][material.seq]
    deferred = run.values.get("deferred") or {}
    for material in case.materials:
        if material.seq in deferred.get("materials", ()):
            material.deferred_until, material.promise_signed = deferred["until"], True
    _decide(run)
    inbound = case.inbound
    case.accepted_on = run.values.get("accepted_on") if inbound else run.today
    # inbound: the outside window accepted (its clerk, as on its notice); our clerk records it
    case.counterpart_accepted_by = run.values.get("counterpart_accepted_by", "") if inbound else ""
    case.accepted_by_fk = run.user.id
    if inbound:  # the parcel is on our desk: the table leads the case straight to received
        record_received(run.session, case, ShipmentDirection.MATERIALS, carrier="",
                        waybill=run.values["waybill_number"], received_on=run.values["received_on"])
    elif precheck_applies(case):  # 远程预审: the table leads the case to precheck; the department's time starts
        start_round(run.session, case)


@performs(StepName.REJECT)
def reject(run: StepRun) -> None:
    _decide(run)
    run.case.closed_reason = "\n".join(item["reason"] for item in run.values["reasons"])


# --- 远程预审: the department looks at the scans before the parcel leaves ------------------------------


@performs(StepName.PASS_PRECHECK)
def pass_precheck(run: StepRun) -> None:
    answer_round(run.session, run.case, run.user, PrecheckOutcome.PASSED)


@performs(StepName.REQUEST_PRECHECK_CORRECTION)
def request_precheck_correction(run: StepRun) -> None:
    answer_round(run.session, run.case, run.user, PrecheckOutcome.CORRECTIONS, run.values["items"])


@performs(StepName.SUPPLY_PRECHECK)
def supply_precheck(run: StepRun) -> None:
    """Each item the department asked is supplied at the window with its scan, a new version of its material
    (a free-text item a new material of the case); the department looks again, within a new round."""
    case = run.case
    asked = correction_round(case)
    items = []
    for item in asked.items:
        material = next((m for m in case.materials if m.seq == item["material_seq"]), None)
        if material is None:
            material = CaseMaterial(seq=max((m.seq for m in case.materials), default=0) + 1, name=item["name"],
                                    copies=1, form="copy", received=True,
                                    note=str(_l("Supplied at pre-check round %(round)s", round=asked.round)))
            case.materials.append(material)
        material.received = True
        add_scan_version(material, run.values["supplied"][item["seq"]], run.user)
        items.append(item | {"material_seq": material.seq, "supplied": True})
    asked.items = items  # a new list: the JSON column sees the change
    start_round(run.session, case)


# --- the parcel of materials ----------------------------------------------------------------------


def _check_booked_waybill(run: StepRun, problems: ProblemCollector, booked: str) -> None:
    """A parcel the courier booked keeps its waybill (the pickup is ordered under it)."""
    typed = run.values.get("waybill_number")
    if booked and typed and typed != booked:
        problems.add("waybill_number", _l("The courier booked this parcel under waybill %(waybill)s: "
                                          "leave the field empty or enter that number.", waybill=booked))


def _check_parcel_waybill(run: StepRun, problems: ProblemCollector, direction: ShipmentDirection) -> None:
    """A parcel between windows leaves with a waybill: typed, or the one the courier booked it under."""
    booked = booked_waybill(run.case, direction)
    if not run.values.get("waybill_number") and not booked:
        problems.add("waybill_number", _l("Enter the waybill number printed by the courier."))
    _check_booked_waybill(run, problems, booked)


@checks(StepName.DISPATCH)
def dispatch_problems(run: StepRun, problems: ProblemCollector) -> None:
    _check_parcel_waybill(run, problems, ShipmentDirection.MATERIALS)


@performs(StepName.DISPATCH)
def dispatch(run: StepRun) -> None:
    """The parcel of materials left (the courier job may have booked it already; see courier.booking)."""
    record_sent(run.session, run.case, ShipmentDirection.MATERIALS, carrier=run.values.get("carrier"),
                waybill=run.values["waybill_number"], sent_on=run.values["sent_on"])


@performs(StepName.RECEIVE)
def receive(run: StepRun) -> None:
    _sign_for_parcels(run, ShipmentDirection.MATERIALS)


def _sign_for_parcels(run: StepRun, direction: ShipmentDirection) -> None:
    """The home window signs for the parcels of ``direction`` that were sent and not signed for yet."""
    for shipment in run.case.shipments:
        if shipment.direction == direction and shipment.sent_on and not shipment.received_on:
            shipment.received_on = run.values["received_on"]


@performs(StepName.FORWARD)
def forward(run: StepRun) -> None:
    """Handed to the department: the processing clock keeps running from acceptance."""


# --- the department: corrections and the result ------------------------------------------------------


@performs(StepName.REQUEST_CORRECTION)
def request_correction(run: StepRun) -> None:
    case = run.case
    received = [s.received_on for s in case.shipments if s.received_on]
    correction = Correction(case=case, round=len(case.corrections) + 1, requested_on=run.today,
                            materials_received_on=max(received) if received else case.accepted_on,
                            requested_by_fk=run.user.id, requested_by_name=run.user.name,
                            note=run.values.get("note") or "")
    for seq, item in enumerate(run.values["items"], start=1):
        correction.items.append(CorrectionItem(seq=seq, name=item["name"], reason=item["reason"],
                                               material_seq=item.get("material_seq")))
    run.session.add(correction)
    run.ref = str(correction.round)  # the correction notice of this round


@performs(StepName.SUPPLEMENT)
def supplement(run: StepRun) -> None:
    """Every requested item is supplied: each becomes a new version of its material (a free-text item a new
    material of the case), the first scan kept; the parcel leaves for the home window. The clock stays paused
    until the department has the items (``receive_supplement``)."""
    case = run.case
    correction = case.open_correction
    correction.supplied_on = run.values["supplied_on"]
    for item in correction.items:
        material = _material_for(case, item)
        material.received = True
        item.version = add_scan_version(material, run.values["supplied"][item.seq], run.user, correction.round)
        item.supplied = True
    if run.values.get("waybill_number"):  # else the courier's booking (book_parcel) puts the parcel on record
        record_sent(run.session, case, ShipmentDirection.SUPPLEMENT, carrier=run.values.get("carrier"),
                    waybill=run.values["waybill_number"], sent_on=run.values["supplied_on"])


# --- the legal clock: special procedures and extensions (issue 12) ------------------------------------


def _next_segment_seq(case: Case) -> int:
    return max((s.seq for s in case.clock_segments), default=0) + 1


@checks(StepName.START_SPECIAL_PROCEDURE)
def special_procedure_problems(run: StepRun, problems: ProblemCollector) -> None:
    started_on = run.values.get("started_on")
    if started_on is not None and run.case.accepted_on and started_on < run.case.accepted_on:
        problems.add("started_on", _l("The procedure cannot start before the case was accepted."))


@performs(StepName.START_SPECIAL_PROCEDURE)
def start_special_procedure(run: StepRun) -> None:
    """The clock stops from this day until the procedure ends; the notice tells the applicant."""
    segment = ClockSegment(case=run.case, seq=_next_segment_seq(run.case), kind=ClockSegmentKind.SPECIAL_PROCEDURE,
                           started_on=run.values["started_on"], days=run.values["expected_days"],
                           procedure=run.values["procedure"], reason=run.values["reason"],
                           requested_by_fk=run.user.id, requested_by_name=run.user.name)
    run.session.add(segment)
    run.ref = str(segment.seq)  # the 特别程序告知书 of this procedure


@checks(StepName.END_SPECIAL_PROCEDURE)
def end_of_procedure_problems(run: StepRun, problems: ProblemCollector) -> None:
    procedure = running_procedure(run.case)
    ended_on = run.values.get("ended_on")
    if procedure is not None and ended_on is not None and ended_on < procedure.started_on:
        problems.add("ended_on", _l("The procedure cannot end before it started (%(day)s).",
                                    day=procedure.started_on.isoformat()))


@performs(StepName.END_SPECIAL_PROCEDURE)
def end_special_procedure(run: StepRun) -> None:
    procedure = running_procedure(run.case)
    procedure.ended_on, procedure.outcome = run.values["ended_on"], run.values["outcome"]
    procedure.decided_by_fk, procedure.decided_by_name, procedure.decided_on = run.user.id, run.user.name, run.today


def _check_extension_days(run: StepRun, problems: ProblemCollector, days: int | None) -> None:
    if days is None:
        return
    cap = extension_cap(run.case)
    granted = sum(s.days for s in granted_extensions(run.case))
    if granted + days > cap:
        problems.add("days", _l("This matter allows at most %(cap)d working days of extension in all; %(granted)d "
                                "are granted already.", cap=cap, granted=granted))


@checks(StepName.REQUEST_EXTENSION)
def extension_request_problems(run: StepRun, problems: ProblemCollector) -> None:
    _check_extension_days(run, problems, run.values.get("days"))


@performs(StepName.REQUEST_EXTENSION)
def request_extension(run: StepRun) -> None:
    run.session.add(ClockSegment(case=run.case, seq=_next_segment_seq(run.case), kind=ClockSegmentKind.EXTENSION,
                                 started_on=run.today, days=run.values["days"], reason=run.values["reason"],
                                 decision=ExtensionDecision.REQUESTED, requested_by_fk=run.user.id,
                                 requested_by_name=run.user.name))


@checks(StepName.APPROVE_EXTENSION)
def extension_approval_problems(run: StepRun, problems: ProblemCollector) -> None:
    asked = pending_extension(run.case)
    days = run.values.get("days")
    if asked is not None and days is not None and days > asked.days:
        problems.add("days", _l("No more than the %(days)d working days asked for can be granted.", days=asked.days))
    _check_extension_days(run, problems, days if days is not None else (asked.days if asked else None))


@performs(StepName.APPROVE_EXTENSION)
def approve_extension(run: StepRun) -> None:
    """The limit grows by the days granted (by the approver, who may grant fewer than asked)."""
    extension = pending_extension(run.case)
    extension.days = run.values.get("days") or extension.days
    extension.decision = ExtensionDecision.APPROVED
    extension.decided_by_fk, extension.decided_by_name, extension.decided_on = run.user.id, run.user.name, run.today
    run.values["days"] = extension.days  # the history says what was granted
    run.ref = str(extension.seq)  # the 延期办理告知书 of this extension


@performs(StepName.REFUSE_EXTENSION)
def refuse_extension(run: StepRun) -> None:
    extension = pending_extension(run.case)
    extension.decision, extension.outcome = ExtensionDecision.REFUSED, run.values["reason"]
    extension.decided_by_fk, extension.decided_by_name, extension.decided_on = run.user.id, run.user.name, run.today


@checks(StepName.COMPLETE)
def completion_problems(run: StepRun, problems: ProblemCollector) -> None:
    """The department completes with its result documents attached (the archive needs them); a window
    recording an outside department's result attaches them when it has them. Each file is checked
    as a scan is, every problem at once."""
    checked, attached_files = [], run.values["result_documents"]
    for index, attached in enumerate(attached_files, start=1):
        try:
            checked.append(check_file(f"result_documents[{index}]", attached.name, attached.data))
        except ValidationFailed as refused:
            for problem in refused.problems:
                problems.add("result_documents", problem.message)
    run.values["result_documents"] = checked
    awaiting = [m for m in run.case.materials if m.awaiting_supply]
    if awaiting and run.values.get("result") != "denied":
        problems.add("result", _l("The applicant has not yet supplied what was accepted 容缺: %(items)s. Approve "
                                  "once it is supplied; if the promise is broken, complete with the result "
                                  "“denied” and give the reasons.",
                                  items=str(_l("; ")).join(str(_l("%(name)s (promised by %(date)s)", name=m.name,
                                                              date=m.deferred_until.isoformat()))
                                                      for m in awaiting)))
    if run.case.department_id is not None and not run.case.result_documents and not attached_files:
        problems.add("result_documents", _l("Attach the result document (批准文书、证照、决定书 …)."))


def _material_for(case: Case, item: CorrectionItem) -> CaseMaterial:
    """The case's material a correction item asks for; a free-text item adds one to the list."""
    material = next((m for m in case.materials if m.seq == item.material_seq), None)
    if material is None:
        material = CaseMaterial(seq=max((m.seq for m in case.materials), default=0) + 1, name=item.name,
                                copies=1, form="copy", received=True,
                                note=str(_l("Supplied in correction round %(round)s", round=item.correction.round)))
        case.materials.append(material)
        item.material_seq = material.seq
    return material


@performs(StepName.RECEIVE_SUPPLEMENT)
def receive_supplement(run: StepRun) -> None:
    """The home window signs for the supplied items and hands them to the department: the pause ends today."""
    correction = run.case.open_correction
    for shipment in run.case.shipments:
        if shipment.direction == ShipmentDirection.SUPPLEMENT and not shipment.received_on:
            # a parcel the courier booked after the supplement step left that day: it has arrived
            shipment.sent_on = shipment.sent_on or correction.supplied_on
            shipment.received_on = run.values["received_on"]
    correction.supplement_received_on = run.values["received_on"]
    correction.forwarded_on = run.today


@performs(StepName.COMPLETE)
def complete(run: StepRun) -> None:
    case = run.case
    case.result = run.values["result"]
    case.result_note = run.values.get("result_note") or ""
    case.completed_on = run.today
    documents = [keep_result_document(run.session, case, run.user, checked)
                 for checked in run.values["result_documents"]]
    run.values["result_documents"] = [d.name for d in documents]  # the history names them


# --- the result travels to the window where the applicant collects it --------------------------------


@checks(StepName.SEND_RESULT)
def result_parcel_problems(run: StepRun, problems: ProblemCollector) -> None:
    """The result parcel to the window has its waybill and leaves once the department decided."""
    _check_parcel_waybill(run, problems, ShipmentDirection.RESULT_TO_WINDOW)
    completed_on = run.case.completed_on
    if completed_on and run.values["sent_on"] < completed_on:
        problems.add("sent_on", _l("The result cannot leave before the case was completed (%(date)s).",
                                   date=completed_on.isoformat()))


@performs(StepName.SEND_RESULT)
def send_result(run: StepRun) -> None:
    """The result left the home window for the window where the applicant collects it (the courier job may
    have put its parcel on record already; see courier.booking)."""
    record_sent(run.session, run.case, ShipmentDirection.RESULT_TO_WINDOW, carrier=run.values.get("carrier"),
                waybill=run.values["waybill_number"], sent_on=run.values["sent_on"])


def _result_parcel(case: Case) -> Shipment | None:
    """The result's parcel to the window, sent and not yet signed for (the newest)."""
    sent = [s for s in case.shipments if s.direction == ShipmentDirection.RESULT_TO_WINDOW and s.sent_on
            and not s.received_on]
    return max(sent, key=lambda s: s.id) if sent else None


# --- the result reaches the applicant; the end of the case ------------------------------------------


@checks(StepName.DELIVER)
def delivery_problems(run: StepRun, problems: ProblemCollector) -> None:
    if run.case.delivery_method != DeliveryMethod.MAIL:
        _check_result_arrival(run, problems)
        return
    booked = booked_waybill(run.case, ShipmentDirection.RESULT)
    if not run.values.get("waybill_number") and not booked:
        problems.add("waybill_number", _l("The result is mailed: enter the waybill number."))
    _check_booked_waybill(run, problems, booked)
    _check_mailing_corrections(run, problems)


def _check_result_arrival(run: StepRun, problems: ProblemCollector) -> None:
    """Collected at the window: the result arrived after it was sent, and was handed over after it arrived."""
    arrived = run.values.get("result_received_on")
    parcel = _result_parcel(run.case)
    if arrived is None:
        return
    if parcel is not None and arrived < parcel.sent_on:
        problems.add("result_received_on", _l("The result cannot arrive before it was sent (%(date)s).",
                                              date=parcel.sent_on.isoformat()))
    if run.values["delivered_on"] < arrived:
        problems.add("delivered_on", _l("The result cannot be delivered before it arrived at the window "
                                        "(%(date)s).", date=arrived.isoformat()))


def _check_mailing_corrections(run: StepRun, problems: ProblemCollector) -> None:
    """The recipient, phone, address or postcode the applicant changed since registration: an empty
    field keeps the registered value; the address as corrected is checked as a whole. Afterwards the
    values hold only what changed (normalised), so the history records the corrections alone."""
    case = run.case
    registered = {name: getattr(case, name) for name in MAILING_FIELDS}
    address = {name: run.values.get(name) or registered[name] for name in MAILING_FIELDS}
    for name in ("mail_recipient", "mail_address"):
        if len(address[name]) > MAX_LENGTH[name]:
            problems.add(name, _l("At most %(n)d characters.", n=MAX_LENGTH[name]))
    address |= {"applicant_name": case.applicant_name, "applicant_phone": case.applicant_phone}
    check_mailing_address(address, problems)  # puts the phone in its normal form
    for name in MAILING_FIELDS:
        run.values[name] = address[name] if run.values.get(name) and address[name] != registered[name] else ""


@performs(StepName.DELIVER)
def deliver(run: StepRun) -> None:
    case = run.case
    case.delivered_on = run.values["delivered_on"]
    if case.delivery_method != DeliveryMethod.MAIL:
        parcel = _result_parcel(case)
        if parcel is not None:  # the window signs for the result's parcel
            parcel.received_on = run.values["result_received_on"]
    else:
        for name in MAILING_FIELDS:
            if run.values.get(name):
                setattr(case, name, run.values[name])
        shipment = record_sent(run.session, case, ShipmentDirection.RESULT, carrier=run.values.get("carrier"),
                               waybill=run.values["waybill_number"], sent_on=run.values["delivered_on"])
        shipment.to_address = case.mail_address


@checks(StepName.ARCHIVE)
def archiving_problems(run: StepRun, problems: ProblemCollector) -> None:
    """Everything the archive needs, each missing item named (scans, notices, results, waybills)."""
    for problem in archive_problems(run.session, run.case):
        problems.add(problem.field, problem.message)


@performs(StepName.ARCHIVE)
def archive(run: StepRun) -> None:
    """The case becomes read-only; the table queues the job that builds its archive package."""
    run.case.archived_on = run.today


@performs(StepName.WITHDRAW)
def withdraw(run: StepRun) -> None:
    run.case.closed_reason = run.values["reason"]


_unregistered = set(TRANSITIONS) - set(STEP_FUNCTIONS)
if _unregistered:  # a row of the table without its function fails at start-up, not at the first click
    raise LookupError(f"transitions without a step function: {sorted(_unregistered)}")
