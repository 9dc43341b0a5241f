"""Rules for staff accounts: where a user works must match the role it holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.domain.roles import RoleName
from app.errors import ProblemCollector
from app.models.org import RegionLevel
from app.models.staff import StaffUser
from app.scope import Reach
from app.services.organisation.units import check_phone
from app.platform.records import rule_for


def derive_region(user: StaffUser) -> None:
    """A clerk's or officer's county follows from its center or department (one place to change)."""
    if user.center is not None:
        user.region = user.center.region.county or user.center.region
    elif user.department is not None:
        user.region = user.department.region.county or user.department.region


@rule_for(StaffUser)
def staff_rules(session: Session, user: StaffUser, reach: Reach, problems: ProblemCollector) -> None:
    roles = {role.name for role in user.roles}
    if not roles:
        problems.add("roles", _l("Give the user a role."))
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
