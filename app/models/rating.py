"""好差评 and 整改: the applicant's rating of a case (one per case) and the rectification a poor one opens,
with its history (回访, 整改措施, 申诉 and its decision, closing)."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Case
from app.models.org import Region, ServiceCenter, within_counties
from app.scope import Reach, ScopeRule, among, any_of, nobody


def _window_or_county(model: type, reach: Reach):
    """The accepting window's clerks and the administrators of its county (the supervisor and the
    administrator reach everything)."""
    return any_of(among(model.center_id, reach.center_ids), within_counties(model.county_id, reach))


class Rating(Model):
    """好差评: the applicant's rating of one delivered case (一次一评): level 5 … 1, tags, a comment."""

    __tablename__ = "rating"
    __scope__ = ScopeRule(read=lambda r: _window_or_county(Rating, r), write=nobody)  # the applicant's words
    __table_args__ = (UniqueConstraint("case_id", name="uq_rating_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False)
    #: the window on our side that took the case in (the accepting window; the home window of a case an
    #: outside window accepted), and its county: who answers for the service
    center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False,
                                           index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    tags: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="portal")
    rated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, index=True)
    #: an upheld appeal takes the rating out of the satisfaction figures
    excluded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    case: Mapped[Case] = relationship(lazy="selectin")
    center: Mapped[ServiceCenter] = relationship(lazy="selectin")
    county: Mapped[Region] = relationship(lazy="selectin")
    rectification: Mapped["Rectification | None"] = relationship(back_populates="rating", uselist=False,
                                                                 lazy="selectin")

    @property
    def case_number(self) -> str:
        return self.case.label if self.case else ""

    @property
    def matter_name(self) -> str:
        return self.case.matter.name if self.case else ""

    @property
    def number(self) -> str:
        """评价编号: PJ, the day rated and the id (PJ20260302000017)."""
        return f"PJ{self.rated_at:%Y%m%d}{self.id:06d}" if self.id and self.rated_at else ""

    def __repr__(self) -> str:
        return self.number


class Rectification(Model):
    """整改: opened by a rating of 不满意 or below, for the county administrators of the accepting window's
    county, due ``RECTIFICATION_WORKING_DAYS`` working days after the rating. The latest call-back and
    measures are kept here (the export's columns); every command is in ``events``."""

    __tablename__ = "rectification"
    __scope__ = ScopeRule(read=lambda r: _window_or_county(Rectification, r),
                          write=lambda r: within_counties(Rectification.county_id, r))
    __table_args__ = (UniqueConstraint("rating_id", name="uq_rectification_rating"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), nullable=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False,
                                           index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open", index=True)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: the due day runs through a year without calendar data
    due_provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: none / yellow / red, recomputed by the deadline job (only an open one warns)
    warning_level: Mapped[str] = mapped_column(String(8), nullable=False, default="none", index=True)
    #: 回访: when, with whom, what the applicant said (the latest one)
    callback_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_contact: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    callback_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: 整改措施
    actions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: 申诉: why the rating is plainly not about the service, and the supervisor's decision
    appeal_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    appealed_at: Mapped[datetime | None] = mapped_column(DateTime)
    appeal_outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    appeal_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    appeal_decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    changed_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, onupdate=now)

    rating: Mapped[Rating] = relationship(back_populates="rectification", lazy="selectin")
    case: Mapped[Case] = relationship(lazy="selectin")
    center: Mapped[ServiceCenter] = relationship(lazy="selectin")
    county: Mapped[Region] = relationship(lazy="selectin")
    events: Mapped[list["RectificationEvent"]] = relationship(back_populates="rectification",
                                                              order_by="RectificationEvent.seq",
                                                              cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def case_number(self) -> str:
        return self.case.label if self.case else ""

    @property
    def matter_name(self) -> str:
        return self.case.matter.name if self.case else ""

    @property
    def level(self) -> int:
        return self.rating.level if self.rating else 0

    def __repr__(self) -> str:
        return f"{self.case.label if self.case else ''} 整改".strip()


class RectificationEvent(Model):
    """The history of a rectification (append-only): who did what and when, with what was entered."""

    __tablename__ = "rectification_event"
    __scope__ = ScopeRule(read=lambda r: RectificationEvent.rectification.has(Rectification.__scope__.read(r)),
                          write=nobody)
    __table_args__ = (UniqueConstraint("rectification_id", "seq", name="uq_rectification_event_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification.id", ondelete="CASCADE"), nullable=False,
                                                  index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    #: opened / callback / actions / closed / appealed / appeal_upheld / appeal_rejected
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    actor_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    rectification: Mapped[Rectification] = relationship(back_populates="events")
