"""远程预审 (remote pre-check, issue 12 item 2): on a matter whose guide says so, the department looks at the
scans accepted on its behalf before the parcel leaves. It passes them or asks for corrections within the
matter's working hours (``app.domain.precheck``); a correction is relayed at the window while the applicant
may still be there, and the parcel leaves once, complete. Not answered in time, the case goes on to 受理
(the parcel leaves as it is: the one-day dispatch rule of the notice still holds) and its history says so.

The steps themselves are rows of the transition table; this module keeps their rounds and the timeout.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import case as sql_case
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.adapters.messaging import mail_enabled
from app.domain.precheck import DEFAULT_PRECHECK_HOURS, add_working_hours, parse_office_hours
from app.domain.roles import RoleName
from app.domain.workflow import Status
from app.models.base import now
from app.models.case import Case
from app.models.notify import MailStatus, Reminder, ReminderKind, StaffPreference
from app.models.precheck import PrecheckOutcome, PrecheckRound
from app.models.staff import StaffUser
from app.services.calendar import load_calendar
from app.services.cases.deadlines import refresh_deadlines
from app.services.cases.history import add_event

log = logging.getLogger(__name__)

#: the stage of a pre-check's reminder (the department's own short clock, not a stage of the case)
PRECHECK_STAGE = "precheck"
#: the history event of a pre-check nobody answered in time, by the system ("预审超时，材料照常寄出": its label)
TIMEOUT_EVENT = "precheck_timeout"


def precheck_applies(case: Case) -> bool:
    """The case's guide (as accepted) asks for a pre-check and its department works in the system; never on a
    case an outside window accepted (its parcel has arrived already)."""
    return bool(case.guide.content.get("precheck")) and case.department_id is not None and not case.inbound


def open_round(case: Case) -> PrecheckRound | None:
    """The round the department has not answered yet."""
    rounds = case.precheck_rounds
    return rounds[-1] if rounds and not rounds[-1].outcome else None


def correction_round(case: Case) -> PrecheckRound | None:
    """The round whose corrections the window relays now (the case is in 预审补正)."""
    rounds = case.precheck_rounds
    if case.status == Status.PRECHECK_CORRECTION and rounds and rounds[-1].outcome == PrecheckOutcome.CORRECTIONS:
        return rounds[-1]
    return None


def start_round(session: Session, case: Case, started_at: datetime | None = None) -> PrecheckRound:
    """A new round: the scans are with the department from ``started_at`` for the matter's working hours."""
    started_at = started_at or now()
    hours = int(case.guide.content.get("precheck_hours") or DEFAULT_PRECHECK_HOURS)
    office_hours = parse_office_hours(current_app.config["PRECHECK_OFFICE_HOURS"])
    due_at = add_working_hours(load_calendar(session), started_at, hours, office_hours)
    item = PrecheckRound(case=case, round=len(case.precheck_rounds) + 1, started_at=started_at, due_at=due_at,
                         items=[])
    session.add(item)
    _remind_department(session, case, item)
    return item


def reminder_level(item: PrecheckRound) -> str:
    """The reminder's ``level`` of a round: "r1", "r2" … (one reminder per round and officer)."""
    return f"r{item.round}"


def _remind_department(session: Session, case: Case, item: PrecheckRound) -> None:
    """The department learns at once that scans wait for it: a reminder in 我的提醒 of each of its active
    officers, in the next reminder digest when mail is on (and the officer wants reminders mailed)."""
    officers = session.scalars(select(StaffUser).where(
        StaffUser.department_id == case.department_id, StaffUser.active.is_(True),
        StaffUser.roles.any(Role.name == RoleName.DEPARTMENT_OFFICER.value)).order_by(StaffUser.id)).all()
    if not officers:
        return
    declined = set(session.scalars(select(StaffPreference.user_id).where(
        StaffPreference.user_id.in_([u.id for u in officers]), StaffPreference.mail_reminders.is_(False))))
    mail_on = mail_enabled(current_app.config)
    for user in officers:
        mailed = mail_on and bool(user.email) and user.id not in declined
        session.add(Reminder(case=case, stage=PRECHECK_STAGE, level=reminder_level(item), user_id=user.id,
                             kind=ReminderKind.PRECHECK.value, due_on=item.due_at.date(), created_on=item.started_at,
                             mail_status=(MailStatus.PENDING if mailed else MailStatus.OFF).value))


def _resolve_reminders(session: Session, case: Case, item: PrecheckRound, at: datetime) -> None:
    """The round is answered (or timed out): its reminders ask for nothing any more; one not mailed yet is not."""
    session.execute(
        update(Reminder).where(Reminder.case_id == case.id, Reminder.kind == ReminderKind.PRECHECK.value,
                               Reminder.level == reminder_level(item), Reminder.resolved_on.is_(None))
        .values(resolved_on=at, mail_status=sql_case((Reminder.mail_status == MailStatus.PENDING.value,
                                                     MailStatus.SKIPPED.value), else_=Reminder.mail_status))
        .execution_options(synchronize_session=False))


def answer_round(session: Session, case: Case, user: StaffUser, outcome: PrecheckOutcome,
                 items: list[dict[str, Any]] = ()) -> None:
    """The department answered the open round."""
    item = open_round(case)
    item.answered_at, item.answered_by_fk, item.answered_by_name = now(), user.id, user.name
    _resolve_reminders(session, case, item, item.answered_at)
    item.outcome = outcome.value
    item.items = [{"seq": seq, "name": i["name"], "reason": i["reason"], "material_seq": i.get("material_seq"),
                   "supplied": False} for seq, i in enumerate(items, start=1)]


def time_out_prechecks(session: Session, at: datetime | None = None) -> int:
    """Every case in 预审中 whose round is past its due time goes on to 受理 (the parcel leaves as it is), the
    round marked timed out and the history saying so, one case per transaction; returns how many."""
    at = at or now()
    case_ids = session.scalars(
        select(Case.id).join(PrecheckRound, PrecheckRound.case_id == Case.id)
        .where(Case.status == Status.PRECHECK.value, PrecheckRound.outcome == "", PrecheckRound.due_at < at)
        .order_by(PrecheckRound.due_at)
    ).all()
    done = 0
    for case_id in case_ids:
        try:
            case = session.get(Case, case_id, with_for_update=True, populate_existing=True)
            item = open_round(case) if case is not None and case.status == Status.PRECHECK else None
            if item is None or item.due_at >= at:
                session.rollback()
                continue  # answered meanwhile
            item.outcome, item.answered_at = PrecheckOutcome.TIMED_OUT.value, at
            _resolve_reminders(session, case, item, at)
            case.status = Status.ACCEPTED.value
            add_event(session, case, TIMEOUT_EVENT, Status.PRECHECK.value, None,
                      data={"round": item.round, "due_at": item.due_at.isoformat(sep=" ")})
            session.flush()
            refresh_deadlines(session, case, at.date())
            session.commit()
            done += 1
        except Exception:
            session.rollback()
            log.exception("pre-check of case %s could not time out", case_id)
    return done
