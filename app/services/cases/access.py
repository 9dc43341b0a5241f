"""Who is who on a case, and reading it within scope: the sides a user stands on, the case
by id (404 outside the scope), and the log of each view of the full personal data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.domain.roles import RoleName
from app.domain.workflow import CaseSides, Side
from app.errors import NotFound
from app.models.case import Case, CaseAccessLog
from app.models.staff import StaffUser
from app.scope import OutOfScope, Reach, get_in_scope


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


def get_case(session: Session, reach: Reach, case_id: Any, *, write: bool = False, lock: bool = False) -> Case:
    """The case if the reach covers it (NotFound otherwise); ``lock`` holds its row until commit."""
    try:
        return get_in_scope(session, Case, case_id, reach, write=write, lock=lock)
    except OutOfScope:
        raise NotFound() from None


def record_full_view(session: Session, user: StaffUser, case: Case, address: str, channel: str) -> None:
    """Logs that ``user`` saw the case's full identity number and phone (committed with the page)."""
    session.add(CaseAccessLog(case_id=case.id, user_fk=user.id, username=user.username, address=address[:64],
                              channel=channel))
    session.commit()


def may_see_full_data(reach: Reach, case: Case) -> bool:
    """The roles that handle the case (its windows and department) see full identity data."""
    return bool(sides_of(reach, case))
