"""Cases: registering a draft, changing it while it is a draft, reading it within scope, its history,
its deadlines, and logging each view of the full personal data.

Steps of the process (accept, dispatch …) are in ``app.services.transitions``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import deadlines as rules
from app.domain.roles import RoleName
from app.domain.workflow import CaseSides, Side, Status
from app.errors import Conflict, Forbidden, NotFound, ProblemCollector
from app.models.case import Case, CaseAccessLog, CaseEvent, CaseMaterial
from app.models.staff import StaffUser
from app.scope import OutOfScope, Reach, get_in_scope, reach_of
from app.services.calendar import load_calendar
from app.services.case_labels import STATUS_LABELS
from app.services.case_input import APPLICANT_FIELDS, MAIL_FIELDS, materials_from_guide, read_case_input

DRAFT_FIELDS = APPLICANT_FIELDS + MAIL_FIELDS + (
    "department_name", "fee_note", "remarks", "counterpart_number", "matter_id", "handling_type_id",
    "origin_center_id", "home_center_id", "department_id", "applied_on",
)


# --- who is who on a case ----------------------------------------------------------------------


def case_sides(case: Case) -> CaseSides:
    return CaseSides(origin_external=case.origin_center.external, home_external=case.home_center.external,
                     has_department=case.department_id is not None)


def sides_of(reach: Reach, case: Case) -> frozenset[Side]:
    """The sides of ``case`` the user stands on: its window (clerks) or its department (officers)."""
    sides = set()
    if reach.has_role(RoleName.WINDOW_CLERK):
        if case.origin_center_id in reach.center_ids:
            sides.add(Side.ORIGIN_WINDOW)
        if case.home_center_id in reach.center_ids:
            sides.add(Side.HOME_WINDOW)
    if reach.has_role(RoleName.DEPARTMENT_OFFICER) and case.department_id in reach.department_ids:
        sides.add(Side.DEPARTMENT)
    return frozenset(sides)


def actor_place(user: StaffUser) -> str:
    place = user.center or user.department or user.region
    return str(place) if place is not None else ""


# --- reading -----------------------------------------------------------------------------------


def get_case(session: Session, reach: Reach, case_id: Any, *, write: bool = False, lock: bool = False) -> Case:
    """The case if the reach covers it (NotFound otherwise); ``lock`` holds its row until commit."""
    try:
        case = get_in_scope(session, Case, case_id, reach, write=write)
    except OutOfScope:
        raise NotFound() from None
    if lock and session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
        session.refresh(case)
    return case


def record_full_view(session: Session, user: StaffUser, case: Case, address: str, channel: str) -> None:
    """Logs that ``user`` saw the case's full identity number and phone (committed with the page)."""
    session.add(CaseAccessLog(case_id=case.id, user_fk=user.id, username=user.username, address=address[:64],
                              channel=channel))
    session.commit()


def may_see_full_data(reach: Reach, case: Case) -> bool:
    """The roles that handle the case (its windows and department) see full identity data."""
    return bool(sides_of(reach, case))


# --- history and deadlines -----------------------------------------------------------------------


def add_event(session: Session, case: Case, action: str, from_status: str | None, user: StaffUser | None,
              note: str = "", data: Mapping[str, Any] | None = None) -> CaseEvent:
    last = session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id)) or 0
    event = CaseEvent(case_id=case.id, seq=last + 1, action=action, from_status=from_status, to_status=case.status,
                      actor_fk=user.id if user else None, actor_name=user.name if user else "",
                      actor_place=actor_place(user) if user else "", note=note or "", data=dict(data or {}))
    session.add(event)
    return event


def refresh_deadlines(session: Session, case: Case, today: date) -> None:
    """Recomputes the due dates and the warning level of one case from the work calendar."""
    calendar = load_calendar(session)
    provisional = False
    if case.accepted_on:
        pauses = [rules.Pause(c.requested_on, c.supplied_on) for c in case.corrections]
        case.paused_days = rules.paused_working_days(calendar, pauses, today)
        dispatch = rules.dispatch_due(calendar, case.accepted_on)
        process = rules.process_due(calendar, case.accepted_on, case.guide.content["promised_limit_days"],
                                    case.paused_days)
        case.dispatch_due, case.process_due = dispatch.due, process.due
        provisional = dispatch.provisional or process.provisional
    if case.completed_on:
        delivery = rules.delivery_due(calendar, case.completed_on)
        case.delivery_due = delivery.due
        provisional = provisional or delivery.provisional
    case.due_provisional = provisional
    stage = rules.STAGE_OF_STATUS.get(Status(case.status))
    case.warning_level = rules.warning_level(calendar, stage, case.current_due, today).value


# --- drafts ------------------------------------------------------------------------------------


def _require_clerk(reach: Reach) -> None:
    if not reach.has_role(RoleName.WINDOW_CLERK):
        raise Forbidden(_l("Only a window clerk registers cases."))


def register_case(session: Session, user: StaffUser, data: Mapping[str, Any], today: date | None = None) -> Case:
    """申报: a draft case at the clerk's window, its materials listed from the matter's guide."""
    today = today or date.today()
    reach = reach_of(user)
    _require_clerk(reach)
    data = dict(data)
    data.setdefault("origin_center_id", user.center_id)
    problems = ProblemCollector()
    checked = read_case_input(session, data, None, problems, today)
    _check_registering_window(reach, checked, problems)
    problems.raise_if_any()
    guide = checked.matter.current_guide
    case = Case(status=Status.DRAFT, guide=guide, matter=checked.matter, line=checked.matter.line,
                registered_by_fk=user.id, **_draft_values(checked.values))
    if not case.fee_note:
        case.fee_note = guide.content.get("fee_note", "")
    for item in checked.materials if checked.materials is not None else materials_from_guide(guide.content):
        case.materials.append(CaseMaterial(**item))
    session.add(case)
    session.flush()
    add_event(session, case, "register", None, user)
    session.commit()
    return case


def update_draft(session: Session, user: StaffUser, case_id: Any, data: Mapping[str, Any],
                 expected_version: int | None = None, today: date | None = None) -> Case:
    """Changes a draft (only a draft: an accepted case follows its steps)."""
    today = today or date.today()
    reach = reach_of(user)
    _require_clerk(reach)
    case = get_case(session, reach, case_id, write=True, lock=True)
    if expected_version is not None and expected_version != case.version:
        raise Conflict(_l("The case was changed by someone else meanwhile; reload it and try again."))
    if case.status != Status.DRAFT:
        raise Conflict(_l("Only a draft can be edited; this case is %(status)s.", status=STATUS_LABELS[case.status]))
    problems = ProblemCollector()
    base = {name: getattr(case, name) for name in DRAFT_FIELDS}
    checked = read_case_input(session, data, base, problems, today)
    _check_registering_window(reach, checked, problems)
    problems.raise_if_any()
    for name, value in _draft_values(checked.values).items():
        setattr(case, name, value)
    if checked.matter.id != case.matter_id or checked.materials is not None:
        if checked.matter.id != case.matter_id:
            case.matter, case.guide, case.line = checked.matter, checked.matter.current_guide, checked.matter.line
        items = checked.materials if checked.materials is not None else materials_from_guide(case.guide.content)
        scans = _scans_by_material(case.materials)
        case.materials.clear()
        session.flush()
        for item in items:
            material = CaseMaterial(**item)
            # A material that stays on the list keeps its uploaded scan.
            for attr, value in scans.get(_material_key(item), {}).items():
                setattr(material, attr, value)
            case.materials.append(material)
    add_event(session, case, "update", Status.DRAFT, user, data={"fields": sorted(k for k in data if k != "version")})
    session.commit()
    return case


SCAN_FIELDS = ("scan_key", "scan_name", "scan_sha256", "scan_size", "scan_content_type", "scan_uploaded_on")


def _material_key(item: Mapping[str, Any] | CaseMaterial) -> tuple[Any, str]:
    get = item.get if isinstance(item, Mapping) else lambda k: getattr(item, k)
    return get("requirement_seq"), get("name")


def _scans_by_material(materials: list[CaseMaterial]) -> dict[tuple[Any, str], dict[str, Any]]:
    return {_material_key(m): {f: getattr(m, f) for f in SCAN_FIELDS} for m in materials if m.scan_key}


def _draft_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in DRAFT_FIELDS if name in values and name != "matter_id"}


def _check_registering_window(reach: Reach, checked: Any, problems: ProblemCollector) -> None:
    """A clerk registers at its own window: as the receiving window, or as the home window of a case
    that an outside window accepted (inbound)."""
    origin, home = checked.origin_center, checked.home_center
    if origin is None or home is None:
        return
    if origin.id in reach.center_ids:
        return
    if home.id in reach.center_ids and origin.external:
        return
    problems.add("origin_center_id", _l("Cases are registered at your own window, or as its home window for an outside window."))
