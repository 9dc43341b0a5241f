"""The matter catalog: rules for matters and materials, publishing frozen guide versions, retiring.

A matter is the working copy an administrator edits. Publishing freezes it into a new ``Guide``
version, but only when something changed since the last version; cases keep the version they were
accepted under, so an edit never changes the rules of an open case. A retired matter takes no new
cases; it is never deleted once published.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app.adapters import storage
from app.domain import form_fields
from app.domain.catalog_sheet import MAX_LIMIT_DAYS
from app.domain.guide_elements import AUTHORITY_MAX_LENGTH, GUIDE_ELEMENT_DEFAULTS, MAX_VISITS, faq_problems
from app.domain.precheck import MAX_PRECHECK_HOURS
from app.errors import Conflict, NotFound, ProblemCollector
from app.models.catalog import (
    Guide,
    HandlingType,
    MaterialForm,
    MaterialRequirement,
    Matter,
    MatterField,
    MatterStatus,
)
from app.platform import outbox, records
from app.platform.records import changed_fields, delete_rule_for, rule_for
from app.scope import Reach, as_record_id, is_in_scope
from app.services.catalog.fields import add_problems, definition_of, guide_fields
from app.services.organisation.units import check_phone

GUIDE_FIELDS = (
    "code",
    "name",
    "line",
    "legal_limit_days",
    "promised_limit_days",
    "fee_note",
    "consult_phone",
    "complaint_phone",
    "acceptance_conditions",
    "review_points",
)
MATERIAL_FIELDS = ("seq", "name", "copies", "form", "required", "original_check", "deferrable", "note",
                   "sample_file_sha256")


# --- rules ------------------------------------------------------------------------------------


def matter_problems(values: dict[str, Any], problems: ProblemCollector, prefix: str = "") -> None:
    """Checks the fields of a matter given as plain values (shared by the form and the import)."""
    legal = values.get("legal_limit_days")
    promised = values.get("promised_limit_days")
    if not (values.get("code") or "").strip():
        problems.add(prefix + "code", _l("Enter the matter code."))
    if not (values.get("name") or "").strip():
        problems.add(prefix + "name", _l("Enter the matter name."))
    if not isinstance(legal, int) or legal < 1:
        problems.add(prefix + "legal_limit_days", _l("The statutory time limit is a whole number of working days (1 or more)."))
    if not isinstance(promised, int) or promised < 1:
        problems.add(prefix + "promised_limit_days", _l("The promised time limit is a whole number of working days (1 or more)."))
    elif isinstance(legal, int) and promised > legal:
        problems.add(
            prefix + "promised_limit_days",
            _l("The promised time limit (%(p)d) may not exceed the statutory one (%(l)d).", p=promised, l=legal),
        )
    hours = values.get("precheck_hours")
    if hours is not None and (not isinstance(hours, int) or not 1 <= hours <= MAX_PRECHECK_HOURS):
        problems.add(prefix + "precheck_hours", _l("The pre-check time is a whole number of working hours from 1 to "
                                                   "%(most)d.", most=MAX_PRECHECK_HOURS))
    cap = values.get("max_extension_days")
    if cap is not None and (not isinstance(cap, int) or not 0 <= cap <= MAX_LIMIT_DAYS):
        problems.add(prefix + "max_extension_days", _l("The extension cap is a whole number of working days from 0 "
                                                       "to %(most)d, or empty for the general rule.", most=MAX_LIMIT_DAYS))
    guide_element_problems(values, problems, prefix)


def guide_element_problems(values: dict[str, Any], problems: ProblemCollector, prefix: str = "") -> None:
    """The 办事指南 elements of issue 13: 实施机关 fits its column, 到现场次数 is 0–9, 常见问题 is 问/答 blocks."""
    authority = values.get("authority")
    if authority is not None and len(authority) > AUTHORITY_MAX_LENGTH:
        problems.add(prefix + "authority", _l("The implementing authority has at most %(most)d characters.",
                                              most=AUTHORITY_MAX_LENGTH))
    visits = values.get("visits")
    if visits is not None and (not isinstance(visits, int) or isinstance(visits, bool) or not 0 <= visits <= MAX_VISITS):
        problems.add(prefix + "visits", _l("The visits to the window are a whole number from 0 to %(most)d.",
                                           most=MAX_VISITS))
    for number in faq_problems(values.get("faq")):
        problems.add(prefix + "faq", _l("Common question %(n)d: write one line “问：…”, then one line “答：…”, and "
                                        "a blank line between two questions.", n=number))


def checked_values(matter: Matter) -> dict[str, Any]:
    """The matter's fields that matter_problems checks, as plain values."""
    return {f: getattr(matter, f) for f in GUIDE_FIELDS} | {
        "precheck_hours": matter.precheck_hours, "max_extension_days": matter.max_extension_days} | {
        f: getattr(matter, f) for f in GUIDE_ELEMENT_DEFAULTS}


def material_problems(values: dict[str, Any], problems: ProblemCollector, prefix: str = "") -> None:
    if not (values.get("name") or "").strip():
        problems.add(prefix + "name", _l("Enter the material name."))
    copies = values.get("copies")
    if not isinstance(copies, int) or not 1 <= copies <= 99:
        problems.add(prefix + "copies", _l("The number of copies is a whole number from 1 to 99."))
    if values.get("form") not in {f.value for f in MaterialForm}:
        problems.add(prefix + "form", _l("The form is original, copy or scan."))


#: what a city department (市级有关部门) maintains for the matters of its line; the rest is the administrator's
CITY_DEPARTMENT_FIELDS = {Matter: frozenset({"review_points"}),
                          MaterialRequirement: frozenset({"sample_file_key", "sample_file_name", "sample_file_sha256"})}


def city_department_problems(item: Matter | MaterialRequirement, reach: Reach, problems: ProblemCollector) -> None:
    """Below an administrator (a city department reaches its line's matters only to guide them), a save
    may change the review points of a matter and the sample form of a material, nothing else: no new
    matter or material, no other field, whichever page or request it comes from."""
    if reach.everything:
        return
    if not inspect(item).persistent:
        problems.add(None, _l("Only an administrator adds matters and required materials."))
        return
    for field in sorted(changed_fields(item) - CITY_DEPARTMENT_FIELDS[type(item)]):
        problems.add(field, _l("A city department changes only the review points and the sample forms."))


def city_department_may_not_delete(reach: Reach, problems: ProblemCollector) -> None:
    if not reach.everything:
        problems.add(None, _l("Only an administrator deletes matters and required materials."))


@rule_for(Matter)
def matter_rules(session: Session, matter: Matter, reach: Reach, problems: ProblemCollector) -> None:
    city_department_problems(matter, reach, problems)
    matter_problems(checked_values(matter), problems)
    if matter.business_line is None and not matter.line:
        problems.add("business_line", _l("Choose the line of business."))
    if matter.consult_phone:
        matter.consult_phone = check_phone(problems, "consult_phone", matter.consult_phone, required=False)
    if matter.status not in {s.value for s in MatterStatus}:
        problems.add("status", _l("Unknown status."))


@rule_for(MaterialRequirement)
def material_rules(session: Session, material: MaterialRequirement, reach: Reach, problems: ProblemCollector) -> None:
    city_department_problems(material, reach, problems)
    if material.seq is None and material.matter is not None:
        material.seq = max((m.seq or 0 for m in material.matter.materials if m is not material), default=0) + 1
    material_problems({f: getattr(material, f) for f in MATERIAL_FIELDS}, problems)


def attach_sample(session: Session, material_id: Any, reach: Reach, filename: str, data: bytes) -> MaterialRequirement:
    """样表: stores the sample form of a required material, as the page's upload does (``storage.attach_sample_form``:
    every problem of the file at once), for whoever may change the material (its write scope: the administrator,
    the city department for its line); out of that scope or missing: NotFound. One transaction."""
    material = session.get(MaterialRequirement, as_record_id(material_id) or 0)
    if material is None or not is_in_scope(session, material, reach, write=True):
        raise NotFound()
    storage.attach_sample_form(material, filename, data)
    return records.save(session, material, reach)


@rule_for(MatterField)
def field_rules(session: Session, item: MatterField, reach: Reach, problems: ProblemCollector) -> None:
    """补充信息: an administrator, or the city department of the matter's line (the write scope), defines
    the fields; every problem of the definition and of its clash with the matter's other fields at once."""
    item.key = (item.key or "").strip()
    for name in ("help", "choices", "pattern"):  # a form's empty text field is None
        setattr(item, name, (getattr(item, name) or "").strip())
    with session.no_autoflush:
        siblings = list(item.matter.fields) if item.matter is not None else []
    if item.seq is None:
        item.seq = max((f.seq or 0 for f in siblings if f is not item), default=0) + 1
    add_problems(problems, form_fields.definition_problems(definition_of(item)), "")
    if item.matter is not None:
        others = [f for f in siblings if f is not item]
        if any(f.key == item.key for f in others):
            problems.add("key", _l("The key %(value)s is used by another field of this matter.", value=item.key))
        if any(f.seq == item.seq for f in others):
            problems.add("seq", _l("The number %(value)s is used by another field of this matter.", value=item.seq))
        if len(others) + 1 > form_fields.MAX_FIELDS:
            problems.add(None, _l("A matter has at most %(most)d fields.", most=form_fields.MAX_FIELDS))


@delete_rule_for(MaterialRequirement)
def material_delete_rules(session: Session, material: MaterialRequirement, reach: Reach,
                          problems: ProblemCollector) -> None:
    city_department_may_not_delete(reach, problems)


@delete_rule_for(Matter)
def matter_delete_rules(session: Session, matter: Matter, reach: Reach, problems: ProblemCollector) -> None:
    city_department_may_not_delete(reach, problems)
    if matter.guides:
        problems.add(None, _l("A published matter is never deleted: retire it instead."))


@rule_for(HandlingType)
def handling_type_rules(session: Session, handling_type: HandlingType, reach: Reach, problems: ProblemCollector) -> None:
    if not handling_type.nationwide and not handling_type.regions:
        problems.add("regions", _l("List the regions this handling type covers, or mark it nationwide."))


# --- guides ------------------------------------------------------------------------------------


def guide_content(matter: Matter) -> dict[str, Any]:
    """Everything a case needs to know about the matter as published, as plain JSON data."""
    content: dict[str, Any] = {field: getattr(matter, field) for field in GUIDE_FIELDS}
    content["handling_types"] = sorted(ht.code for ht in matter.handling_types)
    if matter.precheck:  # only then: a guide of a matter never pre-checked keeps its content (and checksum)
        content["precheck"], content["precheck_hours"] = True, matter.precheck_hours
    if matter.max_extension_days is not None:  # likewise: only a matter with its own cap says so
        content["max_extension_days"] = matter.max_extension_days
    for name, default in GUIDE_ELEMENT_DEFAULTS.items():  # the 办事指南 elements of issue 13, likewise
        if getattr(matter, name) not in (None, default):
            content[name] = getattr(matter, name)
    content["materials"] = [
        {field: getattr(m, field) for field in MATERIAL_FIELDS} | {"sample_file_key": m.sample_file_key}
        for m in sorted(matter.materials, key=lambda m: m.seq)
    ]
    if matter.fields:  # only then: a guide of a matter without fields keeps its content (and checksum)
        content["fields"] = guide_fields(matter.fields)
    return content


#: material fields added after guides were first published, with the value every older guide meant: a guide
#: published before the field existed is not "changed" by it (容缺, issue 12)
LATER_MATERIAL_DEFAULTS: dict[str, Any] = {"deferrable": False}


def _comparable_material(material: dict[str, Any]) -> dict[str, Any]:
    # Sample files count by their checksum, not their storage key, so re-uploading the same file is not a change.
    return {k: v for k, v in material.items()
            if k != "sample_file_key" and not (k in LATER_MATERIAL_DEFAULTS and v == LATER_MATERIAL_DEFAULTS[k])}


def content_sha256(content: dict[str, Any]) -> str:
    comparable = content | {"materials": [_comparable_material(m) for m in content["materials"]]}
    text = json.dumps(comparable, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def has_unpublished_changes(matter: Matter) -> bool:
    current = matter.current_guide
    return current is None or current.sha256 != content_sha256(guide_content(matter))


def publish_matter(session: Session, matter: Matter, reach: Reach, *, note: str = "", commit: bool = True) -> Guide | None:
    """Freezes the matter into a new guide version if it changed; returns the new guide or None."""
    if not is_in_scope(session, matter, reach, write=True):
        raise NotFound()
    problems = ProblemCollector()
    matter_problems(checked_values(matter), problems)
    if not any(m.required for m in matter.materials):
        problems.add("materials", _l("A matter needs at least one required material before it is published."))
    if not matter.handling_types:
        problems.add("handling_types", _l("Choose at least one handling type before publishing."))
    add_problems(problems, form_fields.list_problems(definition_of(f) for f in matter.fields), "fields.")
    problems.raise_if_any()
    content = guide_content(matter)
    digest = content_sha256(content)
    guide = None
    if matter.current_guide is None or matter.current_guide.sha256 != digest:
        last = session.scalar(select(func.max(Guide.version)).where(Guide.matter_id == matter.id)) or 0
        guide = Guide(matter=matter, version=last + 1, content=content, sha256=digest,
                      published_by_fk=reach.user_id, note=note)
        session.add(guide)
        session.flush()
        matter.current_guide = guide
    if guide is not None or matter.status != MatterStatus.PUBLISHED:
        outbox.queue_once(session, outbox.PUBLISH_PORTAL)  # the portal shows the new guide (issue 13)
    matter.status = MatterStatus.PUBLISHED
    if commit:
        session.commit()
    return guide


def retire_matter(session: Session, matter: Matter, reach: Reach) -> None:
    if not is_in_scope(session, matter, reach, write=True):
        raise NotFound()
    if matter.status == MatterStatus.RETIRED:
        raise Conflict(_l("%(name)s is already retired.", name=matter.name))
    matter.status = MatterStatus.RETIRED
    outbox.queue_once(session, outbox.PUBLISH_PORTAL)  # its guide leaves the portal
    session.commit()


def publish_matters(session: Session, matters: Iterable[Matter], reach: Reach) -> list[Guide]:
    """Publishes several matters in one transaction: all of them, or none if any is refused."""
    guides: list[Guide] = []
    try:
        for matter in matters:
            guide = publish_matter(session, matter, reach, commit=False)
            if guide is not None:
                guides.append(guide)
    except Exception:
        session.rollback()
        raise
    session.commit()
    return guides
