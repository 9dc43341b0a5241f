"""Reading the fields a step takes (``FieldSpec`` of the transition table) from a form or a JSON body:
every problem is collected, none is raised here."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from app.domain.validators import parse_date
from app.domain.workflow import FieldKind, FieldSpec, Transition
from app.errors import ProblemCollector, ValidationFailed
from app.models.case import Case, DeliveryMethod
from app.services.cases.files import CheckedFile, check_file
from app.services.cases.precheck import correction_round

#: besides its fields a step accepts the version the user read (optimistic locking)
ALWAYS_ACCEPTED = frozenset({"version"})


@dataclass(frozen=True)
class AttachedFile:
    """A file attached to a step (a result document), as read from a form or a JSON body; its content
    is checked by the step that stores it."""

    name: str
    data: bytes


def read_step_values(transition: Transition, data: Mapping[str, Any], case: Case, today: date,
                     problems: ProblemCollector) -> dict[str, Any]:
    # inbound-only fields are read on every case: the step itself says why they do not belong to ours
    fields = transition.fields_for(case.delivery_method == DeliveryMethod.MAIL, inbound=True)
    values = {spec.name: _read_field(spec, data.get(spec.name), case, today, problems) for spec in fields}
    for spec in transition.fields:
        if spec not in fields and data.get(spec.name) not in (None, ""):
            problems.add(spec.name, _l("Only for a result collected at the window: the applicant chose to have it "
                                       "mailed.") if spec.only_if_pickup else
                         _l("Only for a result sent by mail: the applicant collects it at the window."))
    for name in sorted(set(data) - {f.name for f in transition.fields} - ALWAYS_ACCEPTED):
        problems.add(name, _l("Unknown field."))
    return values


def _read_field(spec: FieldSpec, raw: Any, case: Case, today: date, problems: ProblemCollector) -> Any:
    if spec.kind == FieldKind.ITEMS:
        return _read_items(spec, raw, case, problems)
    if spec.kind == FieldKind.SUPPLIED_ITEMS:
        return _read_supplied(spec, raw, case, problems)
    if spec.kind == FieldKind.BOOL_LIST:
        return _read_verified(raw, case, problems)
    if spec.kind == FieldKind.FILES:
        return _read_files(spec.name, raw, problems)
    if spec.kind == FieldKind.DEFERRED:
        return _read_deferred(spec.name, raw, case, problems)
    text = "" if raw is None else str(raw).strip()
    if spec.required and not text:
        problems.add(spec.name, _l("This field is required."))
        return None
    if spec.kind == FieldKind.DATE:
        return _read_date(spec.name, text, case, today, problems)
    if spec.kind == FieldKind.WORKING_DAYS:
        return _read_working_days(spec.name, text, problems)
    if spec.kind == FieldKind.CHOICE and text and text not in spec.choices:
        problems.add(spec.name, _l("Choose one of: %(choices)s.", choices=", ".join(spec.choices)))
    return text


#: a year of working days: more is a typo, not a procedure or an extension
MAX_WORKING_DAYS = 250


def _read_working_days(name: str, text: str, problems: ProblemCollector) -> int | None:
    """A whole number of working days, 1 to ``MAX_WORKING_DAYS`` (None when empty)."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_WORKING_DAYS:
        problems.add(name, _l("Enter a whole number of working days from 1 to %(most)d.", most=MAX_WORKING_DAYS))
        return None
    return int(text)


def _read_date(name: str, text: str, case: Case, today: date, problems: ProblemCollector) -> date:
    try:
        value = parse_date(text) or today
    except ValueError:
        problems.add(name, _l("Enter the date as YYYY-MM-DD."))
        return today
    if value > today:
        problems.add(name, _l("The date cannot be in the future."))
    if value < case.applied_on:
        problems.add(name, _l("The date cannot be before the application date."))
    return value


def _read_items(spec: FieldSpec, raw: Any, case: Case, problems: ProblemCollector) -> list[dict[str, Any]]:
    """Items as [{"name": …, "reason": …}] (reasons to decline may be plain strings). A correction item may
    name one of the case's materials instead of a free name: {"material": seq, "reason": …}."""
    if raw in (None, ""):
        raw = []
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, list):
        problems.add(spec.name, _l("Give a list."))
        return []
    materials = {m.seq: m for m in case.materials}
    items = []
    for index, item in enumerate(raw, start=1):
        if isinstance(item, str):
            item = {"name": "", "reason": item}
        if not isinstance(item, Mapping):
            item = {}
        name = str(item.get("name") or "").strip()
        reason = str(item.get("reason") or "").strip()
        material_seq = _material_seq(spec, item.get("material"), materials, f"{spec.name}[{index}].name", problems)
        if material_seq is not None:
            name = name or materials[material_seq].name
        if spec.name == "items" and not name and item.get("material") in (None, ""):
            problems.add(f"{spec.name}[{index}].name", _l("Name the material to supply."))
        if not reason:
            problems.add(f"{spec.name}[{index}].reason", _l("Give the reason."))
        picked = {"material_seq": material_seq} if spec.name == "items" else {}
        items.append({"name": name, "reason": reason} | picked)
    if spec.required and not items:
        problems.add(spec.name, _l("List at least one item, all of them at once."))
    return items


def _material_seq(spec: FieldSpec, raw: Any, materials: Mapping[int, Any], field: str,
                  problems: ProblemCollector) -> int | None:
    """The case's material a correction item asks for (by its number), or None for a free-text item."""
    if raw in (None, "") or spec.name != "items":
        return None
    try:
        seq = int(raw)
    except (TypeError, ValueError):
        seq = -1
    if seq not in materials:
        problems.add(field, _l("There is no material number %(seq)s.", seq=raw))
        return None
    return seq


def _read_supplied(spec: FieldSpec, raw: Any, case: Case, problems: ProblemCollector) -> dict[int, CheckedFile]:
    """What the applicant supplied for the open correction, {item seq: its checked scan}: every item of the
    round at once, each with its scan. Given as [{"item": seq, "file": (name, bytes)}] by the page, or
    [{"item": seq, "scan_name": …, "scan_base64": …}] through the API."""
    items = _awaited_items(case)
    if items is None:
        return {}  # not awaiting a supplement: the status check refuses the step
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        problems.add(spec.name, _l("Give a list."))
        return {}
    supplied: dict[int, CheckedFile | None] = {}
    for entry in raw:
        entry = entry if isinstance(entry, Mapping) else {"item": entry}
        seq = _item_seq(entry.get("item"), items, problems)
        if seq is not None:
            supplied[seq] = _checked_scan(entry, f"{spec.name}[{seq}]", problems)
    for seq, item in items.items():
        if seq not in supplied:
            problems.add(f"{spec.name}[{seq}]", _l("Not supplied yet: %(name)s. A correction is supplied with every "
                                                 "item at once.", name=item.name))
        elif supplied[seq] is None and not _problem_for(problems, f"{spec.name}[{seq}]"):
            problems.add(f"{spec.name}[{seq}]", _l("Upload the scan of the supplied %(name)s.", name=item.name))
    return {seq: scan for seq, scan in supplied.items() if scan is not None}


def _awaited_items(case: Case) -> dict[int, Any] | None:
    """The items the window supplies now, by number (each with its ``name``): the pre-check's corrections in
    预审补正, else the open correction's, or None when nothing is awaited."""
    asked = correction_round(case)
    if asked is not None:
        return {item["seq"]: SimpleNamespace(name=item["name"]) for item in asked.items}
    correction = case.open_correction
    if correction is None or correction.supplied_on is not None:
        return None
    return {item.seq: item for item in correction.items}


def _item_seq(raw: Any, items: Mapping[int, Any], problems: ProblemCollector) -> int | None:
    try:
        seq = int(raw)
    except (TypeError, ValueError):
        seq = -1
    if seq not in items:
        problems.add("supplied", _l("The correction has no item number %(seq)s.", seq=raw))
        return None
    return seq


def _checked_scan(entry: Mapping[str, Any], field: str, problems: ProblemCollector) -> CheckedFile | None:
    """The entry's scan as it will be stored, or None (its problems collected)."""
    name, data = None, None
    upload = entry.get("file")  # (name, bytes) from a page's upload; never from a JSON body
    if isinstance(upload, tuple) and len(upload) == 2 and isinstance(upload[1], bytes):
        name, data = str(upload[0] or "scan"), upload[1]
    elif entry.get("scan_base64"):
        name = str(entry.get("scan_name") or "scan")
        try:
            data = base64.b64decode(str(entry["scan_base64"]), validate=True)
        except (binascii.Error, ValueError):
            problems.add(field, _l("The scan is not valid base64."))
            return None
    if data is None:
        return None
    try:
        return check_file(field, name, data)
    except ValidationFailed as refused:
        for problem in refused.problems:
            problems.add(problem.field, problem.message)
        return None


def _problem_for(problems: ProblemCollector, field: str) -> bool:
    return any(p.field == field for p in problems.problems)


def _read_verified(raw: Any, case: Case, problems: ProblemCollector) -> dict[int, bool]:
    """Which received materials the clerk verified against the original: {seq: bool} or [seq, …]."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, list):
        raw = {str(seq): True for seq in raw}
    if not isinstance(raw, Mapping):
        problems.add("verified", _l("Give the verified materials by their number."))
        return {}
    known = {m.seq for m in case.materials}
    verified = {}
    for key, value in raw.items():
        try:
            seq = int(key)
        except (TypeError, ValueError):
            seq = -1
        if seq not in known:
            problems.add("verified", _l("There is no material number %(seq)s.", seq=key))
            continue
        verified[seq] = bool(value)
    return verified


def _read_files(name: str, raw: Any, problems: ProblemCollector) -> list[AttachedFile]:
    """Files as [{"name": …, "data": bytes}] (a form) or [{"name": …, "content_base64": …}] (a JSON body)."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        problems.add(name, _l("Give a list."))
        return []
    files = []
    for index, item in enumerate(raw, start=1):
        item = item if isinstance(item, Mapping) else {}
        file_name = str(item.get("name") or "").strip()
        content = item.get("data")
        if not isinstance(content, bytes):
            try:
                content = base64.b64decode(str(item.get("content_base64") or ""), validate=True)
            except (binascii.Error, ValueError):
                content = b""
        if not file_name or not content:
            problems.add(f"{name}[{index}]", _l("Each file has a name and a content."))
            continue
        files.append(AttachedFile(file_name, content))
    return files


def _read_deferred(name: str, raw: Any, case: Case, problems: ProblemCollector) -> dict[str, Any]:
    """容缺: {"materials": [seq, …], "until": "YYYY-MM-DD", "promise_signed": bool}; {} when nothing is deferred.
    Whether each material may be deferred and the day is allowed is the accept step's check."""
    if raw in (None, "", {}):
        return {}
    if not isinstance(raw, Mapping):
        problems.add(name, _l("Give the deferred materials, the promised date and the signed promise."))
        return {}
    known = {m.seq for m in case.materials}
    seqs = []
    for item in raw.get("materials") or []:
        try:
            seq = int(item)
        except (TypeError, ValueError):
            seq = -1
        if seq not in known:
            problems.add(name, _l("There is no material number %(seq)s.", seq=item))
        elif seq not in seqs:
            seqs.append(seq)
    if not seqs:
        return {}
    until = None
    try:
        until = parse_date(str(raw.get("until") or "").strip())
    except ValueError:
        problems.add(f"{name}.until", _l("Enter the date as YYYY-MM-DD."))
    else:
        if until is None:
            problems.add(f"{name}.until", _l("Enter the day the applicant promises to supply the materials by."))
    signed = raw.get("promise_signed")
    signed = signed is True or str(signed).strip().lower() in ("1", "true", "on", "yes", "y")
    return {"materials": seqs, "until": until, "promise_signed": signed}
