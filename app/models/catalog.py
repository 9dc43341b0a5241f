"""The matter catalog (通办事项清单): handling types, matters, their materials and published guides."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Stamped, now
from app.models.org import BusinessLine, Region
from app.scope import Reach, ScopeRule, among, everyone, nobody


class MatterStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class MaterialForm(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    SCAN = "scan"


handling_type_region = Table(
    "handling_type_region",
    Model.metadata,
    Column("handling_type_id", ForeignKey("handling_type.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)

matter_handling_type = Table(
    "matter_handling_type",
    Model.metadata,
    Column("matter_id", ForeignKey("matter.id", ondelete="CASCADE"), primary_key=True),
    Column("handling_type_id", ForeignKey("handling_type.id", ondelete="CASCADE"), primary_key=True),
)


class HandlingType(Stamped, Model):
    """通办类型: 跨省通办, 省内通办, 川渝通办, 杭广通办, 西南五省通办 …, with the regions each covers."""

    __tablename__ = "handling_type"
    __scope__ = ScopeRule(read=everyone, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name_en: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    #: covers the whole country (跨省通办); otherwise the listed regions and everything below them
    nationwide: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    regions: Mapped[list[Region]] = relationship(
        secondary=handling_type_region, order_by="Region.code", lazy="selectin"
    )

    def covers(self, region: Region) -> bool:
        """It covers a place when it is nationwide or lists the place or one of its ancestors."""
        if self.nationwide:
            return True
        covered = {r.id for r in self.regions}
        node: Region | None = region
        while node is not None:
            if node.id in covered:
                return True
            node = node.parent
        return False

    def __repr__(self) -> str:
        return self.name


def _complaint_hotline() -> str:
    """The complaint hotline of a new matter that names none: the installation's COMPLAINT_PHONE."""
    return current_app.config["COMPLAINT_PHONE"]


def _matter_write(reach: Reach):
    # 市级有关部门 maintain the review points and sample forms of their own line.
    return among(Matter.line, reach.lines)


class Matter(Stamped, Model):
    """事项: the working copy an administrator edits; cases use its published, frozen guide versions."""

    __tablename__ = "matter"
    __scope__ = ScopeRule(read=everyone, write=lambda r: _matter_write(r))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    line: Mapped[str] = mapped_column(
        ForeignKey("business_line.code", ondelete="RESTRICT", onupdate="CASCADE"), nullable=False, index=True
    )
    legal_limit_days: Mapped[int] = mapped_column(Integer, nullable=False)
    promised_limit_days: Mapped[int] = mapped_column(Integer, nullable=False)
    fee_note: Mapped[str] = mapped_column(String(255), nullable=False, default="不收费")
    consult_phone: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    complaint_phone: Mapped[str] = mapped_column(String(32), nullable=False, default=_complaint_hotline)
    acceptance_conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    review_points: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: 需远程预审: the department looks at the scans accepted on its behalf before the parcel leaves
    precheck: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: the working hours (office hours of working days) the department has for a pre-check
    precheck_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=4)
    #: 延期上限: the working days all extensions of a case may add when the matter's own law caps them
    #: differently from Art. 42 (0: none); empty: the general rule (EXTENSION_MAX_WORKING_DAYS)
    max_extension_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: 办事指南 elements (issue 13): 实施机关/主管部门, 设定依据, 办理流程 (one step a line), 到现场次数 and 常见问题
    #: (blocks of "问：…" / "答：…" separated by a blank line)
    authority: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    process_steps: Mapped[str] = mapped_column(Text, nullable=False, default="")
    visits: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    faq: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=MatterStatus.DRAFT, index=True)
    current_guide_id: Mapped[int | None] = mapped_column(
        ForeignKey("guide.id", ondelete="SET NULL", use_alter=True, name="fk_matter_current_guide"), nullable=True
    )

    business_line: Mapped[BusinessLine] = relationship(foreign_keys=[line], lazy="selectin")
    handling_types: Mapped[list[HandlingType]] = relationship(
        secondary=matter_handling_type, order_by="HandlingType.sort_order", lazy="selectin"
    )
    materials: Mapped[list[MaterialRequirement]] = relationship(
        back_populates="matter", order_by="MaterialRequirement.seq", cascade="all, delete-orphan"
    )
    fields: Mapped[list[MatterField]] = relationship(
        back_populates="matter", order_by="MatterField.seq", cascade="all, delete-orphan"
    )
    guides: Mapped[list[Guide]] = relationship(
        back_populates="matter", foreign_keys="Guide.matter_id", order_by="Guide.version"
    )
    current_guide: Mapped[Guide | None] = relationship(
        foreign_keys=[current_guide_id], post_update=True, lazy="selectin"
    )

    @property
    def current_version(self) -> int | None:
        return self.current_guide.version if self.current_guide else None

    @property
    def form_fields(self) -> list[dict]:
        """补充信息 a new case is asked now: the extra fields of the current guide (not the unpublished draft)."""
        return list(self.current_guide.content.get("fields") or []) if self.current_guide else []

    def __repr__(self) -> str:
        return self.name


class MaterialRequirement(Stamped, Model):
    """申请材料 of a matter, with its sample form (样本样表) stored under a generated key."""

    __tablename__ = "material_requirement"
    __scope__ = ScopeRule(read=everyone, write=lambda r: MaterialRequirement.matter.has(_matter_write(r)))
    __table_args__ = (UniqueConstraint("matter_id", "seq", name="uq_material_requirement_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    copies: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    form: Mapped[str] = mapped_column(String(16), nullable=False, default=MaterialForm.COPY)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: the window must see the original (原件核验) even when it keeps a copy
    original_check: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: 可容缺: a window may accept without it against the applicant's written promise to supply it by a date
    deferrable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    sample_file_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sample_file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sample_file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    matter: Mapped[Matter] = relationship(back_populates="materials", lazy="selectin")

    def __repr__(self) -> str:
        return self.name


class MatterField(Stamped, Model):
    """补充信息: a field the registration asks for this matter besides the applicant's (issue 15 item 3).

    Kinds, rules and checks live in ``app.domain.form_fields``; publishing freezes the list into the guide."""

    __tablename__ = "matter_field"
    __scope__ = ScopeRule(read=everyone, write=lambda r: MatterField.matter.has(_matter_write(r)))
    __table_args__ = (UniqueConstraint("matter_id", "key", name="uq_matter_field_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the stable machine name the values are stored under (ASCII, unique per matter)
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    label: Mapped[str] = mapped_column(String(64), nullable=False)
    help: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="text")
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    min_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: the choices of a choice field, one a line
    choices: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: a regular expression a text must match in full (optional)
    pattern: Mapped[str] = mapped_column(String(255), nullable=False, default="")

    matter: Mapped[Matter] = relationship(back_populates="fields", lazy="selectin")

    def __repr__(self) -> str:
        return self.label


class Guide(Model):
    """办事指南: one published version of a matter, frozen. Cases keep the version they were accepted under."""

    __tablename__ = "guide"
    __scope__ = ScopeRule(read=everyone, write=nobody)
    __table_args__ = (UniqueConstraint("matter_id", "version", name="uq_guide_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="RESTRICT"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the whole matter as published: name, limits, fees, conditions, review points, materials, types
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    published_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    published_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(255), nullable=False, default="")

    matter: Mapped[Matter] = relationship(back_populates="guides", foreign_keys=[matter_id])

    @property
    def name(self) -> str:
        return self.content.get("name", "")

    def __repr__(self) -> str:
        return f"{self.name} v{self.version}"


class ImmutableRecord(Exception):
    """A published guide was about to change: publish a new version instead."""


@event.listens_for(Guide, "before_update")
def _guides_are_frozen(_mapper, _connection, target: Guide) -> None:
    raise ImmutableRecord(f"guide {target.id} is a published version and cannot change")


@event.listens_for(Guide, "before_delete")
def _guides_are_kept(_mapper, _connection, target: Guide) -> None:
    raise ImmutableRecord(f"guide {target.id} is a published version and cannot be deleted")
