"""The roles of DESIGN §1. Pure names: which permissions each role holds lives in ``app.domain.permissions``."""

from __future__ import annotations

from enum import StrEnum


class RoleName(StrEnum):
    ADMIN = "Admin"
    CITY_SUPERVISOR = "CitySupervisor"
    COUNTY_ADMIN = "CountyAdmin"
    WINDOW_CLERK = "WindowClerk"
    DEPARTMENT_OFFICER = "DepartmentOfficer"
    CITY_DEPARTMENT = "CityDepartment"
    #: 审批负责人: given beside DepartmentOfficer to the person with the right to approve (an extension,
    #: Administrative Licensing Law Art. 42); it adds only those decisions, the scope is the officer's
    APPROVER = "Approver"
    PUBLIC = "Public"


#: roles that see every record (the supervisor only reads cases: its writes are 督办单, 催办 and disclosure requests,
#: app.domain.permissions)
EVERYTHING_ROLES = frozenset({RoleName.ADMIN.value, RoleName.CITY_SUPERVISOR.value})

#: roles a county administrator may give to the users of its county
COUNTY_ASSIGNABLE_ROLES = frozenset({RoleName.WINDOW_CLERK.value, RoleName.DEPARTMENT_OFFICER.value,
                                     RoleName.APPROVER.value})

#: staff roles, in the order they are listed to people
STAFF_ROLES = (
    RoleName.ADMIN,
    RoleName.CITY_SUPERVISOR,
    RoleName.COUNTY_ADMIN,
    RoleName.WINDOW_CLERK,
    RoleName.DEPARTMENT_OFFICER,
    RoleName.CITY_DEPARTMENT,
    RoleName.APPROVER,
)
