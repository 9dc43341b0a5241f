"""Rules for staff accounts: where a user works must match the role it holds."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.models import Role
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.roles import COUNTY_ASSIGNABLE_ROLES, RoleName
from app.errors import ProblemCollector
from app.models.org import Region, RegionLevel
from app.models.staff import StaffUser
from app.platform.records import rule_for
from app.scope import Reach, criterion
from app.services.organisation.passwords import password_problems
from app.services.organisation.units import check_phone


def derive_region(user: StaffUser) -> None:
    """A clerk's or officer's county follows from its center or department (one place to change)."""
    if user.center is not None:
        user.region = user.center.region.county or user.center.region
    elif user.department is not None:
        user.region = user.department.region.county or user.department.region


def assignable_role_names(session: Session, reach: Reach) -> list[str]:
    """Administrators give any role; county administrators only those of their county's staff."""
    if reach.everything:
        return list(session.scalars(select(Role.name).order_by(Role.id)))
    return sorted(COUNTY_ASSIGNABLE_ROLES)


def ids_in_write_scope(session: Session, model: type, reach: Reach) -> list[int]:
    """The records of ``model`` a user may be placed in (its center, its department)."""
    return list(session.scalars(select(model.id).where(criterion(model, reach, write=True))))


def county_ids_in_scope(session: Session, reach: Reach) -> list[int]:
    """The counties a county administrator may be given."""
    counties = select(Region.id).where(Region.level == RegionLevel.COUNTY)
    if not reach.everything:
        counties = counties.where(Region.path.in_(sorted(reach.county_paths)))
    return list(session.scalars(counties))


def new_password_problems(problems: ProblemCollector, password: Any) -> None:
    """The password rules (app.security.passwords), every rule broken at once, under the field ``password``."""
    if not isinstance(password, str) or not password:
        problems.add("password", _l("Enter the password."))
        return
    broken = password_problems(password)
    if broken:
        problems.add("password", _l("The password needs %(rules)s.", rules="; ".join(broken)))


@rule_for(StaffUser)
def staff_rules(session: Session, user: StaffUser, reach: Reach, problems: ProblemCollector) -> None:
    roles = {role.name for role in user.roles}
    if not roles:
        problems.add("roles", _l("Give the user a role."))
    if not reach.everything and roles - COUNTY_ASSIGNABLE_ROLES:
        problems.add("roles", _l("A county administrator gives window clerk and department officer roles only."))
    if RoleName.WINDOW_CLERK in roles and user.center is None:
        problems.add("center", _l("A window clerk needs the service center whose window it staffs."))
    if roles & {RoleName.DEPARTMENT_OFFICER, RoleName.CITY_DEPARTMENT} and user.department is None:
        problems.add("department", _l("A department officer needs its department."))
    if RoleName.APPROVER in roles and RoleName.DEPARTMENT_OFFICER not in roles:
        problems.add("roles", _l("An approving head is a department officer too: give the user both roles."))
    if RoleName.CITY_DEPARTMENT in roles and user.department is not None and not user.department.is_city_level:
        problems.add("department", _l("A city department user belongs to a city-level department."))
    if RoleName.COUNTY_ADMIN in roles:
        if user.region is None or user.region.level != RegionLevel.COUNTY:
            problems.add("region", _l("A county administrator needs the county/district it administers."))
    if user.center is not None and user.department is not None:
        if user.center.region.county is not user.department.region.county:
            problems.add("department", _l("The center and the department are in different counties."))
    user.phone = check_phone(problems, "phone", user.phone or "", required=False) or None
    if RoleName.COUNTY_ADMIN not in roles:
        derive_region(user)
