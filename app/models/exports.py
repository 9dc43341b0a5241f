"""Background exports (the work ledger as XLSX or PDF) and archive packages: their jobs and files.

Archive packages are stored as ``CaseDocument`` rows (kind ``archive_package``) next to the notices; this
module holds the export jobs of the work ledger.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import now
from app.scope import ScopeRule


class ExportKind(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and its file removed after the retention period


class ExportJob(Model):
    """A large export of the work ledger, run by a worker with progress; only its owner sees it.

    ``filter`` is the ledger filter (``LedgerFilter.to_dict()``); the rows are read with the owner's
    scope when the job runs. ``updated_on`` moves with every batch, so a job whose worker died is told
    apart from one still running.
    """

    __tablename__ = "export_job"
    # Only the owner: the services also filter by owner for those who reach everything.
    __scope__ = ScopeRule(read=lambda r: ExportJob.user_fk == (r.user_id or -1))
    __table_args__ = (Index("ix_export_job_user_created", "user_fk", "created_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_fk: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    #: what is exported (the work ledger for now)
    subject: Mapped[str] = mapped_column(String(16), nullable=False, default="ledger")
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # xlsx / pdf
    filter: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: the filter in words, as printed under the PDF's title
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ExportStatus.QUEUED, index=True)
    progress_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    file_key: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    content_type: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    started_on: Mapped[datetime | None] = mapped_column(DateTime)
    finished_on: Mapped[datetime | None] = mapped_column(DateTime)
    updated_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    @property
    def active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.progress_rows * 100 / self.total_rows))
