"""The legal clock's own records (issue 12): a special procedure (特别程序) that stops the clock and an
extension (延期) that lengthens the limit. A correction (补正) stops it too; its stretch is the correction's
own dates (``Correction.requested_on`` to ``forwarded_on``), not written twice here. The arithmetic is
``app.domain.clock``; ``app.services.cases.clock`` reads these rows into it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import now
from app.models.case import Case
from app.scope import ScopeRule


class ClockSegmentKind(StrEnum):
    SPECIAL_PROCEDURE = "special_procedure"  # 特别程序: excluded from the limit (Art. 45)
    EXTENSION = "extension"  # 延期: the limit grows (Art. 42)


class ExtensionDecision(StrEnum):
    REQUESTED = "requested"  # 待批准
    APPROVED = "approved"  # 已批准
    REFUSED = "refused"  # 未批准


class ClockSegment(Model):
    """One special procedure or one extension of a case's clock, with who decided, when and why. Its notice
    (特别程序告知书 / 延期办理告知书) is the case document of the same kind with ``ref`` = ``seq``."""

    __tablename__ = "clock_segment"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_clock_segment_seq"),)
    __scope__ = ScopeRule(read=lambda r: ClockSegment.case.has(Case.__scope__.read(r)),
                          write=lambda r: ClockSegment.case.has(Case.__scope__.write(r)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    #: numbered per case (the notice's ref)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    #: a special procedure: the day it began; an extension: the day it was asked for
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: a special procedure: the day it ended (None while it runs)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: a special procedure: its expected length; an extension: the working days asked for, then granted
    days: Mapped[int] = mapped_column(Integer, nullable=False)
    #: a special procedure: which one (``app.domain.workflow.SPECIAL_PROCEDURES``)
    procedure: Mapped[str] = mapped_column(String(24), nullable=False, default="")
    #: why, as the department states it (printed on the notice)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    #: an extension: requested, approved or refused
    decision: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    requested_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    requested_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    #: who approved or refused the extension, or ended the procedure, and on which day
    decided_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    #: the outcome of the procedure, or why the extension was refused
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")

    case: Mapped[Case] = relationship(backref=backref("clock_segments", order_by="ClockSegment.seq",
                                                      cascade="all, delete-orphan"))

    @property
    def running(self) -> bool:
        return self.kind == ClockSegmentKind.SPECIAL_PROCEDURE and self.ended_on is None
