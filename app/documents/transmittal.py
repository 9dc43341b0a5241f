"""移交清单 (transmittal list): the parcels a window sends to one destination window in one batch.

A frozen context of plain values (``TransmittalContext``), built by the service from the cases, and
``render_transmittal(context)``: PDF bytes in the style of the notices (same fonts, same page, same
renderer), landscape for the table. The applicant is printed masked: the list travels with the courier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.documents.render import DEFAULT_AUTHOR, Metadata, qr_data_uri, render_pdf

TITLE = "广元市政务服务“跨域通办”材料移交清单"


@dataclass(frozen=True)
class TransmittalMaterial:
    name: str
    copies: int
    form: str  # 原件 / 复印件 / 扫描件, as printed


@dataclass(frozen=True)
class TransmittalRow:
    """One case of the list."""

    seq: int
    case_number: str
    applicant: str  # masked (张*)
    matter_name: str
    contents: str  # 申请材料 / 补正材料
    materials: tuple[TransmittalMaterial, ...]
    waybill_number: str


@dataclass(frozen=True)
class TransmittalContext:
    number: str
    from_name: str
    to_name: str
    sent_on: date
    rows: tuple[TransmittalRow, ...]
    prepared_by: str

    @property
    def total_copies(self) -> int:
        return sum(m.copies for row in self.rows for m in row.materials)


def transmittal_text(context: TransmittalContext) -> str:
    """Every text the list puts on paper (to check its glyphs before printing)."""
    parts = [context.number, context.from_name, context.to_name, context.prepared_by]
    for row in context.rows:
        parts += [row.case_number, row.applicant, row.matter_name, row.contents, row.waybill_number]
        parts += [m.name for m in row.materials]
    return "\n".join(parts)


def render_transmittal(context: TransmittalContext) -> bytes:
    """The list as PDF bytes; the same context gives the same PDF."""
    values = {"n": context, "title": TITLE, "qr": qr_data_uri(context.number)}
    meta = Metadata(title=TITLE, author=context.from_name or DEFAULT_AUTHOR,
                    subject=f"{context.from_name} → {context.to_name}", keywords=context.number)
    return render_pdf("transmittal.html", values, meta)
