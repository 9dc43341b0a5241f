"""HTML template → xhtml2pdf → PDF bytes, for the printed notices.

* Templates live in ``templates/notices/`` and are rendered with a Jinja environment of our own
  (autoescaping, undefined names are errors), not Flask's: rendering needs no app or request.
* Fonts (:mod:`app.documents.fonts`) are registered with ReportLab once per process and named in
  the page's CSS, main family first, then only the fallbacks the text needs. (An ``@font-face`` rule
  would make xhtml2pdf read and hash the 15–30 MB files on every document: about 150 ms each time.)
* The document may read nothing but its own ``data:`` URIs and the font directories: the resource
  policy denies the network and every other file.
* Table cells break lines with :mod:`app.documents.cjk` (``<br/>`` kept, no punctuation hanging
  past a border). ReportLab's ToUnicode map is fixed for characters beyond the BMP (𠮷 copies out
  as itself). Both patches are process-wide and leave other output unchanged otherwise.
* The output is deterministic: ReportLab's invariant mode fixes the creation date and the file ID,
  so one context always gives the same bytes.
* xhtml2pdf renders one document at a time per process; so do we (one lock around the lot).
"""

from __future__ import annotations

import base64
import io
import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app.documents import cjk, fonts

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "notices"
DEFAULT_AUTHOR = "广元市政务服务和公共资源交易中心"

log = logging.getLogger(__name__)
_lock = threading.RLock()


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str = DEFAULT_AUTHOR
    subject: str = ""
    keywords: str = ""


class RenderError(RuntimeError):
    """xhtml2pdf reported errors while converting a notice."""


# --- template environment ------------------------------------------------------------------------

CN_NUMERALS = "零一二三四五六七八九"


def cn_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (list numbering up to 99)."""
    value = int(value)
    if value < 10:
        return CN_NUMERALS[value]
    tens, units = divmod(value, 10)
    if value >= 100:
        return str(value)
    return ("" if tens == 1 else CN_NUMERALS[tens]) + "十" + (CN_NUMERALS[units] if units else "")


def cn_date(value: date | None, blank: str = "") -> str:
    """2026-11-26 → 2026年11月26日; None → ``blank``."""
    if value is None:
        return blank
    return f"{value.year}年{value.month}月{value.day}日"


def keep_spaces(value: str | None) -> Markup:
    """Full-width spaces kept (xhtml2pdf collapses them): each becomes four no-break spaces."""
    return Markup("&nbsp;" * 4).join(escape(part) for part in (value or "").split("\u3000"))


def lines(value: str | None) -> Markup:
    """Text with its line breaks kept (escaped, joined with <br/>)."""
    parts = [escape(part) for part in (value or "").splitlines()]
    return Markup("<br/>").join(parts)


def qr_data_uri(text: str, *, box_size: int = 6, border: int = 1) -> str:
    """``text`` as a QR code (error correction M), a PNG ``data:`` URI."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


Filters = Mapping[str, Callable[..., Any]]
_FilterItems = tuple[tuple[str, Callable[..., Any]], ...]

_environments: dict[tuple[Path, _FilterItems], Environment] = {}


def environment(template_dir: Path = TEMPLATE_DIR, filters: Filters | None = None) -> Environment:
    """The Jinja environment of the templates in ``template_dir`` (the notices' by default): the
    filters above, ``qr_data_uri``, and ``filters`` of the caller's own. Made once per folder and
    filters."""
    key = (Path(template_dir), tuple(sorted((filters or {}).items())))
    with _lock:
        env = _environments.get(key)
        if env is None:
            env = _environments[key] = _new_environment(*key)
        return env


def _new_environment(template_dir: Path, filters: _FilterItems) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(cn_date=cn_date, cn_number=cn_number, keep_spaces=keep_spaces, lines=lines)
    env.filters.update(dict(filters))
    env.globals.update(qr_data_uri=qr_data_uri)
    return env


def render_html(template: str, context: Mapping[str, Any], *, font_css: str = "",
                template_dir: Path = TEMPLATE_DIR, filters: Filters | None = None) -> str:
    """The HTML of ``template`` (in ``template_dir``) with ``context``; ``font_css`` goes where the
    template puts ``{{ font_css }}``."""
    return environment(template_dir, filters).get_template(template).render(**context, font_css=Markup(font_css))


# --- fonts ---------------------------------------------------------------------------------------


def _font_families(html: str) -> list[str]:
    """Registers the families ``html`` needs and returns their CSS names, main family first."""
    font_set = fonts.font_set()
    main = font_set.require_main()
    families = [main, *font_set.fallbacks_for(html)]
    _register_with_xhtml2pdf([font_set.register(f) for f in families])
    return [f.name for f in families]


def _register_with_xhtml2pdf(names: list[str]) -> None:
    """Makes the registered ReportLab fonts known to xhtml2pdf's CSS under their own names
    (its per-document font table starts from ``xhtml2pdf.default.DEFAULT_FONT``)."""
    from xhtml2pdf import default

    for name in names:
        default.DEFAULT_FONT.setdefault(name.lower(), name)


# --- patches -------------------------------------------------------------------------------------

_patched = False


def _to_unicode_cmap(fontname: str, subset) -> str:
    """ReportLab's ToUnicode CMap, with characters beyond the BMP written as UTF-16 surrogate
    pairs (ReportLab writes ``<20BB7>``, which a reader takes for U+20BB: copying 𠮷 from the PDF
    gave ₻)."""
    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
        *("<%02X> <%s>" % (i, utf16(v)) for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def install_patches() -> None:
    """The CJK line breaker (:mod:`app.documents.cjk`) and the ToUnicode fix. Idempotent."""
    global _patched
    with _lock:
        if _patched:
            return
        from reportlab.pdfbase import ttfonts

        cjk.install()
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        _patched = True


# --- the PDF -------------------------------------------------------------------------------------


def resource_policy():
    """Nothing from the network; local reads only under the font directories (the notices embed
    their QR code as a ``data:`` URI and need nothing else)."""
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    return ResourceAccessPolicy(allow_remote=False, base_dir=None, extra_roots=fonts.font_roots(),
                                max_render_seconds=120, max_depth=200)


def html_to_pdf(html: str, meta: Metadata, base_font: str | None = None) -> bytes:
    """Converts ``html`` (which names its fonts with ``font_css``) to PDF bytes. ``base_font`` is
    the canvas's initial font (ReportLab's Helvetica otherwise: an unembedded font in the file)."""
    from reportlab import rl_config
    from reportlab.platypus import tables
    from xhtml2pdf import pisa

    install_patches()
    out = io.BytesIO()
    with _lock:
        saved = rl_config.invariant, rl_config.canvas_basefontname, tables.CellStyle.fontname
        rl_config.invariant = 1  # fixed creation date and file ID: same input, same bytes
        if base_font:
            # The canvas and every table cell start with ReportLab's Helvetica, which then sits in
            # the file unembedded though nothing is drawn with it.
            rl_config.canvas_basefontname = tables.CellStyle.fontname = base_font
        try:
            status = pisa.CreatePDF(
                html, dest=out, encoding="utf-8", resource_policy=resource_policy(),
                context_meta={"title": meta.title, "author": meta.author, "subject": meta.subject,
                              "keywords": meta.keywords},
            )
        finally:
            rl_config.invariant, rl_config.canvas_basefontname, tables.CellStyle.fontname = saved
    if status.err:
        raise RenderError(f"xhtml2pdf reported {status.err} error(s) converting {meta.title!r}")
    return out.getvalue()


_FONT_SLOT = "/*__notice_fonts__*/"


def render_pdf(template: str, context: Mapping[str, Any], meta: Metadata, *, template_dir: Path = TEMPLATE_DIR,
               filters: Filters | None = None) -> bytes:
    """Renders ``template`` with ``context`` into PDF bytes: a notice of ``templates/notices/`` by
    default, or a template of another folder (``template_dir``, with ``filters`` of its own), with
    the same fonts, resource policy, line breaking and lock. The template puts ``{{ font_css }}``
    where the font-family declaration goes."""
    with _lock:
        html = render_html(template, context, font_css=_FONT_SLOT, template_dir=template_dir, filters=filters)
        # The text decides which fallback fonts are needed (HanaMin only for a rare name).
        families = _font_families(html)
        html = html.replace(_FONT_SLOT, "font-family: " + ", ".join(families) + ";")
        return html_to_pdf(html, meta, base_font=families[0])
