"""Reminders and escalations, message templates, staff preferences, reports."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import now
from app.models.case import Case, Notification
from app.models.org import Region, within_counties
from app.models.staff import StaffUser
from app.scope import Reach, ScopeRule, everyone, nobody


class ReminderKind(StrEnum):
    REMINDER = "reminder"  # to whoever must act on the case now
    ESCALATION = "escalation"  # a red case, to the county administrators and the city supervisors
    #: 容缺: the day the applicant promised to supply a deferred material has passed (to the accepting window)
    PROMISE = "promise"
    #: 远程预审: the scans of a case wait for the department's pre-check (to its officers, one per round)
    PRECHECK = "precheck"
    #: 整改: the rectification of a poor rating is near its due day or overdue (to the county administrators of
    #: its county; red ones are escalated to the city supervisors with kind ESCALATION)
    RECTIFICATION = "rectification"
    #: 督办单: an order's reply is near its due day or overdue (to the responsible window's clerks or department's
    #: officers; red ones are escalated to the issuer and the county's administrators with kind ESCALATION)
    SUPERVISION = "supervision"


class MailStatus(StrEnum):
    OFF = "off"  # no mail: mail is not configured, the user has no address or does not want mail
    PENDING = "pending"  # to be put into the user's next digest
    QUEUED = "queued"  # in a digest (``notification``) not delivered yet
    SENT = "sent"
    FAILED = "failed"  # the digest could not be delivered, retries exhausted
    SKIPPED = "skipped"  # resolved before it was mailed


def _own(model: type):
    def rule(reach: Reach):
        return model.user_id == reach.user_id if reach.user_id else false()

    return rule


class Reminder(Model):
    """提醒: a case whose running stage reached a warning level, for one user, once.

    One row per (case, stage, level, user, kind): the deadline job inserts with "skip existing", so
    however often (and on however many beats) it runs, each is written once. ``resolved_on`` is set
    when the case has left that stage or level (the reminder no longer asks for anything)."""

    __tablename__ = "reminder"
    __scope__ = ScopeRule(read=lambda r: _own(Reminder)(r))
    __table_args__ = (
        UniqueConstraint("case_id", "stage", "level", "user_id", "kind", name="uq_reminder_once"),
        Index("ix_reminder_user_open", "user_id", "read_on", "resolved_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)  # dispatch / process / delivery
    level: Mapped[str] = mapped_column(String(8), nullable=False)  # yellow / red
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=ReminderKind.REMINDER)
    #: the stage's due date when the reminder was written
    due_on: Mapped[date | None] = mapped_column(Date)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    read_on: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_on: Mapped[datetime | None] = mapped_column(DateTime)
    mail_status: Mapped[str] = mapped_column(String(16), nullable=False, default=MailStatus.OFF, index=True)
    #: the digest mail that carried it
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"), index=True)

    case: Mapped[Case] = relationship(lazy="selectin")
    user: Mapped[StaffUser] = relationship(lazy="select")
    notification: Mapped[Notification | None] = relationship(lazy="select")


class StaffPreference(Model):
    """A staff user's choices for messages: the language of mails, and whether reminders are mailed."""

    __tablename__ = "staff_preference"
    __scope__ = ScopeRule(read=lambda r: _own(StaffPreference)(r))

    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="zh")
    mail_reminders: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class MessageTemplate(Model):
    """消息模板: the text of one message (event × channel × language), with {placeholders}.

    Seeded from the defaults in ``app.services.notifications.messages``; an administrator edits the subject, the
    body and whether it is active (an inactive English text falls back to Chinese; an inactive Chinese
    text switches the message off)."""

    __tablename__ = "message_template"
    __scope__ = ScopeRule(read=everyone, write=nobody)  # the Admin role (everything) maintains them
    __table_args__ = (UniqueConstraint("event", "channel", "language", name="uq_message_template"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(32), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)  # sms / mail
    language: Mapped[str] = mapped_column(String(8), nullable=False)  # zh / en
    subject: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    changed_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now, onupdate=now)

    def __repr__(self) -> str:
        return f"{self.event}/{self.channel}/{self.language}"


class ReportKind(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    #: 按需报表: any period and scope a supervisor asked for (``ReportRequest``)
    CUSTOM = "custom"


def _report_read(reach: Reach):
    """Administrators and the city supervisor read every report; a county administrator the reports
    of its own county (never the city-wide one, which holds every county's figures)."""
    return within_counties(Report.region_id, reach)


class Report(Model):
    """统计报表: the figures of one period (week or month) for the whole city or one county, with their
    XLSX and PDF files. Built once per (kind, period, scope) however many beats ask for it."""

    __tablename__ = "report"
    __scope__ = ScopeRule(read=lambda r: _report_read(r), write=nobody)
    __table_args__ = (UniqueConstraint("kind", "period_start", "scope_key", name="uq_report_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    #: "city", or "county:<region id>"
    scope_key: Mapped[str] = mapped_column(String(32), nullable=False)
    #: the county the report covers; empty for the city-wide report
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    xlsx_key: Mapped[str] = mapped_column(String(64), nullable=False)
    xlsx_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    xlsx_size: Mapped[int] = mapped_column(Integer, nullable=False)
    pdf_key: Mapped[str] = mapped_column(String(64), nullable=False)
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    pdf_size: Mapped[int] = mapped_column(Integer, nullable=False)
    figures: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: who it was mailed to (addresses), for the history page
    mailed_to: Mapped[str] = mapped_column(Text, nullable=False, default="")

    region: Mapped[Region | None] = relationship(lazy="selectin")

    def files(self):
        """Download links for the report history (FAB lists call model methods by name)."""
        from flask import url_for
        from markupsafe import Markup

        return Markup('<a href="{}"><i class="fa fa-file-excel-o"></i> XLSX</a> &nbsp; '
                      '<a href="{}"><i class="fa fa-file-pdf-o"></i> PDF</a>').format(
            url_for("ReportView.file", pk=self.id, fmt="xlsx"), url_for("ReportView.file", pk=self.id, fmt="pdf"))

    def __repr__(self) -> str:
        return self.title


class ReportRequestStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _report_request_read(reach: Reach):
    """As the reports: a county administrator its own county's requests, the city-wide ones nobody but
    administrators and the city supervisor."""
    return within_counties(ReportRequest.region_id, reach)


class ReportRequest(Model):
    """按需报表申请: a report of any period and scope asked for by a supervisor, built in the background
    (outbox topic ``build_report_request``) with its progress (``step`` of ``steps``); when done, ``report_id``
    is the custom report in the history. While one is queued or running, asking again for the same period and
    scope gives that one."""

    __tablename__ = "report_request"
    __scope__ = ScopeRule(read=lambda r: _report_request_read(r), write=lambda r: _report_request_read(r))
    __table_args__ = (Index("ix_report_request_open", "scope_key", "period_start", "period_end", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    #: "city", or "county:<region id>" (as ``Report.scope_key``)
    scope_key: Mapped[str] = mapped_column(String(32), nullable=False)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ReportRequestStatus.QUEUED, index=True)
    step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    steps: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="SET NULL"))
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)
    started_on: Mapped[datetime | None] = mapped_column(DateTime)
    finished_on: Mapped[datetime | None] = mapped_column(DateTime)
    updated_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=now)

    region: Mapped[Region | None] = relationship(lazy="selectin")
    user: Mapped[StaffUser | None] = relationship(lazy="select")
    report: Mapped[Report | None] = relationship(lazy="select")

    @property
    def active(self) -> bool:
        return self.status in (ReportRequestStatus.QUEUED, ReportRequestStatus.RUNNING)
