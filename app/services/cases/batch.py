"""Batch work at the window: the parcels of the day sent in one go, one 移交清单 (transmittal list) per
destination window, and an incoming list (or waybill) signed for in one step.

Every id a page hands in goes through the scope rule first (``get_case``): one id outside the user's
scope answers 404 and nothing is done — a bulk request never reaches a case its user cannot see
(FAB's own bulk actions skip the base filters; this does not go through them). Then each case takes its
own step through ``take_step``: one transaction and one history entry per case, exactly as if the clerk
had opened the case's form. A row that is refused does not stop the others; every refusal is collected
and reported at once with the case it concerns (一次性告知).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters import storage
from app.adapters.courier import get_provider
from app.documents.notices import FORM_LABELS
from app.documents.transmittal import (
    TransmittalContext,
    TransmittalMaterial,
    TransmittalRow,
    render_transmittal,
)
from app.domain.privacy import mask_name
from app.domain.validators import parse_date
from app.domain.workflow import TRANSITIONS, Status, StepName
from app.errors import Conflict, NotFound, Problem, ProblemCollector, ServiceError
from app.models.case import Case, DeliveryMethod, Shipment, ShipmentDirection
from app.models.staff import StaffUser
from app.models.transmittal import Transmittal, TransmittalItem
from app.scope import OutOfScope, Reach, as_record_id, criterion, get_in_scope, reach_of
from app.services.cases.access import get_case
from app.services.cases.take_step import available_steps, take_step
from app.services.cases.work_queue import work_queue
from app.services.courier.booking import Rebooking, booked_waybill, queue_booking


@dataclass(frozen=True)
class ParcelStep:
    """The step that records a parcel leaving, for a case in a given status."""

    step: StepName
    direction: ShipmentDirection
    date_field: str


#: which parcels a case may wait to send, by its status: the one whose step the case takes (the transition
#: table says which: the result mailed to the applicant, or sent to the window where it is collected). A
#: supplement parcel is not among them: its step ticks each supplied item with its scan, in the case's own form.
PARCEL_STEPS: dict[Status, tuple[ParcelStep, ...]] = {
    Status.ACCEPTED: (ParcelStep(StepName.DISPATCH, ShipmentDirection.MATERIALS, "sent_on"),),
    Status.COMPLETED: (ParcelStep(StepName.DELIVER, ShipmentDirection.RESULT, "delivered_on"),
                       ParcelStep(StepName.SEND_RESULT, ShipmentDirection.RESULT_TO_WINDOW, "sent_on")),
}
NOTHING_TO_SEND = _l("No parcel of this case waits to be sent now.")
NOTHING_CHOSEN = _l("Tick at least one parcel.")
NOTHING_TICKED = _l("Tick the materials that arrived before signing for the case.")
NOT_ON_LIST = _l("This case is not on the list.")
BOOKING_WAITING = _l("A booking of this parcel is queued already; wait for the courier's answer.")
COURIER_DOES_NOT_BOOK = _l("The configured courier does not take bookings: book at the courier's terminal.")


# --- what the pages hand in and get back -----------------------------------------------------------


@dataclass(frozen=True)
class ParcelInput:
    """One ticked row of the parcels of the day: the case, and the waybill typed (empty: the courier's)."""

    case_id: Any
    waybill_number: str = ""
    carrier: str = ""


@dataclass(frozen=True)
class SignInput:
    """One case the receiving window signs for, with the numbers (seq) of the materials it ticked."""

    case_id: Any
    materials: tuple[int, ...] = ()


@dataclass(frozen=True)
class RowFailure:
    """A row that was refused: which case, and every reason."""

    case_id: int
    label: str
    problems: list[Problem]


@dataclass
class BatchOutcome:
    done: list[Case] = field(default_factory=list)
    failed: list[RowFailure] = field(default_factory=list)
    transmittals: list[Transmittal] = field(default_factory=list)
    #: 预约揽收: the rows whose parcel has its waybill already (said so, not refused)
    already_booked: list[RowFailure] = field(default_factory=list)


@dataclass(frozen=True)
class ParcelOfTheDay:
    """A case with a parcel waiting to leave this user's window."""

    case: Case
    parcel: ParcelStep
    #: the waybill the courier booked for it (empty: none yet, the clerk types the terminal's)
    booked_waybill: str
    destination: str
    #: the parcel the booking job put on record, if any (its booking status and error are shown)
    shipment: Shipment | None = None


# --- sending -----------------------------------------------------------------------------------------


def parcel_step(case: Case) -> ParcelStep | None:
    """The parcel ``case`` waits to send now, if any."""
    status, by_mail = Status(case.status), case.delivery_method == DeliveryMethod.MAIL
    return next((parcel for parcel in PARCEL_STEPS.get(status, ())
                 if TRANSITIONS[parcel.step].starts_from(status, by_mail)), None)


def parcels_of_the_day(session: Session, user: StaffUser) -> list[ParcelOfTheDay]:
    """The parcels waiting to leave: the cases of the user's work queue whose next step sends a parcel."""
    parcels = []
    for item in work_queue(session, user):
        parcel = parcel_step(item.case)
        if parcel is None or parcel.step not in {t.name for t in item.steps}:
            continue
        parcels.append(ParcelOfTheDay(item.case, parcel, booked_waybill(item.case, parcel.direction),
                                      _destination(item.case, parcel), _unsent(item.case, parcel.direction)))
    return sorted(parcels, key=lambda p: (p.destination, p.case.label))


def _unsent(case: Case, direction: ShipmentDirection) -> Shipment | None:
    return next((s for s in case.shipments if s.direction == direction and s.sent_on is None), None)


def _destination(case: Case, parcel: ParcelStep) -> str:
    if parcel.direction == ShipmentDirection.RESULT:
        return case.mail_address
    if parcel.direction == ShipmentDirection.RESULT_TO_WINDOW:
        return case.origin_center.name
    return case.home_center.name


def _cases_in_scope(session: Session, reach: Reach, ids: Iterable[Any]) -> list[Case]:
    """Every id through the scope rule before anything is done: one outside it is NotFound (404)."""
    cases, seen = [], set()
    for case_id in ids:
        case = get_case(session, reach, case_id, write=True)
        if case.id not in seen:
            seen.add(case.id)
            cases.append(case)
    return cases


def send_parcels(session: Session, user: StaffUser, rows: Sequence[ParcelInput], *,
                 sent_on: date | str | None = None, today: date | None = None) -> BatchOutcome:
    """Sends the ticked parcels: each case takes its own step (dispatch, send_result or deliver) in its own
    transaction; then one 移交清单 per destination window lists the parcels that left."""
    sent_on = _batch_date("sent_on", sent_on, rows, "rowid")
    today = today or date.today()
    reach = reach_of(user)
    cases = _cases_in_scope(session, reach, [row.case_id for row in rows])
    typed: dict[int | None, ParcelInput] = {}
    for row in rows:
        typed.setdefault(as_record_id(row.case_id), row)
    outcome = BatchOutcome()
    for case_id, label in [(c.id, c.label) for c in cases]:
        _send_one(session, user, case_id, label, typed[case_id], sent_on, today, outcome)
    outcome.transmittals = _transmittals_for(session, user, reach, outcome.done, sent_on or today)
    return outcome


def _batch_date(name: str, value: date | str | None, rows: Sequence[Any], rows_field: str) -> date | None:
    """The one date of the batch (empty: each step's default, today), and at least one row: every problem at
    once, before any case is touched. The steps check the date against each case."""
    problems = ProblemCollector()
    if not rows:
        problems.add(rows_field, NOTHING_CHOSEN)
    try:
        day = parse_date(value)
    except ValueError:
        problems.add(name, _l("Enter the date as YYYY-MM-DD."))
        day = None
    problems.raise_if_any()
    return day


def _send_one(session: Session, user: StaffUser, case_id: int, label: str, row: ParcelInput, sent_on: date | None,
              today: date, outcome: BatchOutcome) -> None:
    case = session.get(Case, case_id)
    parcel = parcel_step(case)
    if parcel is None:
        outcome.failed.append(RowFailure(case_id, label, [Problem(None, NOTHING_TO_SEND)]))
        return
    # An empty field keeps the courier's booked waybill.
    waybill = row.waybill_number.strip() or booked_waybill(case, parcel.direction)
    values = {"waybill_number": waybill, "carrier": row.carrier.strip(),
              parcel.date_field: sent_on.isoformat() if sent_on else ""}
    try:
        outcome.done.append(take_step(session, user, case_id, parcel.step, values, today=today))
    except ServiceError as error:  # refused (every reason); the step's transaction was rolled back
        outcome.failed.append(RowFailure(case_id, label, error.problems))


# --- 预约揽收: booking the ticked parcels with the courier ---------------------------------------------


def courier_books() -> bool:
    """Whether the configured courier takes bookings (COURIER_PROVIDER other than manual)."""
    return get_provider().books


def book_parcels(session: Session, user: StaffUser, case_ids: Sequence[Any]) -> BatchOutcome:
    """预约揽收: books each ticked parcel not booked yet with the courier, through the outbox as the accept
    step does (``queue_booking``), one transaction per case. Every id through the scope rule first (one
    outside it: 404, nothing queued); a parcel booked already is said to be so; every refusal at once."""
    problems = ProblemCollector()
    if not case_ids:
        problems.add("rowid", NOTHING_CHOSEN)
    elif not courier_books():
        problems.add(None, COURIER_DOES_NOT_BOOK)
    problems.raise_if_any()
    reach = reach_of(user)
    cases = _cases_in_scope(session, reach, case_ids)
    outcome = BatchOutcome()
    for case_id, label in [(c.id, c.label) for c in cases]:
        _book_one(session, user, reach, case_id, label, outcome)
    return outcome


def _book_one(session: Session, user: StaffUser, reach: Reach, case_id: int, label: str,
              outcome: BatchOutcome) -> None:
    case = get_case(session, reach, case_id, write=True, lock=True)
    parcel = parcel_step(case)
    if parcel is None or parcel.step not in {t.name for t in available_steps(case, user, reach)}:
        session.rollback()
        outcome.failed.append(RowFailure(case_id, label, [Problem(None, NOTHING_TO_SEND)]))
        return
    result, shipment = queue_booking(session, case, parcel.direction)
    session.commit()
    if result == Rebooking.QUEUED:
        outcome.done.append(case)
    elif result == Rebooking.BOOKED:
        waybill = shipment.waybill_number if shipment is not None else ""
        outcome.already_booked.append(RowFailure(case_id, label, [Problem(None, _l(
            "Booked with the courier already: waybill %(waybill)s.", waybill=waybill))]))
    else:
        outcome.failed.append(RowFailure(case_id, label, [Problem(None, BOOKING_WAITING)]))


# --- the 移交清单 ------------------------------------------------------------------------------------


def _sent_shipment(case: Case) -> Shipment | None:
    """The parcel between windows the case's step just recorded as sent (the newest)."""
    sent = [s for s in case.shipments if s.direction != ShipmentDirection.RESULT and s.sent_on and s.to_center_id]
    return max(sent, key=lambda s: s.id) if sent else None


def _transmittals_for(session: Session, user: StaffUser, reach: Reach, cases: list[Case],
                      sent_on: date) -> list[Transmittal]:
    """One list per destination window of the parcels one of the user's windows sent (a parcel an outside
    window sent, recorded here, has no list of ours)."""
    groups: dict[tuple[int, int], list[tuple[Case, Shipment]]] = defaultdict(list)
    for case in cases:
        session.refresh(case)
        shipment = _sent_shipment(case)
        if shipment is not None and shipment.from_center_id in reach.center_ids:
            groups[(shipment.from_center_id, shipment.to_center_id)].append((case, shipment))
    made = [_make_transmittal(session, user, parcels, sent_on) for parcels in groups.values()]
    session.commit()
    return made


#: how often a list number is drawn again when another clerk's list took it meanwhile
NUMBER_ATTEMPTS = 5
NUMBER_TAKEN = _l("The parcels were sent, but their transmittal list could not be numbered: other lists "
                   "took every number tried.")


def _next_number(session: Session, from_center_id: int, sent_on: date) -> str:
    """The window's next list number of the day: one past the highest taken (not the count of lists, which
    a number past it would collide with)."""
    prefix = f"YJ{from_center_id:04d}-{sent_on:%Y%m%d}-"
    taken = session.scalars(select(Transmittal.number).where(Transmittal.number.startswith(prefix, autoescape=True)))
    last = max((int(number[len(prefix):]) for number in taken if number[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:02d}"


def _make_transmittal(session: Session, user: StaffUser, parcels: list[tuple[Case, Shipment]],
                      sent_on: date) -> Transmittal:
    """The list, under a number of its own: the number is unique (uq_transmittal_number), so a list another
    clerk numbered first at the same moment makes this insert fail in its savepoint, and the next free
    number is drawn. On PostgreSQL the window's numbering is held until the commit (``_hold_numbering``)."""
    first = parcels[0][1]
    _hold_numbering(session, first.from_center_id)
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                transmittal = _numbered_transmittal(session, user, parcels, first, sent_on)
            break
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS:
                raise Conflict(NUMBER_TAKEN) from None
    context = transmittal_context(transmittal)
    pdf = render_transmittal(context)
    transmittal.file_key, transmittal.sha256 = storage.put(pdf)
    transmittal.size, transmittal.file_name = len(pdf), f"移交清单-{transmittal.number}.pdf"
    return transmittal


#: the first key of the PostgreSQL advisory lock that numbers a window's lists (the second: the window's id)
NUMBERING_LOCK = 7301


def _hold_numbering(session: Session, from_center_id: int) -> None:
    """On PostgreSQL, the window's list numbering is held until the commit: a second clerk's batch draws its
    number once the first one's list is committed, so it never draws the same one (SQLite writes one at a
    time; there the savepoint's retry is the guard)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(NUMBERING_LOCK, from_center_id)))


def _numbered_transmittal(session: Session, user: StaffUser, parcels: list[tuple[Case, Shipment]], first: Shipment,
                          sent_on: date) -> Transmittal:
    transmittal = Transmittal(number=_next_number(session, first.from_center_id, sent_on),
                              from_center_id=first.from_center_id, to_center_id=first.to_center_id, sent_on=sent_on,
                              created_by_fk=user.id, created_by_name=user.name)
    for seq, (case, shipment) in enumerate(parcels, start=1):
        transmittal.items.append(TransmittalItem(seq=seq, case_id=case.id, shipment_id=shipment.id))
    session.add(transmittal)
    session.flush()
    return transmittal


def transmittal_context(transmittal: Transmittal) -> TransmittalContext:
    """What the list prints, read from its cases (the applicant masked: the list travels with the courier)."""
    rows = []
    for item in transmittal.items:
        case, shipment = item.case, item.shipment
        direction = shipment.direction if shipment is not None else ShipmentDirection.MATERIALS
        contents, lines = {
            ShipmentDirection.RESULT_TO_WINDOW: ("办理结果", _result_lines),
        }.get(direction, ("申请材料", _material_lines))
        rows.append(TransmittalRow(
            seq=item.seq, case_number=case.label, applicant=mask_name(case.applicant_name),
            matter_name=case.matter.name, contents=contents, materials=lines(case),
            waybill_number=shipment.waybill_number if shipment is not None else ""))
    return TransmittalContext(number=transmittal.number, from_name=transmittal.from_center.name,
                              to_name=transmittal.to_center.name, sent_on=transmittal.sent_on, rows=tuple(rows),
                              prepared_by=transmittal.created_by_name)


def _material_lines(case: Case) -> tuple[TransmittalMaterial, ...]:
    return tuple(TransmittalMaterial(m.name, m.copies, FORM_LABELS.get(m.form, "")) for m in case.materials
                 if m.received)


def _result_lines(case: Case) -> tuple[TransmittalMaterial, ...]:
    """The result's documents (批准文书、证照、决定书 …), as the department attached them."""
    return tuple(TransmittalMaterial(document.name, 1, "") for document in case.result_documents)


def transmittals_of(session: Session, user: StaffUser) -> list[Transmittal]:
    """The lists the user's windows sent or receive, newest first."""
    reach = reach_of(user)
    return list(session.scalars(select(Transmittal).where(criterion(Transmittal, reach))
                                .order_by(Transmittal.sent_on.desc(), Transmittal.id.desc()).limit(200)))


def get_transmittal(session: Session, user: StaffUser, transmittal_id: Any) -> Transmittal:
    """A list of the user's windows (its sender's or its receiver's); NotFound otherwise."""
    try:
        return get_in_scope(session, Transmittal, transmittal_id, reach_of(user))
    except OutOfScope:
        raise NotFound() from None


# --- receiving ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingCase:
    """A case of an incoming list (or waybill): can it be signed for now, and what should be in it."""

    case: Case
    item: TransmittalItem | None
    waybill_number: str
    signable: bool


def incoming_of_transmittal(session: Session, user: StaffUser, transmittal_id: Any) -> tuple[Transmittal,
                                                                                             list[IncomingCase]]:
    transmittal = get_transmittal(session, user, transmittal_id)
    reach = reach_of(user)
    rows = [IncomingCase(item.case, item, item.shipment.waybill_number if item.shipment else "",
                         _signable(user, reach, item.case)) for item in transmittal.items]
    return transmittal, rows


def incoming_by_waybill(session: Session, user: StaffUser, waybill: str) -> list[IncomingCase]:
    """The cases whose parcel on its way carries ``waybill`` and that the user can sign for now (a parcel
    without a list of ours: an outside window's, or one sent case by case)."""
    waybill = (waybill or "").strip()
    if not waybill:
        return []
    reach = reach_of(user)
    cases = session.scalars(
        select(Case).join(Shipment, Shipment.case_id == Case.id)
        .where(criterion(Case, reach, write=True), Shipment.waybill_number == waybill,
               Shipment.sent_on.is_not(None), Shipment.received_on.is_(None))
        .order_by(Case.id)).unique().all()
    rows = [IncomingCase(case, None, waybill, _signable(user, reach, case)) for case in cases]
    return [row for row in rows if row.signable]


def _signable(user: StaffUser, reach: Reach, case: Case) -> bool:
    """The user can take the receive step on the case now (its side, its role, its status)."""
    return any(t.name == StepName.RECEIVE for t in available_steps(case, user, reach))


def sign_parcels(session: Session, user: StaffUser, rows: Sequence[SignInput], *, transmittal_id: Any = None,
                 received_on: date | str | None = None, today: date | None = None) -> BatchOutcome:
    """The receiving window signs for every ticked case at once: each case its own receive step (one
    transaction, one history entry naming the materials that arrived and those that did not)."""
    received_on = _batch_date("received_on", received_on, rows, "sign")
    today = today or date.today()
    reach = reach_of(user)
    transmittal = get_transmittal(session, user, transmittal_id) if transmittal_id is not None else None
    cases = _cases_in_scope(session, reach, [row.case_id for row in rows])
    on_list = {item.case_id: item.id for item in transmittal.items} if transmittal is not None else None
    if on_list is not None and any(case.id not in on_list for case in cases):
        raise NotFound(NOT_ON_LIST)
    ticked = {as_record_id(row.case_id): tuple(row.materials) for row in rows}
    outcome = BatchOutcome()
    for case_id, label in [(c.id, c.label) for c in cases]:
        _sign_one(session, user, case_id, label, ticked.get(case_id, ()), received_on, today, outcome)
    if transmittal is not None:
        _record_on_list(session, user, transmittal.id, outcome.done, ticked, received_on or today)
    return outcome


def _sign_one(session: Session, user: StaffUser, case_id: int, label: str, materials: tuple[int, ...],
              received_on: date | None, today: date, outcome: BatchOutcome) -> None:
    case = session.get(Case, case_id)
    if not materials:
        outcome.failed.append(RowFailure(case_id, label, [Problem(f"materials-{case_id}", NOTHING_TICKED)]))
        return
    values = {"received_on": received_on.isoformat() if received_on else "", "note": receipt_note(case, materials)}
    try:
        outcome.done.append(take_step(session, user, case_id, StepName.RECEIVE, values, today=today))
    except ServiceError as error:
        outcome.failed.append(RowFailure(case_id, label, error.problems))


def receipt_note(case: Case, ticked: Iterable[int]) -> str:
    """The history's words for what arrived: every material ticked, and every one missing, by name."""
    ticked = set(ticked)
    arrived = [f"{m.seq}. {m.name}" for m in case.materials if m.received and m.seq in ticked]
    missing = [f"{m.seq}. {m.name}" for m in case.materials if m.received and m.seq not in ticked]
    note = _("Received: %(materials)s.", materials="；".join(arrived))
    if missing:
        note += " " + _("Missing from the parcel: %(materials)s.", materials="；".join(missing))
    return note


def _record_on_list(session: Session, user: StaffUser, transmittal_id: int, signed: list[Case],
                    ticked: dict[int | None, tuple[int, ...]], received_on: date) -> None:
    transmittal = session.get(Transmittal, transmittal_id)
    signed_ids = {case.id for case in signed}
    for item in transmittal.items:
        if item.case_id in signed_ids:
            item.received_materials = sorted(ticked.get(item.case_id, ()))
            item.received_on = received_on
    if all(item.received_on for item in transmittal.items):
        transmittal.received_on, transmittal.received_by_name = received_on, user.name
    session.commit()

