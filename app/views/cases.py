"""Case pages: the work queue, the list of all cases, the case detail with its steps and files, the
registration form and one form per step of the process.

Thin on purpose: every page reads the request, calls one service and shows the answer. The services
decide scope, sides, guards and versions; here NotFound becomes 404, Forbidden a 403 page, Conflict a
flashed message and ValidationFailed the same form again with every problem shown at once. The step
buttons and forms are derived from the transition table (``app.domain.workflow.TRANSITIONS``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from itertools import zip_longest
from types import SimpleNamespace
from typing import Any, Mapping

from flask import abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.widgets import ListWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput

from app.domain.privacy import AccessKind, mask_id_number, mask_phone
from app.domain.roles import RoleName
from app.domain.workflow import (
    FROZEN_STATUSES,
    MAILING_FIELDS,
    OPEN_STATUSES,
    TRANSITIONS,
    FieldKind,
    FieldSpec,
    Side,
    Status,
    StepName,
    Transition,
)
from app.errors import Conflict, NotFound, Problem, Refused, ValidationFailed
from app.labels import (
    APPLICANT_KINDS,
    CHOICE_LABELS,
    CLOCK_REASONS,
    CLOCK_SEGMENTS,
    DELIVERY_LABELS,
    EXTENSION_DECISIONS,
    ID_TYPES,
    MATERIAL_FORMS,
    NOTICE_LABELS,
    PRECHECK_OUTCOMES,
    RESULT_LABELS,
    SHIPMENT_DIRECTIONS,
    SIDE_LABELS,
    SPECIAL_PROCEDURE_LABELS,
    STATUS_LABELS,
    STEP_FIELD_LABELS,
    WARNING_LABELS,
    choices,
    event_label,
    label,
    step_help,
    step_label,
)
from app.models.case import Case, DeliveryMethod
from app.models.catalog import MaterialRequirement, Matter
from app.models.org import ServiceCenter
from app.platform.fab import ScopedInterface, current_reach
from app.scope import as_record_id
from app.services.calendar import load_calendar
from app.services.cases import archive, conversation
from app.services.cases import files as case_files
from app.services.cases import notices as documents
from app.services.cases.access import (
    DISCLOSE,
    Viewer,
    active_disclosure,
    disclose,
    full_view_reason,
    get_case,
    open_full_view,
    record_full_view,
    sides_of,
)
from app.services.cases.clock import clock_view
from app.services.cases.precheck import correction_round
from app.services.cases.registration import register_case, update_draft
from app.services.cases.registration_options import registration_options
from app.services.cases.take_step import available_steps, step_refusal, take_step
from app.services.cases.work_queue import queue_tabs
from app.services.catalog.fields import case_field_rows
from app.views.base import (
    AppModelView,
    answers_service_errors,
    flash_problems,
    show_problems,
    uploaded_file,
)
from app.views.reconciliation import reconciliation_section

# --- how codes read to people ---------------------------------------------------------------------

WARNING_CLASSES = {"none": "label-success", "yellow": "label-warning", "red": "label-danger"}

CASE_LABELS = {
    "number": _l("Case number"),
    "label": _l("Case number"),
    "status": _l("Status"),
    "applicant_name": _l("Applicant"),
    "applicant_id_number": _l("ID number"),
    "applicant_phone": _l("Phone"),
    "matter": _l("Matter"),
    "handling_type": _l("Handling type"),
    "origin_center": _l("Receiving window"),
    "home_center": _l("Home window"),
    "department": _l("Approving department"),
    "warning_level": _l("Deadline warning"),
    "current_due": _l("Due date"),
    "applied_on": _l("Applied on"),
    "registered_on": _l("Registered on"),
    "accepted_on": _l("Accepted on"),
    "completed_on": _l("Completed on"),
}


def warning_badge(level: str | None) -> Markup:
    if level not in ("yellow", "red"):
        return Markup("")
    return Markup('<span class="label {} warning-badge">{}</span>').format(WARNING_CLASSES[level], WARNING_LABELS[level])


def status_label(value: Any) -> str:
    return label(STATUS_LABELS, value)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def other_end(reach: Any, case: Case) -> ServiceCenter:
    """The window at the other end of the case, as seen by this user."""
    return case.home_center if Side.ORIGIN_WINDOW in sides_of(reach, case) else case.origin_center


def _session():
    return current_app.appbuilder.session


def _user():
    return current_app.appbuilder.sm.current_user


def _may(permission: str) -> bool:
    return current_app.appbuilder.sm.has_access(permission, "Case")


def _viewer() -> Viewer:
    return Viewer(_user(), current_reach(), request.remote_addr or "", "web")


def labelled(label_text: Any, value: Any) -> str:
    """“label: value” with the punctuation of the user's language (a full-width colon in Chinese only)."""
    return str(_l("%(label)s: %(value)s", label=label_text, value=value))


def event_details(event: Any) -> list[str]:
    """What a step recorded besides its note, in words (waybill, result, reasons …)."""
    if event.action == "message":
        return _message_details(event.data or {})
    if event.action.startswith("supervision_"):
        from app.views.supervision import event_details as supervision_details

        return supervision_details(event)
    details = []
    for key, value in (event.data or {}).items():
        if key not in STEP_FIELD_LABELS or key in ("verified", "note") or value == event.note:
            continue
        if key == "accepted_on" and not event.case.origin_center.external:
            continue  # only an outside window's acceptance date is the user's input
        if key == "deferred" and isinstance(value, Mapping):
            names = {m.seq: m.name for m in event.case.materials}
            value = str(_l("%(names)s, promised by %(date)s", names=str(_l("; ")).join(
                names.get(seq, str(seq)) for seq in value.get("materials") or []), date=value.get("until", "")))
        elif isinstance(value, Mapping):  # {item seq: file name} (the scans supplied for a pre-check)
            value = str(_l("; ")).join(str(name) for name in value.values())
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = str(_l("; ")).join(value)  # file names (result documents)
        elif isinstance(value, list):
            value = str(_l("; ")).join(labelled(item.get("name"), item.get("reason")) if item.get("name")
                                       else str(item.get("reason", "")) for item in value if isinstance(item, Mapping))
        elif key in CHOICE_LABELS:
            value = label(CHOICE_LABELS[key], value)
        details.append(labelled(STEP_FIELD_LABELS[key], value))
    return details


def _message_details(data: Mapping[str, Any]) -> list[str]:
    """A message in the history: whom it named and its attachment."""
    named = [f"@{label(SIDE_LABELS, side)}" for side in data.get("mentioned_sides") or []]
    named += [f"@{name}" for name in data.get("mentioned_users") or []]
    details = [" ".join(named)] if named else []
    if data.get("file"):
        details.append(str(_l("Attachment: %(name)s", name=data["file"])))
    return details


def _template_helpers() -> dict[str, Any]:
    return {
        "status_label": status_label, "warning_badge": warning_badge, "warning_labels": WARNING_LABELS,
        "step_label": lambda name, case=None: str(step_label(name, case)), "format_date": format_date,
        "material_form": lambda v: label(MATERIAL_FORMS, v), "result_label": lambda v: label(RESULT_LABELS, v),
        "delivery_label": lambda v: label(DELIVERY_LABELS, v), "event_label": lambda v, case=None: str(event_label(v, case)),
        "direction_label": lambda v: label(SHIPMENT_DIRECTIONS, v),
        "applicant_kind_label": lambda v: label(APPLICANT_KINDS, v), "id_type_label": lambda v: label(ID_TYPES, v),
        "mask_id": mask_id_number, "mask_phone": mask_phone, "event_details": event_details,
        "side_label": lambda v: label(SIDE_LABELS, v),
        "clock_reason_label": lambda v: label(CLOCK_REASONS, v), "segment_label": lambda v: label(CLOCK_SEGMENTS, v),
        "procedure_label": lambda v: label(SPECIAL_PROCEDURE_LABELS, v),
        "extension_decision_label": lambda v: label(EXTENSION_DECISIONS, v),
        "precheck_outcome_label": lambda v: label(PRECHECK_OUTCOMES, v),
    }


# --- all cases: the generated list -----------------------------------------------------------------


class CaseListWidget(ListWidget):
    """FAB's list, with the case number linking to the case page and overdue rows coloured."""

    template = "cases/list_widget.html"

    def __call__(self, **kwargs: Any) -> Any:
        # a figure's list offers a 督办单 on its cases to those who may issue one
        kwargs["can_supervise"] = current_app.appbuilder.sm.has_access("can_issue", "SupervisionOrder")
        return super().__call__(**kwargs)


class FigureFilter(BaseFilter):
    """The cases of one figure of the dashboard: its cell's criterion (the same the figure counts with)."""

    name = "figure"
    arg_name = "figure"

    def apply(self, query: Any, value: Any) -> Any:
        from app.services.dashboard.cells import cell_criterion

        return query.filter(cell_criterion(value))


class CaseView(AppModelView):
    """全部办件: every case in the user's scope, personal data masked."""

    datamodel = ScopedInterface(Case)
    class_permission_name = "Case"
    base_permissions = ["can_read"]
    list_title = _l("All cases")
    list_widget = CaseListWidget
    label_columns = CASE_LABELS
    list_columns = ["number", "applicant_name", "applicant_id_number", "applicant_phone", "matter", "handling_type",
                    "origin_center", "home_center", "status", "warning_level", "current_due"]
    # The generated forms are never shown (read-only view); keep them small.
    add_columns = edit_columns = show_columns = ["number"]
    search_columns = ["number", "applicant_name", "status", "warning_level", "matter", "handling_type", "applied_on",
                      "registered_on", "accepted_on", "completed_on"]
    search_form_extra_fields = {
        "status": SelectField(_l("Status"), choices=choices(STATUS_LABELS)),
        "warning_level": SelectField(_l("Deadline warning"), choices=choices(WARNING_LABELS)),
    }
    base_order = ("registered_on", "desc")
    formatters_columns = {
        "number": lambda v: v or "",
        "applicant_id_number": mask_id_number,
        "applicant_phone": mask_phone,
        "status": status_label,
        "warning_level": warning_badge,
        "current_due": format_date,
    }

    def _get_list_widget(self, filters: Any, **kwargs: Any):  # type: ignore[override]
        """``?figure=<cell>``: the cases a figure of the dashboard counts (``app.services.dashboard.cells``), on
        top of the scope and the search filters; a figure that names nothing answers 400."""
        figure = request.args.get("figure")
        if figure is not None:
            from app.services.dashboard.cells import BadCell, parse_cell

            try:
                cell = parse_cell(figure)
            except BadCell:
                abort(400)
            filters = filters.copy().add_filter("number", FigureFilter, cell)
        return super()._get_list_widget(filters, **kwargs)

    @expose("/show/<pk>")
    @has_access
    @answers_service_errors
    def show(self, pk: Any):  # type: ignore[override]
        """The case page is our own (steps, files, history): the list's show link leads there."""
        try:
            case_id = int(pk)
        except (TypeError, ValueError):
            abort(404)
        return redirect(url_for("CaseWorkView.detail", case_id=case_id))


# --- the work queue, the case page, steps and files -----------------------------------------------


def _step_fields(case: Case, transition: Transition) -> list[FieldSpec]:
    """The fields the form shows: what an outside window's notice says (who accepted, when) only for an
    inbound case, the waybill and mailing address only for a result sent by mail."""
    return list(transition.fields_for(case.delivery_method == DeliveryMethod.MAIL, case.origin_center.external))


def read_step_form(case: Case, transition: Transition, form: Mapping[str, Any],
                   files: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The posted step form as the service's input; blank rows of item tables and empty file inputs
    are left out."""
    data: dict[str, Any] = {}
    for spec in _step_fields(case, transition):
        if spec.kind == FieldKind.FILES:
            chosen = files.getlist(spec.name) if files is not None else []
            data[spec.name] = [{"name": f.filename, "data": f.read()} for f in chosen if f and f.filename]
        elif spec.kind == FieldKind.ITEMS:
            names = form.getlist(f"{spec.name}-name")
            reasons = form.getlist(f"{spec.name}-reason")
            rows = [(n.strip(), r.strip()) for n, r in zip_longest(names, reasons, fillvalue="")]
            picked = [{"material": seq, "reason": form.get(f"{spec.name}-material-{seq}-reason", "").strip()}
                      for seq in form.getlist(f"{spec.name}-material")]
            data[spec.name] = picked + [{"name": n, "reason": r} for n, r in rows if n or r]
        elif spec.kind == FieldKind.SUPPLIED_ITEMS:
            data[spec.name] = [{"item": seq, "file": _posted_file(files, f"{spec.name}-{seq}-scan")}
                               for seq in form.getlist(spec.name)]
        elif spec.kind == FieldKind.DEFERRED:
            data[spec.name] = {"materials": form.getlist(spec.name), "until": form.get(f"{spec.name}-until", ""),
                               "promise_signed": bool(form.get(f"{spec.name}-promise_signed"))}
        elif spec.kind == FieldKind.BOOL_LIST:
            ticked = set(form.getlist(spec.name))
            data[spec.name] = {str(m.seq): str(m.seq) in ticked for m in case.materials if m.received}
        elif spec.name in form:
            data[spec.name] = form.get(spec.name, "")
    return data


def _posted_file(files: Mapping[str, Any] | None, name: str) -> tuple[str, bytes] | None:
    file = (files or {}).get(name)
    return (file.filename, file.read()) if file is not None and file.filename else None


def _picked_materials(case: Case, field: str, data: Mapping[str, Any] | None,
                      errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The case's materials as a multi-select of correction items, each with the reason typed for it."""
    posted = {str(item.get("material")): (index, item) for index, item in enumerate((data or {}).get(field) or [], 1)
              if isinstance(item, Mapping) and item.get("material") not in (None, "")}
    rows = []
    for m in case.materials:
        index, item = posted.get(str(m.seq), (None, {}))
        keys = (f"{field}[{index}].name", f"{field}[{index}].reason") if index else ()
        rows.append({"seq": m.seq, "name": m.name, "received": m.received, "checked": index is not None,
                     "reason": item.get("reason", ""), "errors": [e for k in keys for e in errors.get(k, [])]})
    return rows


def _supplied_rows(case: Case, field: str, data: Mapping[str, Any] | None,
                   errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The items of the open correction (or of the pre-check's, in 预审补正), each to tick as supplied with its
    scan."""
    asked = correction_round(case)
    correction = case.open_correction if asked is None else SimpleNamespace(
        items=[SimpleNamespace(seq=i["seq"], name=i["name"], reason=i["reason"], material_seq=i["material_seq"])
               for i in asked.items])
    ticked = {str(entry.get("item")) for entry in (data or {}).get(field) or [] if isinstance(entry, Mapping)}
    materials = {m.seq: m for m in case.materials}
    return [{"seq": item.seq, "name": item.name, "reason": item.reason,
             "material": materials.get(item.material_seq), "checked": str(item.seq) in ticked,
             "errors": errors.get(f"{field}[{item.seq}]", [])}
            for item in (correction.items if correction is not None else [])]


def _parcel_context(case: Case, transition: Transition) -> dict[str, Any]:
    """What a window signing for a parcel checks it against: the waybill(s) and the materials expected."""
    direction = {StepName.RECEIVE: "materials", StepName.RECEIVE_SUPPLEMENT: "supplement"}.get(transition.name)
    if direction is None:
        return {}
    parcels = [s for s in case.shipments if s.direction == direction and not s.received_on]
    if direction == "materials":
        expected = [{"seq": m.seq, "name": m.name, "copies": m.copies, "form": m.form}
                    for m in case.materials if m.received]
    else:
        correction = case.open_correction
        by_seq = {m.seq: m for m in case.materials}
        expected = [{"seq": i.material_seq, "name": i.name, "copies": by_seq[i.material_seq].copies,
                     "form": by_seq[i.material_seq].form, "scan": i.version}
                    for i in (correction.items if correction is not None else []) if i.material_seq in by_seq]
    return {"parcels": parcels, "expected": expected}


def _review_aid(case: Case) -> dict[str, Any]:
    """What the window checks against when it accepts (对照审核要点): the acceptance conditions and review
    points of the guide the case was registered under, and the sample forms (样本样表) of its materials,
    shown beside the checklist."""
    guide = (case.guide.content if case.guide is not None else None) or {}
    names = {m["seq"]: m["name"] for m in guide.get("materials", [])}
    requirements = _session().scalars(
        select(MaterialRequirement).where(MaterialRequirement.matter_id == case.matter_id,
                                          MaterialRequirement.sample_file_key.is_not(None))
        .order_by(MaterialRequirement.seq)).all()
    samples = [{"seq": r.seq, "name": names.get(r.seq, r.name), "file_name": r.sample_file_name,
                "url": url_for("MaterialRequirementView.sample", pk=r.id)} for r in requirements if r.sample_file_key]
    return {"conditions": guide.get("acceptance_conditions") or "", "points": guide.get("review_points") or "",
            "samples": samples}


def _step_form_context(case: Case, transition: Transition, data: Mapping[str, Any] | None,
                       problems: list[Problem]) -> dict[str, Any]:
    """What the step template needs: each field with its value, its rows or options and its problems."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or "", []).append(str(problem.message))
    placed: set[str] = set()
    requirements = {m["seq"]: m for m in case.guide.content.get("materials", [])}
    fields = []
    for spec in _step_fields(case, transition):
        field: dict[str, Any] = {"name": spec.name, "kind": spec.kind.value, "required": spec.required,
                                 "label": STEP_FIELD_LABELS.get(spec.name, spec.name),
                                 "errors": errors.get(spec.name, [])}
        placed.add(spec.name)
        if spec.kind == FieldKind.ITEMS:
            posted = list((data or {}).get(spec.name) or [])
            field["with_names"] = spec.name != "reasons"
            picked = 0  # the items picked from the case's materials come first in the posted list
            if spec.name == "items":
                field["materials"] = _picked_materials(case, spec.name, data, errors)
                picked = sum(1 for row in posted if isinstance(row, Mapping) and row.get("material") not in (None, ""))
                placed.update(f"{spec.name}[{i}].{part}" for i in range(1, picked + 1) for part in ("name", "reason"))
            rows = posted[picked:]
            rows += [{"name": "", "reason": ""}] * max(3 - len(rows), 1 if data is None else 0)
            field["rows"] = []
            for index, row in enumerate(rows, start=picked + 1):
                keys = (f"{spec.name}[{index}].name", f"{spec.name}[{index}].reason", f"{spec.name}[{index}]")
                placed.update(keys)
                field["rows"].append({**row, "errors": [m for k in keys for m in errors.get(k, [])]})
        elif spec.kind == FieldKind.SUPPLIED_ITEMS:
            field["rows"] = _supplied_rows(case, spec.name, data, errors)
            placed.update(f"{spec.name}[{row['seq']}]" for row in field["rows"])
        elif spec.kind == FieldKind.BOOL_LIST:
            posted = (data or {}).get(spec.name)
            field["options"] = [{
                "value": str(m.seq), "seq": m.seq, "name": m.name, "copies": m.copies, "form": m.form,
                "checked": bool(posted.get(str(m.seq))) if posted is not None else m.verified,
                "original_check": bool(requirements.get(m.requirement_seq, {}).get("original_check")),
                "required": bool(requirements.get(m.requirement_seq, {}).get("required")),
            } for m in case.materials if m.received]
        elif spec.kind == FieldKind.DEFERRED:
            posted = (data or {}).get(spec.name) or {}
            chosen = {str(seq) for seq in posted.get("materials") or []}
            field["options"] = [{"value": str(m.seq), "seq": m.seq, "name": m.name, "checked": str(m.seq) in chosen}
                                for m in case.materials if not m.received
                                and requirements.get(m.requirement_seq, {}).get("required")
                                and requirements.get(m.requirement_seq, {}).get("deferrable")]
            field["until"], field["promise_signed"] = posted.get("until", ""), bool(posted.get("promise_signed"))
            for part in ("until", "promise_signed"):
                field["errors"] += errors.get(f"{spec.name}.{part}", [])
                placed.add(f"{spec.name}.{part}")
        elif spec.kind == FieldKind.CHOICE:
            field["options"] = [(c, label(CHOICE_LABELS.get(spec.name, {}), c)) for c in spec.choices]
            field["value"] = (data or {}).get(spec.name, "")
        elif spec.kind == FieldKind.FILES:
            field["required"] = case.department_id is not None and not case.result_documents
            field["errors"] += [m for k, ms in errors.items() if k.startswith(f"{spec.name}[") for m in ms]
            placed.update(k for k in errors if k.startswith(f"{spec.name}["))
        elif spec.name in MAILING_FIELDS:
            field["value"] = (data or {}).get(spec.name, "")
            field["registered"] = getattr(case, spec.name)
            field["correction"] = True
        elif spec.kind == FieldKind.DATE:
            field["value"] = (data or {}).get(spec.name) or date.today().isoformat()
        else:
            default = "EMS" if spec.name == "carrier" else ""
            field["value"] = (data or {}).get(spec.name, default)
        fields.append(field)
    unplaced = [str(p.message) for p in problems if (p.field or "") not in placed]
    return {"fields": fields, "unplaced": unplaced, "problem_count": len(problems),
            "multipart": any(f["kind"] == FieldKind.FILES.value for f in fields),
            "corrections_open": any(f.get("correction") and (f["errors"] or f["value"]) for f in fields),
            "with_files": any(spec.kind == FieldKind.SUPPLIED_ITEMS for spec in transition.fields),
            **_parcel_context(case, transition)}


def _without_files(data: Mapping[str, Any]) -> dict[str, Any]:
    """The posted values to show again: a browser never fills a file input in, so files are chosen anew."""
    return {name: value for name, value in data.items() if name != "result_documents"}


MATERIAL_ROW = re.compile(r"^m-(\d+)-name$")


def read_materials_form(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The draft's material rows as posted (rows ticked for removal and blank new rows left out)."""
    indexes = sorted(int(m.group(1)) for key in form if (m := MATERIAL_ROW.match(key)))
    rows = []
    for index in indexes:
        prefix = f"m-{index}-"
        name = " ".join(form.get(prefix + "name", "").split())  # one line, even from a textarea
        if form.get(prefix + "remove") or (not name and not form.get(prefix + "existing")):
            continue
        requirement = form.get(prefix + "requirement_seq", "").strip()
        rows.append({
            "name": name, "copies": form.get(prefix + "copies", "1").strip() or "1",
            "form": form.get(prefix + "form", "copy"), "received": bool(form.get(prefix + "received")),
            "verified": bool(form.get(prefix + "verified")),
            "requirement_seq": int(requirement) if requirement.isdigit() else None,
            "note": form.get(prefix + "note", "").strip(),
        })
    return rows


def _warn_of_missing_scans(case: Case) -> None:
    """At acceptance: a warning (not a refusal) naming at once every received material without a scan,
    which the archive will need (the window archives the acceptance materials electronically)."""
    missing = archive.missing_scans(case)
    if missing:
        flash(str(_l("Scan these materials before they leave with the parcel; the archive needs them: %(names)s.",
                     names="；".join(f"{m.seq}. {m.name}" for m in missing))), "warning")


def _delivery_context(case: Case) -> dict[str, Any]:
    """Whom and where the result goes to, as registered (the delivering window sees the full data)."""
    by_mail = case.delivery_method == DeliveryMethod.MAIL
    return {
        "by_mail": by_mail, "method": label(DELIVERY_LABELS, case.delivery_method),
        "recipient": (case.mail_recipient or case.applicant_name) if by_mail else case.applicant_name,
        "phone": (case.mail_phone or case.applicant_phone) if by_mail else case.applicant_phone,
        "address": case.mail_address if by_mail else "", "postcode": case.mail_postcode if by_mail else "",
        # collected at 收件处: where the application was handed in (an outside window for an inbound case)
        "window": case.origin_center,
    }


def _supervision_of(session: Any, user: Any, case: Case) -> dict[str, Any]:
    """The case page's 督办 panel (app/views/supervision.py, templates/supervision/_case.html)."""
    from app.services.supervision.queries import case_supervision
    from app.views.supervision import helpers

    return {"supervision": case_supervision(session, user, case), **helpers()}


def _supervision_queue(session: Any, user: Any) -> dict[str, Any]:
    """督办待反馈 on the work queue (templates/supervision/_queue.html)."""
    from app.services.supervision.queries import awaiting_reply
    from app.views.supervision import helpers

    return {"supervision_orders": awaiting_reply(session, user), **helpers()}


def _version() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() else None


class CaseWorkView(BaseView):
    """待办 and the case page: steps, materials, scans, result documents."""

    route_base = "/cases"
    class_permission_name = "Case"
    method_permission_name = {
        "queue": "read", "detail": "read", "step": "read", "scan": "read", "scan_version": "read",
        "result_document": "read", "notice": "read",
        "archive_package": "read", "verify_archive": "read",
        # the conversation: read by whoever reads the case; the service lets only its sides (and the city
        # supervisor, read-only) see it, and only its sides write
        "post_message": "read", "message_file": "read",
        "disclosure": "disclose",  # 查看个人信息 (city supervisor)
        "materials": "write", "upload_scan": "write", "supply_deferred": "write",
        # whoever may complete a case (its department, or the window recording an outside department)
        "upload_result": "complete",
    }
    default_view = "queue"

    @staticmethod
    def _case_or_404(case_id: int) -> Case:
        return get_case(_session(), current_reach(), case_id)

    def _to_detail(self, case_id: int, anchor: str = ""):
        return redirect(url_for("CaseWorkView.detail", case_id=case_id) + (f"#{anchor}" if anchor else ""))

    # --- pages --------------------------------------------------------------------------------

    @expose("/queue/")
    @has_access
    @answers_service_errors
    def queue(self):
        """待办, 跟踪中 and 待归档: three tabs, the one in ``?tab=`` open. 待办 marks the cases the user stands
        in for (代办)."""
        reach, session, me = current_reach(), _session(), _user()
        tabs = {name: [{"item": item, "case": item.case, "other_end": other_end(reach, item.case), "steps": item.steps,
                        "on_behalf_of": item.on_behalf_of}
                       for item in items]
                for name, items in queue_tabs(session, me).items()}
        active = request.args.get("tab") if request.args.get("tab") in tabs else "todo"
        # 预审 is the department's tab (远程预审 needs a department in the system)
        precheck_tab = bool(tabs["precheck"]) or reach.has_role(RoleName.DEPARTMENT_OFFICER)
        return self.render_template("cases/queue.html", items=tabs["todo"], tabs=tabs, active=active, me=me,
                                    precheck_tab=precheck_tab, **reconciliation_section(session, reach),
                                    title=_l("Work queue"), **_template_helpers(), **_supervision_queue(session, me))

    @expose("/<int:case_id>/")
    @has_access
    @answers_service_errors
    def detail(self, case_id: int):
        session, viewer = _session(), _viewer()
        reach, user = viewer.reach, viewer.user
        case = self._case_or_404(case_id)
        sides = sides_of(reach, case)
        reason = full_view_reason(session, viewer, case)
        full = reason is not None
        if full:
            record_full_view(session, viewer, case, AccessKind.PAGE, reason)
        frozen = Status(case.status) in FROZEN_STATUSES
        clerk_of_case = bool(sides & {Side.ORIGIN_WINDOW, Side.HOME_WINDOW}) and reach.has_role(RoleName.WINDOW_CLERK)
        records_result = Side.DEPARTMENT in sides or (case.department_id is None and bool(sides))
        requirements = {m["seq"]: m for m in case.guide.content.get("materials", [])}
        notices = [(kind, ref, NOTICE_LABELS[kind], documents.ordinal(case, kind, ref))
                   for kind in documents.NOTICE_KINDS for ref in documents.applicable(case, kind)]
        stored = {(d.kind, d.ref): d for d in documents.documents_of(session, case)}
        upload_scans = clerk_of_case and not frozen and _may("can_write")
        thread = None
        if conversation.may_read_thread(reach, case):
            thread = conversation.thread_of(session, user, case.id)
            conversation.mark_notices_read(session, user.id, case_id=case.id)  # seen here: read
        return self.render_template(
            "cases/detail.html", case=case, title=case.label,
            id_number=case.applicant_id_number if full else mask_id_number(case.applicant_id_number),
            phone=case.applicant_phone if full else mask_phone(case.applicant_phone),
            mail_phone=case.mail_phone if full else mask_phone(case.mail_phone),
            extra_rows=case_field_rows(case.guide.content, case.form_values, masked=not full),
            full_data=full, steps=available_steps(case, user, reach), requirements=requirements,
            edit_materials=clerk_of_case and case.status == Status.DRAFT and _may("can_write"),
            upload_scans=upload_scans, today=date.today(),
            # attached in the 办结 form; afterwards only from the archive checklist, while one is missing
            upload_results=records_result and not frozen and _may("can_complete")
            and case.status in (Status.COMPLETED, Status.RESULT_SENT, Status.DELIVERED) and not case.result_documents,
            checklist=archive.archive_checklist(session, case)
            if sides and case.status in (Status.COMPLETED, Status.RESULT_SENT, Status.DELIVERED) else None,
            material_forms=choices(MATERIAL_FORMS), events=sorted(case.events, key=lambda e: e.seq, reverse=True),
            notices=notices, stored_notices=stored,
            may_disclose=not sides and _may(DISCLOSE), disclosure=active_disclosure(session, user, case),
            thread=thread, mentions=lambda message: conversation.mention_labels(session, message),
            clock=clock_view(load_calendar(session), case, date.today()),
            **_template_helpers(),
            **_supervision_of(session, user, case),
        )

    @expose("/<int:case_id>/disclosure", methods=["POST"])
    @has_access
    @answers_service_errors
    def disclosure(self, case_id: int):
        """查看个人信息: the supervisor's request, with its reason, to see the case's personal data."""
        try:
            entry = disclose(_session(), _viewer(), case_id, request.form.get("reason", ""))
        except Refused as error:
            flash_problems(error.problems)
            return self._to_detail(case_id)
        flash(str(_l("The personal data of this case are shown to you until %(time)s; each view is logged with "
                     "your reason.", time=format_date(entry.valid_until))), "warning")
        return self._to_detail(case_id)

    @expose("/<int:case_id>/step/<name>", methods=["GET", "POST"])
    @has_access
    @answers_service_errors
    def step(self, case_id: int, name: str):
        transition = TRANSITIONS.get(name)
        if transition is None:
            abort(404)
        case = self._case_or_404(case_id)
        if request.method == "GET":
            refusal = step_refusal(_user(), current_reach(), case, transition)
            if isinstance(refusal, Conflict):
                flash_problems(refusal.problems, "warning")
                return self._to_detail(case_id)
            if refusal is not None:
                raise refusal
            return self._render_step(case, transition, None, [])
        data = read_step_form(case, transition, request.form, request.files)
        try:
            done = take_step(_session(), _user(), case_id, name, data, expected_version=_version())
        except Conflict as error:
            flash_problems(error.problems)
            return self._to_detail(case_id)
        except ValidationFailed as error:
            case = self._case_or_404(case_id)
            return self._render_step(case, transition, _without_files(data), error.problems), 422
        flash(str(_l("%(step)s: done.", step=step_label(name, done))), "success")
        if name == StepName.ACCEPT:
            _warn_of_missing_scans(self._case_or_404(case_id))
        return self._to_detail(case_id)

    def _render_step(self, case: Case, transition: Transition, data: Mapping[str, Any] | None,
                     problems: list[Problem]):
        review = _review_aid(case) if transition.name == StepName.ACCEPT else None
        return self.render_template(
            "cases/step.html", case=case, transition=transition, title=step_label(transition.name, case),
            help=step_help(transition.name, case), review=review,
            **_step_form_context(case, transition, data, problems),
            delivery=_delivery_context(case) if transition.name == StepName.DELIVER else None,
            checklist=archive.archive_checklist(_session(), case) if transition.name == StepName.ARCHIVE else None,
            upload_scans=_may("can_write"), back="archive",
            unscanned=archive.missing_scans(case) if transition.name == StepName.ACCEPT else [],
            **_template_helpers(),
        )

    @expose("/<int:case_id>/materials", methods=["POST"])
    @has_access
    @answers_service_errors
    def materials(self, case_id: int):
        self._case_or_404(case_id)
        rows = read_materials_form(request.form)
        try:
            update_draft(_session(), _user(), case_id, {"materials": rows}, expected_version=_version())
        except Refused as error:
            for problem in error.problems:
                match = re.match(r"^materials\[(\d+)\]", problem.field or "")
                message = (_l("Material %(seq)s: %(message)s", seq=match.group(1), message=problem.message)
                           if match else problem.message)
                flash(str(message), "danger")
            return self._to_detail(case_id, "materials")
        flash(str(_l("The list of received materials was saved.")), "success")
        return self._to_detail(case_id, "materials")

    # --- files ---------------------------------------------------------------------------------

    @staticmethod
    def _upload() -> tuple[str, bytes] | None:
        file = uploaded_file(_l("Choose a file to upload."))
        return None if file is None else (file.filename, file.read())

    @expose("/<int:case_id>/materials/<int:material_id>/scan", methods=["POST"])
    @has_access
    @answers_service_errors
    def upload_scan(self, case_id: int, material_id: int):
        return self._store_upload(
            case_id, "materials", lambda upload: case_files.attach_scan(_session(), _user(), case_id, material_id, *upload),
            lambda material: _l("Scan of %(name)s stored.", name=material.name))

    @expose("/<int:case_id>/materials/<int:material_id>/supply", methods=["POST"])
    @has_access
    @answers_service_errors
    def supply_deferred(self, case_id: int, material_id: int):
        """容缺: the applicant supplied the deferred material (its scan); the promise is kept."""
        return self._store_upload(
            case_id, "materials",
            lambda upload: case_files.supply_deferred(_session(), _user(), case_id, material_id, *upload),
            lambda case: _l("The deferred material is supplied: the promise is kept."))

    @expose("/<int:case_id>/materials/<int:material_id>/scan", methods=["GET"])
    @has_access
    @answers_service_errors
    def scan(self, case_id: int, material_id: int):
        path, name, content_type = case_files.scan_of(_session(), _viewer(), case_id, material_id)
        return self._send(path, name, content_type)

    @expose("/<int:case_id>/scan-versions/<int:version_id>", methods=["GET"])
    @has_access
    @answers_service_errors
    def scan_version(self, case_id: int, version_id: int):
        path, name, content_type = case_files.scan_version_of(_session(), _viewer(), case_id, version_id)
        return self._send(path, name, content_type)

    @expose("/<int:case_id>/results", methods=["POST"])
    @has_access
    @answers_service_errors
    def upload_result(self, case_id: int):
        return self._store_upload(
            case_id, "result", lambda upload: case_files.add_result_document(_session(), _user(), case_id, *upload),
            lambda document: _l("Result document %(name)s stored.", name=document.name))

    def _store_upload(self, case_id: int, anchor: str, store: Any, stored_message: Any):
        """One uploaded file through ``store`` (a service call); every refusal flashed, back to the case
        (to its archive checklist, or to the archive step, when the upload came from there)."""
        self._case_or_404(case_id)
        back = request.form.get("back", "")
        upload = self._upload()
        if upload is not None:
            try:
                record = store(upload)
            except Refused as error:
                flash_problems(error.problems)
            else:
                flash(str(stored_message(record)), "success")
        if back == "archive":
            return redirect(url_for("CaseWorkView.step", case_id=case_id, name=StepName.ARCHIVE))
        return self._to_detail(case_id, "archive-checklist" if back == "checklist" else anchor)

    @expose("/<int:case_id>/results/<int:document_id>", methods=["GET"])
    @has_access
    @answers_service_errors
    def result_document(self, case_id: int, document_id: int):
        path, name, content_type = case_files.result_document_of(_session(), _viewer(), case_id, document_id)
        return self._send(path, name, content_type)

    # --- the conversation (沟通记录) ---------------------------------------------------------------

    @expose("/<int:case_id>/messages", methods=["POST"])
    @has_access
    @answers_service_errors
    def post_message(self, case_id: int):
        """A message of the case's conversation, with whom it names and an optional attachment."""
        self._case_or_404(case_id)
        file = request.files.get("file")
        upload = (file.filename or "", file.read()) if file is not None and file.filename else None
        try:
            conversation.post_message(_session(), _user(), case_id, request.form.get("body", ""),
                                      request.form.getlist("mention"), upload, request.form.get("reply_to"))
        except Refused as error:
            flash_problems(error.problems)
            return self._to_detail(case_id, "conversation")
        flash(str(_l("Your message was sent.")), "success")
        return self._to_detail(case_id, "conversation")

    @expose("/<int:case_id>/messages/<int:message_id>/file", methods=["GET"])
    @has_access
    @answers_service_errors
    def message_file(self, case_id: int, message_id: int):
        path, name, content_type = conversation.message_file(_session(), _viewer(), case_id, message_id)
        return self._send(path, name, content_type)

    @expose("/<int:case_id>/notice/<kind>", methods=["GET"])
    @has_access
    @answers_service_errors
    def notice(self, case_id: int, kind: str):
        """Opens a notice for printing; while its job still renders it, a page that says so and reloads."""
        state = documents.notice_for(_session(), _viewer(), case_id, kind, request.args.get("round"))
        if state.pending:
            return self.render_template("cases/notice_pending.html", case=self._case_or_404(case_id),
                                        kind_label=NOTICE_LABELS[kind], title=NOTICE_LABELS[kind]), 202
        return send_file(state.path, mimetype="application/pdf", as_attachment=False,
                         download_name=state.document.file_name)

    # --- the archive package (归档包) ------------------------------------------------------------

    @expose("/<int:case_id>/archive", methods=["GET"])
    @has_access
    @answers_service_errors
    def archive_package(self, case_id: int):
        """The case's archive package (ZIP): for its windows and department, who see its full data."""
        session, viewer = _session(), _viewer()
        case, state = archive.package_for(session, viewer.reach, case_id)
        open_full_view(session, viewer, case, AccessKind.ARCHIVE, record=False)
        if state.pending:
            flash(str(_l("The archive package is being prepared; try again in a moment.")), "info")
            return self._to_detail(case_id, "archive")
        if not state.path.is_file():
            abort(404)
        open_full_view(session, viewer, case, AccessKind.ARCHIVE)
        answer = send_file(state.path, mimetype="application/zip", as_attachment=True,
                           download_name=state.document.file_name, max_age=0)
        answer.headers["X-Content-SHA256"] = state.document.sha256
        return answer

    @expose("/<int:case_id>/archive/verify", methods=["GET"])
    @has_access
    @answers_service_errors
    def verify_archive(self, case_id: int):
        """校验归档包: recomputes the package's checksums and compares them with those recorded."""
        check = archive.verify_case_archive(_session(), current_reach(), case_id)
        if check is None:
            flash(str(_l("The archive package is being prepared; try again in a moment.")), "info")
        elif check.valid:
            flash(str(_l("The archive package is intact: its checksum and those of its %(files)s files match what "
                         "was recorded.", files=check.files)), "success")
        else:
            flash(str(_l("The archive package does not match what was recorded:")), "danger")
            flash_problems([Problem(None, p) for p in check.problems])
        return self._to_detail(case_id, "archive")

    @staticmethod
    def _send(path: Any, name: str, content_type: str):
        if not path.is_file():
            abort(404)
        return send_file(path, mimetype=content_type, as_attachment=True, download_name=name)


# --- registration ----------------------------------------------------------------------------------


class RegistrationForm(Form):
    """What a clerk enters for a new case; the service checks all of it and reports every problem."""

    origin_center_id = SelectField(_l("Receiving window"), validate_choice=False,
                                   description=_l("Your window, or the outside window that mailed the application to you."))
    matter_id = SelectField(_l("Matter"), validate_choice=False, widget=Select2Widget())
    handling_type_id = SelectField(_l("Handling type"), validate_choice=False)
    home_center_id = SelectField(_l("Home window"), validate_choice=False,
                                 description=_l("The window of the region that owns the matter."))
    department_id = SelectField(_l("Approving department"), validate_choice=False,
                                description=_l("For a home window in the system."))
    department_name = StringField(_l("Approving department outside the system"),
                                  description=_l("For a home window outside the system: the department's name."))
    counterpart_number = StringField(_l("Number given by the outside window"))
    applicant_kind = SelectField(_l("Applicant is"), choices=choices(APPLICANT_KINDS), validate_choice=False)
    applicant_name = StringField(_l("Applicant name"))
    applicant_id_type = SelectField(_l("Identity document"), choices=choices(ID_TYPES), validate_choice=False)
    applicant_id_number = StringField(_l("Identity document number"))
    applicant_phone = StringField(_l("Phone"))
    applicant_email = StringField(_l("E-mail"))
    applicant_address = StringField(_l("Address"))
    applicant_postcode = StringField(_l("Postcode"))
    delivery_method = SelectField(_l("The result is"), choices=choices(DELIVERY_LABELS), validate_choice=False)
    mail_recipient = StringField(_l("Recipient"), description=_l("Empty: the applicant."))
    mail_phone = StringField(_l("Recipient's phone"), description=_l("Empty: the applicant's phone."))
    mail_address = StringField(_l("Mailing address"))
    mail_postcode = StringField(_l("Postcode of the mailing address"))
    fee_note = StringField(_l("Fees"), description=_l("Empty: as in the service guide."))
    remarks = TextAreaField(_l("Remarks"))
    applied_on = StringField(_l("Applied on"), widget=DateInput())

    SECTIONS = (
        (_l("Matter and windows"), ("origin_center_id", "matter_id", "handling_type_id", "home_center_id",
                                     "department_id", "department_name", "counterpart_number", "applied_on")),
        (_l("Applicant"), ("applicant_kind", "applicant_name", "applicant_id_type", "applicant_id_number",
                           "applicant_phone", "applicant_email", "applicant_address", "applicant_postcode")),
        (_l("Result delivery"), ("delivery_method", "mail_recipient", "mail_phone", "mail_address", "mail_postcode")),
        (_l("Fees and remarks"), ("fee_note", "remarks")),
    )


def _registration_choices(form: RegistrationForm, clerk: Any) -> list[str]:
    """Fills the pickers with what the service offers for what is chosen so far (the matter narrows the
    handling types, home windows and departments); returns the fields required now."""
    blank = [("", str(_l("(not chosen)")))]
    chosen = {name: form[name].data for name in ("origin_center_id", "matter_id", "handling_type_id", "home_center_id")}
    try:
        offered = registration_options(_session(), clerk, **chosen)
    except NotFound:  # a posted id beyond what is offered: offer everything, the service refuses the id
        offered = registration_options(_session(), clerk)
    form.origin_center_id.choices = [(str(c.id), c.name) for c in offered.origins]
    form.matter_id.choices = blank + [(str(m.id), m.name) for m in offered.matters]
    form.handling_type_id.choices = blank + [(str(t.id), t.name) for t in offered.handling_types]
    outside_marker = str(_l("outside the system"))
    form.home_center_id.choices = blank + [
        (str(c.id), f"{c.name}{_l('(%(text)s)', text=outside_marker)}" if c.external else c.name)
        for c in offered.homes]
    form.department_id.choices = blank + [(str(d.id), d.name) for d in offered.departments]
    return offered.required


class CaseRegisterView(BaseView):
    """办件登记: a window clerk registers a draft case; the materials come from the matter's guide."""

    route_base = "/cases"
    class_permission_name = "Case"
    method_permission_name = {"register": "write", "options": "write"}
    #: the menu entry shows for those who may write cases (clerks), not for every reader
    menu_permission = "can_write"
    default_view = "register"

    @expose("/register", methods=["GET", "POST"])
    @has_access
    @answers_service_errors
    def register(self):
        clerk = _user()
        if request.method == "GET":
            form = RegistrationForm(data={"applied_on": date.today().isoformat(), "origin_center_id": clerk.center_id})
            return self._render(form, _registration_choices(form, clerk))
        form = RegistrationForm(request.form)
        required = _registration_choices(form, clerk)
        data = {name: field.data for name, field in form._fields.items()}
        data["department_id"] = data.get("department_id") or None
        data["form_values"] = posted_form_values(request.form)
        try:
            case = register_case(_session(), clerk, data)
        except Refused as error:
            field_errors: dict[str, list[str]] = {}
            for problem in error.problems:
                if (problem.field or "").startswith(FORM_VALUE_PREFIX):
                    field_errors.setdefault(problem.field[len(FORM_VALUE_PREFIX):], []).append(str(problem.message))
            show_problems([p for p in error.problems if not (p.field or "").startswith(FORM_VALUE_PREFIX)], form)
            return self._render(form, required, problems=len(error.problems), values=data["form_values"],
                                field_errors=field_errors), 422
        flash(str(_l("Case registered. Check the received materials, then accept or decline it.")), "success")
        return redirect(url_for("CaseWorkView.detail", case_id=case.id))

    @expose("/register/options", methods=["GET"])
    @has_access
    @answers_service_errors
    def options(self):
        """What the pickers offer for the choices so far (JSON for the form's script); the registration
        itself checks everything again."""
        chosen = {name: request.args.get(name) for name in
                  ("origin_center_id", "matter_id", "handling_type_id", "home_center_id")}
        offered = registration_options(_session(), _user(), **chosen)
        return jsonify(offered.as_json())

    def _render(self, form: RegistrationForm, required: list[str], problems: int = 0,
                values: Mapping[str, Any] | None = None, field_errors: Mapping[str, list[str]] | None = None):
        return self.render_template("cases/register.html", form=form, sections=RegistrationForm.SECTIONS,
                                    problems=problems, required=required, mail_required=MAIL_REQUIRED,
                                    extra_fields=_extra_fields(form.matter_id.data, values or {}, field_errors or {}),
                                    extra_matter=form.matter_id.data or "",
                                    title=_l("Register a case"))


#: the form's names of the extra fields' inputs: ``form_values.<key>``
FORM_VALUE_PREFIX = "form_values."


def posted_form_values(posted: Mapping[str, Any]) -> dict[str, Any]:
    """补充信息 as a page posts them (``form_values.<key>`` inputs), for the registration service."""
    return {name[len(FORM_VALUE_PREFIX):]: value for name, value in posted.items()
            if name.startswith(FORM_VALUE_PREFIX)}


def _extra_fields(matter_id: Any, values: Mapping[str, Any], errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The extra fields of the chosen matter's current guide, with what was typed and its problems."""
    record_id = as_record_id(matter_id) if matter_id not in (None, "") else None
    matter = _session().get(Matter, record_id) if record_id is not None else None
    if matter is None:
        return []
    return [item | {"value": values.get(item["key"], ""), "errors": errors.get(item["key"], [])}
            for item in matter.form_fields]


#: required when the result is mailed (the recipient and the phone default to the applicant's)
MAIL_REQUIRED = ("mail_address", "mail_postcode")


def open_case_counts(session: Any, reach: Any) -> dict[str, int]:
    """Open cases in scope by warning level (for the dashboard)."""
    from sqlalchemy import func

    from app.scope import criterion

    rows = session.execute(
        select(Case.warning_level, func.count()).where(criterion(Case, reach), Case.status.in_(sorted(OPEN_STATUSES)))
        .group_by(Case.warning_level)
    ).all()
    counts = {"red": 0, "yellow": 0, "none": 0}
    for level, count in rows:
        counts[level if level in counts else "none"] += count
    return counts
