"""The process of the notice (§三) as a state machine: the one source of truth for transitions.

View buttons, REST endpoints, permission names, the case history and the diagram in the docs are all
derived from ``TRANSITIONS``. Pure Python: which user may act is decided from the case's *sides*
(origin window, home window, department) and whether each side is inside the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable


class Status(StrEnum):
    DRAFT = "draft"  # 申报: registered, materials being checked
    ACCEPTED = "accepted"  # 受理(代收)
    #: 预审中: accepted; the department looks at the scans before the parcel leaves (远程预审)
    PRECHECK = "precheck"
    #: 预审补正: the department asked for corrections at the pre-check; relayed at the window
    PRECHECK_CORRECTION = "precheck_fix"
    REJECTED = "rejected"  # 不予受理(代收)
    IN_TRANSIT = "in_transit"  # 寄递中
    RECEIVED = "received"  # 已签收
    PROCESSING = "processing"  # 办理中
    CORRECTION = "correction"  # 待补正
    SUPPLEMENT_SENT = "supplement_sent"  # 补正材料寄递中: supplied at the window, on the way to the home window
    IN_PROCEDURE = "in_procedure"  # 特别程序中: the clock stops (Administrative Licensing Law Art. 45)
    EXTENSION_ASKED = "extension_asked"  # 延期待批: the department asked for more time; the clock runs
    COMPLETED = "completed"  # 已办结
    #: 结果寄递中: collected at the window, the result is on its way from the home window to the origin window
    RESULT_SENT = "result_sent"
    DELIVERED = "delivered"  # 已送达
    ARCHIVED = "archived"  # 已归档
    WITHDRAWN = "withdrawn"  # 已撤回


OPEN_STATUSES = frozenset({
    Status.DRAFT, Status.ACCEPTED, Status.PRECHECK, Status.PRECHECK_CORRECTION, Status.IN_TRANSIT, Status.RECEIVED, Status.PROCESSING, Status.CORRECTION,
    Status.SUPPLEMENT_SENT, Status.IN_PROCEDURE, Status.EXTENSION_ASKED, Status.COMPLETED, Status.RESULT_SENT,
})
CLOSED_STATUSES = frozenset(Status) - OPEN_STATUSES
#: a case in these states can no longer change at all (read-only)
FROZEN_STATUSES = frozenset({Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN})


class StepName(StrEnum):
    """The names of the steps (the keys of ``TRANSITIONS``), so that code naming a step can be found."""

    ACCEPT = "accept"
    REJECT = "reject"
    PASS_PRECHECK = "pass_precheck"
    REQUEST_PRECHECK_CORRECTION = "request_precheck_correction"
    SUPPLY_PRECHECK = "supply_precheck"
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    FORWARD = "forward"
    REQUEST_CORRECTION = "request_correction"
    SUPPLEMENT = "supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    START_SPECIAL_PROCEDURE = "start_special_procedure"
    END_SPECIAL_PROCEDURE = "end_special_procedure"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    COMPLETE = "complete"
    SEND_RESULT = "send_result"
    DELIVER = "deliver"
    ARCHIVE = "archive"
    WITHDRAW = "withdraw"


class Side(StrEnum):
    """Who acts in a step: the window where the applicant filed, the home window, the department."""

    ORIGIN_WINDOW = "origin_window"
    HOME_WINDOW = "home_window"
    DEPARTMENT = "department"


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    CHOICE = "choice"
    ITEMS = "items"  # a list of {name, reason} (correction items, reasons to decline)
    #: per item of the open correction: supplied or not, with the scan of what was supplied
    SUPPLIED_ITEMS = "supplied_items"
    BOOL_LIST = "bool_list"  # per material: verified or not
    FILES = "files"  # files attached to the step (result documents): [{name, data | content_base64}]
    WORKING_DAYS = "working_days"  # a whole number of working days, at least 1
    #: 容缺受理: the missing materials accepted against the applicant's written promise, the day promised and
    #: whether the promise (承诺书) is signed: {materials: [seq], until: date, promise_signed: bool}
    DEFERRED = "deferred"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    #: only when the applicant chose to have the result mailed (a waybill, the mailing address)
    only_if_mail: bool = False
    #: only for a case an outside window accepted and mailed to us (inbound): what its notice says
    inbound_only: bool = False
    #: only when the applicant collects the result at the window (the day its parcel reached the window)
    only_if_pickup: bool = False

    def applies(self, delivery_by_mail: bool = False, inbound: bool = False) -> bool:
        return ((delivery_by_mail or not self.only_if_mail) and not (delivery_by_mail and self.only_if_pickup)
                and (inbound or not self.inbound_only))


@dataclass(frozen=True)
class Effect:
    """A job queued through the outbox: ``topic`` names the job, ``key`` what it works on, and after a
    ``?`` when it is queued: ``mail`` only when the applicant chose delivery by mail, ``pickup`` only when the
    applicant collects the result at the window, ``ours`` only for a
    case accepted at a window of ours, ``inbound`` only for a case an outside window accepted and mailed
    to us (our window prints its receipt, never an acceptance notice in the other office's name), ``deferred``
    only for a case with a material accepted 容缺 (its 容缺受理告知承诺书)."""

    topic: str
    key: str
    condition: str = ""

    CONDITIONS = ("", "mail", "pickup", "ours", "inbound", "deferred")

    @classmethod
    def parse(cls, text: str) -> Effect:
        topic, _, rest = text.partition(":")
        key, _, condition = rest.partition("?")
        if condition not in cls.CONDITIONS:
            raise ValueError(f"unknown condition {condition!r} of effect {text!r}")
        return cls(topic, key, condition)

    @property
    def only_if_mail(self) -> bool:
        return self.condition == "mail"

    def applies(self, delivery_by_mail: bool, inbound: bool, deferred: bool = False) -> bool:
        return {"": True, "mail": delivery_by_mail, "pickup": not delivery_by_mail, "ours": not inbound,
                "inbound": inbound, "deferred": deferred}[self.condition]


def N_(text: str) -> str:
    """Marks a text for translation without translating it here (the domain imports no Flask-Babel);
    ``app.labels`` translates it when it is shown."""
    return text


@dataclass(frozen=True)
class Transition:
    name: StepName
    sources: frozenset[Status]
    target: Status
    #: the sides that act; when a side is outside the system the window on our side records it
    actors: tuple[Side, ...]
    #: what the step is called on buttons, in the history and in messages (English msgid)
    label: str
    #: the help shown above the step's form (English msgid)
    help: str
    fields: tuple[FieldSpec, ...] = ()
    #: jobs queued through the outbox when the step commits ("topic:key", "?mail" if mail only)
    effects: tuple[str, ...] = ()
    #: the windows whose ledger row (附件3) the step opens, for the window the user acts at
    opens_ledger: frozenset[Side] = frozenset()
    #: shown with a warning colour and a confirmation in the views
    dangerous: bool = False
    #: the sides that act instead when the applicant chose to have the result mailed (empty: ``actors``)
    mail_actors: tuple[Side, ...] = ()
    #: a decision only a person with the right to approve takes (延期, Art. 42: 本行政机关负责人批准): its
    #: permission is held by approvers, not by every officer of the side
    approval: bool = False
    #: on a case an outside window accepted and mailed to us (inbound), the step is a different act of our
    #: window: its own name and help (empty: ``label``/``help``), and where it leads (None: ``target``)
    inbound_label: str = ""
    inbound_help: str = ""
    inbound_target: Status | None = None
    #: on a case whose matter is pre-checked (远程预审) and accepted at our window, where the step leads instead
    precheck_target: Status | None = None

    def label_for(self, inbound: bool = False) -> str:
        """The step's name (English msgid) on a case of ours or on an inbound case."""
        return self.inbound_label if inbound and self.inbound_label else self.label

    def help_for(self, inbound: bool = False) -> str:
        return self.inbound_help if inbound and self.inbound_help else self.help

    def target_for(self, inbound: bool = False, precheck: bool = False) -> Status:
        """The status the step leads to on a case of ours or on an inbound case, and on a case of ours whose
        matter is pre-checked (never an inbound one: its parcel has already arrived)."""
        if inbound:
            return self.inbound_target if self.inbound_target is not None else self.target
        return self.precheck_target if precheck and self.precheck_target is not None else self.target
    #: the statuses the step starts from instead when the result is mailed (empty: ``sources``)
    mail_sources: frozenset[Status] = frozenset()
    #: the step exists only for one way of delivering the result: "mail", "pickup" (at the window) or "" (both)
    delivery: str = ""

    def __post_init__(self) -> None:
        if self.delivery not in DELIVERIES:
            raise ValueError(f"unknown delivery {self.delivery!r} of step {self.name!r}")

    def actors_for(self, delivery_by_mail: bool) -> tuple[Side, ...]:
        return self.mail_actors if delivery_by_mail and self.mail_actors else self.actors

    def applies_to(self, delivery_by_mail: bool) -> bool:
        """The step belongs to a case whose result is delivered this way."""
        return self.delivery != ("pickup" if delivery_by_mail else "mail")

    def sources_for(self, delivery_by_mail: bool) -> frozenset[Status]:
        """The statuses the step starts from on a case whose result is delivered this way (none if the step
        does not belong to such a case)."""
        if not self.applies_to(delivery_by_mail):
            return frozenset()
        return self.mail_sources if delivery_by_mail and self.mail_sources else self.sources

    def starts_from(self, status: Status, delivery_by_mail: bool) -> bool:
        return status in self.sources_for(delivery_by_mail)

    @property
    def all_sources(self) -> frozenset[Status]:
        """Every status the step starts from, whatever the delivery (the diagram, the docs)."""
        return self.sources | self.mail_sources

    def delivery_from(self, status: Status) -> str:
        """For which delivery the step starts from ``status``: "mail", "pickup" or "" (either)."""
        if self.delivery:
            return self.delivery
        if not self.mail_sources or (status in self.sources and status in self.mail_sources):
            return ""
        return "mail" if status in self.mail_sources else "pickup"

    def effects_for(self, delivery_by_mail: bool, inbound: bool = False, deferred: bool = False) -> list[Effect]:
        """The effects the step queues; ``deferred``: the case has a material accepted 容缺."""
        return [e for e in map(Effect.parse, self.effects) if e.applies(delivery_by_mail, inbound, deferred)]

    def fields_for(self, delivery_by_mail: bool = False, inbound: bool = False) -> tuple[FieldSpec, ...]:
        """The fields the step takes: mailing fields only when the result is mailed, the outside window's
        acceptance only on an inbound case."""
        return tuple(spec for spec in self.fields if spec.applies(delivery_by_mail, inbound))

    @property
    def permission(self) -> str:
        """The FAB permission name on the "Case" resource, e.g. ``can_accept``."""
        return f"can_{self.name}"


#: the ways a result reaches the applicant, as ``Transition.delivery`` names them ("": either)
DELIVERIES = ("", "mail", "pickup")


def _sources(*statuses: Status) -> frozenset[Status]:
    return frozenset(statuses)


NOTE = FieldSpec("note", FieldKind.LONG_TEXT)
#: Art. 45 of the Administrative Licensing Law (听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审) and the
#: public notice (公示) some matters need
SPECIAL_PROCEDURES = ("hearing", "tender", "auction", "testing", "inspection", "quarantine", "appraisal",
                      "expert_review", "public_notice")
#: where a mailed result goes: registered with the case, corrected at the delivery when the applicant changed it
MAILING_FIELDS = ("mail_recipient", "mail_phone", "mail_address", "mail_postcode")
MAIL_CORRECTIONS = tuple(FieldSpec(name, FieldKind.TEXT, only_if_mail=True) for name in MAILING_FIELDS)
WAYBILL = FieldSpec("waybill_number", FieldKind.TEXT)
CARRIER = FieldSpec("carrier", FieldKind.TEXT)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            StepName.ACCEPT, _sources(Status.DRAFT), Status.ACCEPTED, (Side.ORIGIN_WINDOW,),
            label=N_("Accept (on behalf)"),
            help=N_("Check the materials against the review points of the home department and tick each original "
                    "you verified. Accepting gives the case its number and issues the acceptance notice."),
            fields=(FieldSpec("verified", FieldKind.BOOL_LIST), FieldSpec("deferred", FieldKind.DEFERRED),
                    FieldSpec("accepted_on", FieldKind.DATE, inbound_only=True),
                    FieldSpec("counterpart_accepted_by", FieldKind.TEXT, inbound_only=True),
                    # inbound: the parcel the outside window mailed, as our window signed for it
                    FieldSpec("received_on", FieldKind.DATE, inbound_only=True),
                    FieldSpec("waybill_number", FieldKind.TEXT, inbound_only=True), NOTE),
            effects=("render_notice:acceptance?ours", "render_notice:receipt?inbound", "notify_applicant:accepted?ours",
                     "notify_applicant:inbound?inbound", "book_parcel:materials?ours",
                     "render_notice:deferral?deferred"),
            opens_ledger=frozenset({Side.ORIGIN_WINDOW, Side.HOME_WINDOW}),
            # An inbound case is registered when its parcel has arrived: our window does not accept it, it
            # records the receipt (the outside window's acceptance, the parcel signed for) and issues the
            # receipt of materials. The outside window's dispatch and our receiving are that same act, so
            # the case goes straight to 已签收.
            inbound_label=N_("Record receipt"),
            inbound_help=N_("The materials of a case an outside window accepted have arrived by mail. Record who "
                            "accepted it there and when, as its acceptance notice says, the waybill of the parcel "
                            "and the day it reached our window, and tick each original you checked. Our window "
                            "then issues the receipt of materials (not an acceptance notice) and the case is "
                            "ready to forward to the department."),
            inbound_target=Status.RECEIVED,
            # 远程预审: the department looks at the scans before the parcel leaves
            precheck_target=Status.PRECHECK,
        ),
        Transition(
            StepName.REJECT, _sources(Status.DRAFT), Status.REJECTED, (Side.ORIGIN_WINDOW,),
            label=N_("Decline"),
            help=N_("List every reason at once (one-time notice): the applicant receives them together in the "
                    "notice of declining."),
            fields=(FieldSpec("reasons", FieldKind.ITEMS, required=True), NOTE),
            effects=("render_notice:rejection", "notify_applicant:rejected"), dangerous=True,
            # a declined case is work the window did: it has its ledger row, with the outcome 不予受理
            opens_ledger=frozenset({Side.ORIGIN_WINDOW, Side.HOME_WINDOW}),
        ),
        Transition(
            StepName.PASS_PRECHECK, _sources(Status.PRECHECK), Status.ACCEPTED, (Side.DEPARTMENT,),
            label=N_("Pass pre-check"),
            help=N_("The scans are complete and correct: the accepting window sends the materials as they are."),
            fields=(NOTE,),
        ),
        Transition(
            StepName.REQUEST_PRECHECK_CORRECTION, _sources(Status.PRECHECK), Status.PRECHECK_CORRECTION,
            (Side.DEPARTMENT,),
            label=N_("Ask for corrections at pre-check"),
            help=N_("List every missing or faulty item with its reason at once: the accepting window relays them "
                    "while the applicant may still be there, and the parcel leaves once, complete. If the applicant "
                    "has left, the window sends the parcel as it is and your items stay on record."),
            fields=(FieldSpec("items", FieldKind.ITEMS, required=True), NOTE),
        ),
        Transition(
            StepName.SUPPLY_PRECHECK, _sources(Status.PRECHECK_CORRECTION), Status.PRECHECK, (Side.ORIGIN_WINDOW,),
            label=N_("Supplied at the window"),
            help=N_("Upload the scan of each item the department asked for, every item at once: the department "
                    "looks at them again, within a new pre-check time."),
            fields=(FieldSpec("supplied", FieldKind.SUPPLIED_ITEMS, required=True), NOTE),
        ),
        Transition(
            StepName.DISPATCH, _sources(Status.ACCEPTED, Status.PRECHECK_CORRECTION), Status.IN_TRANSIT,
            (Side.ORIGIN_WINDOW,),
            label=N_("Dispatch materials"),
            help=N_("The materials leave within one working day after acceptance; enter the waybill printed by "
                    "the courier."),
            fields=(CARRIER, WAYBILL, FieldSpec("sent_on", FieldKind.DATE), NOTE),
            effects=("notify_applicant:dispatched",),
        ),
        Transition(
            StepName.RECEIVE, _sources(Status.IN_TRANSIT), Status.RECEIVED, (Side.HOME_WINDOW,),
            label=N_("Receive"),
            help=N_("Confirm that the parcel with the materials has arrived."),
            fields=(FieldSpec("received_on", FieldKind.DATE), NOTE),
            opens_ledger=frozenset({Side.HOME_WINDOW}),
        ),
        Transition(
            StepName.FORWARD, _sources(Status.RECEIVED), Status.PROCESSING, (Side.HOME_WINDOW,),
            label=N_("Forward to department"),
            help=N_("Hand the case to the approving department."),
            fields=(NOTE,),
        ),
        Transition(
            StepName.REQUEST_CORRECTION, _sources(Status.PROCESSING), Status.CORRECTION, (Side.DEPARTMENT,),
            label=N_("Request correction"),
            help=N_("List every missing or faulty item with its reason at once; the clock pauses until the items "
                    "are supplied."),
            fields=(FieldSpec("items", FieldKind.ITEMS, required=True), NOTE),
            effects=("render_notice:correction", "notify_applicant:correction"),
        ),
        Transition(
            StepName.SUPPLEMENT, _sources(Status.CORRECTION), Status.SUPPLEMENT_SENT, (Side.ORIGIN_WINDOW,),
            label=N_("Supplement received"),
            help=N_("Tick each requested item the applicant supplied and upload its scan: every item at once. The "
                    "supplied materials go to the home window (enter the waybill); the clock stays paused until the "
                    "department has them."),
            fields=(FieldSpec("supplied", FieldKind.SUPPLIED_ITEMS, required=True),
                    FieldSpec("supplied_on", FieldKind.DATE), CARRIER, WAYBILL, NOTE),
            effects=("book_parcel:supplement",),
        ),
        Transition(
            StepName.RECEIVE_SUPPLEMENT, _sources(Status.SUPPLEMENT_SENT), Status.PROCESSING, (Side.HOME_WINDOW,),
            label=N_("Receive supplement"),
            help=N_("Confirm that the parcel with the supplied materials has arrived and hand them to the "
                    "department: the clock runs again from today."),
            fields=(FieldSpec("received_on", FieldKind.DATE), NOTE),
        ),
        Transition(
            StepName.START_SPECIAL_PROCEDURE, _sources(Status.PROCESSING), Status.IN_PROCEDURE, (Side.DEPARTMENT,),
            label=N_("Start special procedure"),
            help=N_("A hearing, testing, inspection, appraisal, expert review or public notice is needed: record "
                    "which, its expected length in working days and the reason. The time it takes is not counted in "
                    "the limit (Administrative Licensing Law Art. 45); the applicant is told in writing."),
            fields=(FieldSpec("procedure", FieldKind.CHOICE, required=True, choices=SPECIAL_PROCEDURES),
                    FieldSpec("expected_days", FieldKind.WORKING_DAYS, required=True),
                    FieldSpec("started_on", FieldKind.DATE), FieldSpec("reason", FieldKind.LONG_TEXT, required=True),
                    NOTE),
            effects=("render_notice:special_procedure", "notify_applicant:special_procedure"),
        ),
        Transition(
            StepName.END_SPECIAL_PROCEDURE, _sources(Status.IN_PROCEDURE), Status.PROCESSING, (Side.DEPARTMENT,),
            label=N_("End special procedure"),
            help=N_("Record the day the procedure ended and its outcome: the clock runs again after that day."),
            fields=(FieldSpec("ended_on", FieldKind.DATE), FieldSpec("outcome", FieldKind.LONG_TEXT, required=True),
                    NOTE),
        ),
        Transition(
            StepName.REQUEST_EXTENSION, _sources(Status.PROCESSING), Status.EXTENSION_ASKED, (Side.DEPARTMENT,),
            label=N_("Request extension"),
            help=N_("The case cannot be decided within its limit: state how many more working days it needs and "
                    "why. A person with the right to approve decides (Administrative Licensing Law Art. 42); the "
                    "clock keeps running meanwhile."),
            fields=(FieldSpec("days", FieldKind.WORKING_DAYS, required=True),
                    FieldSpec("reason", FieldKind.LONG_TEXT, required=True), NOTE),
        ),
        Transition(
            StepName.APPROVE_EXTENSION, _sources(Status.EXTENSION_ASKED), Status.PROCESSING, (Side.DEPARTMENT,),
            label=N_("Approve extension"),
            help=N_("Approve the extension: the limit grows by the working days granted (no more than asked, nor "
                    "than the matter allows). The applicant is told in writing."),
            fields=(FieldSpec("days", FieldKind.WORKING_DAYS), NOTE),
            effects=("render_notice:extension", "notify_applicant:extended"),
            approval=True,
        ),
        Transition(
            StepName.REFUSE_EXTENSION, _sources(Status.EXTENSION_ASKED), Status.PROCESSING, (Side.DEPARTMENT,),
            label=N_("Refuse extension"),
            help=N_("Give the reason: the case goes on within its limit."),
            fields=(FieldSpec("reason", FieldKind.LONG_TEXT, required=True),),
            approval=True,
        ),
        Transition(
            StepName.COMPLETE, _sources(Status.PROCESSING), Status.COMPLETED, (Side.DEPARTMENT,),
            label=N_("Complete"),
            help=N_("Record the decision of the approving department."),
            fields=(FieldSpec("result", FieldKind.CHOICE, required=True, choices=("approved", "denied")),
                    FieldSpec("result_note", FieldKind.LONG_TEXT), FieldSpec("result_documents", FieldKind.FILES),
                    NOTE),
            effects=("notify_applicant:result_ready", "book_parcel:result?mail", "book_parcel:result_to_window?pickup"),
        ),
        Transition(
            # Notice §三(三): the department returns the result to the home window; collected at 收件处, it must
            # travel to the window where the application was received, as a parcel with its waybill.
            StepName.SEND_RESULT, _sources(Status.COMPLETED), Status.RESULT_SENT, (Side.HOME_WINDOW,),
            delivery="pickup",
            label=N_("Send result to the window"),
            help=N_("The applicant collects the result at the window where the application was received: send "
                    "it there within one working day of completion and enter the waybill printed by the courier."),
            fields=(CARRIER, WAYBILL, FieldSpec("sent_on", FieldKind.DATE), NOTE),
        ),
        Transition(
            # Notice §三(四): the window delivers "as the applicant chose", within one working day of receiving
            # the result. Collected at 收件处 (attachment 1): the window where the application was received;
            # mailed: the home window, to which the department returns the result (§三(三)), mails it at once.
            # Collected at the window, the result first travels there (send_result); mailed, it leaves the home
            # window straight from 已办结.
            StepName.DELIVER, _sources(Status.RESULT_SENT), Status.DELIVERED, (Side.ORIGIN_WINDOW,),
            mail_actors=(Side.HOME_WINDOW,), mail_sources=_sources(Status.COMPLETED),
            label=N_("Deliver result"),
            help=N_("The result reaches the applicant as chosen at registration: at the window (enter the day its "
                    "parcel arrived: the applicant is told within one working day), or by mail with a waybill."),
            fields=(FieldSpec("result_received_on", FieldKind.DATE, only_if_pickup=True),
                    FieldSpec("delivered_on", FieldKind.DATE),
                    FieldSpec("carrier", FieldKind.TEXT, only_if_mail=True),
                    FieldSpec("waybill_number", FieldKind.TEXT, only_if_mail=True), *MAIL_CORRECTIONS, NOTE),
            effects=("notify_applicant:delivered",),
        ),
        Transition(
            StepName.ARCHIVE, _sources(Status.DELIVERED), Status.ARCHIVED, (Side.ORIGIN_WINDOW, Side.HOME_WINDOW),
            label=N_("Archive"),
            help=N_("Archive the case: it becomes read-only."),
            fields=(NOTE,),
            effects=("build_archive_package:package",),
        ),
        Transition(
            StepName.WITHDRAW, OPEN_STATUSES, Status.WITHDRAWN, (Side.ORIGIN_WINDOW, Side.HOME_WINDOW),
            label=N_("Withdraw"),
            help=N_("The applicant withdraws the application: give the reason. This cannot be undone."),
            fields=(FieldSpec("reason", FieldKind.LONG_TEXT, required=True),),
            effects=("notify_applicant:withdrawn",), dangerous=True,
        ),
    )
}


@dataclass(frozen=True)
class CaseSides:
    """Which sides of a case are inside the system (have users) and how its result reaches the applicant:
    the facts the actor rule needs."""

    origin_external: bool
    home_external: bool
    has_department: bool
    #: the applicant chose to have the result mailed (otherwise it is collected at the origin window)
    delivery_by_mail: bool = False


def acting_sides(transition: Transition, sides: CaseSides) -> frozenset[Side]:
    """The sides whose users may perform ``transition``.

    A step of a side outside the system is recorded by the window on our side: the origin window
    records the counterpart's receiving and the outside department's result (outbound case); the home
    window records what the outside window did (inbound case).
    """
    acting: set[Side] = set()
    for side in transition.actors_for(sides.delivery_by_mail):
        acting.add(_stand_in(side, sides))
    return frozenset(acting)


def _stand_in(side: Side, sides: CaseSides) -> Side:
    if side == Side.ORIGIN_WINDOW and sides.origin_external:
        return Side.HOME_WINDOW
    if side == Side.HOME_WINDOW and sides.home_external:
        return Side.ORIGIN_WINDOW
    if side == Side.DEPARTMENT and not sides.has_department:
        return Side.ORIGIN_WINDOW if sides.home_external else Side.HOME_WINDOW
    return side


def allowed_from(status: Status, delivery_by_mail: bool | None = None) -> list[str]:
    """Names of the transitions that may start in ``status``, in table order: on a case whose result is
    delivered that way, or (None) on any case."""
    if delivery_by_mail is None:
        return [t.name for t in TRANSITIONS.values() if status in t.all_sources]
    return [t.name for t in TRANSITIONS.values() if t.starts_from(status, delivery_by_mail)]


def transitions_for(status: Status, sides_of_user: Iterable[Side], sides: CaseSides) -> list[Transition]:
    """The steps a user standing on ``sides_of_user`` can take now (for buttons and queues)."""
    mine = set(sides_of_user)
    return [t for t in TRANSITIONS.values()
            if t.starts_from(status, sides.delivery_by_mail) and acting_sides(t, sides) & mine]


def diagram() -> str:
    """The state machine as a Mermaid diagram (docs are generated from the table, not drawn by hand)."""
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for t in TRANSITIONS.values():
        for source in sorted(t.all_sources):
            delivery = t.delivery_from(source)
            lines.append(f"    {source} --> {t.target}: {t.name}" + (f" ({delivery})" if delivery else ""))
            if t.inbound_target is not None and t.inbound_target != t.target and source in t.sources:
                lines.append(f"    {source} --> {t.inbound_target}: {t.name} (inbound)")
            if t.precheck_target is not None and source in t.sources:
                lines.append(f"    {source} --> {t.precheck_target}: {t.name} (pre-check)")
    for closed in sorted({Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN}):
        lines.append(f"    {closed} --> [*]")
    return "\n".join(lines)
