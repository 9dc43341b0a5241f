"""Deadline checks (DESIGN §3, §5): warning levels, reminders to whoever must act, escalations of red
cases — for every open case at once, in a fixed number of set-based statements.

``check_deadlines`` runs, in order:

1. ``refresh_warnings``: one UPDATE recomputes every case's warning level;
2. one ``INSERT … SELECT`` writes a reminder for each user on the acting side of every yellow or red
   case — the clerks of the window or the officers of the department that must take the next step,
   derived in SQL from the status and the transition table (a side outside the system is stood in for
   by the window on our side, as ``app.domain.workflow.acting_sides`` says);
3. one ``INSERT … SELECT`` writes an escalation of every red case for the county administrators of
   the counties the case touches (origin window, home window, department) and every city supervisor;
4. one UPDATE marks reminders resolved whose case has left that stage or level.

Both inserts skip rows that exist (``ON CONFLICT DO NOTHING`` on PostgreSQL, ``INSERT OR IGNORE`` on
SQLite) against the unique (case, stage, level, user, kind): however often the job runs, on however
many beats at once, each (case, stage, level) is reminded once per user.

Mail: with ``MAIL_SERVER`` set, new reminders of users with an address (who did not opt out) are
``pending``; ``queue_reminder_mail`` gathers them into one digest mail per user (serialised, so two
runs never mail one reminder twice) and ``app.services.notifications.messages.send_due_mail`` delivers it.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from flask import current_app
from flask_appbuilder.security.sqla.models import Role
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy import case as sql_case
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased, selectinload

from app.adapters.messaging import mail_enabled
from app.domain.deadlines import STAGE_OF_STATUS, Stage, WarningLevel
from app.domain.roles import RoleName
from app.domain.workflow import OPEN_STATUSES, TRANSITIONS, CaseSides, Side, Status, acting_sides
from app.errors import NotFound, Problem, ProblemCollector, ValidationFailed
from app.models.base import now
from app.models.case import Case, CaseMaterial, DeliveryMethod
from app.models.notify import MailStatus, Reminder, ReminderKind, StaffPreference
from app.models.org import Department, Region, ServiceCenter
from app.models.precheck import PrecheckRound
from app.models.rating import Rectification
from app.models.staff import StaffUser
from app.scope import as_record_id
from app.services.cases.precheck import PRECHECK_STAGE, reminder_level
from app.services.cases.warnings import DUE_COLUMN, refresh_warnings
from app.services.ratings.rating import refresh_rectification_warnings
from app.services.supervision import deadlines as supervision

log = logging.getLogger(__name__)


# --- who must act: derived from the transition table ------------------------------------------------


def acting_table() -> dict[Side, dict[Status, frozenset[tuple[bool, bool, bool, bool]]]]:
    """For each side: in which status, for which (origin external, home external, has department,
    delivery by mail),
    its users must take the next step. Steps that are not work (decline, withdraw: dangerous ones)
    do not make anyone wait."""
    table: dict[Side, dict[Status, set[tuple[bool, bool, bool, bool]]]] = {side: {} for side in Side}
    for status in STAGE_OF_STATUS:
        for combo in itertools.product((False, True), repeat=4):
            sides = CaseSides(*combo)
            for transition in TRANSITIONS.values():
                if transition.starts_from(status, sides.delivery_by_mail) and not transition.dangerous:
                    for side in acting_sides(transition, sides):
                        table[side].setdefault(status, set()).add(combo)
    return {side: {status: frozenset(combos) for status, combos in by_status.items()}
            for side, by_status in table.items()}


ACTING = acting_table()

_OC = aliased(ServiceCenter, name="origin_center")
_HC = aliased(ServiceCenter, name="home_center")


def _combo(combo: tuple[bool, bool, bool, bool]) -> ColumnElement[bool]:
    origin_external, home_external, has_department, by_mail = combo
    mail = Case.delivery_method == DeliveryMethod.MAIL.value
    return and_(_OC.external.is_(origin_external), _HC.external.is_(home_external),
                Case.department_id.isnot(None) if has_department else Case.department_id.is_(None),
                mail if by_mail else ~mail)


def side_acts(side: Side) -> ColumnElement[bool]:
    """SQL: the users of ``side`` must act on the case now (needs ``_OC`` and ``_HC`` joined)."""
    parts = []
    for status, combos in sorted(ACTING[side].items()):
        if len(combos) == 16:
            parts.append(Case.status == status.value)
        else:
            parts.append(and_(Case.status == status.value, or_(*(_combo(c) for c in sorted(combos)))))
    return or_(false(), *parts)


def stage_expr() -> ColumnElement[Any]:
    return sql_case(*((Case.status == status.value, literal(stage.value)) for status, stage in STAGE_OF_STATUS.items()),
                    else_=None)


def due_expr() -> ColumnElement[Any]:
    return sql_case(*((Case.status == status.value, DUE_COLUMN[stage]) for status, stage in STAGE_OF_STATUS.items()),
                    else_=None)


def _has_role(user: Any, role: RoleName) -> ColumnElement[bool]:
    return user.roles.any(Role.name == role.value)


# --- the check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineCheck:
    changed: int  # cases whose warning level changed
    reminders: int  # reminders written now
    escalations: int
    resolved: int  # reminders that no longer ask for anything


_COLUMNS = ("case_id", "stage", "level", "user_id", "kind", "due_on", "created_on", "mail_status")


def _mail_status(user: Any, preference: Any, mail_on: bool) -> ColumnElement[str]:
    if not mail_on:
        return literal(MailStatus.OFF.value)
    return sql_case((and_(func.coalesce(user.email, "") != "", func.coalesce(preference.mail_reminders, True).is_(True)),
                     MailStatus.PENDING.value), else_=MailStatus.OFF.value)


def _reminder_selects(at: datetime, mail_on: bool) -> list[Any]:
    """One SELECT per acting side: (case, stage, level, user, "reminder", due, created, mail)."""
    user_of = {
        Side.ORIGIN_WINDOW: lambda u: and_(u.center_id == Case.origin_center_id, _has_role(u, RoleName.WINDOW_CLERK)),
        Side.HOME_WINDOW: lambda u: and_(u.center_id == Case.home_center_id, _has_role(u, RoleName.WINDOW_CLERK)),
        Side.DEPARTMENT: lambda u: and_(u.department_id == Case.department_id,
                                        _has_role(u, RoleName.DEPARTMENT_OFFICER)),
    }
    selects = []
    for side in Side:
        user = aliased(StaffUser, name=f"u_{side.value}")
        preference = aliased(StaffPreference, name=f"p_{side.value}")
        selects.append(
            select(Case.id, stage_expr(), Case.warning_level, user.id, literal(ReminderKind.REMINDER.value),
                   due_expr(), literal(at), _mail_status(user, preference, mail_on))
            .select_from(Case)
            .join(_OC, _OC.id == Case.origin_center_id)
            .join(_HC, _HC.id == Case.home_center_id)
            .join(user, user_of[side](user))
            .outerjoin(preference, preference.user_id == user.id)
            .where(Case.warning_level.in_((WarningLevel.YELLOW.value, WarningLevel.RED.value)),
                   user.active.is_(True), side_acts(side))
        )
    return selects


def _escalation_selects(at: datetime, mail_on: bool) -> list[Any]:
    """City supervisors: every red case. County administrators: red cases touching their county."""
    red = Case.warning_level == WarningLevel.RED.value
    supervisor, sup_pref = aliased(StaffUser, name="u_sup"), aliased(StaffPreference, name="p_sup")
    city = (
        select(Case.id, stage_expr(), literal(WarningLevel.RED.value), supervisor.id,
               literal(ReminderKind.ESCALATION.value), due_expr(), literal(at),
               _mail_status(supervisor, sup_pref, mail_on))
        .select_from(Case)
        .join(supervisor, and_(supervisor.active.is_(True), _has_role(supervisor, RoleName.CITY_SUPERVISOR)))
        .outerjoin(sup_pref, sup_pref.user_id == supervisor.id)
        .where(red)
    )
    admin, admin_pref = aliased(StaffUser, name="u_county"), aliased(StaffPreference, name="p_county")
    county = aliased(Region, name="admin_county")
    origin_region, home_region, department_region = (aliased(Region, name=n) for n in ("o_region", "h_region", "d_region"))
    department = aliased(Department, name="case_department")
    counties = (
        select(Case.id, stage_expr(), literal(WarningLevel.RED.value), admin.id,
               literal(ReminderKind.ESCALATION.value), due_expr(), literal(at), _mail_status(admin, admin_pref, mail_on))
        .select_from(Case)
        .join(_OC, _OC.id == Case.origin_center_id)
        .join(origin_region, origin_region.id == _OC.region_id)
        .join(_HC, _HC.id == Case.home_center_id)
        .join(home_region, home_region.id == _HC.region_id)
        .outerjoin(department, department.id == Case.department_id)
        .outerjoin(department_region, department_region.id == department.region_id)
        .join(admin, and_(admin.active.is_(True), admin.region_id.isnot(None),
                          _has_role(admin, RoleName.COUNTY_ADMIN)))
        .join(county, county.id == admin.region_id)
        .outerjoin(admin_pref, admin_pref.user_id == admin.id)
        .where(red, or_(origin_region.path.startswith(county.path), home_region.path.startswith(county.path),
                        department_region.path.startswith(county.path)))
    )
    return [city, counties]


PROMISE_STAGE = "promise"  # the stage of a 容缺 promise's reminder (its own clock, not a stage of the case)


def _overdue_promises_where(today: date) -> ColumnElement[bool]:
    return and_(CaseMaterial.deferred_until.isnot(None), CaseMaterial.deferred_until < today,
                CaseMaterial.supplied_on.is_(None), Case.status.in_([s.value for s in OPEN_STATUSES]))


def overdue_promises(session: Session, today: date) -> list[CaseMaterial]:
    """容缺: the deferred materials whose promised day has passed unsupplied, on open cases."""
    return list(session.scalars(select(CaseMaterial).join(Case, Case.id == CaseMaterial.case_id)
                                .where(_overdue_promises_where(today)).order_by(Case.id, CaseMaterial.seq)))


def _promise_select(today: date, at: datetime, mail_on: bool) -> Any:
    """The clerks of the accepting window of every case with an overdue promise: one reminder per case and
    clerk (red, due the earliest day promised)."""
    user, preference = aliased(StaffUser, name="u_promise"), aliased(StaffPreference, name="p_promise")
    return (
        select(Case.id, literal(PROMISE_STAGE), literal(WarningLevel.RED.value), user.id,
               literal(ReminderKind.PROMISE.value), func.min(CaseMaterial.deferred_until), literal(at),
               _mail_status(user, preference, mail_on))
        .select_from(CaseMaterial)
        .join(Case, Case.id == CaseMaterial.case_id)
        .join(user, and_(user.center_id == Case.origin_center_id, _has_role(user, RoleName.WINDOW_CLERK),
                         user.active.is_(True)))
        .outerjoin(preference, preference.user_id == user.id)
        .where(_overdue_promises_where(today))
        .group_by(Case.id, user.id, user.email, preference.mail_reminders)
    )


RECTIFY_STAGE = "rectify"  # the stage of a rectification's reminder (its own clock, not a stage of the case)


def _rectification_selects(at: datetime, mail_on: bool) -> list[Any]:
    """整改: the county administrators of a yellow or red rectification's county (kind RECTIFICATION, at its
    level), and every city supervisor for a red one (an escalation)."""
    warned = and_(Rectification.status == "open",
                  Rectification.warning_level.in_((WarningLevel.YELLOW.value, WarningLevel.RED.value)))
    admin, admin_pref = aliased(StaffUser, name="u_rectify"), aliased(StaffPreference, name="p_rectify")
    county, admin_county = aliased(Region, name="rectify_county"), aliased(Region, name="rectify_admin_county")
    counties = (
        select(Rectification.case_id, literal(RECTIFY_STAGE), Rectification.warning_level, admin.id,
               literal(ReminderKind.RECTIFICATION.value), Rectification.due_on, literal(at),
               _mail_status(admin, admin_pref, mail_on))
        .select_from(Rectification)
        .join(county, county.id == Rectification.county_id)
        .join(admin, and_(admin.active.is_(True), admin.region_id.isnot(None), _has_role(admin, RoleName.COUNTY_ADMIN)))
        .join(admin_county, admin_county.id == admin.region_id)
        .outerjoin(admin_pref, admin_pref.user_id == admin.id)
        .where(warned, county.path.startswith(admin_county.path))
    )
    supervisor, sup_pref = aliased(StaffUser, name="u_rectify_sup"), aliased(StaffPreference, name="p_rectify_sup")
    city = (
        select(Rectification.case_id, literal(RECTIFY_STAGE), literal(WarningLevel.RED.value), supervisor.id,
               literal(ReminderKind.ESCALATION.value), Rectification.due_on, literal(at),
               _mail_status(supervisor, sup_pref, mail_on))
        .select_from(Rectification)
        .join(supervisor, and_(supervisor.active.is_(True), _has_role(supervisor, RoleName.CITY_SUPERVISOR)))
        .outerjoin(sup_pref, sup_pref.user_id == supervisor.id)
        .where(warned, Rectification.warning_level == WarningLevel.RED.value)
    )
    return [counties, city]


def _insert_skipping_existing(session: Session, selects: list[Any]) -> int:
    source = union(*selects) if len(selects) > 1 else selects[0]
    dialect = session.get_bind().dialect.name
    table = Reminder.__table__  # a Core statement: its rowcount is the number of rows written
    if dialect == "postgresql":
        stmt = postgresql.insert(table).from_select(_COLUMNS, source).on_conflict_do_nothing(
            constraint="uq_reminder_once")
    elif dialect == "sqlite":
        stmt = insert(table).from_select(_COLUMNS, source).prefix_with("OR IGNORE")
    else:  # anywhere else: skip what exists (a concurrent run may still collide on the unique key)
        rows = source.subquery()
        stmt = insert(table).from_select(_COLUMNS, select(*rows.c).where(~exists().where(
            Reminder.case_id == rows.c[0], Reminder.stage == rows.c[1], Reminder.level == rows.c[2],
            Reminder.user_id == rows.c[3], Reminder.kind == rows.c[4])))
    return max(session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount or 0, 0)


def _resolve(session: Session, at: datetime) -> int:
    """Reminders whose case no longer stands in that stage at that level ask for nothing any more;
    one not mailed yet is not mailed."""
    still = exists().where(Case.id == Reminder.case_id, stage_expr() == Reminder.stage,
                           Case.warning_level == Reminder.level)
    # a broken promise asks for something while a material of the case is still awaited and the case is open
    still_awaited = exists().where(CaseMaterial.case_id == Reminder.case_id, CaseMaterial.deferred_until.isnot(None),
                                   CaseMaterial.supplied_on.is_(None), Case.id == Reminder.case_id,
                                   Case.status.in_([s.value for s in OPEN_STATUSES]))
    # a pre-check's reminder (written by the step that starts the round) while its round is unanswered
    still_prechecked = exists().where(PrecheckRound.case_id == Reminder.case_id, PrecheckRound.outcome == "",
                                      literal("r") + cast(PrecheckRound.round, String) == Reminder.level)
    # a rectification's reminder while it is open at that level
    still_rectifying = exists().where(Rectification.case_id == Reminder.case_id, Rectification.status == "open",
                                      Rectification.warning_level == Reminder.level)
    own_clock = (ReminderKind.PROMISE.value, ReminderKind.PRECHECK.value)
    # a supervision order's reminder while the order is open at that level
    supervised = supervision.is_supervision_reminder()
    asks = or_(and_(Reminder.kind.not_in(own_clock), Reminder.stage != RECTIFY_STAGE, ~supervised, still),
               and_(supervised, supervision.still_supervised()),
               and_(Reminder.stage == RECTIFY_STAGE, still_rectifying),
               and_(Reminder.kind == ReminderKind.PROMISE.value, still_awaited),
               and_(Reminder.kind == ReminderKind.PRECHECK.value, still_prechecked))
    result = session.execute(
        update(Reminder).where(Reminder.resolved_on.is_(None), ~asks)
        .values(resolved_on=at, mail_status=sql_case((Reminder.mail_status == MailStatus.PENDING.value,
                                                     MailStatus.SKIPPED.value), else_=Reminder.mail_status))
        .execution_options(synchronize_session=False))
    return max(result.rowcount or 0, 0)


def check_deadlines(session: Session, today: date | None = None, at: datetime | None = None) -> DeadlineCheck:
    """The whole check in a fixed number of statements, whatever the number of cases."""
    today = today or date.today()
    at = at or now()
    mail_on = mail_enabled(current_app.config)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite: take the write lock before reading, or a concurrent run that commits between our read
        # and our write makes the write fail at once ("database is locked") instead of waiting.
        session.commit()
        serialise(session, "kytb.check_deadlines")
    changed = refresh_warnings(session, today)  # commits
    reminders = _insert_skipping_existing(session, _reminder_selects(at, mail_on))
    escalations = _insert_skipping_existing(session, _escalation_selects(at, mail_on))
    reminders += _insert_skipping_existing(session, [_promise_select(today, at, mail_on)])
    changed += refresh_rectification_warnings(session, today, commit=False)
    rectifications = _rectification_selects(at, mail_on)
    reminders += _insert_skipping_existing(session, rectifications[:1])
    escalations += _insert_skipping_existing(session, rectifications[1:])
    changed += supervision.refresh_supervision_warnings(session, today)
    reminders += _insert_skipping_existing(session, supervision.reminder_selects(
        at, lambda u, p: _mail_status(u, p, mail_on), _has_role))
    escalations += _insert_skipping_existing(session, supervision.escalation_selects(
        at, lambda u, p: _mail_status(u, p, mail_on), _has_role))
    resolved = _resolve(session, at)
    session.commit()
    result = DeadlineCheck(changed, reminders, escalations, resolved)
    log.info("deadline check %s: %d case(s) changed level, %d reminder(s), %d escalation(s), %d resolved",
             today.isoformat(), changed, reminders, escalations, resolved)
    return result


# --- mail digests ---------------------------------------------------------------------------------


def serialise(session: Session, name: str) -> None:
    """Holds a lock named ``name`` until the transaction ends, so one such step runs at a time
    across processes (PostgreSQL: an advisory lock; SQLite: the write lock, taken up front)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
    elif dialect == "sqlite":
        session.execute(text("UPDATE reminder SET id = id WHERE 0"))


STAGE_NAMES = {
    "zh": {Stage.DISPATCH: "寄出材料", Stage.PROCESS: "审批办理", Stage.DELIVERY: "结果送达"},
    "en": {Stage.DISPATCH: "dispatch of the materials", Stage.PROCESS: "processing", Stage.DELIVERY: "delivery of the result"},
}
LEVEL_NAMES = {
    "zh": {"yellow": "黄色预警（即将到期）", "red": "红色预警（已逾期）"},
    "en": {"yellow": "yellow (near its due day)", "red": "red (overdue)"},
}
PROMISE_LINE = {"zh": "   容缺材料：申请人承诺{due}前补齐，已逾期未补交",
                "en": "   deferred material: promised by {due}, not supplied"}
PRECHECK_LINE = {"zh": "   远程预审：请于{due}前答复（预审通过，或一次性提出需补正的材料）",
                 "en": "   remote pre-check: answer by {due} (pass it, or ask for every correction at once)"}
RECTIFY_LINE = {"zh": "   差评整改：请于{due}前完成回访和整改，{level}",
                "en": "   rectification of a poor rating: call back and rectify by {due}, {level}"}
ESCALATION_NAMES = {"zh": "【督办】", "en": "[follow-up] "}
SUPERVISION_LINE = {"zh": "   督办单：请于{due}前反馈，{level}",
                    "en": "   supervision order: reply by {due}, {level}"}


#: cases listed in one digest mail; the rest are summed up (the reminders page has them all)
DIGEST_ITEMS = 50
MORE = {"zh": "……以及另外{n}件，请登录系统查看全部提醒。", "en": "… and {n} more: sign in to see every reminder."}


def digest_items(reminders: Iterable[Reminder], language: str, base_url: str) -> str:
    language = language if language in STAGE_NAMES else "zh"
    reminders = list(reminders)
    blocks = []
    for reminder in reminders[:DIGEST_ITEMS]:
        case = reminder.case
        head = (ESCALATION_NAMES[language] if reminder.kind == ReminderKind.ESCALATION else "") + \
            f"{case.number or '#' + str(case.id)} {case.applicant_name} {case.matter.name}"
        due = reminder.due_on.isoformat() if reminder.due_on else ""
        if supervision.order_id_of_stage(reminder.stage) is not None:
            line = SUPERVISION_LINE[language].format(due=due, level=LEVEL_NAMES[language][reminder.level])
        elif reminder.stage == PROMISE_STAGE:
            line = PROMISE_LINE[language].format(due=due)
        elif reminder.stage == RECTIFY_STAGE:
            line = RECTIFY_LINE[language].format(due=due, level=LEVEL_NAMES[language][reminder.level])
        elif reminder.stage == PRECHECK_STAGE:
            line = PRECHECK_LINE[language].format(due=precheck_due(reminder) or due)
        elif language == "en":
            line = f"   {STAGE_NAMES['en'][Stage(reminder.stage)]}, due {due}, {LEVEL_NAMES['en'][reminder.level]}"
        else:
            line = f"   环节：{STAGE_NAMES['zh'][Stage(reminder.stage)]}，期限：{due}，{LEVEL_NAMES['zh'][reminder.level]}"
        link = f"\n   {base_url}/cases/{case.id}/" if base_url else ""
        blocks.append(f"· {head}\n{line}{link}")
    if len(reminders) > DIGEST_ITEMS:
        blocks.append(MORE[language].format(n=len(reminders) - DIGEST_ITEMS))
    return "\n\n".join(blocks)


#: a reminder's case with its pre-check rounds (their answer times), one query for a page or a digest
_WITH_ROUNDS = selectinload(Reminder.case).selectinload(Case.precheck_rounds)


def precheck_due(reminder: Reminder) -> str:
    """When the department must answer the pre-check round a reminder is about ("" if the round is gone)."""
    for item in reminder.case.precheck_rounds:
        if reminder_level(item) == reminder.level:
            return item.due_at.strftime("%Y-%m-%d %H:%M")
    return ""


def queue_reminder_mail(session: Session, at: datetime | None = None, limit: int = 5000) -> int:
    """One digest mail per user with pending reminders; returns how many digests were queued."""
    from app.services.notifications.messages import queue_mail, render, staff_languages

    if not mail_enabled(current_app.config):
        return 0
    at = at or now()
    session.commit()
    serialise(session, "kytb.reminder_mail")
    pending = session.scalars(
        select(Reminder).where(Reminder.mail_status == MailStatus.PENDING.value, Reminder.resolved_on.is_(None))
        .options(_WITH_ROUNDS)
        .order_by(Reminder.user_id, Reminder.kind, Reminder.level.desc(), Reminder.due_on, Reminder.id).limit(limit)
    ).all()
    if not pending:
        session.commit()
        return 0
    users = {u.id: u for u in session.scalars(select(StaffUser).where(
        StaffUser.id.in_(sorted({r.user_id for r in pending}))))}
    languages = staff_languages(session, list(users))
    base_url = current_app.config["APP_URL"]
    digests = 0
    for user_id, group in itertools.groupby(pending, key=lambda r: r.user_id):
        group = list(group)
        user = users[user_id]
        language = languages.get(user_id, "zh")
        rendered = render(session, "reminders", "mail", language, {
            "name": user.name, "count": len(group), "items": digest_items(group, language, base_url),
            "url": f"{base_url}/reminders/" if base_url else ""})
        ids = [r.id for r in group]
        if rendered is None or not user.email:
            session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(mail_status=MailStatus.OFF.value)
                            .execution_options(synchronize_session=False))
            continue
        mail = queue_mail(session, to=user.email, subject=rendered.subject, body=rendered.body, event="reminders",
                          language=rendered.language, user_id=user.id)
        session.flush()
        session.execute(update(Reminder).where(Reminder.id.in_(ids))
                        .values(mail_status=MailStatus.QUEUED.value, notification_id=mail.id)
                        .execution_options(synchronize_session=False))
        digests += 1
    session.commit()
    return digests


# --- a user's own reminders -----------------------------------------------------------------------


def open_criterion(user_id: int) -> ColumnElement[bool]:
    return and_(Reminder.user_id == user_id, Reminder.read_on.is_(None), Reminder.resolved_on.is_(None))


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Reminder).where(open_criterion(user_id))) or 0


def reminders_of(session: Session, user_id: int, *, show: str = "open", page: int = 0,
                 page_size: int = 50) -> tuple[int, list[Reminder]]:
    """The user's own reminders (``show``: open — unread and still current —, or all), newest first."""
    where = open_criterion(user_id) if show == "open" else Reminder.user_id == user_id
    total = session.scalar(select(func.count()).select_from(Reminder).where(where)) or 0
    rows = session.scalars(select(Reminder).where(where).options(_WITH_ROUNDS)
                           .order_by(Reminder.created_on.desc(), Reminder.level.desc(), Reminder.id.desc())
                           .offset(page * page_size).limit(page_size)).all()
    return total, list(rows)


def mark_read(session: Session, user_id: int, ids: Iterable[int] | None = None) -> int:
    """Marks the user's own reminders read (all of them when ``ids`` is None); others' are untouched."""
    stmt = update(Reminder).where(Reminder.user_id == user_id, Reminder.read_on.is_(None))
    if ids is not None:
        # anything that is no id cannot be one of the user's reminders
        ids = [i for i in map(as_record_id, ids) if i is not None]
        if not ids:
            return 0
        stmt = stmt.where(Reminder.id.in_(ids))
    result = session.execute(stmt.values(read_on=now()).execution_options(synchronize_session=False))
    session.commit()
    return max(result.rowcount or 0, 0)


def reminder_of(session: Session, user_id: int, reminder_id: Any) -> Reminder:
    """One of the user's own reminders; NotFound for anyone else's (administrators' too) and a missing one."""
    reminder_id = as_record_id(reminder_id)
    found = None if reminder_id is None else session.scalar(
        select(Reminder).where(Reminder.id == reminder_id, Reminder.user_id == user_id).options(_WITH_ROUNDS))
    if found is None:
        raise NotFound()
    return found


def mark_one_read(session: Session, user_id: int, reminder_id: Any) -> Reminder:
    """Marks one of the user's own reminders read (one already read stays as it was); NotFound for another's."""
    reminder = reminder_of(session, user_id, reminder_id)
    mark_read(session, user_id, [reminder.id])
    session.refresh(reminder)
    return reminder


def check_shown(show: Any) -> str:
    """Which reminders a list shows: ``open`` (unread and still current) or ``all``; anything else is refused."""
    if show in (None, ""):
        return "open"
    if show not in ("open", "all"):
        raise ValidationFailed([Problem("show", _l("Choose open or all."))])
    return show


def preference_of(session: Session, user_id: int) -> StaffPreference:
    return session.get(StaffPreference, user_id) or StaffPreference(user_id=user_id, language="zh", mail_reminders=True)


def save_preference_of(session: Session, user_id: int, values: Any) -> StaffPreference:
    """The message preferences as the REST API hands them in: ``language`` zh or en, ``mail_reminders`` true or
    false (each left out: as it was); every problem at once."""
    current = preference_of(session, user_id)
    language = values.get("language", current.language)
    mail = values.get("mail_reminders", current.mail_reminders)
    problems = ProblemCollector()
    if language not in ("zh", "en"):
        problems.add("language", _l("Choose one of: %(values)s.", values="zh, en"))
    if not isinstance(mail, bool):
        problems.add("mail_reminders", _l("Choose one of: %(values)s.", values="true, false"))
    problems.raise_if_any()
    return save_preference(session, user_id, language, mail)


def save_preference(session: Session, user_id: int, language: str, mail_reminders: bool) -> StaffPreference:
    preference = session.get(StaffPreference, user_id) or StaffPreference(user_id=user_id)
    preference.language = language if language in ("zh", "en") else "zh"
    preference.mail_reminders = bool(mail_reminders)
    session.add(preference)
    session.commit()
    return preference
