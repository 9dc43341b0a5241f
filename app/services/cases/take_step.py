"""Taking a step of the process: the one entry point, for the pages, the API and the tests alike.

``take_step`` is one command and one transaction (the Superset command pattern): it loads and locks
the case once within the user's scope, checks the role's permission, the status and the side,
validates the step's fields and its own rules (every problem at once), runs the step's function
(``app.services.cases.steps``), writes the history, recomputes the deadlines, keeps the ledger and
queues the jobs the table declares in the outbox — all committed together, or nothing at all.

``available_steps`` is the one answer to "what can this user do on this case now"; the work queue,
the case page and the API all ask it.

Answers: NotFound (unknown step, case missing or out of scope → 404), Forbidden (this role or side
may not take the step → 403), Conflict (not possible in the current status, or changed meanwhile →
409), ValidationFailed (→ 422).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.workflow import TRANSITIONS, Side, Status, Transition, acting_sides, allowed_from, transitions_for
from app.errors import Conflict, Forbidden, NotFound, ProblemCollector
from app.labels import DELIVERY_LABELS, STATUS_LABELS, joined, step_label
from app.models.case import Case, DeliveryMethod
from app.models.staff import StaffUser
from app.platform import outbox
from app.scope import Reach, reach_of
from app.services.cases.access import case_sides, get_case, sides_of
from app.services.cases.deadlines import refresh_deadlines
from app.services.cases.files import CheckedFile
from app.services.cases.history import add_event
from app.services.cases.ledger import sync_ledger
from app.services.cases.precheck import precheck_applies
from app.services.cases.step_fields import read_step_values
from app.services.cases.steps import CHECK_FUNCTIONS, STEP_FUNCTIONS, StepRun
from app.services.organisation.roles import holds_permission
from app.services.organisation.stand_ins import ON_BEHALF_ID, ON_BEHALF_NAME, on_behalf_of

CASE_RESOURCE = "Case"
CHANGED_MEANWHILE = _l("The case was changed by someone else meanwhile; reload it and try again.")


def take_step(session: Session, user: StaffUser, case_id: Any, name: str, values: Mapping[str, Any] | None = None,
              *, expected_version: int | None = None, today: date | None = None) -> Case:
    """Takes the step ``name`` on one case for ``user`` (see the module docstring for the answers)."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise NotFound()
    today = today or date.today()
    reach = reach_of(user)
    try:
        case = get_case(session, reach, case_id, lock=True)
        role_refusal = _role_refusal(user, transition, case)
        if role_refusal is not None:
            raise role_refusal
        if expected_version is not None and expected_version != case.version:
            raise Conflict(CHANGED_MEANWHILE)
        refusal = step_refusal(user, reach, case, transition)
        if refusal is not None:
            raise refusal
        run = _validated_run(session, user, reach, case, transition, dict(values or {}), today)
        _apply(run)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE) from None
    except Exception:
        session.rollback()
        raise
    return case


def step_refusal(user: StaffUser, reach: Reach, case: Case, transition: Transition) -> Conflict | Forbidden | None:
    """Why ``user`` cannot take ``transition`` on ``case`` now, or None (forms ask before showing)."""
    role_refusal = _role_refusal(user, transition, case)
    if role_refusal is not None:
        return role_refusal
    step = step_label(transition.name, case)
    status = Status(case.status)
    by_mail = case.delivery_method == DeliveryMethod.MAIL
    if not transition.starts_from(status, by_mail):
        allowed = joined(step_label(n, case) for n in allowed_from(status, by_mail)) or str(_l("none"))
        if status in transition.all_sources:  # a step of the other way of delivering the result
            return Conflict(_l("%(step)s does not apply to this case while it is %(status)s: the result is delivered "
                               "as chosen, %(delivery)s. Possible now: %(allowed)s.", step=step,
                               status=STATUS_LABELS[case.status], delivery=DELIVERY_LABELS[case.delivery_method],
                               allowed=allowed))
        return Conflict(_l("%(step)s is not possible while the case is %(status)s. Possible now: %(allowed)s.",
                           step=step, status=STATUS_LABELS[case.status], allowed=allowed))
    if not acting_sides(transition, case_sides(case)) & sides_of(reach, case):
        return Forbidden(_l("%(step)s is done by another window or by the department.", step=step))
    return None


def _role_refusal(user: StaffUser, transition: Transition, case: Case) -> Forbidden | None:
    if holds_permission(user, transition.permission, CASE_RESOURCE):
        return None
    return Forbidden(_l("Your role does not take the step %(step)s.", step=step_label(transition.name, case)))


def available_steps(case: Case, user: StaffUser, reach: Reach | None = None) -> list[Transition]:
    """The steps ``user`` can take on ``case`` now: the table's rule for the sides the user stands on,
    and the role's permission."""
    reach = reach or reach_of(user)
    possible = transitions_for(Status(case.status), sides_of(reach, case), case_sides(case))
    return [t for t in possible if holds_permission(user, t.permission, CASE_RESOURCE)]


# --- inside the transaction --------------------------------------------------------------------------


def step_target(transition: Transition, case: Case) -> Status:
    """Where the step leads this case: an inbound case's acceptance to 已签收, a pre-checked one's to 预审中."""
    return transition.target_for(case.inbound, precheck=precheck_applies(case))


def _validated_run(session: Session, user: StaffUser, reach: Reach, case: Case, transition: Transition,
                   data: dict[str, Any], today: date) -> StepRun:
    problems = ProblemCollector()
    values = read_step_values(transition, data, case, today, problems)
    given = frozenset(name for name, value in data.items() if value not in (None, "", [], {}))
    run = StepRun(session=session, user=user, case=case, transition=transition, values=values, today=today,
                  sides=sides_of(reach, case), given=given)
    check = CHECK_FUNCTIONS.get(transition.name)
    if check is not None:
        check(run, problems)
    problems.raise_if_any()
    return run


def _apply(run: StepRun) -> None:
    case, transition = run.case, run.transition
    before = case.status
    # decided before the step's own event makes the stand-in the last to act
    absent = on_behalf_of(run.session, run.user, case, run.sides & acting_sides(transition, case_sides(case)),
                          run.today)
    STEP_FUNCTIONS[transition.name](run)
    case.status = step_target(transition, case)
    note = run.values.get("note") or run.values.get("reason") or ""
    data = _event_data(run.values)
    if absent is not None:
        data.update({ON_BEHALF_NAME: absent.name, ON_BEHALF_ID: absent.id})
    add_event(run.session, case, transition.name, before, run.user, note=note, data=data)
    run.session.flush()
    refresh_deadlines(run.session, case, run.today)
    # the ledger is the notice's Chinese form (附件3): its 经办人 says 代X办理 in its own words
    handler = run.user.name if absent is None else f"{run.user.name}（代{absent.name}办理）"
    sync_ledger(run.session, case, handler, run.today, window_role=_ledger_row_opened(run),
                on_behalf_at=_window_acted_at(run) if absent is not None else None)
    deferred = any(m.deferred_until is not None for m in case.materials)  # 容缺受理: its notice
    for effect in transition.effects_for(case.delivery_method == DeliveryMethod.MAIL, inbound=case.inbound,
                                         deferred=deferred):
        outbox.queue(run.session, effect, case, transition=transition.name, ref=run.ref)


def _event_data(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in values.items() if k != "note" and v not in (None, "", [], {})}


def _plain(value: Any) -> Any:
    """A step's value as the history keeps it (JSON): dates as ISO text, an uploaded scan by its name."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, CheckedFile):
        return value.name
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _window_acted_at(run: StepRun) -> str | None:
    """The window ("origin"/"home") the user took the step for, if a window took it."""
    acting = run.sides & acting_sides(run.transition, case_sides(run.case))
    for side, role in ((Side.ORIGIN_WINDOW, "origin"), (Side.HOME_WINDOW, "home")):
        if side in acting:
            return role
    return None


def _ledger_row_opened(run: StepRun) -> str | None:
    """Whose ledger row this step opens (the table's ``opens_ledger``) for the window the user acts at:
    the origin's at acceptance, the home's when the parcel arrives (or at acceptance, for a case an
    outside window sent us)."""
    for side, role in ((Side.ORIGIN_WINDOW, "origin"), (Side.HOME_WINDOW, "home")):
        if side in run.transition.opens_ledger and side in run.sides:
            return role
    return None
