"""What the registration form offers: the pickers follow the matter (issue 11, defect 3).

The matter narrows the handling types (those it is listed under and that cover the receiving window),
the home windows (those whose region one of these types covers, and that have a department of the
matter's line — or stand outside the system) and the approving departments (of the matter's line, in the
home window's county). Only reads; the registration itself (``register_case`` through ``read_case_input``)
stays the authority and refuses whatever a crafted request sends past these lists.

Scoped to the clerk's window: the receiving window is the clerk's own or a window outside the system that
mailed a case to it (inbound); anything else is NotFound, like a case out of scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.roles import RoleName
from app.errors import Forbidden, NotFound
from app.models.catalog import HandlingType, Matter, MatterStatus
from app.models.org import Department, Region, ServiceCenter
from app.models.staff import StaffUser
from app.scope import as_record_id, reach_of
from app.services.cases.input import covers

#: what every registration needs, whatever is chosen
ALWAYS_REQUIRED = ("origin_center_id", "matter_id", "handling_type_id", "home_center_id", "applicant_name",
                   "applicant_id_number", "applicant_phone")


@dataclass
class RegistrationOptions:
    """The choices of each picker, given what is chosen so far, and which fields are required now."""

    origins: list[ServiceCenter] = field(default_factory=list)
    matters: list[Matter] = field(default_factory=list)
    handling_types: list[HandlingType] = field(default_factory=list)
    homes: list[ServiceCenter] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    #: 补充信息: the extra fields the chosen matter's current guide asks (issue 15 item 3)
    form_fields: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "form_fields": self.form_fields,
            "handling_types": [{"id": t.id, "name": t.name} for t in self.handling_types],
            "home_centers": [{"id": c.id, "name": c.name, "external": c.external} for c in self.homes],
            "departments": [{"id": d.id, "name": d.name} for d in self.departments],
            "required": self.required,
        }


def _chosen(records: list[Any], value: Any) -> Any:
    """The record of ``records`` that ``value`` names; None when nothing is chosen; NotFound when the value
    names something the clerk is not offered."""
    if value in (None, ""):
        return None
    record_id = as_record_id(value)
    for record in records:
        if record.id == record_id:
            return record
    raise NotFound()


def _unit(region: Region) -> Region:
    """The county a region belongs to (the city itself for the city's departments)."""
    return region.county or region


def registration_options(session: Session, user: StaffUser, *, origin_center_id: Any = None, matter_id: Any = None,
                         handling_type_id: Any = None, home_center_id: Any = None) -> RegistrationOptions:
    reach = reach_of(user)
    if not reach.has_role(RoleName.WINDOW_CLERK) or user.center is None:
        raise Forbidden(_l("Only a window clerk registers cases."))
    options = RegistrationOptions()
    outside = session.scalars(select(ServiceCenter).where(ServiceCenter.external.is_(True),
                                                          ServiceCenter.active.is_(True))
                              .order_by(ServiceCenter.code)).all()
    options.origins = [user.center, *outside]
    origin = _chosen(options.origins, origin_center_id) or user.center
    options.matters = list(session.scalars(select(Matter).where(Matter.status == MatterStatus.PUBLISHED,
                                                                 Matter.current_guide_id.is_not(None))
                                           .order_by(Matter.code)))
    matter = _chosen(options.matters, matter_id)
    options.form_fields = matter.form_fields if matter is not None else []
    types = session.scalars(select(HandlingType).where(HandlingType.active.is_(True))
                            .order_by(HandlingType.sort_order)).all()
    options.handling_types = [t for t in types if (matter is None or t in matter.handling_types)
                              and covers(t, origin.region)]
    handling_type = _chosen(options.handling_types, handling_type_id)
    departments = _departments_of(session, matter)
    options.homes = _homes(session, origin, [handling_type] if handling_type else options.handling_types,
                           departments if matter is not None else None)
    home = _chosen(options.homes, home_center_id)
    units = {_unit(h.region).id for h in ([home] if home is not None else options.homes) if not h.external}
    options.departments = [d for d in departments if _unit(d.region).id in units]
    options.required = _required(origin, home)
    return options


def _departments_of(session: Session, matter: Matter | None) -> list[Department]:
    stmt = select(Department).where(Department.active.is_(True)).order_by(Department.region_id, Department.name)
    if matter is not None:
        stmt = stmt.where(Department.line == matter.line)
    return list(session.scalars(stmt))


def _homes(session: Session, origin: ServiceCenter, types: list[HandlingType],
           departments: list[Department] | None) -> list[ServiceCenter]:
    """Windows one of ``types`` covers together with the origin; inside the system only those with a
    department of the matter's line (``departments``, None before a matter is chosen) in their county."""
    centers = session.scalars(select(ServiceCenter).where(ServiceCenter.active.is_(True),
                                                          ServiceCenter.has_window.is_(True),
                                                          ServiceCenter.id != origin.id)
                              .order_by(ServiceCenter.external, ServiceCenter.code)).all()
    with_department = None if departments is None else {_unit(d.region).id for d in departments}
    homes = []
    for center in centers:
        if origin.external and center.external:
            continue  # one end of a case is a window inside the system
        if not any(covers(t, origin.region) and covers(t, center.region) for t in types):
            continue
        if not center.external and with_department is not None and _unit(center.region).id not in with_department:
            continue
        homes.append(center)
    return homes


def _required(origin: ServiceCenter, home: ServiceCenter | None) -> list[str]:
    required = list(ALWAYS_REQUIRED)
    if origin.external:
        required.append("counterpart_number")
    if home is not None:
        required.append("department_name" if home.external else "department_id")
    return required
