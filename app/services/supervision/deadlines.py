"""督办单 in the deadline job (``app.services.notifications.reminders.check_deadlines``), like the deadlines of
cases: an open order turns yellow when at most DEADLINE_WARNING_WORKING_DAYS working days are left before its
reply is due and red once the due day has passed. The users of the responsible side (the window's clerks, the
department's officers) are reminded at each level (kind SUPERVISION); a red one is escalated (kind ESCALATION)
to its issuer and to the county administrators of the responsible unit's county. The reminders' stage is
"sv<order id>", so the once-only key of reminders holds each order; a reply resolves them.

Every function here is one set-based statement, whatever the number of orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, exists, literal, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, aliased

from app.domain.deadlines import WarningLevel, warning_cutoff
from app.domain.roles import RoleName
from app.models.notify import Reminder, ReminderKind, StaffPreference
from app.models.org import Region
from app.models.staff import StaffUser
from app.models.supervision import STAGE_PREFIX, SupervisionOrder, SupervisionStatus
from app.services.calendar import load_calendar
from app.services.cases.deadlines import near_working_days


def refresh_supervision_warnings(session: Session, today: date | None = None) -> int:
    """Recomputes every order's warning level in one UPDATE (none when it is not open)."""
    today = today or date.today()
    cutoff = warning_cutoff(load_calendar(session), today, near_working_days())
    is_open = SupervisionOrder.status == SupervisionStatus.OPEN.value
    level = sql_case(
        (and_(is_open, SupervisionOrder.reply_due < today), literal(WarningLevel.RED.value)),
        (and_(is_open, SupervisionOrder.reply_due <= cutoff), literal(WarningLevel.YELLOW.value)),
        else_=literal(WarningLevel.NONE.value),
    )
    result = session.execute(update(SupervisionOrder).values(warning_level=level)
                             .where(SupervisionOrder.warning_level != level)
                             .execution_options(synchronize_session=False))
    return max(result.rowcount or 0, 0)


def stage_of_order() -> ColumnElement[str]:
    return literal(STAGE_PREFIX) + cast(SupervisionOrder.id, String)


def _warned() -> ColumnElement[bool]:
    return and_(SupervisionOrder.status == SupervisionStatus.OPEN.value,
                SupervisionOrder.warning_level.in_((WarningLevel.YELLOW.value, WarningLevel.RED.value)))


def reminder_selects(at: datetime, mail_status: Any, has_role: Any) -> list[Any]:
    """(case, stage, level, user, kind, due, created, mail) of the responsible side's users, at the order's level.
    ``mail_status(user, preference)`` and ``has_role(user, role)`` are the reminder pass's own SQL helpers."""
    user, preference = aliased(StaffUser, name="u_sv"), aliased(StaffPreference, name="p_sv")
    responsible = or_(
        and_(SupervisionOrder.center_id.is_not(None), user.center_id == SupervisionOrder.center_id,
             has_role(user, RoleName.WINDOW_CLERK)),
        and_(SupervisionOrder.department_id.is_not(None), user.department_id == SupervisionOrder.department_id,
             has_role(user, RoleName.DEPARTMENT_OFFICER)),
    )
    return [
        select(SupervisionOrder.case_id, stage_of_order(), SupervisionOrder.warning_level, user.id,
               literal(ReminderKind.SUPERVISION.value), SupervisionOrder.reply_due, literal(at),
               mail_status(user, preference))
        .select_from(SupervisionOrder)
        .join(user, and_(user.active.is_(True), responsible))
        .outerjoin(preference, preference.user_id == user.id)
        .where(_warned())
    ]


def escalation_selects(at: datetime, mail_status: Any, has_role: Any) -> list[Any]:
    """A red order: to its issuer, and to the county administrators of the responsible unit's county."""
    red = and_(_warned(), SupervisionOrder.warning_level == WarningLevel.RED.value)
    issuer, issuer_pref = aliased(StaffUser, name="u_sv_issuer"), aliased(StaffPreference, name="p_sv_issuer")
    to_issuer = (
        select(SupervisionOrder.case_id, stage_of_order(), literal(WarningLevel.RED.value), issuer.id,
               literal(ReminderKind.ESCALATION.value), SupervisionOrder.reply_due, literal(at),
               mail_status(issuer, issuer_pref))
        .select_from(SupervisionOrder)
        .join(issuer, and_(issuer.id == SupervisionOrder.issued_by_fk, issuer.active.is_(True)))
        .outerjoin(issuer_pref, issuer_pref.user_id == issuer.id)
        .where(red)
    )
    admin, admin_pref = aliased(StaffUser, name="u_sv_county"), aliased(StaffPreference, name="p_sv_county")
    unit_region, admin_county = aliased(Region, name="sv_unit_region"), aliased(Region, name="sv_admin_county")
    to_county = (
        select(SupervisionOrder.case_id, stage_of_order(), literal(WarningLevel.RED.value), admin.id,
               literal(ReminderKind.ESCALATION.value), SupervisionOrder.reply_due, literal(at),
               mail_status(admin, admin_pref))
        .select_from(SupervisionOrder)
        .join(unit_region, unit_region.id == SupervisionOrder.region_id)
        .join(admin, and_(admin.active.is_(True), admin.region_id.is_not(None),
                          has_role(admin, RoleName.COUNTY_ADMIN)))
        .join(admin_county, admin_county.id == admin.region_id)
        .outerjoin(admin_pref, admin_pref.user_id == admin.id)
        .where(red, unit_region.path.startswith(admin_county.path))
    )
    return [to_issuer, to_county]


def is_supervision_reminder() -> ColumnElement[bool]:
    return Reminder.stage.startswith(STAGE_PREFIX)


def still_supervised() -> ColumnElement[bool]:
    """SQL on Reminder: its order is still open at the reminder's level."""
    return exists().where(SupervisionOrder.case_id == Reminder.case_id,
                          literal(STAGE_PREFIX) + cast(SupervisionOrder.id, String) == Reminder.stage,
                          SupervisionOrder.status == SupervisionStatus.OPEN.value,
                          SupervisionOrder.warning_level == Reminder.level)


def order_id_of_stage(stage: str) -> int | None:
    """The order a reminder's stage names ("sv12" → 12), or None."""
    if stage.startswith(STAGE_PREFIX) and stage[len(STAGE_PREFIX):].isdigit():
        return int(stage[len(STAGE_PREFIX):])
    return None


def order_line(session: Session, stage: str) -> SupervisionOrder | None:
    pk = order_id_of_stage(stage)
    return session.get(SupervisionOrder, pk) if pk else None
