"""Stand-ins (代办/顶岗): a clerk or officer on leave names a colleague of the same unit and role who works
their cases for a date range. During it the stand-in's work queue marks the absent colleague's cases,
and every step the stand-in takes on them says "代张丽办理" (``app.services.cases.take_step``).

Managed by the absent user (我的代理) and by an administrator; every problem of a stand-in is reported
at once (date order, same unit and role, not oneself, no overlap).

Whose a case is on one side (its handler there): the last user of that side's unit who took a step on it
(or registered it) — the one a colleague would ask about it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.domain.roles import RoleName
from app.domain.validators import parse_date
from app.domain.workflow import Side
from app.errors import NotFound, ProblemCollector
from app.models.case import Case, CaseEvent
from app.models.conversation import StandIn
from app.models.staff import StaffUser
from app.scope import Reach, as_record_id, criterion, reach_of

#: the roles whose holders work cases and so can be stood in for, with the unit they work in
WORKING_ROLES = {RoleName.WINDOW_CLERK.value: "center_id", RoleName.DEPARTMENT_OFFICER.value: "department_id"}
NOTE_LENGTH = 255
#: what a step taken by a stand-in records in its event's data: the absent colleague's name and id
ON_BEHALF_NAME, ON_BEHALF_ID = "on_behalf_of", "on_behalf_of_id"


def may_manage_all(reach: Reach) -> bool:
    """An administrator manages everybody's stand-ins; everybody else only their own."""
    return reach.everything and reach.has_role(RoleName.ADMIN)


def working_role(user: StaffUser) -> tuple[str, int] | None:
    """(role, unit id) the user works cases in, or None (supervisors and administrators have no cases)."""
    names = {role.name for role in user.roles}
    for role, unit in WORKING_ROLES.items():
        if role in names and getattr(user, unit):
            return role, getattr(user, unit)
    return None


def colleagues(session: Session, user: StaffUser) -> list[StaffUser]:
    """The active users of the same unit and role: who may stand in for ``user``."""
    work = working_role(user)
    if work is None:
        return []
    role, _unit = work
    unit_column = getattr(StaffUser, WORKING_ROLES[role])
    rows = session.scalars(select(StaffUser).where(unit_column == getattr(user, WORKING_ROLES[role]),
                                                   StaffUser.id != user.id, StaffUser.active.is_(True))
                           .order_by(StaffUser.id)).all()
    return [u for u in rows if role in {r.name for r in u.roles}]


def _date(raw: Any) -> date | None:
    try:
        return parse_date(raw)
    except ValueError:
        return None


def _user_of(session: Session, raw: Any) -> StaffUser | None:
    user_id = as_record_id(raw)
    return session.get(StaffUser, user_id) if user_id else None


def stand_in_problems(session: Session, absent: StaffUser | None, stand_in: StaffUser | None,
                      starts_on: date | None, ends_on: date | None, *, ignore_id: int | None = None,
                      raw: Mapping[str, Any] | None = None) -> ProblemCollector:
    """Every problem of a stand-in at once."""
    raw = raw or {}
    problems = ProblemCollector()
    if absent is None:
        problems.add("absent_user_id", _l("Choose who is away."))
    if stand_in is None:
        problems.add("stand_in_user_id", _l("Choose the stand-in."))
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is None:
            problems.add(name, _l("Enter a date as YYYY-MM-DD.") if raw.get(name) else _l("This field is required."))
    if starts_on and ends_on and ends_on < starts_on:
        problems.add("ends_on", _l("The last day comes before the first day."))
    if absent is not None and stand_in is not None:
        _unit_problems(absent, stand_in, problems)
    if absent is not None and starts_on and ends_on and (not ends_on < starts_on):
        _overlap_problems(session, absent, stand_in, starts_on, ends_on, ignore_id, problems)
    return problems


def _unit_problems(absent: StaffUser, stand_in: StaffUser, problems: ProblemCollector) -> None:
    if absent.id == stand_in.id:
        problems.add("stand_in_user_id", _l("Nobody can stand in for themselves."))
        return
    work = working_role(absent)
    if work is None:
        problems.add("absent_user_id", _l("Only window clerks and department officers have cases to hand over."))
        return
    role, unit = work
    holds_role = role in {r.name for r in stand_in.roles}
    if not holds_role or getattr(stand_in, WORKING_ROLES[role]) != unit:
        problems.add("stand_in_user_id", _l("%(name)s does not work in the same window or department with the same "
                                            "role.", name=stand_in.name))
    elif not stand_in.active:
        problems.add("stand_in_user_id", _l("%(name)s's account is disabled.", name=stand_in.name))


def _overlapping(ignore_id: int | None, starts_on: date, ends_on: date):
    clauses = [StandIn.starts_on <= ends_on, StandIn.ends_on >= starts_on]
    if ignore_id:
        clauses.append(StandIn.id != ignore_id)
    return and_(*clauses)


def _overlap_problems(session: Session, absent: StaffUser, stand_in: StaffUser | None, starts_on: date,
                      ends_on: date, ignore_id: int | None, problems: ProblemCollector) -> None:
    window = _overlapping(ignore_id, starts_on, ends_on)
    taken = session.scalars(select(StandIn).where(window, StandIn.absent_user_id == absent.id)).first()
    if taken is not None:
        problems.add("starts_on", _l("%(name)s already has a stand-in from %(start)s to %(end)s.", name=absent.name,
                                     start=taken.starts_on.isoformat(), end=taken.ends_on.isoformat()))
    if stand_in is not None and stand_in.id != absent.id:
        away = session.scalars(select(StandIn).where(window, StandIn.absent_user_id == stand_in.id)).first()
        if away is not None:
            problems.add("stand_in_user_id", _l("%(name)s is away from %(start)s to %(end)s.", name=stand_in.name,
                                                start=away.starts_on.isoformat(), end=away.ends_on.isoformat()))


def save_stand_in(session: Session, actor: StaffUser, values: Mapping[str, Any]) -> StandIn:
    """Names a stand-in (``values``: stand_in_user_id, starts_on, ends_on, note; absent_user_id for an
    administrator — everybody else names their own). Every problem at once (ValidationFailed)."""
    reach = reach_of(actor)
    absent = _user_of(session, values.get("absent_user_id")) if may_manage_all(reach) else actor
    stand_in = _user_of(session, values.get("stand_in_user_id"))
    starts_on, ends_on = _date(values.get("starts_on")), _date(values.get("ends_on"))
    note = str(values.get("note") or "").strip()
    problems = stand_in_problems(session, absent, stand_in, starts_on, ends_on, raw=values)
    if len(note) > NOTE_LENGTH:
        problems.add("note", _l("At most %(count)d characters.", count=NOTE_LENGTH))
    problems.raise_if_any()
    record = StandIn(absent_user_id=absent.id, stand_in_user_id=stand_in.id, starts_on=starts_on, ends_on=ends_on,
                     note=note, created_by_fk=actor.id)
    session.add(record)
    session.commit()
    return record


def delete_stand_in(session: Session, actor: StaffUser, stand_in_id: Any) -> None:
    """Ends a stand-in (removes it): its absent user or an administrator; 404 for anybody else's."""
    reach = reach_of(actor)
    record_id = as_record_id(stand_in_id)
    record = session.scalars(select(StandIn).where(StandIn.id == (record_id or 0),
                                                   criterion(StandIn, reach, write=True))).first()
    if record is None:  # missing, or somebody else's (the stand-in included): as if missing
        raise NotFound()
    session.delete(record)
    session.commit()


def stand_ins_seen_by(session: Session, user: StaffUser) -> list[StandIn]:
    """The stand-ins a user sees: their own (away or standing in); an administrator all of them."""
    return list(session.scalars(select(StandIn).where(criterion(StandIn, reach_of(user)))
                                .order_by(StandIn.starts_on.desc(), StandIn.id.desc())))


def absent_for(session: Session, stand_in: StaffUser, on: date) -> dict[int, StaffUser]:
    """The colleagues ``stand_in`` stands in for on ``on``, by id."""
    rows = session.scalars(select(StandIn).where(StandIn.stand_in_user_id == stand_in.id, StandIn.starts_on <= on,
                                                 StandIn.ends_on >= on)).all()
    return {row.absent_user_id: row.absent_user for row in rows}


def stand_in_of(session: Session, absent_user_id: int, on: date) -> StaffUser | None:
    """Who stands in for the user on ``on``, if anybody."""
    row = session.scalars(select(StandIn).where(StandIn.absent_user_id == absent_user_id, StandIn.starts_on <= on,
                                                StandIn.ends_on >= on)).first()
    return row.stand_in_user if row is not None else None


def unit_of_side(case: Case, side: Side) -> tuple[Any, Any]:
    """(the StaffUser column, the value) of the unit whose users stand on ``side`` of ``case``."""
    if side == Side.ORIGIN_WINDOW:
        return StaffUser.center_id, case.origin_center_id
    if side == Side.HOME_WINDOW:
        return StaffUser.center_id, case.home_center_id
    return StaffUser.department_id, case.department_id


def handler_on_side(session: Session, case: Case, side: Side) -> int | None:
    """The id of the user who last took a step on the case (or registered it) for ``side``."""
    column, unit = unit_of_side(case, side)
    if unit is None:
        return None
    row = session.execute(select(CaseEvent.actor_fk, CaseEvent.data).join(StaffUser, StaffUser.id == CaseEvent.actor_fk)
                          .where(CaseEvent.case_id == case.id, column == unit, CaseEvent.action != "message")
                          .order_by(CaseEvent.seq.desc()).limit(1)).first()
    if row is None:
        return None
    # a step a stand-in took keeps the case the absent colleague's
    return (row.data or {}).get(ON_BEHALF_ID) or row.actor_fk


def on_behalf_of(session: Session, user: StaffUser, case: Case, sides: frozenset[Side] | set[Side],
                 on: date, absent: Mapping[int, StaffUser] | None = None) -> StaffUser | None:
    """The absent colleague ``user`` stands in for on this case (its handler on one of ``sides``), or None."""
    absent = absent_for(session, user, on) if absent is None else absent
    if not absent:
        return None
    for side in sorted(sides):
        handler = handler_on_side(session, case, side)
        if handler in absent:
            return absent[handler]
    return None
