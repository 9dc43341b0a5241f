"""整改: the commands on the rectification a poor rating opened. Each is one transaction, reports every problem
at once, and appends to the rectification's history (``RectificationEvent``).

- ``record_callback`` (回访): when, with whom, what the applicant said;
- ``record_actions`` (整改措施): what was done;
- ``close``: with a call-back and measures on record (measures may come with it);
- ``appeal`` (申诉): the rating is plainly not about the service, with the reason; the clock does not warn
  while the city supervisor decides;
- ``decide_appeal`` (the city supervisor alone): upheld — the rating leaves the satisfaction figures and the
  rectification ends; rejected — the rectification goes on, due as before.

Who: the county administrators of the accepting window's county (and the administrator) write; the city
supervisor decides appeals; the window's clerks read. Out of scope is missing (NotFound).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.domain.deadlines import WarningLevel, warning_cutoff
from app.domain.ratings import AppealOutcome, RectificationStatus
from app.domain.roles import RoleName
from app.errors import Conflict, Forbidden, NotFound, Problem, ProblemCollector
from app.models.base import now
from app.models.rating import Rectification, RectificationEvent
from app.models.staff import StaffUser
from app.scope import OutOfScope, Reach, get_in_scope, reach_of
from app.services.calendar import load_calendar
from app.services.cases.deadlines import near_working_days

CONTACT_MAX_CHARS = 128
TEXT_MAX_CHARS = 2000
REQUIRED = _l("This field is required.")
NOT_OPEN = _l("This rectification is not open any more.")


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _required_text(values: Mapping[str, Any], name: str, problems: ProblemCollector,
                   limit: int = TEXT_MAX_CHARS) -> str:
    text = _text(values, name)
    if not text:
        problems.add(name, REQUIRED)
    elif len(text) > limit:
        problems.add(name, _l("At most %(n)d characters.", n=limit))
    return text


def _moment(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        return raw.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day)
    text = str(raw or "").strip().replace("T", " ")
    for parse in (lambda t: datetime.strptime(t, "%Y-%m-%d %H:%M"), lambda t: datetime.strptime(t, "%Y-%m-%d")):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _may_write(reach: Reach) -> bool:
    return reach.has_role(RoleName.ADMIN) or reach.has_role(RoleName.COUNTY_ADMIN)


def _load(session: Session, actor: StaffUser, pk: Any, *, decide: bool = False) -> tuple[Rectification, Reach]:
    """The rectification in the actor's scope (to write it; to read it, for the supervisor's decision), locked."""
    reach = reach_of(actor)
    try:
        item = get_in_scope(session, Rectification, pk, reach, write=not decide, lock=True)
    except OutOfScope:
        raise NotFound() from None
    allowed = reach.has_role(RoleName.CITY_SUPERVISOR) if decide else _may_write(reach)
    if not allowed:
        raise Forbidden(Problem(None, _l("Only the city supervisor decides appeals.") if decide else
                                _l("Only the county administrators of the window's county work on its "
                                   "rectifications.")))
    return item, reach


def _event(item: Rectification, actor: StaffUser, action: str, at: datetime, note: str = "",
           **data: Any) -> RectificationEvent:
    event = RectificationEvent(seq=len(item.events) + 1, action=action, at=at, actor_fk=actor.id,
                               actor_name=actor.name or actor.username, note=note, data=data)
    item.events.append(event)
    return event


def _require_status(item: Rectification, *statuses: RectificationStatus) -> None:
    if item.status not in {s.value for s in statuses}:
        raise Conflict(Problem(None, NOT_OPEN))


def record_callback(session: Session, actor: StaffUser, pk: Any, values: Mapping[str, Any], *,
                    at: datetime | None = None) -> Rectification:
    """回访: ``called_at`` (YYYY-MM-DD HH:MM, not in the future; now when empty), ``contact`` (with whom: free
    text), ``note`` (what the applicant said)."""
    item, _ = _load(session, actor, pk)
    _require_status(item, RectificationStatus.OPEN, RectificationStatus.APPEALED)
    at = at or now()
    problems = ProblemCollector()
    raw = values.get("called_at")
    called_at = at if raw in (None, "") else _moment(raw)
    if called_at is None:
        problems.add("called_at", _l("Enter the time as YYYY-MM-DD HH:MM."))
    elif called_at > at:
        problems.add("called_at", _l("The call-back cannot be in the future."))
    elif called_at.date() < item.opened_on:
        problems.add("called_at", _l("The call-back cannot come before the rating."))
    contact = _required_text(values, "contact", problems, CONTACT_MAX_CHARS)
    note = _required_text(values, "note", problems)
    if problems:
        session.rollback()
        problems.raise_if_any()
    item.callback_at, item.callback_contact, item.callback_note = called_at, contact, note
    _event(item, actor, "callback", at, note, called_at=called_at.strftime("%Y-%m-%d %H:%M"), contact=contact)
    session.commit()
    return item


def record_actions(session: Session, actor: StaffUser, pk: Any, values: Mapping[str, Any], *,
                   at: datetime | None = None) -> Rectification:
    """整改措施: ``actions``, what was done (replaces the measures on record; the history keeps each)."""
    item, _ = _load(session, actor, pk)
    _require_status(item, RectificationStatus.OPEN, RectificationStatus.APPEALED)
    problems = ProblemCollector()
    actions = _required_text(values, "actions", problems)
    if problems:
        session.rollback()
        problems.raise_if_any()
    at = at or now()
    item.actions = actions
    _event(item, actor, "actions", at, actions)
    session.commit()
    return item


def close(session: Session, actor: StaffUser, pk: Any, values: Mapping[str, Any] | None = None, *,
          at: datetime | None = None) -> Rectification:
    """Closes the rectification: the applicant called back and the measures on record (``actions`` may come
    with it); every missing one is listed."""
    values = values or {}
    item, _ = _load(session, actor, pk)
    if item.status == RectificationStatus.APPEALED.value:
        raise Conflict(Problem(None, _l("The appeal is being decided: close it after the decision.")))
    _require_status(item, RectificationStatus.OPEN)
    at = at or now()
    actions = _text(values, "actions")
    problems = ProblemCollector()
    if item.callback_at is None:
        problems.add("called_at", _l("Call the applicant back and record it before closing."))
    if len(actions) > TEXT_MAX_CHARS:
        problems.add("actions", _l("At most %(n)d characters.", n=TEXT_MAX_CHARS))
    elif not (actions or item.actions):
        problems.add("actions", _l("Record the measures taken before closing."))
    if problems:
        session.rollback()
        problems.raise_if_any()
    if actions and actions != item.actions:
        item.actions = actions
        _event(item, actor, "actions", at, actions)
    item.status, item.closed_at, item.warning_level = RectificationStatus.CLOSED.value, at, WarningLevel.NONE.value
    _event(item, actor, "closed", at, _text(values, "note"))
    session.commit()
    return item


def appeal(session: Session, actor: StaffUser, pk: Any, values: Mapping[str, Any], *,
           at: datetime | None = None) -> Rectification:
    """申诉: ``reason`` why the rating is plainly not about the service (once per rectification)."""
    item, _ = _load(session, actor, pk)
    if item.appeal_outcome:
        raise Conflict(Problem(None, _l("This rating was appealed once already.")))
    _require_status(item, RectificationStatus.OPEN)
    problems = ProblemCollector()
    reason = _required_text(values, "reason", problems)
    if problems:
        session.rollback()
        problems.raise_if_any()
    at = at or now()
    item.status, item.appeal_reason, item.appealed_at = RectificationStatus.APPEALED.value, reason, at
    item.warning_level = WarningLevel.NONE.value
    _event(item, actor, "appealed", at, reason)
    session.commit()
    return item


def decide_appeal(session: Session, actor: StaffUser, pk: Any, values: Mapping[str, Any], *,
                  at: datetime | None = None, today: date | None = None) -> Rectification:
    """The city supervisor's decision on an appeal: ``outcome`` upheld or rejected, ``note`` why (required
    when rejected: the window must know what to rectify)."""
    item, _ = _load(session, actor, pk, decide=True)
    if item.status != RectificationStatus.APPEALED.value:
        raise Conflict(Problem(None, _l("There is no appeal to decide.")))
    problems = ProblemCollector()
    outcome = _text(values, "outcome")
    if outcome not in {o.value for o in AppealOutcome}:
        problems.add("outcome", _l("Choose whether the appeal is upheld or rejected."))
    note = _text(values, "note")
    if len(note) > TEXT_MAX_CHARS:
        problems.add("note", _l("At most %(n)d characters.", n=TEXT_MAX_CHARS))
    elif outcome == AppealOutcome.REJECTED.value and not note:
        problems.add("note", _l("Say why the appeal is rejected."))
    if problems:
        session.rollback()
        problems.raise_if_any()
    at = at or now()
    item.appeal_outcome, item.appeal_note, item.appeal_decided_at = outcome, note, at
    if outcome == AppealOutcome.UPHELD.value:
        item.status, item.closed_at = RectificationStatus.VOIDED.value, at
        item.warning_level = WarningLevel.NONE.value
        item.rating.excluded = True
        _event(item, actor, "appeal_upheld", at, note)
    else:
        item.status = RectificationStatus.OPEN.value
        item.warning_level = warning_of(session, item, today or at.date())
        _event(item, actor, "appeal_rejected", at, note)
    session.commit()
    return item


def warning_of(session: Session, item: Rectification, today: date) -> str:
    """The warning level of one rectification today (the rule of the set-based pass)."""
    if item.status != RectificationStatus.OPEN.value:
        return WarningLevel.NONE.value
    if today > item.due_on:
        return WarningLevel.RED.value
    if item.due_on <= warning_cutoff(load_calendar(session), today, near_working_days()):
        return WarningLevel.YELLOW.value
    return WarningLevel.NONE.value
