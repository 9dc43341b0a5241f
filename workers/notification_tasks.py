"""Deadline checks with reminders and escalations, notifications, reports."""

from __future__ import annotations

import logging
from datetime import date

from flask import current_app

from app.services.cases.precheck import time_out_prechecks
from app.services.notifications import messages as notifications
from app.services.notifications import reminders
from app.services.notifications import reports
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="kytb.check_deadlines")
def check_deadlines() -> dict:
    """Pre-checks past their time (the parcel leaves as it is), warning levels of every open case (set-based),
    reminders to whoever must act, escalations of red cases, then the reminder digests by mail and any mail that is due (retries included).
    Safe to run often and on several beats at once: each (case, stage, level) is reminded once."""
    session = current_app.appbuilder.session
    # 远程预审 not answered in time: the parcel leaves as it is (before the warnings, which see the new status)
    timed_out = time_out_prechecks(session)
    result = reminders.check_deadlines(session)
    digests = reminders.queue_reminder_mail(session)
    mail = notifications.send_due_mail(session)
    return {"changed": result.changed, "reminders": result.reminders, "escalations": result.escalations,
            "resolved": result.resolved, "digests": digests, "prechecks_timed_out": timed_out,
            **{f"mail_{k}": v for k, v in mail.items()}}


@celery.task(name="kytb.build_reports")
def build_reports(kind: str) -> list[int]:
    """The weekly or monthly reports of the last complete period, once per period (a second beat, or
    a second run, finds them built); mailed to the supervisors."""
    session = current_app.appbuilder.session
    built = reports.build_reports(session, kind, date.today())
    notifications.send_due_mail(session)
    log.info("%s reports: %d built", kind, len(built))
    return [report.id for report in built]


@celery.task(name="kytb.send_messages")
def send_messages() -> dict:
    """Every SMS and mail that is due: new, or failed and past the wait its schedule gave it (kept on
    the message, so nothing is lost with Redis); parked ones wait for 重新发送."""
    return notifications.send_due_messages(current_app.appbuilder.session)
