"""Cases (通办件) and everything that hangs off them: materials, shipments, corrections, history,
results, the work ledger, the number sequences, the access log and the outbox."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.domain.workflow import Status
from app.models.base import now
from app.models.catalog import Guide, HandlingType, Matter
from app.models.org import Department, ServiceCenter, within_counties
from app.scope import Reach, ScopeRule, among, any_of


class ApplicantKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    USCC = "uscc"  # 统一社会信用代码
    OTHER = "other"  # 护照、港澳台居民居住证 … (format not checked)


class DeliveryMethod(StrEnum):
    PICKUP = "pickup"  # 收件处
    MAIL = "mail"  # 邮寄


class ShipmentDirection(StrEnum):
    MATERIALS = "materials"
    SUPPLEMENT = "supplement"
    RESULT = "result"  # mailed to the applicant
    #: collected at the window: from the home window, where the department returns it, to the origin window
    RESULT_TO_WINDOW = "result_to_window"


class ResultKind(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"


def new_public_token() -> str:
    """The unguessable key of a case's progress page (the QR code on its acceptance notice, the SMS link)."""
    return secrets.token_urlsafe(16)


def _centers_in_counties(reach: Reach):
    return select(ServiceCenter.id).where(within_counties(ServiceCenter.region_id, reach))


def _departments_in_counties(reach: Reach):
    return select(Department.id).where(within_counties(Department.region_id, reach))


def _case_read(reach: Reach):
    """DESIGN §1: a window sees cases whose origin or home is its center; a department its own
    cases; a county administrator every case touching its county; a city department its line."""
    parts = [
        among(Case.origin_center_id, reach.center_ids),
        among(Case.home_center_id, reach.center_ids),
        among(Case.department_id, reach.department_ids),
        among(Case.line, reach.lines),
    ]
    if reach.county_paths:
        parts += [
            Case.origin_center_id.in_(_centers_in_counties(reach)),
            Case.home_center_id.in_(_centers_in_counties(reach)),
            Case.department_id.in_(_departments_in_counties(reach)),
        ]
    return any_of(*parts)


def _case_write(reach: Reach):
    # Windows and departments act on their cases; supervisors (city, county, line) only follow them.
    return any_of(
        among(Case.origin_center_id, reach.center_ids),
        among(Case.home_center_id, reach.center_ids),
        among(Case.department_id, reach.department_ids),
    )


def _through_case(model: type):
    """Records that belong to a case share its scope."""
    return ScopeRule(
        read=lambda r: model.case.has(_case_read(r)),
        write=lambda r: model.case.has(_case_write(r)),
    )


class Case(Model):
    """办件: one application, worked by the origin window, the home window and the department."""

    __tablename__ = "case"
    __scope__ = ScopeRule(read=lambda r: _case_read(r), write=lambda r: _case_write(r))
    __table_args__ = (UniqueConstraint("number", name="uq_case_number"),
                      UniqueConstraint("public_token", name="uq_case_public_token"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the applicant's key to the progress page without the phone (/p/<token>: the notice's QR code, the SMS
    #: link); set at registration, unguessable (secrets.token_urlsafe), never shown to anyone but the applicant
    public_token: Mapped[str] = mapped_column(String(43), nullable=False, default=new_public_token)
    #: assigned at the first formal decision (accept or decline), per deciding center and year
    number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: the number the counterpart window outside the system gave the case, if any
    counterpart_number: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    #: who accepted the case at the counterpart window outside the system (inbound), as on its notice
    counterpart_accepted_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=Status.DRAFT, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="RESTRICT"), nullable=False, index=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guide.id", ondelete="RESTRICT"), nullable=False)
    #: the matter's line of business, kept on the case so a city department's scope is one column
    line: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    handling_type_id: Mapped[int] = mapped_column(ForeignKey("handling_type.id", ondelete="RESTRICT"), nullable=False)

    applicant_kind: Mapped[str] = mapped_column(String(16), nullable=False, default=ApplicantKind.PERSON)
    applicant_name: Mapped[str] = mapped_column(String(128), nullable=False)
    applicant_id_type: Mapped[str] = mapped_column(String(16), nullable=False, default=IdType.RESIDENT_ID)
    applicant_id_number: Mapped[str] = mapped_column(String(32), nullable=False)
    applicant_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    applicant_email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    applicant_address: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    applicant_postcode: Mapped[str] = mapped_column(String(6), nullable=False, default="")

    origin_center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False, index=True)
    home_center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: the approving department; empty when it is outside the system (outbound case)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), nullable=True, index=True)
    department_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")

    delivery_method: Mapped[str] = mapped_column(String(16), nullable=False, default=DeliveryMethod.PICKUP)
    mail_recipient: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    mail_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    mail_address: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    mail_postcode: Mapped[str] = mapped_column(String(6), nullable=False, default="")
    fee_note: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    remarks: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: 补充信息: the values of the guide's extra fields (``content["fields"]``), keyed by field key
    form_values: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    applied_on: Mapped[date] = mapped_column(Date, nullable=False)
    registered_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    registered_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    accepted_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decided_on: Mapped[date | None] = mapped_column(Date)  # accepted or declined
    completed_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    archived_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")

    result: Mapped[str | None] = mapped_column(String(16))
    result_note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    dispatch_due: Mapped[date | None] = mapped_column(Date)
    process_due: Mapped[date | None] = mapped_column(Date)
    delivery_due: Mapped[date | None] = mapped_column(Date)
    #: a due date runs through a year without calendar data
    due_provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    paused_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warning_level: Mapped[str] = mapped_column(String(8), nullable=False, default="none", index=True)
    changed_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, onupdate=now)

    __mapper_args__ = {"version_id_col": version}

    matter: Mapped[Matter] = relationship(lazy="selectin")
    guide: Mapped[Guide] = relationship(lazy="selectin")
    handling_type: Mapped[HandlingType] = relationship(lazy="selectin")
    origin_center: Mapped[ServiceCenter] = relationship(foreign_keys=[origin_center_id], lazy="selectin")
    home_center: Mapped[ServiceCenter] = relationship(foreign_keys=[home_center_id], lazy="selectin")
    department: Mapped[Department | None] = relationship(lazy="selectin")
    materials: Mapped[list[CaseMaterial]] = relationship(
        back_populates="case", order_by="CaseMaterial.seq", cascade="all, delete-orphan"
    )
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.seq")
    shipments: Mapped[list[Shipment]] = relationship(back_populates="case", order_by="Shipment.id")
    corrections: Mapped[list[Correction]] = relationship(back_populates="case", order_by="Correction.round")
    result_documents: Mapped[list[ResultDocument]] = relationship(back_populates="case", order_by="ResultDocument.id")

    @property
    def is_open(self) -> bool:
        from app.domain.workflow import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def current_due(self) -> date | None:
        from app.domain.deadlines import STAGE_OF_STATUS, Stage

        stage = STAGE_OF_STATUS.get(Status(self.status))
        return {Stage.DISPATCH: self.dispatch_due, Stage.PROCESS: self.process_due,
                Stage.DELIVERY: self.delivery_due}.get(stage) if stage else None

    @property
    def inbound(self) -> bool:
        """An outside window accepted the case and mailed it to one of our windows (its home)."""
        return self.origin_center is not None and self.origin_center.external

    @property
    def open_correction(self) -> Correction | None:
        """The round of correction whose supplied items the department does not have yet (the clock is paused)."""
        return next((c for c in reversed(self.corrections) if c.forwarded_on is None), None)

    @property
    def label(self) -> str:
        return self.number or f"#{self.id}"

    def __repr__(self) -> str:
        return f"{self.label} {self.applicant_name} {self.matter.name if self.matter else ''}".strip()


class NumberedInCase:
    """A row of one of a case's own lists (its materials, its history): numbered by ``seq`` within the
    case, unique there, and deleted with the case."""

    # First among the columns (sort_order), as in the migrations: the archive's JSON lists them in this order.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True,
                                         sort_order=-1)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, sort_order=-1)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:  # noqa: N805 - SQLAlchemy declared_attr
        # named per table, as the migrations created them: uq_case_material_seq, uq_case_event_seq
        return (UniqueConstraint("case_id", "seq", name=f"uq_{cls.__tablename__}_seq"),)


class CaseMaterial(NumberedInCase, Model):
    """接收材料: what the applicant handed in, checked against the guide at acceptance."""

    __tablename__ = "case_material"

    requirement_seq: Mapped[int | None] = mapped_column(Integer)  # the guide's material it answers
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    copies: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    form: Mapped[str] = mapped_column(String(16), nullable=False, default="copy")
    received: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    scan_key: Mapped[str | None] = mapped_column(String(64))
    scan_name: Mapped[str | None] = mapped_column(String(255))
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    scan_size: Mapped[int | None] = mapped_column(Integer)
    scan_content_type: Mapped[str | None] = mapped_column(String(64))
    scan_uploaded_on: Mapped[datetime | None] = mapped_column(DateTime)
    #: 容缺受理: accepted without it, the applicant promising in writing (承诺书) to supply it by this day
    deferred_until: Mapped[date | None] = mapped_column(Date)
    promise_signed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: the day the deferred material was supplied at the accepting window (the promise kept)
    supplied_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(back_populates="materials")

    @property
    def awaiting_supply(self) -> bool:
        """Accepted 容缺 and not supplied yet: the case cannot be approved until it is."""
        return self.deferred_until is not None and self.supplied_on is None
    #: every scan the material ever had, oldest first: a later one never overwrites an earlier one (the
    #: ``scan_*`` columns above are the newest of them)
    versions: Mapped[list[MaterialVersion]] = relationship(
        back_populates="material", order_by="MaterialVersion.number", cascade="all, delete-orphan",
        passive_deletes=True)

    def __repr__(self) -> str:
        return self.name


class MaterialVersion(Model):
    """A version of a received material: one scan, when and by whom it came, and the correction round that
    asked for it (None: handed in at the window before any correction)."""

    __tablename__ = "material_version"
    __table_args__ = (UniqueConstraint("material_id", "number", name="uq_material_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("case_material.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    correction_round: Mapped[int | None] = mapped_column(Integer)
    scan_key: Mapped[str] = mapped_column(String(64), nullable=False)
    scan_name: Mapped[str] = mapped_column(String(255), nullable=False)
    scan_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    scan_size: Mapped[int] = mapped_column(Integer, nullable=False)
    scan_content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    uploaded_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")

    material: Mapped[CaseMaterial] = relationship(back_populates="versions")

    @property
    def case_id(self) -> int:
        return self.material.case_id


class CaseEvent(NumberedInCase, Model):
    """流转记录: append-only history — who did what, when, from which status to which."""

    __tablename__ = "case_event"

    action: Mapped[str] = mapped_column(String(32), nullable=False)  # a transition name, or register/update
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    actor_place: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: 事件流 position: numbered after commit, in the order events became visible (``app.services.events.feed``);
    #: None until numbered. The feed's cursor (docs/WEBHOOKS.md), never the id (ids are taken before commit).
    feed_seq: Mapped[int | None] = mapped_column(Integer)

    case: Mapped[Case] = relationship(back_populates="events")


Index("ix_case_event_feed_seq", CaseEvent.feed_seq, unique=True)


class BookingStatus(StrEnum):
    """Where the booking of a parcel with the courier stands (docs/COURIER.md)."""

    PLANNED = "planned"  # on record; not booked yet (manual: no waybill typed yet)
    BOOKED = "booked"  # the courier gave a waybill (or the clerk typed the terminal's)
    FAILED = "failed"  # the courier refused the order (a bad address …): the clerk books by hand
    CANCELLED = "cancelled"


class TrackingStatus(StrEnum):
    """The parcel as the courier's tracking last reported it (empty: not tracked yet)."""

    NONE = ""
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # held, refused, address problem: someone should look
    RETURNED = "returned"


def new_booking_key() -> str:
    """A courier idempotency key that no other parcel ever had (not derived from the row id)."""
    return f"kytb-shipment-{uuid.uuid4().hex}"


def new_request_id() -> str:
    """A message key that no other message ever had (not derived from the row id)."""
    return f"kytb-{uuid.uuid4().hex}"


class Shipment(Model):
    """寄递: a parcel between windows (materials, supplement, the result to the window where it is collected) or
    to the applicant (the result mailed).

    The ``book_parcel`` job puts it on record and books it with the courier once
    (``booking_key`` is stored before the courier is called); the clerk's step fills in the waybill
    and the date; ``kytb.track_shipments`` records the courier's events (``CourierEvent``)."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("booking_key", name="uq_shipment_booking_key"),
                      UniqueConstraint("outbox_id", name="uq_shipment_outbox"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    direction: Mapped[str] = mapped_column(String(16), nullable=False)
    carrier: Mapped[str] = mapped_column(String(32), nullable=False, default="EMS")
    waybill_number: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    from_center_id: Mapped[int | None] = mapped_column(ForeignKey("service_center.id", ondelete="SET NULL"))
    to_center_id: Mapped[int | None] = mapped_column(ForeignKey("service_center.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    sent_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(255), nullable=False, default="")

    #: the outbox row (book_parcel) that put this parcel on record and books it
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    #: manual / http: who books and tracks it
    provider: Mapped[str] = mapped_column(String(16), nullable=False, default="manual")
    #: the idempotency key of the courier order ("kytb-shipment-<uuid>"), made with the row: never the same
    #: for two parcels, even when a restored database hands out the same ids again
    booking_key: Mapped[str] = mapped_column(String(64), nullable=False, default=new_booking_key)
    booking_status: Mapped[str] = mapped_column(String(16), nullable=False, default=BookingStatus.PLANNED, index=True)
    booked_on: Mapped[datetime | None] = mapped_column(DateTime)
    booking_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    booking_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: none / yellow (the booking is due today) / red (not booked by its deadline)
    booking_warning: Mapped[str] = mapped_column(String(8), nullable=False, default="none", index=True)
    tracking_status: Mapped[str] = mapped_column(String(16), nullable=False, default=TrackingStatus.NONE)
    #: when the courier reported the parcel delivered (the receiving window still confirms it)
    courier_delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_tracked_on: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    tracking_error: Mapped[str] = mapped_column(Text, nullable=False, default="")

    case: Mapped[Case] = relationship(back_populates="shipments")
    from_center: Mapped[ServiceCenter | None] = relationship(foreign_keys=[from_center_id], lazy="selectin")
    to_center: Mapped[ServiceCenter | None] = relationship(foreign_keys=[to_center_id], lazy="selectin")
    events: Mapped[list["CourierEvent"]] = relationship(  # noqa: F821 (app.models.courier)
        back_populates="shipment", order_by="CourierEvent.at", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def last_event(self):
        return self.events[-1] if self.events else None

    @property
    def destination(self) -> str:
        return self.to_center.name if self.to_center else self.to_address

    @property
    def send_by(self) -> date | None:
        """寄出期限: the day the parcel must leave: the materials one working day after acceptance (the
        case's dispatch_due), the result one working day after it arrived (delivery_due), to the applicant or,
        collected at the window, to that window (while the case is 已办结); a supplement leaves when the
        applicant brings it (no deadline of its own)."""
        if self.case is None:
            return None
        if self.direction == "materials":
            return self.case.dispatch_due
        if self.direction == "result":
            return self.case.delivery_due
        if self.direction == "result_to_window" and self.case.status == "completed":
            return self.case.delivery_due
        return None

    @property
    def send_deadline(self) -> tuple[date | None, str]:
        """寄出期限 as the shipment list shows it: the day, and the booking warning (none / yellow / red)."""
        return self.send_by, self.booking_warning

    def __repr__(self) -> str:
        return self.waybill_number or f"#{self.id}"


class Correction(Model):
    """补正: one request with every missing or faulty item and its reason; the clock pauses."""

    __tablename__ = "correction"
    __table_args__ = (UniqueConstraint("case_id", "round", name="uq_correction_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the date the department received the materials (附件2: 于…收到你申请…的材料)
    materials_received_on: Mapped[date | None] = mapped_column(Date)
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    requested_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    requested_by_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    #: the day the accepting window recorded the supplied items (step supplement)
    supplied_on: Mapped[date | None] = mapped_column(Date)
    #: the day the home window signed for the supplied items (step receive_supplement)
    supplement_received_on: Mapped[date | None] = mapped_column(Date)
    #: the day the department had them (handed on by the home window): the pause of the clock ends here
    forwarded_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    case: Mapped[Case] = relationship(back_populates="corrections")
    items: Mapped[list[CorrectionItem]] = relationship(
        back_populates="correction", order_by="CorrectionItem.seq", cascade="all, delete-orphan", lazy="selectin"
    )


class CorrectionItem(Model):
    __tablename__ = "correction_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("correction.id", ondelete="CASCADE"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    #: the case's material (its ``seq``) the item asks for: picked by the department, or the material the
    #: supplied item became (a free-text item adds one to the case's list when it is supplied)
    material_seq: Mapped[int | None] = mapped_column(Integer)
    supplied: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    #: the scan the window took of what was supplied
    version_id: Mapped[int | None] = mapped_column(ForeignKey("material_version.id", ondelete="SET NULL"))

    correction: Mapped[Correction] = relationship(back_populates="items")
    version: Mapped[MaterialVersion | None] = relationship(lazy="selectin")


class ResultDocument(Model):
    """A document of the result (批准文书、证照、不予许可决定书 …), stored under a generated key."""

    __tablename__ = "result_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    file_key: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    uploaded_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship(back_populates="result_documents")


def _ledger_read(reach: Reach):
    """A window keeps its own ledger; a county administrator reads those of its county's windows."""
    parts = [among(LedgerEntry.center_id, reach.center_ids)]
    if reach.county_paths:
        parts.append(LedgerEntry.center_id.in_(_centers_in_counties(reach)))
    return any_of(*parts)


class LedgerEntry(Model):
    """工作登记台账 (附件3): one row per case for each window of ours that handled it."""

    __tablename__ = "ledger_entry"
    __scope__ = ScopeRule(read=lambda r: _ledger_read(r), write=lambda r: among(LedgerEntry.center_id, r.center_ids))
    __table_args__ = (UniqueConstraint("center_id", "case_id", name="uq_ledger_center_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False, index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(8), nullable=False)  # origin / home
    entry_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    applicant_name: Mapped[str] = mapped_column(String(128), nullable=False)
    applicant_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    handling_type_name: Mapped[str] = mapped_column(String(64), nullable=False)
    region_name: Mapped[str] = mapped_column(String(128), nullable=False)  # 通办具体地区: the other end
    matter_name: Mapped[str] = mapped_column(String(255), nullable=False)
    handler_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    case_status: Mapped[str] = mapped_column(String(16), nullable=False)
    remarks: Mapped[str] = mapped_column(Text, nullable=False, default="")
    changed_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, onupdate=now)

    center: Mapped[ServiceCenter] = relationship(lazy="selectin")
    case: Mapped[Case] = relationship(lazy="selectin")  # the ledger screen shows each row's case number

    @property
    def case_number(self) -> str:
        """编号: the case's number (a ledger row is written from acceptance or decline on: it has one)."""
        return (self.case.number if self.case is not None else "") or ""


class CaseNumberSequence(Model):
    """The last number given per center and year: rows are locked while a number is drawn."""

    __tablename__ = "case_number_sequence"
    __table_args__ = (UniqueConstraint("center_id", "year", name="uq_case_number_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_center.id", ondelete="RESTRICT"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CaseAccessLog(Model):
    """The access log of personal data, its one source of truth: each full view of a case's identity
    number, phone or files (``kind``: page, api, notice, scan, result, archive, export), each search by
    identity number or phone (``search``: no case, the column and a mask in ``detail``) and each
    disclosure a supervisor asked for (``disclosure``: its ``reason``, allowing full views of the case
    to that user until ``valid_until``)."""

    __tablename__ = "case_access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    user_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, index=True)
    address: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="web")  # web / api / job
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="page", server_default="page", index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    detail: Mapped[str] = mapped_column(String(255), nullable=False, default="", server_default="")
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)

    case: Mapped[Case | None] = relationship()


class OutboxMessage(Model):
    """A side effect to run once the step that caused it has committed (written in its transaction)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), nullable=False, index=True)  # e.g. render_notice
    key: Mapped[str] = mapped_column(String(128), nullable=False, default="")  # e.g. acceptance
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    published_on: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # when a worker took the row since its last publication (None: still in the queue), and which one while
    # its attempt runs ("" once it ended): the relay never publishes again a row a live worker holds
    started_on: Mapped[datetime | None] = mapped_column(DateTime)
    held_by: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    # a failed attempt's retry is due then (the task's countdown): the row waits for it, not for the relay
    retry_on: Mapped[datetime | None] = mapped_column(DateTime)
    done_on: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: made with the row: the key of what its job asks a provider for (the courier order of a parcel the job
    #: puts on record, the SMS request id), so a restored database that runs the row again asks with the
    #: same key and the provider answers with what it did the first time instead of doing it twice
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False, default=lambda: uuid.uuid4().hex)


# Records that belong to a case share its scope (declared here, once Case exists).
for _model in (CaseMaterial, CaseEvent, Shipment, Correction, ResultDocument, CaseAccessLog):
    _model.__scope__ = _through_case(_model)
MaterialVersion.__scope__ = ScopeRule(
    read=lambda r: MaterialVersion.material.has(CaseMaterial.case.has(_case_read(r))),
    write=lambda r: MaterialVersion.material.has(CaseMaterial.case.has(_case_write(r))),
)
CorrectionItem.__scope__ = ScopeRule(
    read=lambda r: CorrectionItem.correction.has(Correction.case.has(_case_read(r))),
    write=lambda r: CorrectionItem.correction.has(Correction.case.has(_case_write(r))),
)


class CaseDocument(Model):
    """A generated document of a case (a notice, the archive package): rendered once, stored with its
    checksum. ``ref`` tells documents of one kind apart (the correction round)."""

    __tablename__ = "case_document"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref", name="uq_case_document"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    ref: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    case_version: Mapped[int] = mapped_column(Integer, nullable=False)
    file_key: Mapped[str] = mapped_column(String(64), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    #: characters no installed font can draw: the clerk is warned before printing
    missing_glyphs: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    case: Mapped[Case] = relationship()


class Notification(Model):
    """A message to an applicant (SMS) or to staff (mail): what was sent, through which provider,
    and whether it was delivered. Status: pending → sending → sent, or failed (tried again at
    ``next_attempt_on``, on the schedule of the configuration), or parked once that schedule's budget
    is spent (waits for 重新发送; never dropped)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("outbox_id", "channel", "recipient", name="uq_notification_once"),
                      UniqueConstraint("request_id", name="uq_notification_request_id"))

    #: the status of a message whose retry budget is spent: listed under 发送失败的消息, counted by /health
    PARKED = "parked"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)  # sms / mail
    event: Mapped[str] = mapped_column(String(32), nullable=False)  # accepted, correction, result_ready …
    recipient: Mapped[str] = mapped_column(String(320), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    provider: Mapped[str] = mapped_column(String(16), nullable=False, default="log")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending / sending / sent / failed / parked
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    sent_on: Mapped[datetime | None] = mapped_column(DateTime)
    #: the template language used (zh / en)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="zh")
    subject: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    #: the staff user a mail is for (empty for applicants and plain addresses)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    #: when a failed message is tried again (while sending: until when the attempt holds it)
    next_attempt_on: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    #: stored files sent along (mail): [{"key", "name", "content_type"}]
    attachments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: the provider's id of the message (SMS gateway)
    provider_ref: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    #: the message's own key, made with the row ("kytb-<uuid>"): the SMS gateway's request id (a gateway
    #: that sees it twice sends once) and the mail's Message-ID. Never the same for two messages, even
    #: when a restored database hands out the same ids again.
    request_id: Mapped[str] = mapped_column(String(64), nullable=False, default=new_request_id)

    case: Mapped[Case | None] = relationship()


CaseDocument.__scope__ = _through_case(CaseDocument)
# A message is written by the system only; what a reader may do with one is 重新发送 (when the role may):
# it reaches the messages it may read, so its write rule is its read rule.
Notification.__scope__ = ScopeRule(read=lambda r: Notification.case.has(_case_read(r)))
