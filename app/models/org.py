"""The organisation: regions, service centers (and counterpart windows), departments, lines of business."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import Boolean, ColumnElement, ForeignKey, Integer, String, Text, UniqueConstraint, false, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Stamped
from app.scope import Reach, ScopeRule, among, any_of, everyone, nobody


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


class CenterKind(StrEnum):
    CENTER = "center"  # 政务服务中心 (city or county level)
    STATION = "station"  # 便民服务中心(站) (township or village level)


MUNICIPALITY_CODES = frozenset({"110000", "120000", "310000", "500000"})


class Region(Model):
    """行政区划: a node of the GB/T 2260 tree (functional zones such as 开发区 have no code)."""

    __tablename__ = "region"
    __scope__ = ScopeRule(read=everyone, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(12), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    #: materialised path of ids ("/1/5/23/"): makes "this county and everything below it" one LIKE
    path: Mapped[str] = mapped_column(String(255), nullable=False, default="", index=True)

    # Names are shown with their ancestors (广元市利州区): load up the tree with the rows.
    parent: Mapped[Region | None] = relationship(
        remote_side=[id], back_populates="children", lazy="selectin", join_depth=4
    )
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.code")

    def ancestors(self) -> list[Region]:
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        """广元市利州区, 杭州市西湖区, 重庆市渝中区: the province is named only for a municipality."""
        names = [r.name for r in self.ancestors() if r.level != RegionLevel.PROVINCE or r.is_municipality]
        if self.code is None and names and self.name.startswith(names[-1].removesuffix("市")):
            names = names[:-1]  # a functional zone such as 广元经济技术开发区 already names its city
        return "".join(names + [self.name])

    @property
    def is_municipality(self) -> bool:
        """直辖市: province-level cities whose districts hang directly below them."""
        return self.code in MUNICIPALITY_CODES

    @property
    def county(self) -> Region | None:
        """The county-level unit this region belongs to (itself for a county)."""
        node: Region | None = self
        while node is not None and node.level != RegionLevel.COUNTY:
            node = node.parent
        return node

    def __repr__(self) -> str:
        return self.full_name


class BusinessLine(Model):
    """业务条线: the same line of business across counties (人社, 公安 …), guided by a city department."""

    __tablename__ = "business_line"
    __scope__ = ScopeRule(read=everyone, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    name_en: Mapped[str] = mapped_column(String(64), nullable=False, default="")

    def __repr__(self) -> str:
        return self.name


def _center_read(reach: Reach):
    return any_of(within_counties(ServiceCenter.region_id, reach), among(ServiceCenter.id, reach.center_ids))


def _center_write(reach: Reach):
    return within_counties(ServiceCenter.region_id, reach)



def within_counties(region_id: Any, reach: Reach) -> ColumnElement[bool]:
    """Rows whose region lies in one of the counties the reach administers (county or below): a
    building block of the scope rules (``app.scope``), here beside the regions it walks."""
    if not reach.county_paths:
        return false()
    subtree = select(Region.id).where(or_(*(Region.path.startswith(p) for p in sorted(reach.county_paths))))
    return region_id.in_(subtree)

class ServiceCenter(Stamped, Model):
    """政务服务中心 / 便民服务中心(站), or a counterpart window outside the system (``external``)."""

    __tablename__ = "service_center"
    __scope__ = ScopeRule(read=lambda r: _center_read(r), write=lambda r: _center_write(r))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=CenterKind.CENTER)
    external: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: has a "跨域通办" cross-region window (无差别综合窗口)
    has_window: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True)
    address: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    postcode: Mapped[str] = mapped_column(String(6), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    #: a service hotline it publishes besides its phone (12345), if any: never a case's phone
    hotline: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    hours: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    remarks: Mapped[str] = mapped_column(Text, nullable=False, default="")

    region: Mapped[Region] = relationship(lazy="selectin")

    def __repr__(self) -> str:
        return self.name


def _department_read(reach: Reach):
    return any_of(
        within_counties(Department.region_id, reach),
        among(Department.id, reach.department_ids),
        among(Department.line, reach.lines),
    )


def _department_write(reach: Reach):
    return within_counties(Department.region_id, reach)


class Department(Stamped, Model):
    """政务服务审批部门(办理单位): approves matters of its line in its region."""

    __tablename__ = "department"
    __scope__ = ScopeRule(read=lambda r: _department_read(r), write=lambda r: _department_write(r))
    __table_args__ = (UniqueConstraint("name", name="uq_department_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    short_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True)
    line: Mapped[str] = mapped_column(
        ForeignKey("business_line.code", ondelete="RESTRICT", onupdate="CASCADE"), nullable=False, index=True
    )
    #: the center it sits in (进驻), if any
    center_id: Mapped[int | None] = mapped_column(ForeignKey("service_center.id", ondelete="SET NULL"), index=True)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    #: a service hotline it publishes besides its phone, if any
    hotline: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    region: Mapped[Region] = relationship(lazy="selectin")
    business_line: Mapped[BusinessLine] = relationship(foreign_keys=[line], lazy="selectin")
    center: Mapped[ServiceCenter | None] = relationship(lazy="selectin")

    @property
    def is_city_level(self) -> bool:
        return self.region is not None and self.region.level == RegionLevel.CITY

    def __repr__(self) -> str:
        return self.name
