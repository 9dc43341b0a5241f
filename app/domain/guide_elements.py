"""The 办事指南 elements a matter carries as text (issue 13): 办理流程 one step per line, 常见问题 as blocks of
"问：…" and "答：…" separated by a blank line, 到现场次数 a small whole number.

Pure domain code: no Flask, Celery or SQLAlchemy imports here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: 到现场次数 of a matter that names none: the one visit to the cross-region window
DEFAULT_VISITS = 1
#: more than this many visits is a typo (最多跑一次 is the goal)
MAX_VISITS = 9
#: the database length of 实施机关/主管部门
AUTHORITY_MAX_LENGTH = 255
#: the elements a guide carries only when they differ from these (every older guide keeps its checksum)
GUIDE_ELEMENT_DEFAULTS: dict[str, object] = {
    "authority": "", "legal_basis": "", "process_steps": "", "visits": DEFAULT_VISITS, "faq": "",
}

_QUESTION = re.compile(r"^\s*问\s*[：:]\s*")
_ANSWER = re.compile(r"^\s*答\s*[：:]\s*")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
_STEP_NUMBER = re.compile(r"^\s*(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[)）]|第[一二三四五六七八九十]+步[：:、]?)\s*")


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer: str


def _normal(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def process_step_list(text: str | None) -> list[str]:
    """办理流程 as its steps: one a line, blank lines dropped, a leading "1." or "（1）" left out (the portal
    numbers them)."""
    steps = (_STEP_NUMBER.sub("", line).strip() for line in _normal(text).split("\n"))
    return [step for step in steps if step]


def _blocks(text: str | None) -> list[str]:
    return [block.strip() for block in _BLANK_LINE.split(_normal(text).strip()) if block.strip()]


def _entry(block: str) -> FaqEntry | None:
    lines = block.split("\n")
    if not _QUESTION.match(lines[0]):
        return None
    answer_at = next((i for i, line in enumerate(lines) if i > 0 and _ANSWER.match(line)), None)
    if answer_at is None:
        return None
    question = " ".join([_QUESTION.sub("", lines[0]).strip(), *(line.strip() for line in lines[1:answer_at])]).strip()
    answer = "\n".join([_ANSWER.sub("", lines[answer_at]).strip(), *(line.strip() for line in lines[answer_at + 1:])])
    answer = answer.strip()
    return FaqEntry(question, answer) if question and answer else None


def faq_entries(text: str | None) -> list[FaqEntry]:
    """常见问题 as question/answer pairs (a block not written as 问/答 is left out: see ``faq_problems``)."""
    return [entry for entry in (_entry(block) for block in _blocks(text)) if entry is not None]


def faq_problems(text: str | None) -> list[int]:
    """The numbers (from 1) of the blocks of 常见问题 that are not one "问：…" followed by one "答：…"."""
    return [number for number, block in enumerate(_blocks(text), start=1) if _entry(block) is None]
