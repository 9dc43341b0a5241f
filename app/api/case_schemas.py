"""What the case API answers: marshmallow schemas, dumped by ``app.api.cases`` and documented in the
OpenAPI spec."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from app.domain.workflow import FieldKind
from app.labels import STATUS_LABELS, TRANSITION_LABELS
from app.platform.fab import LocalDateTime


class _Whole(fields.Nested):
    """A nested object made of the parent's own attributes (groups flat columns in the answer)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class CaseNameSchema(Schema):
    """A related record by its name (in the list's overview)."""

    name = fields.String()


class _Record(CaseNameSchema):
    id = fields.Integer()


class _CodedRecord(_Record):
    code = fields.String()


class CaseDepartmentSchema(_Record):
    pass


class CaseMatterSchema(_CodedRecord):
    """A matter or a handling type."""


class CaseCenterSchema(_CodedRecord):
    external = fields.Boolean()


class CaseGuideSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()


class CaseMaterialSchema(Schema):
    __component_name__ = "CaseMaterial"

    id = fields.Integer()
    seq = fields.Integer()
    requirement_seq = fields.Integer(allow_none=True)
    name = fields.String()
    copies = fields.Integer()
    form = fields.String(metadata={"description": "original / copy / scan"})
    received = fields.Boolean()
    verified = fields.Boolean()
    note = fields.String()
    has_scan = fields.Function(lambda m: bool(m.scan_key), metadata={"type": "boolean"})
    scan_name = fields.String(allow_none=True)
    scan_size = fields.Integer(allow_none=True)
    scan_content_type = fields.String(allow_none=True)
    scan_sha256 = fields.String(allow_none=True)
    scan_uploaded_on = LocalDateTime(allow_none=True)
    deferred_until = fields.Date(allow_none=True, metadata={"description": "容缺: the day the applicant promised "
                                                                           "to supply it by"})
    promise_signed = fields.Boolean()
    supplied_on = fields.Date(allow_none=True, metadata={"description": "容缺: the day it was supplied"})
    awaiting_supply = fields.Boolean(metadata={"description": "accepted 容缺 and not supplied yet"})


class CaseShipmentSchema(Schema):
    id = fields.Integer()
    direction = fields.String(metadata={"description": "materials / supplement / result (mailed to the applicant) / "
                                                          "result_to_window (to the window where it is collected)"})
    carrier = fields.String()
    waybill_number = fields.String()
    from_center = fields.Nested(CaseCenterSchema, allow_none=True)
    to_center = fields.Nested(CaseCenterSchema, allow_none=True)
    to_address = fields.String()
    sent_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    note = fields.String()


class CaseCorrectionItemSchema(Schema):
    seq = fields.Integer()
    name = fields.String()
    reason = fields.String()
    material_seq = fields.Integer(allow_none=True, metadata={"description": "the case's material it asks for"})
    supplied = fields.Boolean()


class CaseCorrectionSchema(Schema):
    id = fields.Integer()
    round = fields.Integer()
    requested_on = fields.Date()
    requested_by_name = fields.String()
    materials_received_on = fields.Date(allow_none=True)
    supplied_on = fields.Date(allow_none=True)
    supplement_received_on = fields.Date(allow_none=True)
    forwarded_on = fields.Date(allow_none=True, metadata={"description": "the department had the supplied items: "
                                                                         "the pause of the clock ends"})
    note = fields.String()
    items = fields.List(fields.Nested(CaseCorrectionItemSchema))


class CasePrecheckItemSchema(Schema):
    seq = fields.Integer()
    name = fields.String()
    reason = fields.String()
    material_seq = fields.Integer(allow_none=True, metadata={"description": "the case's material it asks for"})
    supplied = fields.Boolean(metadata={"description": "supplied at the window"})


class CasePrecheckSchema(Schema):
    """One round of the remote pre-check (远程预审): the department looked at the scans before the parcel left."""

    round = fields.Integer()
    started_at = LocalDateTime(metadata={"description": "the scans were with the department from then"})
    due_at = LocalDateTime(metadata={"description": "answered by then, else the parcel leaves as it is"})
    answered_at = LocalDateTime(allow_none=True)
    answered_by_name = fields.String()
    outcome = fields.String(metadata={"description": "passed / corrections / timed_out; empty while open"})
    items = fields.List(fields.Nested(CasePrecheckItemSchema), metadata={"description": "the corrections asked"})


class CaseResultDocumentSchema(_Record):
    __component_name__ = "CaseResultDocument"

    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()
    uploaded_on = LocalDateTime()


class CaseResultSchema(Schema):
    decision = fields.String(attribute="result", allow_none=True, metadata={"description": "approved / denied"})
    note = fields.String(attribute="result_note")
    documents = fields.List(fields.Nested(CaseResultDocumentSchema), attribute="result_documents")


class CaseDeadlinesSchema(Schema):
    dispatch_due = fields.Date(allow_none=True)
    process_due = fields.Date(allow_none=True)
    delivery_due = fields.Date(allow_none=True)
    current_due = fields.Date(allow_none=True)
    due_provisional = fields.Boolean(metadata={"description": "a due date runs through a year without calendar data"})
    paused_days = fields.Integer()
    warning_level = fields.String(metadata={"description": "none / yellow / red"})


class CaseStepFieldSchema(Schema):
    name = fields.String()
    kind = fields.String(metadata={"description": ", ".join(k.value for k in FieldKind)})
    required = fields.Boolean()
    choices = fields.List(fields.String())
    inbound_only = fields.Boolean(metadata={"description": "only for a case an outside window accepted and mailed "
                                                           "to us (what its acceptance notice says)"})


class CaseStepSchema(Schema):
    name = fields.String()
    label = fields.Function(lambda t: str(TRANSITION_LABELS[t.name]), metadata={"type": "string"})
    target = fields.String()
    dangerous = fields.Boolean()
    step_fields = fields.List(fields.Nested(CaseStepFieldSchema), attribute="fields", data_key="fields")


class _ApplicationSchema(Schema):
    """What the clerk enters of an application, as it is entered and as the detail shows it."""

    counterpart_number = fields.String()
    department_name = fields.String()
    applicant_kind = fields.String(metadata={"description": "person / organisation"})
    applicant_name = fields.String()
    applicant_id_type = fields.String(metadata={"description": "resident_id / uscc / other"})
    applicant_id_number = fields.String()
    applicant_phone = fields.String()
    applicant_email = fields.String()
    applicant_address = fields.String()
    applicant_postcode = fields.String()
    delivery_method = fields.String(metadata={"description": "pickup / mail"})
    mail_recipient = fields.String()
    mail_phone = fields.String()
    mail_address = fields.String()
    mail_postcode = fields.String()
    fee_note = fields.String()
    remarks = fields.String()
    applied_on = fields.Date()
    form_values = fields.Dict(keys=fields.String(), metadata={
        "description": "补充信息: the values of the extra fields the matter's guide asks (`form_fields` of "
                       "/api/v1/matter/<id>), keyed by field key: text, number, date (YYYY-MM-DD), choice, "
                       "yes/no (true/false), resident ID number, phone, address. Every problem at once (422, "
                       "fields `form_values.<key>`)."})


def _form_fields(case: Any) -> list[dict[str, Any]]:
    return list(case.guide.content.get("fields") or []) if case.guide is not None else []


class CaseDetailSchema(_ApplicationSchema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda c: str(STATUS_LABELS[c.status]), metadata={"type": "string"})
    version = fields.Integer(metadata={"description": "send it back (body `version` or `If-Match`) to change the case"})
    line = fields.String()
    matter = fields.Nested(CaseMatterSchema)
    guide = fields.Nested(CaseGuideSchema)
    handling_type = fields.Nested(CaseMatterSchema)
    origin_center = fields.Nested(CaseCenterSchema)
    home_center = fields.Nested(CaseCenterSchema)
    department = fields.Nested(CaseDepartmentSchema, allow_none=True)
    full_data = fields.Boolean(metadata={"description": "false: identity number and phones are masked"})
    registered_on = LocalDateTime()
    accepted_on = fields.Date(allow_none=True)
    counterpart_accepted_by = fields.String(metadata={"description": "inbound case: who accepted it at the outside "
                                                                     "window, as on its acceptance notice"})
    decided_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    delivered_on = fields.Date(allow_none=True)
    archived_on = fields.Date(allow_none=True)
    closed_reason = fields.String()
    deadlines = _Whole(CaseDeadlinesSchema)
    result = _Whole(CaseResultSchema)
    materials = fields.List(fields.Nested(CaseMaterialSchema))
    form_fields = fields.Function(_form_fields, metadata={
        "type": "array", "items": {"type": "object"},
        "description": "the extra fields of the case's own guide version: key, label, kind, seq, help, required and "
                       "its rules (min_length, max_length, min_value, max_value, choices, pattern)"})
    shipments = fields.List(fields.Nested(CaseShipmentSchema))
    corrections = fields.List(fields.Nested(CaseCorrectionSchema))
    prechecks = fields.List(fields.Nested(CasePrecheckSchema), attribute="precheck_rounds",
                            metadata={"description": "the rounds of the remote pre-check (远程预审), in order"})
    steps = fields.List(fields.Nested(CaseStepSchema), metadata={"description": "the steps the caller can take now"})


class CaseListSchema(Schema):
    """A row of the list: an overview, so the identity number and phones are masked."""

    id = fields.Integer()
    number = fields.String(allow_none=True)
    status = fields.String()
    warning_level = fields.String()
    applicant_name = fields.String()
    applicant_id_number = fields.String(metadata={"description": "masked: 510802********1234"})
    applicant_phone = fields.String(metadata={"description": "masked: 138****5678"})
    matter = fields.Nested(CaseNameSchema)
    handling_type = fields.Nested(CaseNameSchema)
    origin_center = fields.Nested(CaseNameSchema)
    home_center = fields.Nested(CaseNameSchema)
    department_name = fields.String()
    accepted_on = fields.Date(allow_none=True)
    process_due = fields.Date(allow_none=True)
    due_provisional = fields.Boolean()
    version = fields.Integer()


class CaseEventSchema(Schema):
    __component_name__ = "CaseEvent"

    seq = fields.Integer()
    action = fields.String(metadata={"description": "register, update or a step of the process"})
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_name = fields.String()
    actor_place = fields.String()
    at = LocalDateTime()
    note = fields.String()
    data = fields.Dict()


class CaseMessageSchema(Schema):
    """A message of the case conversation (沟通记录)."""

    __component_name__ = "CaseMessage"

    id = fields.Integer()
    author_name = fields.String()
    author_place = fields.String()
    author_side = fields.String(metadata={"description": "origin_window, home_window or department"})
    body = fields.String()
    mentioned_sides = fields.List(fields.String())
    mentioned_user_ids = fields.List(fields.Integer())
    reply_to_id = fields.Integer(allow_none=True)
    file_name = fields.String(allow_none=True)
    file_size = fields.Integer(allow_none=True)
    file_content_type = fields.String(allow_none=True)
    created_on = LocalDateTime()


class CaseInputSchema(_ApplicationSchema):
    """What a clerk enters (documentation only: ``app.services.cases.input`` checks every field)."""

    matter_id = fields.Integer(required=True)
    handling_type_id = fields.Integer(required=True)
    origin_center_id = fields.Integer(
        metadata={"description": "default: the clerk's window; an outside window for an inbound case"})
    home_center_id = fields.Integer(required=True)
    department_id = fields.Integer(
        allow_none=True, metadata={"description": "empty when the home window is outside the system"})
    applicant_name = fields.String(required=True)
    applicant_id_number = fields.String(required=True)
    applicant_phone = fields.String(required=True)
    materials = fields.List(fields.Dict(), metadata={
        "description": "[{name, copies, form, received, verified, note}]; default: the guide's list"})
    version = fields.Integer(metadata={"description": "on PUT: the version you read (or send If-Match)"})


class CaseClockEntrySchema(Schema):
    """One stretch of the clock's timeline, in order."""

    kind = fields.String(metadata={"description": "running, stopped or extended"})
    reason = fields.String(metadata={"description": "correction, special_procedure or extension; empty while running"})
    started_on = fields.Date(metadata={"description": "the stretch counts the working days after this day"})
    ended_on = fields.Date(allow_none=True, metadata={"description": "up to and including this day; null: still "
                                                                     "running today"})
    days = fields.Integer(metadata={"description": "working days (an extension: the days it added)"})
    procedure = fields.String(metadata={"description": "a special procedure: which one"})
    requested_by = fields.String()
    decided_by = fields.String()
    decided_on = fields.Date(allow_none=True)
    why = fields.String()
    outcome = fields.String()
    open = fields.Boolean()


class CaseClockRecordSchema(Schema):
    """A special procedure or an extension as recorded (ClockSegment)."""

    seq = fields.Integer()
    kind = fields.String(metadata={"description": "special_procedure or extension"})
    procedure = fields.String()
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    days = fields.Integer(metadata={"description": "a special procedure: its expected length; an extension: the "
                                                   "working days asked for, then granted"})
    reason = fields.String()
    decision = fields.String(metadata={"description": "an extension: requested, approved or refused"})
    requested_by_name = fields.String()
    requested_at = LocalDateTime()
    decided_by_name = fields.String()
    decided_on = fields.Date(allow_none=True)
    outcome = fields.String()


class CaseClockSchema(Schema):
    """The legal clock of a case (办理时限): figures, timeline and records."""

    __component_name__ = "CaseClock"

    limit_days = fields.Integer(attribute="reading.limit_days", metadata={"description": "the promised limit"})
    extended_days = fields.Integer(attribute="reading.extended_days",
                                   metadata={"description": "working days the approved extensions add"})
    stopped_days = fields.Dict(keys=fields.String(), values=fields.Integer(), attribute="reading.stopped_days",
                               metadata={"description": "working days stopped, per reason (correction, "
                                                        "special_procedure)"})
    running_days = fields.Integer(attribute="reading.running_days",
                                  metadata={"description": "working days the clock ran up to today"})
    due = fields.Date(attribute="reading.due.due")
    due_provisional = fields.Boolean(attribute="reading.due.provisional")
    expected_due = fields.Date(attribute="reading.expected_due", allow_none=True,
                               metadata={"description": "while a special procedure runs: the due day if it ends "
                                                        "as expected"})
    stopped_now = fields.Function(lambda view: view.reading.open_stop.reason.value if view.reading.open_stop else None,
                                  allow_none=True, metadata={"description": "the reason the clock is stopped today"})
    segments = fields.List(fields.Nested(CaseClockEntrySchema), attribute="entries")
    pending_extension = fields.Nested(CaseClockRecordSchema, attribute="pending", allow_none=True)
    records = fields.List(fields.Nested(CaseClockRecordSchema))
