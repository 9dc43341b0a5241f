"""The work ledger (附件3) as a PDF: landscape A4, the attachment's title, its columns as a bordered
table whose header row is on every page, long texts wrapped inside their cells, the footnote that lists
the handling types, and “第 n 页 共 m 页” at the foot of each page. The embedded Chinese font comes
through :mod:`app.documents.render`, as for the notices.

Why it is not one big ``<table>``: xhtml2pdf hands ReportLab one table, and ReportLab measures the rest
of a table again at every page break, so n rows cost O(n²) (1,000 rows took 18 s, 200 rows 2 s) and
the whole document stays in memory. Here:

* the rows are measured first (:class:`LedgerLayout`: the template's font, sizes, paddings and column
  widths) and packed into pages; each page is its own small table, its header row first;
* pages are rendered a batch at a time (``BATCH_PAGES``) into temporary files, so memory stays flat
  whatever the number of rows;
* the batches are joined with pypdf and the page numbers stamped on once the count is known.

Time grows linearly (about 10 ms a row on the reference machine: see docs/PERFORMANCE.md); very large
ranges are better exported as XLSX, and callers cap the PDF (``app.services.exports.jobs``). Should a
measured page not fit after all, xhtml2pdf carries its last rows to a new page with the header row
repeated (``repeat="1"``): the document stays right and the page numbers are counted afterwards.

Pure: no database, no app, no request; rows in, PDF bytes out.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from app.documents import fonts
from app.documents.render import DEFAULT_AUTHOR, Metadata, render_pdf

TEMPLATE = "ledger.html"
#: pages rendered per xhtml2pdf document (about 3–5 s and 20 MB each)
BATCH_PAGES = 25
EMPTY_TEXT = "（所选范围内没有台账记录）"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)


@dataclass(frozen=True)
class LedgerLayout:
    """The page as the template (templates/notices/ledger.html) sets it out, for measuring rows."""

    #: share of the table's width per column, in %, in the order of the export's HEADER (the attachment's
    #: eight columns with 编号, 窗口 and 办理情况 added)
    widths: tuple[float, ...] = (7.5, 11.5, 14.5, 5.5, 8, 6, 8, 14, 5, 9, 11)
    #: columns printed centred (日期, 编号, 联系电话, 办理情况)
    centered: tuple[int, ...] = (0, 1, 4, 9)
    font_size: float = 8.5
    line_height: float = 1.3
    title_size: float = 16
    subtitle_size: float = 9
    margin_top_mm: float = 12
    margin_bottom_mm: float = 16
    margin_side_mm: float = 10
    #: cell padding (pt): 3 above, 2 below, 3 on each side, and the borders
    pad_vertical: float = 5.75
    pad_horizontal: float = 7.5
    #: share of the frame's height measured rows may fill (the measuring errs a little either way)
    fill: float = 0.97

    @property
    def frame_width(self) -> float:
        return PAGE_WIDTH - 2 * self.margin_side_mm * mm

    @property
    def frame_height(self) -> float:
        return PAGE_HEIGHT - (self.margin_top_mm + self.margin_bottom_mm) * mm

    @property
    def leading(self) -> float:
        return self.font_size * self.line_height

    def inner_widths(self) -> list[float]:
        return [self.frame_width * share / 100 - self.pad_horizontal for share in self.widths]


class _Measure:
    """Line counts of texts in the main font (each character's width looked up once)."""

    def __init__(self, layout: LedgerLayout) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        font_set = fonts.font_set()
        family = font_set.require_main()
        font_set.register(family)
        self._font = family.regular.name
        self._size = layout.font_size
        self._string_width = stringWidth
        self._widths: dict[tuple[str, float], float] = {}

    def width(self, ch: str, size: float) -> float:
        key = (ch, size)
        value = self._widths.get(key)
        if value is None:
            value = self._widths[key] = self._string_width(ch, self._font, size)
        return value

    def lines(self, text: str, width: float, size: float | None = None) -> int:
        """How many lines ``text`` takes in a box ``width`` wide (greedy, character by character, as
        the CJK line breaker does; explicit line breaks kept)."""
        size = size or self._size
        count = 0
        for paragraph in (text or "").split("\n"):
            count += 1
            used = 0.0
            for ch in paragraph:
                w = self.width(ch, size)
                if used + w > width and used > 0:
                    count += 1
                    used = 0.0 if ch.isspace() else w
                else:
                    used += w
        return max(count, 1)


def cell_text(value: Any) -> str:
    """What a cell prints: dates as 2026-03-02, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def paginate(rows: Iterable[Sequence[str]], layout: LedgerLayout, measure: _Measure, *,
             first_page_taken: float = 0.0) -> Iterator[list[Sequence[str]]]:
    """Packs rows into pages by their measured heights; yields each page as it fills (at least one
    page, empty when there are no rows)."""
    budget = layout.frame_height * layout.fill
    widths = layout.inner_widths()
    header_height = layout.leading + layout.pad_vertical
    page: list[Sequence[str]] = []
    used = first_page_taken + header_height
    for row in rows:
        lines = max(measure.lines(text, widths[i]) for i, text in enumerate(row))
        height = lines * layout.leading + layout.pad_vertical
        if page and used + height > budget:
            yield page
            page, used = [], header_height
        page.append(row)
        used += height
    yield page


@dataclass(frozen=True)
class LedgerPdf:
    rows: int
    pages: int


def write_ledger_pdf(rows: Iterable[Sequence[Any]], out: IO[bytes], *, title: str, header: Sequence[str],
                     footnote: str, subtitle: str = "", author: str = DEFAULT_AUTHOR,
                     on_rows: Callable[[int], Any] | None = None, batch_pages: int = BATCH_PAGES,
                     layout: LedgerLayout | None = None) -> LedgerPdf:
    """Writes the ledger to ``out``. ``rows`` are the values of each row, in ``header``'s order (consumed
    lazily); ``on_rows(n)`` is told the number of rows rendered after each batch."""
    layout = layout or LedgerLayout()
    measure = _Measure(layout)
    title_height = layout.title_size * layout.line_height + 2 * mm
    if subtitle:
        lines = measure.lines(subtitle, layout.frame_width - 2, layout.subtitle_size)
        title_height += lines * layout.subtitle_size * layout.line_height + 2 * mm
    texts = (tuple(cell_text(v) for v in row) for row in rows)
    pages = paginate(texts, layout, measure, first_page_taken=title_height)
    meta = Metadata(title=title, author=author, subject=subtitle or title)
    done = 0
    with tempfile.TemporaryDirectory(prefix="kytb-ledger-pdf-") as tmp:
        parts: list[Path] = []
        batch: list[list[Sequence[str]]] = []
        upcoming = next(pages)
        while upcoming is not None:
            batch.append(upcoming)
            following = next(pages, None)
            last = following is None
            if len(batch) >= batch_pages or last:
                context = {
                    "title": title, "subtitle": subtitle, "header": list(header), "layout": layout,
                    "pages": batch, "show_title": not parts, "footnote": footnote if last else "",
                    "empty_text": EMPTY_TEXT,
                }
                path = Path(tmp) / f"part-{len(parts):05d}.pdf"
                path.write_bytes(render_pdf(TEMPLATE, context, meta))
                parts.append(path)
                done += sum(len(p) for p in batch)
                batch = []
                if on_rows is not None:
                    on_rows(done)
            upcoming = following
        page_count = _join(parts, out, meta, layout)
    return LedgerPdf(rows=done, pages=page_count)


def _join(parts: list[Path], out: IO[bytes], meta: Metadata, layout: LedgerLayout) -> int:
    """Joins the batches and stamps “第 n 页 共 m 页” on every page; returns the page count."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for path in parts:
        writer.append(str(path))
    total = len(writer.pages)
    numbers = PdfReader(io.BytesIO(_page_numbers(total, layout)))
    for index, page in enumerate(writer.pages):
        page.merge_page(numbers.pages[index])
        page.compress_content_streams()  # xhtml2pdf leaves them uncompressed: a fifth of the size
    writer.add_metadata({"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
                         "/Producer": "xhtml2pdf, ReportLab, pypdf"})
    writer.compress_identical_objects()
    writer.write(out)
    return total


def _page_numbers(total: int, layout: LedgerLayout) -> bytes:
    """One page per page of the ledger with nothing but its number, in the main font."""
    from reportlab.pdfgen.canvas import Canvas

    font_set = fonts.font_set()
    family = font_set.require_main()
    font_set.register(family)
    name = family.regular.name
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), initialFontName=name, initialFontSize=8.5,
                    invariant=1)
    y = layout.margin_bottom_mm * mm / 2
    for number in range(1, total + 1):
        canvas.setFont(name, 8.5)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, f"第 {number} 页　共 {total} 页")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def ledger_pdf_bytes(rows: Iterable[Sequence[Any]], **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    write_ledger_pdf(rows, buffer, **kwargs)
    return buffer.getvalue()


__all__ = ["BATCH_PAGES", "LedgerLayout", "LedgerPdf", "cell_text", "ledger_pdf_bytes", "paginate",
           "write_ledger_pdf"]
