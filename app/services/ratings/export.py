"""The ratings and the rectifications as XLSX, in the province's usual shape (one row per rating, the
rectification's columns beside it; the rectifications' sheet has the rated cases with a rectification only).
Scoped like the pages: a county administrator gets its county's, a window clerk its window's."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.ratings import RATING_LEVELS, TAGS_BY_CODE
from app.domain.xlsx_stream import PrintSetup, write_table
from app.models.case import Case
from app.models.rating import Rating, Rectification
from app.scope import Reach, criterion

AUTHOR = "广元市政务服务和公共资源交易中心"
HEADER = ("评价编号", "办件编号", "事项名称", "受理窗口", "所属县区", "评价等级", "评价标签", "评价内容", "评价渠道",
          "评价时间", "整改状态", "整改期限", "回访时间", "回访情况", "整改措施", "申诉理由", "申诉结果")
WIDTHS = (18, 20, 30, 24, 12, 10, 24, 36, 10, 17, 10, 12, 17, 36, 36, 30, 12)
CHANNELS = {"portal": "门户网站", "sms": "短信", "window": "窗口评价器"}
STATUSES = {"open": "整改中", "appealed": "申诉中", "closed": "已整改", "voided": "申诉成立"}
OUTCOMES = {"upheld": "申诉成立", "rejected": "申诉不成立"}
TITLES = {"ratings": "广元市政务服务“跨域通办”好差评明细", "rectifications": "广元市政务服务“跨域通办”差评整改台账"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _minute(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _row(rating: Rating) -> tuple:
    case: Case = rating.case
    fix: Rectification | None = rating.rectification
    callback = ""
    if fix is not None and fix.callback_at is not None:
        callback = f"{fix.callback_contact}：{fix.callback_note}" if fix.callback_contact else fix.callback_note
    return (
        rating.number, case.number or "", case.matter.name, rating.center.name, rating.county.name,
        RATING_LEVELS[rating.level], "、".join(TAGS_BY_CODE[t].name for t in rating.tags if t in TAGS_BY_CODE),
        rating.comment, CHANNELS.get(rating.channel, rating.channel), _minute(rating.rated_at),
        STATUSES.get(fix.status, fix.status) if fix else "", fix.due_on if fix else "",
        _minute(fix.callback_at) if fix else "", callback, fix.actions if fix else "",
        fix.appeal_reason if fix else "", OUTCOMES.get(fix.appeal_outcome, "") if fix else "",
    )


def rows(session: Session, reach: Reach, which: str = "ratings") -> Iterator[tuple]:
    stmt = (select(Rating).where(criterion(Rating, reach))
            .options(selectinload(Rating.case).selectinload(Case.matter), selectinload(Rating.rectification))
            .order_by(Rating.rated_at, Rating.id))
    if which == "rectifications":
        stmt = stmt.join(Rectification, Rectification.rating_id == Rating.id)
    for rating in session.scalars(stmt):
        yield _row(rating)


def export_xlsx(session: Session, reach: Reach, which: str = "ratings") -> bytes:
    """``which``: "ratings" or "rectifications"."""
    which = which if which in TITLES else "ratings"
    buffer = io.BytesIO()
    write_table(buffer, sheet_name="好差评" if which == "ratings" else "差评整改", title=TITLES[which], header=HEADER,
                widths=WIDTHS, rows=rows(session, reach, which), creator=AUTHOR,
                note="评价等级：非常满意、满意、基本满意、不满意、非常不满意；申诉成立的评价不计入满意率。",
                print_setup=PrintSetup(landscape=True, fit_width=True, title_rows=2))
    return buffer.getvalue()


def file_name(which: str, at: datetime | None = None) -> str:
    at = at or datetime.now()
    return f"{'好差评明细' if which == 'ratings' else '差评整改台账'}-{at:%Y%m%d%H%M}.xlsx"
