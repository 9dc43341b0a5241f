"""Case numbers: unique and gap-free per deciding center and year.

The sequence row of (center, year) is locked for the rest of the transaction that draws a number, so
two clerks accepting at the same moment get consecutive numbers, and a rolled-back step gives its
number back. Format from CASE_NUMBER_FORMAT (default ``{center_code}-{year}-{sequence:06d}``), which
config.py checks at start-up.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.models.case import CaseNumberSequence
from app.models.org import ServiceCenter

def _ensure_row(session: Session, center_id: int, year: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            pg_insert(CaseNumberSequence).values(center_id=center_id, year=year, last_value=0)
            .on_conflict_do_nothing(constraint="uq_case_number_sequence")
        )
        return
    exists = session.execute(
        select(CaseNumberSequence.id).where(CaseNumberSequence.center_id == center_id, CaseNumberSequence.year == year)
    ).first()
    if exists is None:
        session.add(CaseNumberSequence(center_id=center_id, year=year, last_value=0))
        session.flush()


def draw_number(session: Session, center: ServiceCenter, year: int) -> str:
    """The next number of ``center`` in ``year``, within the caller's transaction."""
    _ensure_row(session, center.id, year)
    sequence = session.execute(
        update(CaseNumberSequence)
        .where(CaseNumberSequence.center_id == center.id, CaseNumberSequence.year == year)
        .values(last_value=CaseNumberSequence.last_value + 1)
        .returning(CaseNumberSequence.last_value)
    ).scalar_one()
    return current_app.config["CASE_NUMBER_FORMAT"].format(center_code=center.code, year=year, sequence=sequence)
