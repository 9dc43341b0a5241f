"""Who is who on a case, and reading it within scope: the sides a user stands on, the case
by id (404 outside the scope), and the access log of personal data.

The rule (issue 9): only the case's own windows (clerks of its origin or home center) and its
department (officers) see full identity numbers, phones and files; every other reader of the case sees
masks, unless a supervisor asked to see them (查看个人信息) with a reason: that disclosure is an entry
of the access log, valid for ``PERSONAL_DATA_DISCLOSURE_MINUTES``, and the log is the only place that
grants it. Every full view, download, export and search by identity number or phone is logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain.privacy import PERSONAL_DATA_MASKS, AccessKind
from app.domain.roles import RoleName
from app.domain.workflow import CaseSides, Side
from app.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from app.models.base import now
from app.models.case import Case, CaseAccessLog, DeliveryMethod
from app.models.staff import StaffUser
from app.scope import OutOfScope, Reach, among, any_of, get_in_scope
from app.services.organisation.roles import holds_permission

#: the permission (on Case) to ask for a disclosure of a case's personal data
DISCLOSE = "can_disclose"
#: the shortest reason accepted for a disclosure
MIN_REASON = 4
FULL_VIEW_REFUSED = _l("This holds the applicant's full personal data: only the windows and the department of the "
                       "case open it. A supervisor asks for it with \"Show personal data\" and a reason.")
SEARCH_REFUSED = _l("Searching by ID number or phone is for the windows and departments that handle the cases; "
                    "you see these numbers masked.")


@dataclass(frozen=True)
class Viewer:
    """Who looks at personal data and from where: what the access log records of each view."""

    user: StaffUser
    reach: Reach
    address: str
    channel: str  # web / api / job


def case_sides(case: Case) -> CaseSides:
    return CaseSides(origin_external=case.origin_center.external, home_external=case.home_center.external,
                     has_department=case.department_id is not None,
                     delivery_by_mail=case.delivery_method == DeliveryMethod.MAIL)


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


def get_case(session: Session, reach: Reach, case_id: Any, *, write: bool = False, lock: bool = False) -> Case:
    """The case if the reach covers it (NotFound otherwise); ``lock`` holds its row until commit."""
    try:
        return get_in_scope(session, Case, case_id, reach, write=write, lock=lock)
    except OutOfScope:
        raise NotFound() from None


def may_see_full_data(reach: Reach, case: Case) -> bool:
    """The roles that handle the case (its windows and department) see full identity data."""
    return bool(sides_of(reach, case))


def full_view_cases(reach: Reach) -> Any:
    """``sides_of`` as an SQL criterion on Case: the cases whose full data the reach sees by its sides."""
    parts = []
    if reach.has_role(RoleName.WINDOW_CLERK):
        parts += [among(Case.origin_center_id, reach.center_ids), among(Case.home_center_id, reach.center_ids)]
    if reach.has_role(RoleName.DEPARTMENT_OFFICER):
        parts.append(among(Case.department_id, reach.department_ids))
    return any_of(*parts)


def may_search_personal_data(reach: Reach) -> bool:
    """Whether the user may look cases up by ID number or phone: only those who see full values
    (window clerks, department officers), and only among the cases they stand on a side of."""
    return reach.has_role(RoleName.WINDOW_CLERK) or reach.has_role(RoleName.DEPARTMENT_OFFICER)


def active_disclosure(session: Session, user: StaffUser, case: Case) -> CaseAccessLog | None:
    """The user's disclosure of the case still in force, if any (the newest)."""
    return session.scalars(
        select(CaseAccessLog).where(CaseAccessLog.case_id == case.id, CaseAccessLog.user_fk == user.id,
                                    CaseAccessLog.kind == AccessKind.DISCLOSURE, CaseAccessLog.valid_until > now())
        .order_by(CaseAccessLog.valid_until.desc()).limit(1)
    ).first()


def full_view_reason(session: Session, viewer: Viewer, case: Case) -> str | None:
    """None when the viewer sees masks only; otherwise the reason its views are logged with: empty
    for a side of the case, the reason of the disclosure in force for anyone else."""
    if may_see_full_data(viewer.reach, case):
        return ""
    disclosure = active_disclosure(session, viewer.user, case)
    return None if disclosure is None else disclosure.reason


def _entry(viewer: Viewer, case_id: int | None, kind: str, **values: Any) -> dict[str, Any]:
    return {"case_id": case_id, "user_fk": viewer.user.id, "username": viewer.user.username,
            "address": (viewer.address or "")[:64], "channel": viewer.channel, "kind": kind, "at": now(), **values}


def record_full_view(session: Session, viewer: Viewer, case: Case, kind: str, reason: str = "") -> None:
    """Logs that the viewer saw the case's full identity number, phone or files (committed)."""
    session.add(CaseAccessLog(**_entry(viewer, case.id, kind, reason=reason)))
    session.commit()


def open_full_view(session: Session, viewer: Viewer, case: Case, kind: str, *, record: bool = True) -> None:
    """A notice, scan, result document or archive package of the case, for a viewer who may see the
    full data (logged unless ``record`` is false: nothing was handed over yet); Forbidden otherwise."""
    reason = full_view_reason(session, viewer, case)
    if reason is None:
        raise Forbidden(FULL_VIEW_REFUSED)
    if record:
        record_full_view(session, viewer, case, kind, reason)


def record_export(session: Session, viewer: Viewer, case_ids: Iterable[int], detail: str) -> None:
    """Logs an export: one entry per case whose rows it carries with full data (committed)."""
    rows = [_entry(viewer, case_id, AccessKind.EXPORT, detail=detail[:255]) for case_id in sorted(set(case_ids))]
    if rows:
        session.execute(insert(CaseAccessLog), rows)
    session.commit()


def record_search(session: Session, viewer: Viewer, column: str, value: Any) -> None:
    """Logs a search by ID number or phone (the column and the value masked, never the value), then
    refuses it (Forbidden) to a user who sees only masks: a refusal is the same for every guess."""
    mask = PERSONAL_DATA_MASKS.get(column, lambda v: "*" * len(v))
    allowed = may_search_personal_data(viewer.reach)
    detail = f"{column}={mask(str(value))}" + ("" if allowed else " refused")
    session.add(CaseAccessLog(**_entry(viewer, None, AccessKind.SEARCH, detail=detail[:255])))
    session.commit()
    if not allowed:
        raise Forbidden(SEARCH_REFUSED)


def disclose(session: Session, viewer: Viewer, case_id: Any, reason: Any) -> CaseAccessLog:
    """查看个人信息: a supervisor asks to see a case's personal data (for a complaint), with a reason.
    The entry it writes in the access log lets that user see the case in full, every view logged
    with the reason, for ``PERSONAL_DATA_DISCLOSURE_MINUTES``."""
    case = get_case(session, viewer.reach, case_id)
    if not holds_permission(viewer.user, DISCLOSE, "Case"):
        raise Forbidden(_l("Your role may not ask to see the personal data of a case."))
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < MIN_REASON:
        raise ValidationFailed([Problem("reason", _l("Give the reason for seeing the personal data (at least "
                                                     "%(count)d characters).", count=MIN_REASON))])
    if may_see_full_data(viewer.reach, case):
        raise Conflict(_l("You already see the personal data of this case."))
    minutes = int(current_app.config["PERSONAL_DATA_DISCLOSURE_MINUTES"])
    entry = CaseAccessLog(**_entry(viewer, case.id, AccessKind.DISCLOSURE, reason=reason[:2000],
                                   valid_until=now() + timedelta(minutes=minutes)))
    session.add(entry)
    session.commit()
    return entry
