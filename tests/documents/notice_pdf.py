"""Reading the notices back (text, word boxes, drawn borders, fonts) and sample values."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape

import pytest

from app.documents import fonts

HAS_HANAZONO = any(f.label.startswith("HanaMin") for f in fonts.font_set().fallbacks)
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

# 60 characters, with closing punctuation where a line of its cell ends (15 characters a line).
LONG_MATERIAL = "申请人及代理人身份证明材料原件，包括居民身份证、户口簿或者其他有效身份证明材料及授权委托书（委托他人代为申请的须提供）。"
assert len(LONG_MATERIAL) == 60 and LONG_MATERIAL[15] == "，"
LONG_ADDRESS = ("四川省广元市利州区东坝街道嘉陵路南段一百二十八号滨江花园小区七栋二单元十五楼一五零二号"
                "（东坝小学对面，物业管理处转交）")
# A first line of exactly 39 characters (a full line of the 备注 cell) followed by 。, then a <br/>.
REMARKS = ("申请人所交材料已由受理代收部门逐项核验原件并扫描上传属地办理部门办结后通过邮政。寄递结果请保持电话畅通\n"
           "第二行：如需变更取件方式，请提前联系受理窗口。")
LONG_MAIL = "重庆市渝北区龙溪街道金龙路二百六十八号金易都会一期十二栋三单元二十四楼二四零三号，请于工作日投递"


def squash(text: str) -> str:
    """Text without any whitespace: xhtml2pdf and pdftotext put spaces and breaks where they like."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page (pypdf)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the top of the page
    x1: float
    y1: float


def words(pdf: bytes, page: int = 1) -> list[Word]:
    """Word boxes from ``pdftotext -bbox`` (a run of Chinese without spaces is one word)."""
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode("utf-8")
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out)
    return [Word(unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in found]


@dataclass(frozen=True)
class Rule:
    """A vertical line the page draws (a table border), in pdftotext's coordinates."""

    x: float
    top: float
    bottom: float


def vertical_rules(pdf: bytes, page: int = 1) -> list[Rule]:
    """Every vertical line segment drawn on ``page`` (moveto/lineto pairs with the same x, under
    the current transformation matrix)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    p = reader.pages[page - 1]
    height = float(p.mediabox.height)
    rules: list[Rule] = []
    state = {"start": None}

    def apply(cm, x, y):
        a, b, c, d, e, f = (float(v) for v in cm)
        return a * x + c * y + e, b * x + d * y + f

    def visit(op, args, cm, tm):
        if op == b"m":
            state["start"] = apply(cm, float(args[0]), float(args[1]))
        elif op == b"l" and state["start"] is not None:
            x0, y0 = state["start"]
            x1, y1 = apply(cm, float(args[0]), float(args[1]))
            if abs(x0 - x1) < 0.01 and abs(y0 - y1) > 1:
                rules.append(Rule(x0, height - max(y0, y1), height - min(y0, y1)))
            state["start"] = (x1, y1)

    p.extract_text(visitor_operand_before=visit)
    return rules


def overruns(pdf: bytes, page: int = 1, *, room: float = 3.0) -> list[tuple[Word, Rule]]:
    """Words that run into the padding of their cell or across its border: the right edge of a
    word must stay ``room`` points left of the next vertical border beside it (cells have 4 pt of
    padding; a punctuation mark hung past the line reaches into it)."""
    rules = vertical_rules(pdf, page)
    bad = []
    for word in words(pdf, page):
        beside = [r for r in rules if r.top < word.y1 - 1 and r.bottom > word.y0 + 1 and r.x > word.x0 + 0.5]
        if beside:
            nearest = min(beside, key=lambda r: r.x)
            if word.x1 > nearest.x - room:
                bad.append((word, nearest))
    return bad


def cell_lines(pdf: bytes, text: str, page: int = 1) -> list[Word]:
    """The lines of the wrapped cell that holds ``text``: consecutive words (in drawing order) that
    spell it exactly."""
    all_words = words(pdf, page)
    for i, first in enumerate(all_words):
        if not text.startswith(first.text):
            continue
        joined, j = "", i
        while j < len(all_words) and len(joined) < len(text):
            joined += all_words[j].text
            j += 1
        if joined == text:
            return all_words[i:j]
    raise AssertionError(f"{text!r} is not on page {page} as consecutive lines")


def font_resources(pdf: bytes) -> list[dict]:
    """Every font of every page: BaseFont, and whether its program is embedded (FontFile2)."""
    from pypdf import PdfReader

    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for _, ref in (page["/Resources"].get("/Font") or {}).items():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = {"base": str(font["/BaseFont"]), "subtype": str(font["/Subtype"]),
                                             "embedded": "/FontFile2" in descriptor}
    return list(found.values())


def fonts_drawing(pdf: bytes, char: str, page: int = 1) -> set[str]:
    """The BaseFont of every text run on ``page`` that contains ``char``."""
    from pypdf import PdfReader

    used: set[str] = set()

    def visit(text, cm, tm, font_dict, font_size):
        if char in text and font_dict is not None:
            used.add(str(font_dict.get("/BaseFont")))

    PdfReader(io.BytesIO(pdf)).pages[page - 1].extract_text(visitor_text=visit)
    return used
