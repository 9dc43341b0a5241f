"""The case conversation (沟通记录, the notice's 沟通联络机制) and stand-ins (代办/顶岗).

- ``CaseMessage``: one message between the case's windows and its department, on the case, with the
  people and sides it names (@mentions) and an optional attachment stored like a case file.
- ``CaseMessageNotice``: the message as it reaches one user (their 我的提醒), read or unread.
- ``StandIn``: a clerk or officer on leave names a colleague of the same unit and role who works their
  cases from ``starts_on`` to ``ends_on`` (both included); steps taken then say 代X办理.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Case
from app.models.org import within_counties
from app.models.staff import StaffUser
from app.scope import Reach, ScopeRule


class CaseMessage(Model):
    """沟通记录: a message of the case conversation (append-only, like the history)."""

    __tablename__ = "case_message"
    # read within the case's scope; who of those readers sees the thread is the service's rule (its sides and
    # the city supervisors)
    __scope__ = ScopeRule(read=lambda r: CaseMessage.case.has(Case.__scope__.read(r)),
                          write=lambda r: CaseMessage.case.has(Case.__scope__.write(r)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    author_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    author_place: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    #: the side the author wrote for: origin_window / home_window / department
    author_side: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    #: the sides named with @ (all their users are told)
    mentioned_sides: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: the users named with @
    mentioned_user_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: the message it answers, if any
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("case_message.id", ondelete="SET NULL"))
    file_key: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_content_type: Mapped[str | None] = mapped_column(String(64))
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    case: Mapped[Case] = relationship()
    reply_to: Mapped["CaseMessage | None"] = relationship(remote_side=[id], lazy="selectin")


def _own_notice(reach: Reach):
    return CaseMessageNotice.user_id == reach.user_id if reach.user_id else false()


class CaseMessageNotice(Model):
    """A message of a case conversation as it reaches one user: shown in 我的提醒 until read."""

    __tablename__ = "case_message_notice"
    __scope__ = ScopeRule(read=lambda r: _own_notice(r))
    __table_args__ = (
        UniqueConstraint("message_id", "user_id", name="uq_case_message_notice"),
        Index("ix_case_message_notice_user_open", "user_id", "read_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("case_message.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    #: the user was named (@) personally, not only as one of a side
    mentioned: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    read_on: Mapped[datetime | None] = mapped_column(DateTime)

    message: Mapped[CaseMessage] = relationship(lazy="selectin")


def _stand_in_read(reach: Reach):
    # One's own absences and the ones one stands in for; a county administrator those of its county.
    own = [StandIn.absent_user_id == reach.user_id, StandIn.stand_in_user_id == reach.user_id] if reach.user_id else []
    county = [StandIn.absent_user.has(within_counties(StaffUser.region_id, reach))] if reach.county_paths else []
    return or_(false(), *own, *county)


def _stand_in_write(reach: Reach):
    # The absent user names their own stand-in; an administrator (everything) manages all.
    return StandIn.absent_user_id == reach.user_id if reach.user_id else false()


class StandIn(Model):
    """代办 (顶岗): ``stand_in`` works the cases of ``absent`` (same unit and role) for a date range."""

    __tablename__ = "stand_in"
    __scope__ = ScopeRule(read=lambda r: _stand_in_read(r), write=lambda r: _stand_in_write(r))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    absent_user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False,
                                                index=True)
    stand_in_user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False,
                                                  index=True)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    created_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    absent_user: Mapped[StaffUser] = relationship(foreign_keys=[absent_user_id], lazy="selectin")
    stand_in_user: Mapped[StaffUser] = relationship(foreign_keys=[stand_in_user_id], lazy="selectin")
