"""补充信息: the extra fields a matter asks at registration (issue 15, item 3), defined without code.

An administrator (or the city department of the matter's line) lists them on the matter; publishing
freezes them into the guide version (``content["fields"]``) like the materials, so a case is checked
and shown against the fields of the guide it was registered under.

Pure domain code (no Flask, no database): definitions are dataclasses; ``definition_problems`` and
``validate`` answer every problem at once as ``FieldProblem`` codes, which the services put into the
reader's language.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from app.domain import validators
from app.domain.privacy import mask_id_number, mask_phone

KINDS = ("text", "number", "date", "choice", "yes_no", "id_number", "phone", "address")
#: personal data (masked where the applicant's ID number and phone are masked)
PERSONAL_KINDS = frozenset({"id_number", "phone"})
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LABEL = 64
MAX_HELP = 255
#: the longest value any field keeps (a text or an address), whatever its own rule says
MAX_VALUE_LENGTH = 500
MAX_CHOICES = 50
MAX_FIELDS = 30
_YES_WORDS = frozenset({"1", "true", "yes", "y", "on", "是"})
_NO_WORDS = frozenset({"0", "false", "no", "n", "off", "否"})
YES, NO = "是", "否"


@dataclass(frozen=True)
class FieldDefinition:
    """One field: ``key`` is the stable machine name values are stored under; the rest is what people see
    and the simple rules a value must follow."""

    key: str
    label: str
    kind: str = "text"
    seq: int = 1
    help: str = ""
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str = ""

    def as_content(self) -> dict[str, Any]:
        """As published in a guide: only what is set, so a guide's checksum follows what matters."""
        data = asdict(self)
        data["choices"] = list(self.choices)
        return {k: v for k, v in data.items() if v not in (None, "", [], ()) or k in ("required",)}

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> FieldDefinition:
        return cls(key=str(data.get("key") or ""), label=str(data.get("label") or ""),
                   kind=str(data.get("kind") or "text"), seq=int(data.get("seq") or 1),
                   help=str(data.get("help") or ""), required=bool(data.get("required")),
                   min_length=data.get("min_length"), max_length=data.get("max_length"),
                   min_value=data.get("min_value"), max_value=data.get("max_value"),
                   choices=tuple(str(c) for c in data.get("choices") or ()), pattern=str(data.get("pattern") or ""))


@dataclass(frozen=True)
class FieldProblem:
    """``where``: the definition attribute or the value it concerns; ``code``: what is wrong; ``params``
    for the message (label, limits …)."""

    where: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def definitions_of(guide_content: Mapping[str, Any] | None) -> list[FieldDefinition]:
    """The fields a guide version asks, in order (none for a guide published before fields existed)."""
    items = (guide_content or {}).get("fields") or []
    return sorted((FieldDefinition.from_content(item) for item in items), key=lambda d: d.seq)


def parse_choices(text: str | None) -> tuple[str, ...]:
    """The choices as an administrator types them: one a line (or separated by 、;；|)."""
    parts = re.split(r"[\r\n|;；、]+", text or "")
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


# --- definitions ----------------------------------------------------------------------------------------


def definition_problems(definition: FieldDefinition) -> list[FieldProblem]:
    """Everything wrong with one definition."""
    d = definition
    problems: list[FieldProblem] = []
    if not KEY.match(d.key or ""):
        problems.append(FieldProblem("key", "bad_key"))
    if not (d.label or "").strip():
        problems.append(FieldProblem("label", "no_label"))
    elif len(d.label) > MAX_LABEL:
        problems.append(FieldProblem("label", "label_too_long", {"most": MAX_LABEL}))
    if len(d.help or "") > MAX_HELP:
        problems.append(FieldProblem("help", "help_too_long", {"most": MAX_HELP}))
    if d.kind not in KINDS:
        problems.append(FieldProblem("kind", "bad_kind"))
    for name in ("min_length", "max_length"):
        value = getattr(d, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value <= MAX_VALUE_LENGTH):
            problems.append(FieldProblem(name, "bad_length", {"most": MAX_VALUE_LENGTH}))
    if (isinstance(d.min_length, int) and isinstance(d.max_length, int) and d.min_length > d.max_length):
        problems.append(FieldProblem("max_length", "min_over_max"))
    if d.min_value is not None and d.max_value is not None and d.min_value > d.max_value:
        problems.append(FieldProblem("max_value", "min_over_max"))
    if d.kind != "number" and (d.min_value is not None or d.max_value is not None):
        problems.append(FieldProblem("min_value", "values_for_numbers"))
    if d.kind == "choice":
        if not d.choices:
            problems.append(FieldProblem("choices", "no_choices"))
        elif len(d.choices) > MAX_CHOICES:
            problems.append(FieldProblem("choices", "too_many_choices", {"most": MAX_CHOICES}))
    elif d.choices:
        problems.append(FieldProblem("choices", "choices_for_choice"))
    if d.pattern:
        if d.kind not in ("text", "address"):
            problems.append(FieldProblem("pattern", "pattern_for_text"))
        else:
            try:
                re.compile(d.pattern)
            except re.error:
                problems.append(FieldProblem("pattern", "bad_pattern"))
    return problems


def list_problems(definitions: Iterable[FieldDefinition]) -> list[FieldProblem]:
    """Everything wrong with a matter's list of fields: each definition, repeated keys and numbers."""
    definitions = list(definitions)
    problems: list[FieldProblem] = []
    for d in definitions:
        problems += [FieldProblem(f"{d.key}.{p.where}", p.code, {**p.params, "label": d.label})
                     for p in definition_problems(d)]
    for attr in ("key", "seq"):
        seen: set[Any] = set()
        for d in definitions:
            value = getattr(d, attr)
            if value in seen:
                problems.append(FieldProblem(f"{d.key}.{attr}", f"duplicate_{attr}", {"value": value, "label": d.label}))
            seen.add(value)
    if len(definitions) > MAX_FIELDS:
        problems.append(FieldProblem("fields", "too_many_fields", {"most": MAX_FIELDS}))
    return problems


# --- values --------------------------------------------------------------------------------------------


def _number(raw: Any) -> int | float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > Decimal("1e15"):
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _yes_no(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    return True if text in _YES_WORDS else False if text in _NO_WORDS else None


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def check_value(d: FieldDefinition, raw: Any) -> tuple[Any, FieldProblem | None]:
    """A value in its normal form, or why it is no value of this field. ``raw`` is not blank."""
    params = {"label": d.label}
    if isinstance(raw, (dict, list)):
        return None, FieldProblem(d.key, "not_text", params)
    if d.kind == "number":
        number = _number(raw)
        if number is None:
            return None, FieldProblem(d.key, "not_number", params)
        if d.min_value is not None and number < d.min_value:
            return None, FieldProblem(d.key, "too_small", params | {"least": _shown_number(d.min_value)})
        if d.max_value is not None and number > d.max_value:
            return None, FieldProblem(d.key, "too_large", params | {"most": _shown_number(d.max_value)})
        return number, None
    if d.kind == "yes_no":
        flag = _yes_no(raw)
        return (flag, None) if flag is not None else (None, FieldProblem(d.key, "not_yes_no", params))
    text = str(raw).strip()
    if d.kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, FieldProblem(d.key, "not_date", params)
    if d.kind == "choice":
        return (text, None) if text in d.choices else (None, FieldProblem(d.key, "not_choice", params))
    if d.kind == "id_number":
        text = text.upper()
        return (text, None) if validators.is_resident_id(text) else (None, FieldProblem(d.key, "bad_id_number", params))
    if d.kind == "phone":
        normal = validators.normalize_phone(text)
        return (normal, None) if normal else (None, FieldProblem(d.key, "bad_phone", params))
    most = min(d.max_length if d.max_length is not None else MAX_VALUE_LENGTH, MAX_VALUE_LENGTH)
    if len(text) > most:
        return None, FieldProblem(d.key, "too_long", params | {"most": most})
    if d.min_length is not None and len(text) < d.min_length:
        return None, FieldProblem(d.key, "too_short", params | {"least": d.min_length})
    if d.pattern and not re.fullmatch(d.pattern, text):
        return None, FieldProblem(d.key, "no_match", params)
    return text, None


def validate(definitions: Iterable[FieldDefinition], values: Any) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The values in their normal form (blank optional ones left out) and every problem at once."""
    definitions = list(definitions)
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        return {}, [FieldProblem("", "not_an_object")]
    known = {d.key for d in definitions}
    problems = [FieldProblem(str(key), "unknown_field") for key in values if key not in known]
    normal: dict[str, Any] = {}
    for d in definitions:
        raw = values.get(d.key)
        if _is_blank(raw):
            if d.required:
                problems.append(FieldProblem(d.key, "required", {"label": d.label}))
            continue
        value, problem = check_value(d, raw)
        if problem is not None:
            problems.append(problem)
        else:
            normal[d.key] = value
    return normal, problems


# --- showing -------------------------------------------------------------------------------------------


def _shown_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def mask(d: FieldDefinition, text: str) -> str:
    """An ID number or phone masked like the applicant's (``app.domain.privacy``); other kinds as they are."""
    if d.kind == "id_number":
        return mask_id_number(text)
    if d.kind == "phone":
        return mask_phone(text)
    return text


def masked_values(definitions: Iterable[FieldDefinition], values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored values with the personal ones (ID numbers, phones) masked, for overviews."""
    kinds = {d.key: d for d in definitions}
    return {key: mask(kinds[key], str(value)) if key in kinds and kinds[key].kind in PERSONAL_KINDS and value
            else value for key, value in (values or {}).items()}


def shown(d: FieldDefinition, value: Any, *, masked: bool = False) -> str:
    """A stored value as printed: 是/否 for yes/no, numbers without a trailing .0, personal data masked
    when asked."""
    if value is None or value == "":
        return ""
    if d.kind == "yes_no":
        return YES if value else NO
    if d.kind == "number":
        return _shown_number(value)
    text = str(value)
    return mask(d, text) if masked else text


def rows(definitions: Iterable[FieldDefinition], values: Mapping[str, Any] | None, *,
         masked: bool = False) -> list[tuple[str, str]]:
    """(label, value) of every field that has a value, in the guide's order."""
    values = values or {}
    return [(d.label, shown(d, values[d.key], masked=masked)) for d in definitions
            if d.key in values and values[d.key] not in (None, "")]


def one_line(definitions: Iterable[FieldDefinition], values: Mapping[str, Any] | None, *, masked: bool = False) -> str:
    """All values on one line, for a ledger cell: "label：value；label：value"."""
    return "；".join(f"{label}：{value}" for label, value in rows(definitions, values, masked=masked))
