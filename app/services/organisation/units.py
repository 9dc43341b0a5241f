"""Rules for the organisation records that administrators maintain (centers, departments, regions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.domain import validators
from app.errors import ProblemCollector
from app.labels import phone_message
from app.models.org import Department, Region, RegionLevel, ServiceCenter
from app.scope import Reach
from app.platform.records import delete_rule_for, rule_for


def check_phone(problems: ProblemCollector, field: str, value: str, *, required: bool) -> str:
    """Adds a problem for a bad phone (a mobile or a fixed line with its area code) and returns the
    number in its normal form."""
    if not value:
        if required:
            problems.add(field, _l("Enter a phone number."))
        return value
    problem = validators.phone_problem(value)
    if problem is not None:
        problems.add(field, phone_message(field, value, problem))
        return value
    return validators.normalize_phone(value)


def check_hotline(problems: ProblemCollector, value: str) -> str:
    """An organisation's service hotline (12345), kept apart from its phone; empty when it has none."""
    value = (value or "").strip()
    if not value:
        return ""
    normal = validators.normalize_hotline(value)
    if normal is None:
        problems.add("hotline", _l("%(value)s is no service hotline (such as 12345 or 95598); a mobile or "
                                   "fixed-line number goes in the phone field.", value=value))
        return value
    return normal


@rule_for(ServiceCenter)
def center_rules(session: Session, center: ServiceCenter, reach: Reach, problems: ProblemCollector) -> None:
    center.code = (center.code or "").strip().upper()
    if not validators.is_center_code(center.code):
        problems.add("code", _l("The code must be 2 to 16 capital letters or digits."))
    if not (center.name or "").strip():
        problems.add("name", _l("Enter the name."))
    if center.postcode and not validators.is_postcode(center.postcode):
        problems.add("postcode", _l("A postcode has six digits."))
    center.phone = check_phone(problems, "phone", center.phone or "", required=True)
    center.hotline = check_hotline(problems, center.hotline)
    if not (center.address or "").strip():
        problems.add("address", _l("Enter the address: materials are mailed there."))
    region = center.region
    if region is None:
        problems.add("region", _l("Choose the region."))
    elif region.level == RegionLevel.PROVINCE:
        problems.add("region", _l("A service center belongs to a city, a county/district or a township/street."))


@rule_for(Department)
def department_rules(session: Session, department: Department, reach: Reach, problems: ProblemCollector) -> None:
    if not (department.name or "").strip():
        problems.add("name", _l("Enter the full name."))
    department.phone = check_phone(problems, "phone", department.phone or "", required=False)
    department.hotline = check_hotline(problems, department.hotline)
    if department.region is None:
        problems.add("region", _l("Choose the region."))
    elif department.region.level not in (RegionLevel.CITY, RegionLevel.COUNTY):
        problems.add("region", _l("A department belongs to the city or to a county/district."))
    if department.business_line is None and not department.line:
        problems.add("business_line", _l("Choose the line of business."))


@rule_for(Region)
def region_rules(session: Session, region: Region, reach: Reach, problems: ProblemCollector) -> None:
    if region.code and not (region.code.isdigit() and len(region.code) in (6, 9, 12)):
        problems.add("code", _l("A GB/T 2260 code has 6 digits (9 or 12 for townships and villages)."))
    if region.parent is not None and region.parent.id == region.id:
        problems.add("parent", _l("A region cannot be its own parent."))
    # The path follows the parent; children are re-pathed when a node moves.
    set_region_path(session, region)


def set_region_path(session: Session, region: Region) -> None:
    """Keeps the materialised path (used by the scope rule) in step with the tree."""
    if region.id is None:
        session.add(region)
        session.flush()
    parent_path = region.parent.path if region.parent is not None else "/"
    new_path = f"{parent_path}{region.id}/"
    if region.path != new_path:
        old_path = region.path
        region.path = new_path
        if old_path:
            for node in session.query(Region).filter(Region.path.startswith(old_path), Region.id != region.id):
                node.path = new_path + node.path[len(old_path):]


@delete_rule_for(Region)
def region_delete_rules(session: Session, region: Region, reach: Reach, problems: ProblemCollector) -> None:
    if region.children:
        problems.add(None, _l("This region has sub-regions; delete or move them first."))
