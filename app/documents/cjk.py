"""A Chinese line breaker for xhtml2pdf's ``-pdf-word-wrap: CJK`` paragraphs.

xhtml2pdf breaks such paragraphs with ReportLab's "dumbest possible" algorithm, which

* drops ``<br/>``: the break is skipped and the text runs on;
* lets a character that may not start a line (。，；：？！”》…) *hang* past the right edge, so in a
  table cell it is drawn across the border;
* counts the hung character's width again on the next line.

:func:`break_lines` replaces it. It is greedy, character by character, with the line-breaking rules
of Chinese typesetting (GB/T 15834 practice, 避头尾): a closing punctuation mark never starts a
line (the character before it moves down with it), an opening one never ends a line, an explicit
``<br/>`` always breaks (an empty line keeps its height), a run of Latin letters or digits (an
e-mail address, a phone number) is not split unless it is longer than the whole line, nor is a
number from the unit after it (10日, 5个), and a space at a wrap is dropped. Nothing is ever drawn
beyond the width it was given, unless a single character is wider than the line.

:func:`install` puts it into xhtml2pdf (idempotent), for the whole process: every paragraph that
asks for CJK wrapping, in any document, gets it; no other paragraph is touched.
"""

from __future__ import annotations

import threading
from typing import Sequence

# Characters that may not begin a line: closing punctuation, full and half width.
NO_LINE_START = frozenset(
    "。，、；：？！…‥—～·”’》〉」』】〕）］｝〗〙〛%‰℃°′″"
    "!),.:;?]}"
    "々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー・"
)
# Characters that may not end a line: opening punctuation.
NO_LINE_END = frozenset("“‘《〈「『【〔（［｛〖〘〚([{")
# A break is not made between two of these unless the run is longer than the line (dashes
# included: 9:00—12:00 stays whole, and so does ——).
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+#/:%&=~—–～")


# A unit of a date or a count that stays with the number before it: 2026年12月\n10日, never 10\n日.
_AFTER_NUMBER = frozenset("年月日时分秒号次份件个")


def _is_word(ch: str) -> bool:
    return len(ch) == 1 and ch in _WORD


_widths: dict[tuple[str, float], dict[str, float]] = {}


def _char_widths(text: str, font_name: str, font_size: float) -> list[float]:
    """Per-character widths, cached per font and size (the table layout asks for the same cells
    hundreds of times per document)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    table = _widths.get((font_name, font_size))
    if table is None:
        table = _widths[(font_name, font_size)] = {}
    out = []
    for ch in text:
        width = table.get(ch)
        if width is None:
            width = table[ch] = stringWidth(ch, font_name, font_size)
        out.append(width)
    return out


def break_lines(frags, max_widths: Sequence[float], calc_bounds: bool, encoding: str = "utf8"):
    """Breaks ``frags`` into lines no wider than ``max_widths`` (one width per line, the last
    repeated); returns xhtml2pdf's ``ParaLines(kind=1)``, as its own CJK splitter does."""
    from reportlab.rl_settings import _FUZZ
    from xhtml2pdf.reportlab_paragraph import ParaLines

    # One entry per character: the character, its width, the index of its fragment. A <br/> is a
    # zero-width "" entry whose index is in `breaks`; an image or a marker a "" entry of its width.
    chars: list[str] = []
    widths: list[float] = []
    owner: list[int] = []
    breaks: set[int] = set()
    for index, frag in enumerate(frags):
        text = frag.text
        if not isinstance(text, str):
            text = text.decode(encoding)
        cb = getattr(frag, "cbDefn", None)
        if text and cb is None:
            chars.extend(text)
            widths.extend(_char_widths(text, frag.fontName, frag.fontSize))
            owner.extend([index] * len(text))
        elif not text:
            chars.append("")
            widths.append(getattr(cb, "width", 0) if cb is not None else 0)
            owner.append(index)
        else:  # text with a callback: measured whole, never split
            chars.append(text)
            widths.append(getattr(cb, "width", 0))
            owner.append(index)
        if hasattr(frag, "lineBreak"):
            if text:
                chars.append("")
                widths.append(0)
                owner.append(index)
            breaks.add(len(chars) - 1)

    def width_of(line_no: int) -> float:
        return max_widths[line_no] if line_no < len(max_widths) else max_widths[-1]

    lines = []

    def emit(a: int, b: int) -> None:
        used = sum(widths[a:b])
        lines.append(_line(frags, chars, owner, a, b, width_of(len(lines)) - used, calc_bounds))

    start = 0
    used = 0.0
    i = 0
    n = len(chars)
    while i < n:
        ch = chars[i]
        if i in breaks:
            emit(start, i + 1)
            start, used, i = i + 1, 0.0, i + 1
            continue
        if i == start and ch.isspace() and lines and (start - 1) not in breaks:
            start, i = i + 1, i + 1  # a space where a line was wrapped is dropped
            continue
        limit = width_of(len(lines))
        if used + widths[i] <= limit + _FUZZ or i == start:
            used += widths[i]
            i += 1
            continue
        if ch.isspace():
            emit(start, i)  # a space that does not fit ends the line and is not drawn
            start, used, i = i + 1, 0.0, i + 1
            continue
        cut = _cut(chars, start, i)
        emit(start, cut)
        start = cut
        used = sum(widths[cut:i])
        if used > width_of(len(lines)) + _FUZZ:
            used, i = 0.0, cut  # what moved down is wider than the next line: measure it again
    if start < n:
        emit(start, n)
    return ParaLines(kind=1, lines=lines)


def _line(frags, chars, owner, a: int, b: int, extra_space: float, calc_bounds: bool):
    """One FragLine of ``chars[a:b]``: a word per run of one fragment (what xhtml2pdf's
    makeCJKParaLine builds, without comparing fragments character by character)."""
    from reportlab.pdfbase.pdfmetrics import getAscentDescent
    from xhtml2pdf.reportlab_paragraph import FragLine, imgVRange

    words = []
    max_size = max_ascent = min_descent = 0
    k = a
    while k < b:
        index = owner[k]
        end = k + 1
        while end < b and owner[end] == index:
            end += 1
        frag = frags[index]
        font_size = frag.fontSize
        cb = getattr(frag, "cbDefn", None)
        if calc_bounds and getattr(cb, "width", 0):
            descent, ascent = imgVRange(cb.height, cb.valign, font_size)
        else:
            ascent, descent = getAscentDescent(frag.fontName, font_size)
        max_size = max(max_size, font_size)
        max_ascent = max(max_ascent, ascent)
        min_descent = min(min_descent, descent)
        word = frag.clone()
        word.text = "".join(chars[k:end])
        words.append(word)
        k = end
    return FragLine(kind=1, extraSpace=extra_space, wordCount=1, words=words, fontSize=max_size,
                    ascent=max_ascent, descent=min_descent)


def _cut(units: Sequence[str], start: int, overflow: int) -> int:
    """Where to end the line ``units[start:]`` when ``units[overflow]`` does not fit on it: the
    index of the first unit of the next line, always after ``start``."""
    cut = overflow
    while True:
        before = cut
        # Keep a Latin word or a number (9:00, an e-mail address) whole when it fits on a line.
        if _is_word(units[cut]) and _is_word(units[cut - 1]):
            word_start = cut
            while word_start > start and _is_word(units[word_start - 1]):
                word_start -= 1
            if word_start > start:
                cut = word_start
        # 10日, 5个: the unit goes down with its number (which the rule above keeps whole).
        if units[cut] in _AFTER_NUMBER and _is_word(units[cut - 1]) and units[cut - 1].isdigit() and cut - 1 > start:
            cut -= 1
            continue
        # 避头: a closing mark may not start the next line; bring the character before it down too.
        while cut - 1 > start and units[cut] in NO_LINE_START:
            cut -= 1
        # 避尾: an opening mark may not end this line.
        while cut - 1 > start and units[cut - 1] in NO_LINE_END:
            cut -= 1
        if cut == before:
            return cut


_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Makes xhtml2pdf use :func:`break_lines` for every ``-pdf-word-wrap: CJK`` paragraph."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from xhtml2pdf import reportlab_paragraph as rp

        original = rp.Paragraph.breakLinesCJK

        def breakLinesCJK(self, width):  # noqa: N802 - xhtml2pdf's name
            if not self.frags:
                return original(self, width)
            max_widths = list(width) if isinstance(width, (list, tuple)) else [width]
            rp._handleBulletWidth(self.bulletText, self.style, max_widths, rtl=self.dir == "rtl")
            auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
            return break_lines(self.frags, max_widths, auto_leading not in ("", "off"), self.encoding)

        breakLinesCJK.__doc__ = break_lines.__doc__
        rp.Paragraph.breakLinesCJK = breakLinesCJK
        rp.cjkFragSplit = break_lines
        _installed = True
