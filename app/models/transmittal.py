"""移交清单 (transmittal lists): the parcels of one batch that go from one window to one destination window.

A clerk sends the parcels of the day in one go (``app.services.cases.batch``); each destination window
gets one list with the cases, materials, copies and waybills, printed as a PDF that the sender, the
courier and the receiving window sign. The receiving window then signs the whole list in one step.
Only the two sides see a list: the clerks of its sending and of its receiving window (and whoever sees
everything).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Case, Shipment
from app.models.org import ServiceCenter
from app.scope import Reach, ScopeRule, among, any_of


def _sides(reach: Reach):
    return any_of(among(Transmittal.from_center_id, reach.center_ids),
                  among(Transmittal.to_center_id, reach.center_ids))


class Transmittal(Model):
    """移交清单: one list per batch and destination window, stored as a PDF with its checksum."""

    __tablename__ = "transmittal"
    __table_args__ = (UniqueConstraint("number", name="uq_transmittal_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: YJ-<sending center id>-<date>-<seq>: printed on the list, typed to find it
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    from_center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False,
                                                index=True)
    to_center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False,
                                              index=True)
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    file_key: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    file_name: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: when the receiving window signed the list (the last of its cases signed)
    received_on: Mapped[date | None] = mapped_column(Date)
    received_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")

    from_center: Mapped[ServiceCenter] = relationship(foreign_keys=[from_center_id], lazy="selectin")
    to_center: Mapped[ServiceCenter] = relationship(foreign_keys=[to_center_id], lazy="selectin")
    items: Mapped[list[TransmittalItem]] = relationship(back_populates="transmittal", order_by="TransmittalItem.seq",
                                                        cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.number


class TransmittalItem(Model):
    """One case of a list: its parcel, and what the receiving window ticked as received."""

    __tablename__ = "transmittal_item"
    __table_args__ = (UniqueConstraint("transmittal_id", "seq", name="uq_transmittal_item_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transmittal_id: Mapped[int] = mapped_column(ForeignKey("transmittal.id", ondelete="CASCADE"), nullable=False,
                                                index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id", ondelete="SET NULL"))
    #: the material numbers (seq) the receiving window ticked when it signed; empty until then
    received_materials: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    received_on: Mapped[date | None] = mapped_column(Date)

    transmittal: Mapped[Transmittal] = relationship(back_populates="items")
    case: Mapped[Case] = relationship(lazy="selectin")
    shipment: Mapped[Shipment | None] = relationship(lazy="selectin")


Transmittal.__scope__ = ScopeRule(read=_sides)
TransmittalItem.__scope__ = ScopeRule(read=lambda r: TransmittalItem.transmittal.has(_sides(r)))
