"""The work ledger (附件3): each of our windows that handled a case keeps a row for it, written by the
services as the case moves — never typed twice. Only the remarks column is edited by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.workflow import Status
from app.errors import NotFound, ProblemCollector
from app.models.case import Case, LedgerEntry
from app.models.org import ServiceCenter
from app.platform import records
from app.platform.records import changed_fields, rule_for
from app.scope import OutOfScope, Reach, get_in_scope

#: from which status on a window has handled the case: the origin once it accepted, the home window
#: once the materials arrived (for an inbound case the home window accepts, so from acceptance too)
ORIGIN_FROM = {Status.ACCEPTED}
HOME_FROM = {Status.RECEIVED}


def _windows_of(case: Case) -> list[tuple[str, ServiceCenter, ServiceCenter]]:
    """(role, our window, the other end) for each end of the case inside the system."""
    ends = []
    if not case.origin_center.external:
        ends.append(("origin", case.origin_center, case.home_center))
    if not case.home_center.external:
        ends.append(("home", case.home_center, case.origin_center))
    return ends


def sync_ledger(session: Session, case: Case, handler_name: str, on_date, window_role: str | None = None,
                on_behalf_at: str | None = None) -> None:
    """Creates the row of the window that just took the case over, and refreshes every row's columns.

    ``window_role`` ("origin"/"home") names the window whose clerk acted now: its row gets that clerk as
    经办人 if it has none yet. A stand-in's step is added, once, to the 经办人 of the row of the window it
    acted at (``on_behalf_at``): "张丽、王芳（代张丽办理）".
    """
    existing = {e.center_id: e for e in session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id))}
    for role, window, other_end in _windows_of(case):
        entry = existing.get(window.id)
        if entry is None:
            if role != window_role:
                continue
            entry = LedgerEntry(center_id=window.id, case_id=case.id, role=role, entry_date=on_date,
                                handler_name=handler_name)
            session.add(entry)
        elif role == window_role and not entry.handler_name:
            entry.handler_name = handler_name
        elif role == on_behalf_at and handler_name not in entry.handler_name:
            entry.handler_name = f"{entry.handler_name}、{handler_name}"[:128]
        entry.applicant_name = case.applicant_name
        entry.applicant_phone = case.applicant_phone
        entry.handling_type_name = case.handling_type.name
        entry.region_name = other_end.region.full_name
        entry.matter_name = case.matter.name
        entry.case_status = case.status


@rule_for(LedgerEntry)
def ledger_rules(session: Session, entry: LedgerEntry, reach: Reach, problems: ProblemCollector) -> None:
    # Only 备注 is typed by hand: every other column follows the case.
    if changed_fields(entry) - {"remarks"}:
        problems.add(None, _l("Only the remarks of a ledger row can be edited; the rest follows the case."))


def ledger_entry(session: Session, reach: Reach, entry_id: object) -> LedgerEntry:
    """A ledger row within the reach; NotFound for a row outside it or missing."""
    try:
        return get_in_scope(session, LedgerEntry, entry_id, reach)
    except OutOfScope:
        raise NotFound() from None


def edit_remarks(session: Session, reach: Reach, entry_id: object, remarks: object) -> LedgerEntry:
    """备注 of a ledger row, typed by hand (the screen's edit saves through the same records rule): a text;
    a row the reach may read but not write is as missing."""
    try:
        entry = get_in_scope(session, LedgerEntry, entry_id, reach, write=True)
    except OutOfScope:
        raise NotFound() from None
    problems = ProblemCollector()
    if not isinstance(remarks, str):
        problems.add("remarks", _l("Enter a text."))
    problems.raise_if_any()
    entry.remarks = remarks
    return records.save(session, entry, reach)
