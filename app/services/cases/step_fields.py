"""Reading the fields a step takes (``FieldSpec`` of the transition table) from a form or a JSON body:
every problem is collected, none is raised here."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from app.domain.workflow import FieldKind, FieldSpec, Transition
from app.errors import ProblemCollector
from app.models.case import Case, DeliveryMethod
from app.services.cases.input import parse_date

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
    fields = transition.fields_for(case.delivery_method == DeliveryMethod.MAIL)
    values = {spec.name: _read_field(spec, data.get(spec.name), case, today, problems) for spec in fields}
    for spec in transition.fields:
        if spec not in fields and data.get(spec.name) not in (None, ""):
            problems.add(spec.name, _l("Only for a result sent by mail: the applicant collects it at the window."))
    for name in sorted(set(data) - {f.name for f in transition.fields} - ALWAYS_ACCEPTED):
        problems.add(name, _l("Unknown field."))
    return values


def _read_field(spec: FieldSpec, raw: Any, case: Case, today: date, problems: ProblemCollector) -> Any:
    if spec.kind == FieldKind.ITEMS:
        return _read_items(spec, raw, problems)
    if spec.kind == FieldKind.BOOL_LIST:
        return _read_verified(raw, case, problems)
    if spec.kind == FieldKind.FILES:
        return _read_files(spec.name, raw, problems)
    text = "" if raw is None else str(raw).strip()
    if spec.required and not text:
        problems.add(spec.name, _l("This field is required."))
        return None
    if spec.kind == FieldKind.DATE:
        return _read_date(spec.name, text, case, today, problems)
    if spec.kind == FieldKind.CHOICE and text and text not in spec.choices:
        problems.add(spec.name, _l("Choose one of: %(choices)s.", choices=", ".join(spec.choices)))
    return text


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


def _read_items(spec: FieldSpec, raw: Any, problems: ProblemCollector) -> list[dict[str, str]]:
    """Items as [{"name": …, "reason": …}] (reasons to decline may be plain strings)."""
    if raw in (None, ""):
        raw = []
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, list):
        problems.add(spec.name, _l("Give a list."))
        return []
    items = []
    for index, item in enumerate(raw, start=1):
        if isinstance(item, str):
            item = {"name": "", "reason": item}
        name = str(item.get("name") or "").strip() if isinstance(item, Mapping) else ""
        reason = str(item.get("reason") or "").strip() if isinstance(item, Mapping) else ""
        if spec.name == "items" and not name:
            problems.add(f"{spec.name}[{index}].name", _l("Name the material to supply."))
        if not reason:
            problems.add(f"{spec.name}[{index}].reason", _l("Give the reason."))
        items.append({"name": name, "reason": reason})
    if spec.required and not items:
        problems.add(spec.name, _l("List at least one item, all of them at once."))
    return items


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
