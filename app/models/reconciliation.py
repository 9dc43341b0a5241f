"""对账发现: what the daily reconciliation of both ends found (``app.services.reconciliation``).

One row per finding while it is open: unique per (kind, subject) among the open ones (``open_subject`` is the
subject while open and empty once resolved), so a second run finds the row it wrote and only marks it seen. A
finding no later run finds is resolved (``resolved_on``); if it comes back, it is a new row."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Case
from app.models.org import Department, Region, ServiceCenter
from app.scope import ScopeRule, nobody


class ReconciliationFinding(Model):
    """对账发现: one problem between the two ends (a case that did not move on time, a parcel nobody signed
    for, a notice that failed to render, a stale side effect), who answers for it, and since when."""

    __tablename__ = "reconciliation_finding"
    # A case finding: through the case's read rule (its windows, department, county, line). A system finding (no
    # case): nobody but the everything-roles (``criterion`` lets them see every row). Written by the job only.
    __scope__ = ScopeRule(read=lambda r: ReconciliationFinding.case.has(Case.__scope__.read(r)),
                          write=nobody)
    __table_args__ = (UniqueConstraint("kind", "open_subject", name="uq_reconciliation_finding_open"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    #: what it is about: "case:<id>", "shipment:<id>" or "outbox:<id>"
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    #: the subject while the finding is open, None once resolved (the open ones are unique per kind)
    open_subject: Mapped[str | None] = mapped_column(String(64))
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    #: the outbox row of a notice that failed or of a stale side effect (no FK: probes are purged)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    #: who answers for it: a window, or the department; neither for a system finding
    center_id: Mapped[int | None] = mapped_column(ForeignKey("service_center.id", ondelete="SET NULL"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"), index=True)
    #: the county of the responsible side (the list's county filter)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"), index=True)
    #: the facts: days, route, waybill, due day, error …
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    first_found_on: Mapped[date] = mapped_column(Date, nullable=False)
    last_seen_on: Mapped[date] = mapped_column(Date, nullable=False)
    resolved_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case | None] = relationship(lazy="selectin")
    center: Mapped[ServiceCenter | None] = relationship(lazy="selectin")
    department: Mapped[Department | None] = relationship(lazy="selectin")
    county: Mapped[Region | None] = relationship(lazy="selectin")


class ReconciliationRun(Model):
    """One run of the reconciliation: when, for which day, and what it counted (shown above the findings list)."""

    __tablename__ = "reconciliation_run"
    __scope__ = ScopeRule(read=nobody, write=nobody)  # read by the service for the list's header

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, index=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    #: {"found": {kind: n}, "new": n, "resolved": n, "open": n}
    counts: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
