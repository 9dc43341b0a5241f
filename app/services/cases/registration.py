"""申报: registering a draft case at the clerk's window, and changing it while it is a draft.

The steps that follow (accept, dispatch …) are taken with ``app.services.cases.take_step``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.domain.roles import RoleName
from app.domain.workflow import Status
from app.errors import Conflict, Forbidden, ProblemCollector
from app.labels import STATUS_LABELS
from app.models.case import Case, CaseMaterial, new_public_token
from app.models.staff import StaffUser
from app.scope import Reach, reach_of
from app.services.cases.access import get_case
from app.services.cases.history import add_event
from app.services.cases.input import (
    APPLICANT_FIELDS,
    MAIL_FIELDS,
    materials_from_guide,
    read_case_input,
)

DRAFT_FIELDS = APPLICANT_FIELDS + MAIL_FIELDS + (
    "department_name", "fee_note", "remarks", "counterpart_number", "matter_id", "handling_type_id",
    "origin_center_id", "home_center_id", "department_id", "applied_on", "form_values",
)


# --- who is who on a case ----------------------------------------------------------------------


# --- reading -----------------------------------------------------------------------------------


# --- history and deadlines -----------------------------------------------------------------------


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
    # the applicant's key to the progress page (the QR code on the notice, the SMS link): unguessable
    case = Case(status=Status.DRAFT, guide=guide, matter=checked.matter, line=checked.matter.line,
                registered_by_fk=user.id, public_token=new_public_token(), **_draft_values(checked.values))
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
    checked = read_case_input(session, data, base, problems, today, guide=case.guide)
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
