"""The work ledger as attachment 3 prints it: title, the eight columns, the rows of a filter, and the
footnote that lists the handling types — written in streaming mode so 100,000 rows stay within a small,
flat memory (app.domain.xlsx_stream, rows fetched in batches).

Phones are written in full for the window that keeps the ledger, masked for those who only supervise.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import IO, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.privacy import mask_phone
from app.domain.xlsx_stream import write_table
from app.models.case import LedgerEntry
from app.models.catalog import HandlingType
from app.scope import Reach, criterion

TITLE = "广元市政务服务“跨域通办”工作登记台账"
HEADER = ("日期", "申请人", "联系电话", "通办类型", "通办具体地区", "事项名称", "经办人", "备注")
WIDTHS = (14, 12, 16, 12, 22, 36, 10, 30)
BATCH = 2000


@dataclass(frozen=True)
class LedgerFilter:
    date_from: date | None = None
    date_to: date | None = None
    center_id: int | None = None
    handling_type_name: str | None = None
    matter_name: str | None = None


def ledger_rows(session: Session, reach: Reach, flt: LedgerFilter) -> Iterator[tuple]:
    """The rows in scope and filter, oldest first, fetched in batches (never all at once)."""
    columns = (LedgerEntry.entry_date, LedgerEntry.applicant_name, LedgerEntry.applicant_phone,
               LedgerEntry.handling_type_name, LedgerEntry.region_name, LedgerEntry.matter_name,
               LedgerEntry.handler_name, LedgerEntry.remarks, LedgerEntry.center_id)
    stmt = select(*columns).where(criterion(LedgerEntry, reach))
    if flt.date_from:
        stmt = stmt.where(LedgerEntry.entry_date >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(LedgerEntry.entry_date <= flt.date_to)
    if flt.center_id:
        stmt = stmt.where(LedgerEntry.center_id == flt.center_id)
    if flt.handling_type_name:
        stmt = stmt.where(LedgerEntry.handling_type_name == flt.handling_type_name)
    if flt.matter_name:
        stmt = stmt.where(LedgerEntry.matter_name.contains(flt.matter_name))
    stmt = stmt.order_by(LedgerEntry.entry_date, LedgerEntry.id).execution_options(yield_per=BATCH)
    yield from session.execute(stmt)


def footnote(session: Session) -> str:
    names = session.scalars(select(HandlingType.name).order_by(HandlingType.sort_order)).all()
    return "注：通办类型是指：" + "、".join(names) + "等。"


def write_ledger_xlsx(session: Session, reach: Reach, flt: LedgerFilter, out: IO[bytes],
                      on_progress=None) -> int:
    """Writes the ledger to ``out``; returns the number of rows. ``on_progress(n)`` every batch."""
    full_for = reach.center_ids

    def rows() -> Iterator[tuple]:
        for row in ledger_rows(session, reach, flt):
            phone = row[2] if row[8] in full_for else mask_phone(row[2])
            yield (row[0], row[1], phone, row[3], row[4], row[5], row[6], row[7])

    return write_table(out, sheet_name="工作登记台账", title=TITLE, header=HEADER, widths=WIDTHS, rows=rows(),
                       note=footnote(session), creator="广元市政务服务和公共资源交易中心", on_batch=on_progress)


def ledger_xlsx_bytes(session: Session, reach: Reach, flt: LedgerFilter) -> bytes:
    buffer = io.BytesIO()
    write_ledger_xlsx(session, reach, flt, buffer)
    return buffer.getvalue()
