"""远程预审 (remote pre-check, issue 12): each round in which the department looks at the scans of a case
before its parcel leaves — when it started, when it was due, who answered and how. A correction asked at
this stage is relayed at the window (its items are kept here, each with whether it was supplied); it is not a
补正 of the legal clock (``Correction``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.case import Case
from app.scope import ScopeRule


class PrecheckOutcome(StrEnum):
    PASSED = "passed"  # 预审通过
    CORRECTIONS = "corrections"  # 预审补正
    TIMED_OUT = "timed_out"  # 预审超时: the parcel left as it was


class PrecheckRound(Model):
    __tablename__ = "precheck_round"
    __table_args__ = (UniqueConstraint("case_id", "round", name="uq_precheck_round_round"),)
    __scope__ = ScopeRule(read=lambda r: PrecheckRound.case.has(Case.__scope__.read(r)),
                          write=lambda r: PrecheckRound.case.has(Case.__scope__.write(r)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the scans were uploaded (accepted, or the items supplied at the window)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    #: the department answers by then (office hours of working days), else the parcel leaves as it is
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    answered_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    #: passed, corrections or timed_out ("" while open)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    #: the corrections asked: [{"seq", "name", "reason", "material_seq", "supplied"}]
    items: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    case: Mapped[Case] = relationship(backref=backref("precheck_rounds", order_by="PrecheckRound.round",
                                                      cascade="all, delete-orphan"))
