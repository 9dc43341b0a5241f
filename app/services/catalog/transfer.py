"""Catalog import and export in the province's spreadsheet form (one row per required material).

The import checks the whole file first and reports every bad row and cell at once; when anything is
wrong nothing is imported. It is idempotent: matters are matched by code, updated in place, and a new
guide version is published only for a matter whose content really changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import form_fields
from app.domain.catalog_sheet import (
    NOT_IN_SHEET,
    Lookup,
    MaterialRecord,
    MatterRecord,
    NamesForExport,
    parse_catalog_xlsx,
    template_xlsx,
    write_catalog_xlsx,
)
from app.domain.form_fields_sheet import SHEET as FIELDS_SHEET
from app.domain.form_fields_sheet import FieldRow, read_fields_sheet, write_fields_sheet
from app.domain.guide_elements import GUIDE_ELEMENT_DEFAULTS
from app.domain.precheck import DEFAULT_PRECHECK_HOURS
from app.domain.upload_checks import SheetLimits, check_unpacked_size
from app.errors import Problem, ValidationFailed
from app.models.catalog import HandlingType, MaterialRequirement, Matter, MatterField, MatterStatus
from app.models.org import BusinessLine
from app.scope import Reach, criterion
from app.services.catalog.fields import DEFINITION_ATTRS, definition_of, problem_message
from app.services.catalog.matters import has_unpublished_changes, publish_matter


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_versions: int = 0


def _lines(session: Session) -> list[BusinessLine]:
    return list(session.execute(select(BusinessLine).order_by(BusinessLine.code)).scalars())


def _handling_types(session: Session) -> list[HandlingType]:
    return list(session.execute(select(HandlingType).order_by(HandlingType.sort_order)).scalars())


def names(session: Session) -> NamesForExport:
    return NamesForExport(
        lines={line.code: line.name for line in _lines(session)},
        handling_types={ht.code: ht.name for ht in _handling_types(session)},
        complaint_phone=current_app.config["COMPLAINT_PHONE"],
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )


def template(session: Session) -> bytes:
    """The blank import template, with the sheet 表单字段 an export has (no field yet)."""
    return template_xlsx(names(session), write_more=lambda workbook: write_fields_sheet(
        workbook.create_sheet(FIELDS_SHEET), {}))


def export_catalog(session: Session, reach: Reach) -> bytes:
    matters = list(session.execute(
        select(Matter).where(criterion(Matter, reach)).order_by(Matter.code)
        .options(selectinload(Matter.materials), selectinload(Matter.handling_types), selectinload(Matter.fields))
    ).scalars())
    fields = {m.code: [definition_of(f) for f in m.fields] for m in matters}

    def fields_sheet(workbook) -> None:  # 表单字段: the extra fields, one row each (issue 15 item 3)
        write_fields_sheet(workbook.create_sheet(FIELDS_SHEET), fields)

    return write_catalog_xlsx([_record_of(m) for m in matters], names(session), write_more=fields_sheet)


def _record_of(matter: Matter) -> MatterRecord:
    return MatterRecord(
        code=matter.code, name=matter.name, line=matter.line,
        handling_types=tuple(ht.code for ht in matter.handling_types),
        legal_limit_days=matter.legal_limit_days, promised_limit_days=matter.promised_limit_days,
        fee_note=matter.fee_note, consult_phone=matter.consult_phone, complaint_phone=matter.complaint_phone,
        acceptance_conditions=matter.acceptance_conditions, review_points=matter.review_points,
        precheck=matter.precheck, precheck_hours=matter.precheck_hours,
        max_extension_days=matter.max_extension_days,
        authority=matter.authority, legal_basis=matter.legal_basis, process_steps=matter.process_steps,
        visits=matter.visits, faq=matter.faq,
        materials=tuple(
            MaterialRecord(seq=m.seq, name=m.name, copies=m.copies, form=m.form, required=m.required,
                           original_check=m.original_check, note=m.note, deferrable=m.deferrable)
            for m in sorted(matter.materials, key=lambda m: m.seq)
        ),
        first_row=0,
    )


def import_catalog(session: Session, data: bytes, reach: Reach) -> ImportResult:
    if not reach.everything:
        raise ValidationFailed([Problem(None, _l("Only an administrator imports the catalog."))])
    limits = SheetLimits.from_settings(current_app.config)
    records, problems = parse_catalog_xlsx(data, Lookup.from_names(names(session)), limits)
    fields, field_problems = _read_fields(data, limits, records)
    if problems or field_problems:
        raise ValidationFailed([Problem(p.column, p.message, p.row) for p in problems] + field_problems)
    if not records:
        raise ValidationFailed([Problem(None, _l("The file lists no matter."))])
    without_required = [r for r in records if not any(m.required for m in r.materials)]
    if without_required:
        raise ValidationFailed([
            Problem(None, _l("Row %(row)d: matter %(code)s has no required material.", row=r.first_row, code=r.code))
            for r in without_required
        ])
    types = {ht.code: ht for ht in _handling_types(session)}
    result = ImportResult()
    try:
        for record in records:
            matter = session.execute(select(Matter).where(Matter.code == record.code)).scalar_one_or_none()
            is_new = matter is None
            if is_new:
                matter = Matter(code=record.code, status=MatterStatus.DRAFT)
                session.add(matter)
            _apply(matter, record, types)
            if fields is not None:
                _apply_fields(matter, fields.get(record.code, []))
            session.flush()
            changed = has_unpublished_changes(matter) or matter.status != MatterStatus.PUBLISHED
            guide = publish_matter(session, matter, reach, note="import", commit=False) if changed else None
            result.new_versions += 1 if guide is not None else 0
            (result.created if is_new else result.updated if changed else result.unchanged).append(record.code)
    except Exception:
        session.rollback()
        raise
    session.commit()
    return result


#: what a new matter takes for a column its sheet does not have
MATTER_DEFAULTS = {"precheck": False, "precheck_hours": DEFAULT_PRECHECK_HOURS, **GUIDE_ELEMENT_DEFAULTS}


def _apply(matter: Matter, record: MatterRecord, types: dict[str, HandlingType]) -> None:
    for name in ("name", "line", "legal_limit_days", "promised_limit_days", "fee_note", "consult_phone",
                 "complaint_phone", "acceptance_conditions", "review_points", "precheck", "precheck_hours",
                 "max_extension_days", *GUIDE_ELEMENT_DEFAULTS):
        value = getattr(record, name)
        if value is NOT_IN_SHEET:  # a column whose blank cell means something (None): absent, kept
            continue
        if value is None and name in MATTER_DEFAULTS:  # a column the sheet has not: kept, or the default
            value = getattr(matter, name) if getattr(matter, name) is not None else MATTER_DEFAULTS[name]
        if getattr(matter, name) != value:
            setattr(matter, name, value)
    wanted_types = [types[code] for code in record.handling_types]
    if {ht.id for ht in matter.handling_types} != {ht.id for ht in wanted_types}:
        matter.handling_types = wanted_types
    existing = {m.seq: m for m in matter.materials}
    for rec in record.materials:
        material = existing.pop(rec.seq, None)
        if material is None:
            material = MaterialRequirement(seq=rec.seq)
            matter.materials.append(material)
        for attr, value in (("name", rec.name), ("copies", rec.copies), ("form", rec.form),
                            ("required", rec.required), ("original_check", rec.original_check),
                            ("deferrable", rec.deferrable), ("note", rec.note)):
            if value is None:  # a column the sheet has not: kept, or the default
                value = getattr(material, attr) if getattr(material, attr) is not None else False
            if getattr(material, attr) != value:
                setattr(material, attr, value)
    for leftover in existing.values():
        matter.materials.remove(leftover)


# --- 表单字段: the matters' extra fields (issue 15 item 3) ---------------------------------------------


def _read_fields(data: bytes, limits: SheetLimits, records: list[MatterRecord]
                 ) -> tuple[dict[str, list[FieldRow]] | None, list[Problem]]:
    """The rows of sheet 表单字段 by matter code (None: the file has no such sheet, the fields are kept),
    and every problem of the sheet: unreadable cells, bad definitions, a matter the file does not list."""
    try:
        check_unpacked_size(data, limits.max_unpacked_bytes)
    except Exception:  # noqa: BLE001 - too large or no zip: sheet 1's reading reported the file
        return None, []
    read = read_fields_sheet(data, limits)
    if read is None:
        return None, []
    rows, sheet_problems = read
    problems = [Problem(p.column, p.message, p.row) for p in sheet_problems]
    codes = {r.code for r in records}
    by_code: dict[str, list[FieldRow]] = {}
    for row in rows:
        if row.code not in codes:
            problems.append(Problem(None, _l("Sheet %(sheet)s, row %(row)d: the matter %(code)s is not in the "
                                             "first sheet.", sheet=FIELDS_SHEET, row=row.row, code=row.code), row.row))
        by_code.setdefault(row.code, []).append(row)
    for code_rows in by_code.values():
        row_of = {r.definition.key: r.row for r in code_rows}
        for found in form_fields.list_problems(r.definition for r in code_rows):
            key = found.where.split(".", 1)[0]
            problems.append(Problem(None, _l("Sheet %(sheet)s, row %(row)d: %(message)s", sheet=FIELDS_SHEET,
                                             row=row_of.get(key, 0), message=problem_message(found)),
                                    row_of.get(key)))
    return by_code, problems


def _apply_fields(matter: Matter, rows: list[FieldRow]) -> None:
    """The matter's fields become the sheet's: matched by key, changed in place, the others removed."""
    existing = {f.key: f for f in matter.fields}
    for row in rows:
        d = row.definition
        item = existing.pop(d.key, None)
        if item is None:
            item = MatterField(key=d.key)
            matter.fields.append(item)
        values = {name: getattr(d, name) for name in DEFINITION_ATTRS} | {"choices": "\n".join(d.choices)}
        for name, value in values.items():
            if getattr(item, name) != value:
                setattr(item, name, value)
    for leftover in existing.values():
        matter.fields.remove(leftover)
