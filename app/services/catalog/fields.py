"""补充信息: the extra fields of a matter (issue 15 item 3), between the records and the pure rules.

``app.domain.form_fields`` checks definitions and values and answers problem codes; here they become
messages in the reader's language, and records become definitions.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l

from app.domain import form_fields
from app.domain.form_fields import FieldDefinition, FieldProblem
from app.errors import ProblemCollector
from app.models.catalog import MatterField

#: the editable attributes of a field record, as the definition names them
DEFINITION_ATTRS = ("seq", "key", "label", "kind", "help", "required", "min_length", "max_length", "min_value",
                    "max_value", "pattern")


def problem_message(problem: FieldProblem) -> Any:
    """A problem of a definition or a value in the reader's language."""
    p = problem.params
    label = p.get("label", "")
    code = problem.code
    messages = {
        # definitions
        "bad_key": lambda: _l("The key is a machine name: a small letter, then small letters, digits or _ "
                              "(at most 40)."),
        "no_label": lambda: _l("Enter the field's label."),
        "label_too_long": lambda: _l("The label has at most %(most)d characters.", most=p["most"]),
        "help_too_long": lambda: _l("The help text has at most %(most)d characters.", most=p["most"]),
        "bad_kind": lambda: _l("Choose the kind of the field."),
        "bad_length": lambda: _l("A length is a whole number from 0 to %(most)d.", most=p["most"]),
        "min_over_max": lambda: _l("The least may not exceed the most."),
        "values_for_numbers": lambda: _l("Least and most values are for number fields only."),
        "no_choices": lambda: _l("A choice field needs its choices, one a line."),
        "too_many_choices": lambda: _l("At most %(most)d choices.", most=p["most"]),
        "choices_for_choice": lambda: _l("Choices are for choice fields only."),
        "pattern_for_text": lambda: _l("A pattern is for text and address fields only."),
        "bad_pattern": lambda: _l("The pattern is no valid regular expression."),
        "duplicate_key": lambda: _l("The key %(value)s is used by another field of this matter.", value=p["value"]),
        "duplicate_seq": lambda: _l("The number %(value)s is used by another field of this matter.",
                                    value=p["value"]),
        "too_many_fields": lambda: _l("A matter has at most %(most)d fields.", most=p["most"]),
        # values
        "not_an_object": lambda: _l("The extra information is an object of field keys and values."),
        "unknown_field": lambda: _l("Unknown field."),
        "required": lambda: _l("Enter %(label)s.", label=label),
        "not_text": lambda: _l("%(label)s is a single value.", label=label),
        "not_number": lambda: _l("%(label)s is a number.", label=label),
        "too_small": lambda: _l("%(label)s is at least %(least)s.", label=label, least=p["least"]),
        "too_large": lambda: _l("%(label)s is at most %(most)s.", label=label, most=p["most"]),
        "not_yes_no": lambda: _l("%(label)s is yes or no.", label=label),
        "not_date": lambda: _l("Enter %(label)s as YYYY-MM-DD.", label=label),
        "not_choice": lambda: _l("Choose %(label)s from the list.", label=label),
        "bad_id_number": lambda: _l("%(label)s is no valid resident ID number (check digit or birth date).",
                                    label=label),
        "bad_phone": lambda: _l("%(label)s is no valid mobile or fixed-line number with its area code.",
                                label=label),
        "too_long": lambda: _l("%(label)s has at most %(most)d characters.", label=label, most=p["most"]),
        "too_short": lambda: _l("%(label)s has at least %(least)d characters.", label=label, least=p["least"]),
        "no_match": lambda: _l("%(label)s is not in the form the service guide asks.", label=label),
    }
    return messages[code]()


def add_problems(problems: ProblemCollector, found: Iterable[FieldProblem], prefix: str) -> None:
    """Each problem under ``prefix`` + where it is (``form_values.<key>``, ``fields[<key>].kind`` …)."""
    for problem in found:
        where = f"{prefix}{problem.where}" if problem.where else prefix.rstrip(".")
        problems.add(where, problem_message(problem))


def definition_of(item: MatterField) -> FieldDefinition:
    return FieldDefinition(
        key=(item.key or "").strip(), label=(item.label or "").strip(), kind=item.kind or "text", seq=item.seq or 0,
        help=(item.help or "").strip(), required=bool(item.required), min_length=item.min_length,
        max_length=item.max_length, min_value=item.min_value, max_value=item.max_value,
        choices=form_fields.parse_choices(item.choices), pattern=(item.pattern or "").strip())


def guide_fields(items: Iterable[MatterField]) -> list[dict[str, Any]]:
    """The fields as frozen in a guide version."""
    return [definition_of(item).as_content() for item in sorted(items, key=lambda i: i.seq or 0)]


def case_field_rows(guide_content: Mapping[str, Any] | None, values: Mapping[str, Any] | None, *,
                    masked: bool = False) -> list[tuple[str, str]]:
    """(label, value) of a case's extra information, against the guide it was registered under."""
    return form_fields.rows(form_fields.definitions_of(guide_content), values, masked=masked)


def check_values(guide_content: Mapping[str, Any] | None, values: Any,
                 problems: ProblemCollector) -> dict[str, Any]:
    """A case's values checked against its guide's fields: every problem under ``form_values.<key>``."""
    normal, found = form_fields.validate(form_fields.definitions_of(guide_content), values)
    add_problems(problems, found, "form_values.")
    return normal
