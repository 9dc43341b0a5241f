"""Each step of the process is one command and one transaction (the Superset command pattern):
``validate()`` collects every problem, ``run()`` applies the step, writes the history, recomputes the
deadlines, keeps the ledger and queues the side effects in the outbox — all committed together, or
nothing at all.

Answers: NotFound (out of scope or missing → 404), Forbidden (this user may not take this step → 403),
Conflict (not allowed in the current status, or changed meanwhile → 409), ValidationFailed (→ 422).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.workflow import (
    TRANSITIONS,
    FieldKind,
    FieldSpec,
    Side,
    Status,
    Transition,
    acting_sides,
    allowed_from,
)
from app.errors import Conflict, Forbidden, NotFound, ProblemCollector
from app.models.case import Case, Correction, CorrectionItem, DeliveryMethod, ShipmentDirection
from app.models.staff import StaffUser
from app.scope import Reach, reach_of
from app.services import outbox
from app.services.case_input import parse_date
from app.services.case_numbers import draw_number
from app.services.cases import add_event, case_sides, get_case, refresh_deadlines, sides_of
from app.services.case_labels import STATUS_LABELS, TRANSITION_LABELS
from app.services.ledger import sync_ledger
from app.services.shipments import booked_waybill, record_sent

class TransitionCommand:
    def __init__(self, session: Session, user: StaffUser, case_id: Any, name: str, data: Mapping[str, Any] | None,
                 expected_version: int | None = None, today: date | None = None) -> None:
        self.session, self.user, self.case_id = session, user, case_id
        self.transition: Transition | None = TRANSITIONS.get(name)
        self.data = dict(data or {})
        self.expected_version = expected_version
        self.today = today or date.today()
        self.reach = reach_of(user)
        self.case: Case | None = None
        self.values: dict[str, Any] = {}

    # --- the command -------------------------------------------------------------------------

    def run(self) -> Case:
        try:
            self._load()
            self._check_allowed()
            self.validate()
            self._apply()
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(_l("The case was changed by someone else meanwhile; reload it and try again.")) from None
        except Exception:
            self.session.rollback()
            raise
        return self.case

    def _load(self) -> None:
        if self.transition is None:
            raise NotFound()
        self.case = get_case(self.session, self.reach, self.case_id, lock=True)

    def _check_allowed(self) -> None:
        if self.expected_version is not None and self.expected_version != self.case.version:
            raise Conflict(_l("The case was changed by someone else meanwhile; reload it and try again."))
        refusal = step_refusal(self.reach, self.case, self.transition)
        if refusal is not None:
            raise refusal

    def validate(self) -> None:
        problems = ProblemCollector()
        for spec in self.transition.fields:
            self.values[spec.name] = self._read_field(spec, problems)
        unknown = sorted(set(self.data) - {f.name for f in self.transition.fields} - {"version"})
        for name in unknown:
            problems.add(name, _l("Unknown field."))
        guard = getattr(self, f"_guard_{self.transition.name}", None)
        if guard is not None:
            guard(problems)
        problems.raise_if_any()

    def _apply(self) -> None:
        case, transition = self.case, self.transition
        before = case.status
        handler: Callable[[], None] = getattr(self, f"_do_{transition.name}")
        handler()
        case.status = transition.target
        note = self.values.get("note") or self.values.get("reason") or ""
        add_event(self.session, case, transition.name, before, self.user, note=note, data=self._event_data())
        self.session.flush()
        refresh_deadlines(self.session, case, self.today)
        sync_ledger(self.session, case, self.user.name, self.today, window_role=self._window_role())
        ref = str(case.corrections[-1].round) if transition.name == "request_correction" else ""
        for effect in transition.effects_for(case.delivery_method == DeliveryMethod.MAIL):
            outbox.queue(self.session, effect, case, transition=transition.name, ref=ref)

    # --- fields ------------------------------------------------------------------------------

    def _read_field(self, spec: FieldSpec, problems: ProblemCollector) -> Any:
        raw = self.data.get(spec.name)
        if spec.kind == FieldKind.ITEMS:
            return self._read_items(spec, raw, problems)
        if spec.kind == FieldKind.BOOL_LIST:
            return self._read_verified(raw, problems)
        text = "" if raw is None else str(raw).strip()
        if spec.required and not text:
            problems.add(spec.name, _l("This field is required."))
            return None
        if spec.kind == FieldKind.DATE:
            return self._read_date(spec.name, text, problems)
        if spec.kind == FieldKind.CHOICE and text and text not in spec.choices:
            problems.add(spec.name, _l("Choose one of: %(choices)s.", choices=", ".join(spec.choices)))
        return text

    def _read_date(self, name: str, text: str, problems: ProblemCollector) -> date:
        try:
            value = parse_date(text) or self.today
        except ValueError:
            problems.add(name, _l("Enter the date as YYYY-MM-DD."))
            return self.today
        if value > self.today:
            problems.add(name, _l("The date cannot be in the future."))
        if value < self.case.applied_on:
            problems.add(name, _l("The date cannot be before the application date."))
        return value

    @staticmethod
    def _read_items(spec: FieldSpec, raw: Any, problems: ProblemCollector) -> list[dict[str, str]]:
        """Items as [{"name": …, "reason": …}] (reasons to decline may be plain strings)."""
        if raw in (None, ""):
            raw = []
        if isinstance(raw, str):
            raw = [line for line in raw.splitlines() if line.strip()]
        if not isinstance(raw, list):
            problems.add(spec.name, _l("Give a list."))
            return []
        items = []
        for index, item in enumerate(raw, start=1):
            if isinstance(item, str):
                item = {"name": "", "reason": item}
            name = str(item.get("name") or "").strip() if isinstance(item, Mapping) else ""
            reason = str(item.get("reason") or "").strip() if isinstance(item, Mapping) else ""
            if spec.name == "items" and not name:
                problems.add(f"{spec.name}[{index}].name", _l("Name the material to supply."))
            if not reason:
                problems.add(f"{spec.name}[{index}].reason", _l("Give the reason."))
            items.append({"name": name, "reason": reason})
        if spec.required and not items:
            problems.add(spec.name, _l("List at least one item, all of them at once."))
        return items

    def _read_verified(self, raw: Any, problems: ProblemCollector) -> dict[int, bool]:
        """Which received materials the clerk verified against the original: {seq: bool} or [seq, …]."""
        if raw in (None, ""):
            return {}
        if isinstance(raw, list):
            raw = {str(seq): True for seq in raw}
        if not isinstance(raw, Mapping):
            problems.add("verified", _l("Give the verified materials by their number."))
            return {}
        known = {m.seq for m in self.case.materials}
        verified = {}
        for key, value in raw.items():
            try:
                seq = int(key)
            except (TypeError, ValueError):
                seq = -1
            if seq not in known:
                problems.add("verified", _l("There is no material number %(seq)s.", seq=key))
                continue
            verified[seq] = bool(value)
        return verified

    def _event_data(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.values.items()
                if k not in ("note",) and v not in (None, "", [], {})}

    def _window_role(self) -> str | None:
        """Whose ledger row this step opens: the origin's at acceptance, the home's when the parcel
        arrives (or at acceptance, for a case an outside window sent us)."""
        sides = sides_of(self.reach, self.case)
        if Side.ORIGIN_WINDOW in sides and not self.case.origin_center.external and self.transition.name == "accept":
            return "origin"
        if Side.HOME_WINDOW in sides and self.transition.name in ("receive", "accept"):
            return "home"
        return None

    # --- guards: every problem of the step, at once --------------------------------------------

    def _guard_accept(self, problems: ProblemCollector) -> None:
        case = self.case
        verified = {m.seq: self.values["verified"].get(m.seq, m.verified) for m in case.materials}
        received = {m.requirement_seq: m for m in case.materials if m.received and m.requirement_seq}
        for requirement in case.guide.content["materials"]:
            material = received.get(requirement["seq"])
            if requirement["required"] and material is None:
                problems.add("materials", _l("Missing: %(name)s.", name=requirement["name"]))
            elif material is not None and requirement.get("original_check") and not verified[material.seq]:
                problems.add("verified", _l("Verify the original of: %(name)s.", name=requirement["name"]))
        if case.matter.status == "retired":
            problems.add("matter_id", _l("%(name)s has been retired and takes no new cases.", name=case.matter.name))
        if case.origin_center.external and not case.counterpart_number:
            problems.add("counterpart_number", _l("Enter the number the outside window gave the case."))

    def _guard_dispatch(self, problems: ProblemCollector) -> None:
        booked = booked_waybill(self.case, ShipmentDirection.MATERIALS)
        if not self.values.get("waybill_number") and not booked:
            problems.add("waybill_number", _l("Enter the waybill number printed by the courier."))
        self._check_booked_waybill(problems, booked)

    def _guard_deliver(self, problems: ProblemCollector) -> None:
        booked = booked_waybill(self.case, ShipmentDirection.RESULT)
        if self.case.delivery_method == DeliveryMethod.MAIL and not self.values.get("waybill_number") and not booked:
            problems.add("waybill_number", _l("The result is mailed: enter the waybill number."))
        self._check_booked_waybill(problems, booked)

    def _check_booked_waybill(self, problems: ProblemCollector, booked: str) -> None:
        """A parcel the courier booked keeps its waybill (the pickup is ordered under it)."""
        typed = self.values.get("waybill_number")
        if booked and typed and typed != booked:
            problems.add("waybill_number", _l("The courier booked this parcel under waybill %(waybill)s: "
                                              "leave the field empty or enter that number.", waybill=booked))

    def _guard_archive(self, problems: ProblemCollector) -> None:
        """Everything the archive needs, each missing item named (scans, notices, results, waybills)."""
        from app.services.archive import archive_problems

        for problem in archive_problems(self.session, self.case):
            problems.add(problem.field, problem.message)

    # --- what each step does -----------------------------------------------------------------------

    def _decide(self) -> None:
        """The first formal decision gives the case its number, at the window that decides."""
        case = self.case
        deciding = case.home_center if case.origin_center.external else case.origin_center
        case.number = draw_number(self.session, deciding, self.today.year)
        case.decided_on = self.today

    def _do_accept(self) -> None:
        case = self.case
        for material in case.materials:
            if material.seq in self.values["verified"]:
                material.verified = self.values["verified"][material.seq]
        self._decide()
        inbound = case.origin_center.external
        case.accepted_on = self.values.get("accepted_on") if inbound else self.today
        case.accepted_by_fk = self.user.id

    def _do_reject(self) -> None:
        self._decide()
        self.case.closed_reason = "\n".join(item["reason"] for item in self.values["reasons"])

    def _do_dispatch(self) -> None:
        record_sent(self.session, self.case, ShipmentDirection.MATERIALS, carrier=self.values.get("carrier"),
                    waybill=self.values["waybill_number"], sent_on=self.values["sent_on"])

    def _do_receive(self) -> None:
        open_parcels = [s for s in self.case.shipments
                        if s.direction != ShipmentDirection.RESULT and s.sent_on and not s.received_on]
        for shipment in open_parcels:
            shipment.received_on = self.values["received_on"]

    def _do_forward(self) -> None:
        """Handed to the department: the processing clock keeps running from acceptance."""

    def _do_request_correction(self) -> None:
        case = self.case
        received = [s.received_on for s in case.shipments if s.received_on]
        correction = Correction(case=case, round=len(case.corrections) + 1, requested_on=self.today,
                                materials_received_on=max(received) if received else case.accepted_on,
                                requested_by_fk=self.user.id, requested_by_name=self.user.name,
                                note=self.values.get("note") or "")
        for seq, item in enumerate(self.values["items"], start=1):
            correction.items.append(CorrectionItem(seq=seq, name=item["name"], reason=item["reason"]))
        self.session.add(correction)

    def _do_supplement(self) -> None:
        case = self.case
        open_correction = next(c for c in reversed(case.corrections) if c.supplied_on is None)
        open_correction.supplied_on = self.values["supplied_on"]
        if self.values.get("waybill_number"):
            record_sent(self.session, case, ShipmentDirection.SUPPLEMENT, carrier=self.values.get("carrier"),
                        waybill=self.values["waybill_number"], sent_on=self.values["supplied_on"])

    def _do_complete(self) -> None:
        case = self.case
        case.result = self.values["result"]
        case.result_note = self.values.get("result_note") or ""
        case.completed_on = self.today

    def _do_deliver(self) -> None:
        case = self.case
        case.delivered_on = self.values["delivered_on"]
        if case.delivery_method == DeliveryMethod.MAIL:
            record_sent(self.session, case, ShipmentDirection.RESULT, carrier=self.values.get("carrier"),
                        waybill=self.values["waybill_number"], sent_on=self.values["delivered_on"])

    def _do_archive(self) -> None:
        """The case becomes read-only; its archive package is built by a job (app.services.archive)."""
        from app.domain.workflow import Effect

        self.case.archived_on = self.today
        outbox.queue(self.session, Effect("build_archive", "package"), self.case, transition="archive")

    def _do_withdraw(self) -> None:
        self.case.closed_reason = self.values["reason"]


def step_refusal(reach: Reach, case: Case, transition: Transition) -> Conflict | Forbidden | None:
    """Why this user cannot take ``transition`` on ``case`` now, or None (forms ask before showing)."""
    status = Status(case.status)
    step = TRANSITION_LABELS[transition.name]
    if status not in transition.sources:
        allowed = "、".join(str(TRANSITION_LABELS[n]) for n in allowed_from(status)) or str(_l("none"))
        return Conflict(_l("%(step)s is not possible while the case is %(status)s. Possible now: %(allowed)s.",
                           step=step, status=STATUS_LABELS[case.status], allowed=allowed))
    if not acting_sides(transition, case_sides(case)) & sides_of(reach, case):
        return Forbidden(_l("%(step)s is done by another window or by the department.", step=step))
    return None


def perform(session: Session, user: StaffUser, case_id: Any, name: str, data: Mapping[str, Any] | None = None,
            expected_version: int | None = None, today: date | None = None) -> Case:
    """Runs one step of the process on one case (see the module docstring for the answers)."""
    return TransitionCommand(session, user, case_id, name, data, expected_version, today).run()
