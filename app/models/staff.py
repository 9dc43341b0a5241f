"""The link from a FAB user to its place in the organisation, its token generation, and the throttle of
failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.roles import COUNTY_ASSIGNABLE_ROLES
from app.models.org import Department, Region, ServiceCenter, within_counties
from app.scope import Reach, ScopeRule, any_of, nobody


def _staff_read(reach: Reach):
    return any_of(within_counties(StaffUser.region_id, reach))


def _staff_write(reach: Reach):
    # A county administrator manages the clerks and officers of its county, never another
    # administrator (itself included): nobody can raise their own or a peer's rights.
    only_assignable_roles = ~StaffUser.roles.any(Role.name.notin_(sorted(COUNTY_ASSIGNABLE_ROLES)))
    return within_counties(StaffUser.region_id, reach) & only_assignable_roles


class StaffUser(User):
    """A FAB user, extended (same table ``ab_user``) with where it works."""

    __tablename__ = "ab_user"
    __scope__ = ScopeRule(read=lambda r: _staff_read(r), write=lambda r: _staff_write(r))

    display_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: the county-level region the user belongs to; derived from center or department when those are set
    # ab_user and the organisation tables refer to each other (changed_by): these keys are added
    # after both tables exist (use_alter), which PostgreSQL needs.
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="SET NULL", use_alter=True, name="fk_ab_user_region"), index=True
    )
    center_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_center.id", ondelete="SET NULL", use_alter=True, name="fk_ab_user_center"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL", use_alter=True, name="fk_ab_user_department"), index=True
    )
    #: written into every JWT and web session at sign-in; raised when the password changes and at web
    #: logout, so every token and session issued before stops working (app/security/manager.py)
    token_generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    region: Mapped[Region | None] = relationship(foreign_keys=[region_id], lazy="selectin")
    center: Mapped[ServiceCenter | None] = relationship(foreign_keys=[center_id], lazy="selectin")
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id], lazy="selectin")

    @property
    def name(self) -> str:
        return self.display_name or f"{self.last_name}{self.first_name}"

    def get_full_name(self) -> str:  # FAB shows this in the navigation bar
        return self.name

    def __repr__(self) -> str:
        return self.name


class LoginThrottle(Model):
    """Failed sign-ins with one account name (as typed, lower-cased: known or not) from one client address.
    Written by app/services/organisation/login_throttle.py; no page lists it."""

    __tablename__ = "login_throttle"
    __scope__ = ScopeRule(read=nobody, write=nobody)

    account: Mapped[str] = mapped_column(String(256), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    #: no sign-in with this name from this address before then
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
