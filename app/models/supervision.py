"""督办单 (supervision orders) and their 反馈 (replies): a city or county supervisor asks one side of a case (a
window or the department) for an answer by a working day; the side answers once in the case. A 催办 (nudge) is a
case event (``supervision_nudged``), counted from the history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Case
from app.models.org import Department, ServiceCenter
from app.scope import Reach, ScopeRule, among, any_of


class SupervisionStatus(StrEnum):
    OPEN = "open"  # 督办中: waiting for the responsible side's reply
    ANSWERED = "answered"  # 已反馈
    WITHDRAWN = "withdrawn"  # 已撤回 by its issuer


#: the reminders of an order have the stage "sv<id>" (the Reminder's once-only key holds the order)
STAGE_PREFIX = "sv"


def _responsible(reach: Reach):
    """The users of the responsible side: the clerks of its window, the officers of its department."""
    return any_of(among(SupervisionOrder.center_id, reach.center_ids),
                  among(SupervisionOrder.department_id, reach.department_ids))


class SupervisionOrder(Model):
    """督办单: an instruction on one case, for one responsible side, with a reply due in working days."""

    __tablename__ = "supervision_order"
    # read through the case (and the responsible side, always one of the case's); answered by the responsible side
    __scope__ = ScopeRule(read=lambda r: any_of(SupervisionOrder.case.has(Case.__scope__.read(r)), _responsible(r)),
                          write=lambda r: _responsible(r))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    issued_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    issued_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    issued_by_place: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    issued_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, index=True)
    instruction: Mapped[str] = mapped_column(Text, nullable=False)
    #: origin_window / home_window / department (``app.domain.workflow.Side``)
    responsible_side: Mapped[str] = mapped_column(String(16), nullable=False)
    #: the responsible unit: a window (service center) or the department
    center_id: Mapped[int | None] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    #: the region of the responsible unit (its county's administrators are told when the reply is overdue)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    reply_days: Mapped[int] = mapped_column(Integer, nullable=False)
    reply_due: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    #: the due day runs through a year without calendar data
    due_provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SupervisionStatus.OPEN, index=True)
    #: none / yellow / red, recomputed by the deadline job (only an open order warns)
    warning_level: Mapped[str] = mapped_column(String(8), nullable=False, default="none", index=True)
    reply: Mapped[str] = mapped_column(Text, nullable=False, default="")
    replied_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    replied_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    replied_by_place: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    replied_on: Mapped[datetime | None] = mapped_column(DateTime)
    #: answered after the due day (kept, so the figures do not change when the calendar does)
    answered_late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)

    case: Mapped[Case] = relationship(lazy="selectin")
    center: Mapped[ServiceCenter | None] = relationship(lazy="selectin")
    department: Mapped[Department | None] = relationship(lazy="selectin")

    @property
    def is_open(self) -> bool:
        return self.status == SupervisionStatus.OPEN.value

    @property
    def responsible_unit(self) -> str:
        unit = self.center if self.center_id else self.department
        return unit.name if unit is not None else ""

    @property
    def overdue(self) -> bool:
        return self.is_open and self.warning_level == "red"

    @property
    def number(self) -> str:
        """督办单编号: DB, the day issued and the id (DB20261203000017)."""
        return f"DB{self.issued_on:%Y%m%d}{self.id:06d}" if self.id and self.issued_on else ""

    def __repr__(self) -> str:
        return self.number
