"""Reading and checking what a clerk enters for a case (the form and the API share this).

Every problem is collected, in the reader's language, keyed by the field it concerns, so one answer
lists them all (一次性告知). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.domain import validators
from app.errors import ProblemCollector
from app.labels import phone_message
from app.models.case import ApplicantKind, DeliveryMethod, IdType
from app.models.catalog import Guide, HandlingType, MaterialForm, Matter, MatterStatus
from app.models.org import Department, Region, ServiceCenter
from app.scope import as_record_id
from app.services.catalog.fields import check_values

APPLICANT_FIELDS = (
    "applicant_kind", "applicant_name", "applicant_id_type", "applicant_id_number", "applicant_phone",
    "applicant_email", "applicant_address", "applicant_postcode",
)
MAIL_FIELDS = ("delivery_method", "mail_recipient", "mail_phone", "mail_address", "mail_postcode")
TEXT_FIELDS = APPLICANT_FIELDS + MAIL_FIELDS + ("department_name", "fee_note", "remarks", "counterpart_number")
REFERENCE_FIELDS = ("matter_id", "handling_type_id", "origin_center_id", "home_center_id", "department_id")
CASE_FIELDS = TEXT_FIELDS + REFERENCE_FIELDS + ("applied_on", "materials", "form_values")
MAX_LENGTH = {"applicant_name": 128, "applicant_email": 320, "applicant_address": 255, "mail_recipient": 128,
              "mail_address": 255, "department_name": 128, "fee_note": 255, "counterpart_number": 64}


@dataclass
class CaseInput:
    """Checked values ready to be written, with the records they refer to."""

    values: dict[str, Any] = field(default_factory=dict)
    matter: Matter | None = None
    handling_type: HandlingType | None = None
    origin_center: ServiceCenter | None = None
    home_center: ServiceCenter | None = None
    department: Department | None = None
    materials: list[dict[str, Any]] | None = None



def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _record_id(data: Mapping[str, Any], name: str, problems: ProblemCollector) -> int | None:
    """The id of the record a field names; anything that can be no id (a text, a number beyond any record) is
    a problem, found before a query the database would fail."""
    value = data.get(name)
    if value in (None, ""):
        return None
    record_id = as_record_id(value)
    if record_id is None:
        problems.add(name, _l("Choose a value from the list."))
    return record_id


def read_case_input(session: Session, data: Mapping[str, Any], base: Mapping[str, Any] | None,
                    problems: ProblemCollector, today: date, guide: Guide | None = None) -> CaseInput:
    """``data`` over ``base`` (a draft's current values): every field checked, every problem kept.

    The extra information (``form_values``) is checked against ``guide`` (a draft's own version) while the
    matter stays that guide's, else against the matter's current guide (what a new case is registered under)."""
    merged = {**(base or {}), **{k: v for k, v in data.items() if k in CASE_FIELDS}}
    unknown = sorted(set(data) - set(CASE_FIELDS) - {"version", "id"})
    for name in unknown:
        problems.add(name, _l("Unknown field."))
    result = CaseInput()
    for name in TEXT_FIELDS:
        result.values[name] = _text(merged, name)
        if len(result.values[name]) > MAX_LENGTH.get(name, 10_000):
            problems.add(name, _l("At most %(n)d characters.", n=MAX_LENGTH[name]))
    _read_references(session, merged, result, problems)
    _check_applicant(result.values, problems)
    _check_delivery(result.values, problems)
    try:
        applied_on = validators.parse_date(merged.get("applied_on")) or today
    except ValueError:
        problems.add("applied_on", _l("Enter the date as YYYY-MM-DD."))
        applied_on = today
    if applied_on > today:
        problems.add("applied_on", _l("The application date cannot be in the future."))
    result.values["applied_on"] = applied_on
    if "materials" in data:
        result.materials = _read_materials(data.get("materials"), problems)
    _check_case_shape(result, problems)
    _check_form_values(data, merged, result, guide, problems)
    return result


def _check_form_values(data: Mapping[str, Any], merged: Mapping[str, Any], result: CaseInput, guide: Guide | None,
                       problems: ProblemCollector) -> None:
    """补充信息 (issue 15 item 3): the values of the guide's extra fields, every problem with the others."""
    matter = result.matter
    if matter is None:
        return
    if guide is None or guide.matter_id != matter.id:
        guide = matter.current_guide
    if guide is None:
        return
    values = merged.get("form_values")
    if "form_values" not in data and isinstance(values, Mapping):  # a draft's values of another guide
        keys = {f.get("key") for f in guide.content.get("fields") or []}
        values = {k: v for k, v in values.items() if k in keys}
    result.values["form_values"] = check_values(guide.content, values, problems)


def _read_references(session: Session, data: Mapping[str, Any], result: CaseInput, problems: ProblemCollector) -> None:
    ids = {name: _record_id(data, name, problems) for name in REFERENCE_FIELDS}
    for name, model, attr in (("matter_id", Matter, "matter"), ("handling_type_id", HandlingType, "handling_type"),
                              ("origin_center_id", ServiceCenter, "origin_center"),
                              ("home_center_id", ServiceCenter, "home_center"),
                              ("department_id", Department, "department")):
        if ids[name] is None:
            if name not in ("department_id", "origin_center_id"):
                problems.add(name, _l("This field is required."))
            continue
        record = session.get(model, ids[name])
        if record is None:
            problems.add(name, _l("Choose a value from the list."))
        setattr(result, attr, record)
        result.values[name] = ids[name]


def _check_applicant(values: dict[str, Any], problems: ProblemCollector) -> None:
    kind = values["applicant_kind"] or ApplicantKind.PERSON
    values["applicant_kind"] = kind
    if kind not in {k.value for k in ApplicantKind}:
        problems.add("applicant_kind", _l("The applicant is a person or an organisation."))
    if not values["applicant_name"]:
        problems.add("applicant_name", _l("Enter the applicant's name."))
    id_type = values["applicant_id_type"] or (IdType.USCC if kind == ApplicantKind.ORGANISATION else IdType.RESIDENT_ID)
    values["applicant_id_type"] = id_type
    number = values["applicant_id_number"].upper()
    values["applicant_id_number"] = number
    if id_type not in {t.value for t in IdType}:
        problems.add("applicant_id_type", _l("Unknown kind of identity document."))
    elif not number:
        problems.add("applicant_id_number", _l("Enter the identity document number."))
    elif id_type == IdType.RESIDENT_ID and not validators.is_resident_id(number):
        problems.add("applicant_id_number", _l("%(value)s is not a valid resident ID number (check digit or birth date).", value=number))
    elif id_type == IdType.USCC and not validators.is_uscc(number):
        problems.add("applicant_id_number", _l("%(value)s is not a valid unified social credit code.", value=number))
    if kind == ApplicantKind.ORGANISATION and id_type == IdType.RESIDENT_ID:
        problems.add("applicant_id_type", _l("An organisation is identified by its unified social credit code."))
    _check_phone(values, "applicant_phone", problems, required=True)
    if values["applicant_email"] and not validators.is_email(values["applicant_email"]):
        problems.add("applicant_email", _l("%(value)s is not a valid e-mail address.", value=values["applicant_email"]))
    if values["applicant_postcode"] and not validators.is_postcode(values["applicant_postcode"]):
        problems.add("applicant_postcode", _l("A postcode has six digits."))


def _check_phone(values: dict[str, Any], name: str, problems: ProblemCollector, *, required: bool) -> None:
    raw = values[name]
    if not raw:
        if required:
            problems.add(name, _l("Enter a phone number."))
        return
    problem = validators.phone_problem(raw)
    if problem is not None:  # printed on the notices and texted: a mobile or a fixed line, never a hotline
        problems.add(name, phone_message(name, raw, problem))
    else:
        values[name] = validators.normalize_phone(raw)


def _check_delivery(values: dict[str, Any], problems: ProblemCollector) -> None:
    method = values["delivery_method"] or DeliveryMethod.PICKUP
    values["delivery_method"] = method
    if method not in {m.value for m in DeliveryMethod}:
        problems.add("delivery_method", _l("The result is picked up at the window or mailed."))
        return
    if method != DeliveryMethod.MAIL:
        return
    check_mailing_address(values, problems)


def check_mailing_address(values: dict[str, Any], problems: ProblemCollector) -> None:
    """The recipient, phone, address and postcode a result is mailed to (at registration, or corrected at
    the delivery): each problem collected; the recipient and phone default to the applicant's, the
    phone is put in its normal form. Lengths are checked where the values are read."""
    values["mail_recipient"] = values["mail_recipient"] or values["applicant_name"]
    phone_given = bool(values["mail_phone"])
    values["mail_phone"] = values["mail_phone"] or values["applicant_phone"]
    if not values["mail_address"]:
        problems.add("mail_address", _l("Enter the address the result is mailed to."))
    if not values["mail_postcode"]:
        problems.add("mail_postcode", _l("Enter the postcode of the mailing address."))
    elif not validators.is_postcode(values["mail_postcode"]):
        problems.add("mail_postcode", _l("A postcode has six digits."))
    if phone_given:  # the applicant's phone, when copied, was checked already
        _check_phone(values, "mail_phone", problems, required=True)


def _read_materials(raw: Any, problems: ProblemCollector) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        problems.add("materials", _l("The materials are a list."))
        return []
    materials = []
    forms = {f.value for f in MaterialForm}
    for index, item in enumerate(raw, start=1):
        where = f"materials[{index}]"
        if not isinstance(item, Mapping):
            problems.add(where, _l("Each material has a name, copies and a form."))
            continue
        name = str(item.get("name") or "").strip()
        try:
            copies = int(item.get("copies", 1))
        except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite number
            copies = 0
        form = str(item.get("form") or MaterialForm.COPY)
        if not name:
            problems.add(f"{where}.name", _l("Enter the material name."))
        if not 1 <= copies <= 99:
            problems.add(f"{where}.copies", _l("The number of copies is a whole number from 1 to 99."))
        if form not in forms:
            problems.add(f"{where}.form", _l("The form is original, copy or scan."))
        requirement_seq = _requirement_seq(item.get("requirement_seq"))
        if requirement_seq is False:
            problems.add(f"{where}.requirement_seq", _l("Choose a value from the list."))
            requirement_seq = None
        materials.append({
            "seq": index, "name": name[:255], "copies": copies, "form": form,
            "received": bool(item.get("received", True)), "verified": bool(item.get("verified", False)),
            "requirement_seq": requirement_seq, "note": str(item.get("note") or "")[:255],
        })
    return materials


def _requirement_seq(value: Any) -> int | None | bool:
    """The number of the guide's material a row stands for (None: a material of the clerk's own), or False
    when it is no such number (a text, zero or less, beyond what the column holds)."""
    if value in (None, ""):
        return None
    seq = as_record_id(value)  # numbered like records: a whole number the database's integer holds
    return seq if seq is not None and seq >= 1 else False


def _check_case_shape(result: CaseInput, problems: ProblemCollector) -> None:
    """The catalog and the network must allow this case: matter, handling type, both ends, department."""
    matter, handling_type = result.matter, result.handling_type
    origin, home, department = result.origin_center, result.home_center, result.department
    if matter is not None:
        if matter.status != MatterStatus.PUBLISHED or matter.current_guide is None:
            problems.add("matter_id", _l("%(name)s is not a published matter: it takes no new cases.", name=matter.name))
        if handling_type is not None and handling_type not in matter.handling_types:
            problems.add("handling_type_id", _l("%(matter)s is not offered as %(type)s.", matter=matter.name, type=handling_type.name))
    if origin is not None and home is not None:
        if origin.id == home.id:
            problems.add("home_center_id", _l("The home window must differ from the receiving window."))
        if origin.external and home.external:
            problems.add("home_center_id", _l("At least one end of a case is a window inside the system."))
        if handling_type is not None and not (covers(handling_type, origin.region) and covers(handling_type, home.region)):
            problems.add("handling_type_id", _l("%(type)s does not cover %(a)s and %(b)s.", type=handling_type.name,
                                                a=origin.region.full_name, b=home.region.full_name))
    if home is not None:
        if home.external:
            if department is not None:
                problems.add("department_id", _l("The home window is outside the system: name its department instead."))
            if not result.values.get("department_name"):
                problems.add("department_name", _l("Name the approving department at the other end."))
        elif department is None:
            problems.add("department_id", _l("Choose the approving department at the home window."))
        else:
            _check_department(result, problems)


def _check_department(result: CaseInput, problems: ProblemCollector) -> None:
    department, home, matter = result.department, result.home_center, result.matter
    if matter is not None and department.line != matter.line:
        problems.add("department_id", _l("%(dept)s does not handle matters of this line.", dept=department.name))
    home_unit = home.region.county or home.region
    dept_unit = department.region.county or department.region
    if home_unit.id != dept_unit.id:
        problems.add("department_id", _l("%(dept)s is not in the region of the home window.", dept=department.name))
    result.values["department_name"] = department.name


def covers(handling_type: HandlingType, region: Region) -> bool:
    """A handling type covers a place when it is nationwide or lists the place or one of its ancestors."""
    return handling_type.covers(region)


def materials_from_guide(guide_content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A new case lists the guide's materials, none yet verified; the clerk ticks what was handed in."""
    return [
        {"seq": m["seq"], "requirement_seq": m["seq"], "name": m["name"], "copies": m["copies"], "form": m["form"],
         "received": bool(m["required"]), "verified": False, "note": ""}
        for m in guide_content.get("materials", [])
    ]

