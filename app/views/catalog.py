"""Generated views for the catalog: handling types, matters, materials, published guides."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, send_file
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import FileField, IntegerField, TextAreaField
from wtforms.validators import Optional

from app.adapters import storage
from app.labels import FIELD_KINDS, MATERIAL_FORMS, MATTER_STATUSES, label
from app.models.catalog import Guide, HandlingType, MaterialRequirement, Matter, MatterField
from app.models.org import RegionLevel
from app.platform.fab import VIEW_PERMISSIONS, ScopedInterface, current_reach
from app.services.catalog import matters as catalog
from app.views.base import EDIT_ONLY_ROUTES, AppModelView, BulkDeleteMixin, code_select, region_ids, yes_no

CATALOG_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "nationwide": _l("Nationwide"),
    "regions": _l("Regions covered"),
    "description": _l("Description"),
    "sort_order": _l("Order"),
    "active": _l("Active"),
    "business_line": _l("Line of business"),
    "line": _l("Line of business"),
    "handling_types": _l("Handling types"),
    "legal_limit_days": _l("Statutory time limit (working days)"),
    "promised_limit_days": _l("Promised total time limit (working days)"),
    "fee_note": _l("Fees"),
    "consult_phone": _l("Consultation"),
    "complaint_phone": _l("Complaint hotline"),
    "acceptance_conditions": _l("Acceptance conditions"),
    "review_points": _l("Review points"),
    "precheck": _l("Remote pre-check"),
    "precheck_hours": _l("Pre-check time (working hours)"),
    "max_extension_days": _l("Extension cap (working days)"),
    "authority": _l("Implementing authority"),
    "legal_basis": _l("Legal basis"),
    "process_steps": _l("Process steps"),
    "visits": _l("Visits to the window"),
    "faq": _l("Common questions"),
    "status": _l("Status"),
    "current_guide": _l("Current guide version"),
    "current_version": _l("Guide version"),
    "materials": _l("Required materials"),
    "matter": _l("Matter"),
    "seq": _l("No."),
    "copies": _l("Copies"),
    "form": _l("Original or copy"),
    "required": _l("Required"),
    "original_check": _l("Verify original"),
    "deferrable": _l("May be deferred (容缺)"),
    "note": _l("Note"),
    "sample_file_name": _l("Sample form"),
    "sample_file": _l("Sample form"),
    "version": _l("Version"),
    "published_on": _l("Published on"),
    "content": _l("Content"),
    "sha256": _l("Checksum (SHA-256)"),
    "changed_on": _l("Changed on"),
    "fields": _l("Extra information asked"),
    "key": _l("Key"),
    "label": _l("Label"),
    "help": _l("Help text"),
    "kind": _l("Kind"),
    "min_length": _l("Least length"),
    "max_length": _l("Most length"),
    "min_value": _l("Least value"),
    "max_value": _l("Most value"),
    "choices": _l("Choices"),
    "pattern": _l("Pattern"),
}


class HandlingTypeView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(HandlingType)
    class_permission_name = "HandlingType"
    list_title = _l("Handling types")
    show_title = _l("Handling type")
    add_title = _l("Add handling type")
    edit_title = _l("Edit handling type")
    label_columns = CATALOG_LABELS
    list_columns = ["sort_order", "name", "code", "nationwide", "regions", "active"]
    show_columns = ["name", "name_en", "code", "nationwide", "regions", "description", "sort_order", "active"]
    add_columns = edit_columns = ["name", "name_en", "code", "nationwide", "regions", "description", "sort_order", "active"]
    search_columns = ["name", "code", "nationwide", "active"]
    base_order = ("sort_order", "asc")
    # Handling types cover provinces and cities: the picker offers those, not every township.
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "regions": [["id", FilterInFunction, lambda: region_ids(RegionLevel.PROVINCE, RegionLevel.CITY)]]
    }


def _format_multiline(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


class MaterialRequirementView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(MaterialRequirement)
    class_permission_name = "MaterialRequirement"
    method_permission_name = {**VIEW_PERMISSIONS, "sample": "read"}
    list_title = _l("Required materials")
    show_title = _l("Required material")
    add_title = _l("Add required material")
    edit_title = _l("Edit required material")
    label_columns = CATALOG_LABELS
    list_columns = ["matter", "seq", "name", "copies", "form", "required", "original_check", "deferrable",
                    "sample_file_name"]
    show_columns = ["matter", "seq", "name", "copies", "form", "required", "original_check", "deferrable", "note",
                    "sample_file_name"]
    add_columns = edit_columns = ["matter", "seq", "name", "copies", "form", "required", "original_check", "deferrable",
                                  "note", "sample_file"]
    search_columns = ["name", "form", "required"]
    base_order = ("matter_id", "asc")
    formatters_columns = {
        "form": lambda v: label(MATERIAL_FORMS, v),
        "required": yes_no,
        "original_check": yes_no,
        "deferrable": yes_no,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "form": code_select(_l("Original or copy"), MATERIAL_FORMS),
        "sample_file": FileField(_l("Sample form"), description=_l("PDF, JPEG or PNG, at most 20 MB.")),
    }

    def process_form(self, form: Any, is_created: bool) -> None:
        # The upload is not a column: keep it for pre_add/pre_update (per request, in g).
        g.sample_upload = form.sample_file.data if "sample_file" in form else None

    def pre_add(self, item: MaterialRequirement) -> None:
        self._attach_sample(item)

    def pre_update(self, item: MaterialRequirement) -> None:
        self._attach_sample(item)

    def _attach_sample(self, item: MaterialRequirement) -> None:
        upload = g.pop("sample_upload", None)
        if upload and getattr(upload, "filename", ""):
            storage.attach_sample_form(item, upload.filename, upload.read())

    @expose("/sample/<int:pk>")
    @has_access
    def sample(self, pk: int):
        """Downloads a sample form; the material must be in scope like every other record."""
        item = self.datamodel.get(pk)
        if item is None or not item.sample_file_key:
            abort(404)
        return send_file(storage.path_of(item.sample_file_key), download_name=item.sample_file_name, as_attachment=True)


class MatterFieldView(BulkDeleteMixin, AppModelView):
    """补充信息: the extra fields a matter asks at registration (issue 15 item 3), without code. They take
    effect for new cases when the matter is published, like its materials."""

    datamodel = ScopedInterface(MatterField)
    class_permission_name = "MatterField"
    list_title = _l("Extra information asked")
    show_title = _l("Extra field")
    add_title = _l("Add extra field")
    edit_title = _l("Edit extra field")
    label_columns = CATALOG_LABELS
    list_columns = ["matter", "seq", "label", "key", "kind", "required"]
    show_columns = ["matter", "seq", "label", "key", "kind", "required", "help", "min_length", "max_length",
                    "min_value", "max_value", "choices", "pattern"]
    add_columns = edit_columns = ["matter", "seq", "label", "key", "kind", "required", "help", "min_length",
                                  "max_length", "min_value", "max_value", "choices", "pattern"]
    search_columns = ["label", "key", "kind", "required"]
    base_order = ("matter_id", "asc")
    formatters_columns = {"kind": lambda v: label(FIELD_KINDS, v), "required": yes_no, "choices": _format_multiline}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": code_select(_l("Kind"), FIELD_KINDS),
        "choices": TextAreaField(_l("Choices"), description=_l("For a choice field: one choice a line.")),
        "seq": IntegerField(_l("No."), validators=[Optional()],
                            description=_l("The order on the form; empty: after the others.")),
    }
    description_columns = {
        "seq": _l("The order on the form; empty: after the others."),
        "key": _l("The machine name the value is stored and exported under, e.g. move_to_address: a small letter, "
                  "then small letters, digits or _. Keep it once cases use it."),
        "help": _l("Shown under the field on the registration form."),
        "min_length": _l("For text and address fields."),
        "max_length": _l("For text and address fields."),
        "min_value": _l("For number fields."),
        "max_value": _l("For number fields."),
        "pattern": _l("Optional, for text and address fields: a regular expression the whole value must match."),
    }


class MatterView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(Matter)
    class_permission_name = "Matter"
    method_permission_name = {**VIEW_PERMISSIONS, "publish": "write", "retire": "write"}
    list_title = _l("Matter catalog")
    show_title = _l("Matter")
    add_title = _l("Add matter")
    edit_title = _l("Edit matter")
    label_columns = CATALOG_LABELS
    list_columns = ["code", "name", "business_line", "handling_types", "promised_limit_days", "status", "current_version"]
    show_fieldsets = [
        (_l("Matter"), {"fields": ["code", "name", "business_line", "handling_types", "status", "current_version"]}),
        (_l("Time limits and fees"), {"fields": ["legal_limit_days", "promised_limit_days", "max_extension_days", "fee_note",
                                                   "consult_phone", "complaint_phone"]}),
        (_l("Guide"), {"fields": ["acceptance_conditions", "review_points"]}),
        (_l("Service guide for applicants"), {"fields": ["authority", "legal_basis", "process_steps", "visits", "faq"]}),
        (_l("Remote pre-check"), {"fields": ["precheck", "precheck_hours"]}),
    ]
    add_columns = edit_columns = [
        "code", "name", "business_line", "handling_types", "legal_limit_days", "promised_limit_days",
        "max_extension_days", "fee_note", "consult_phone", "complaint_phone", "acceptance_conditions", "review_points",
        "authority", "legal_basis", "process_steps", "visits", "faq", "precheck", "precheck_hours",
    ]
    search_columns = ["code", "name", "business_line", "status"]
    base_order = ("code", "asc")
    related_views = [MaterialRequirementView, MatterFieldView]
    formatters_columns = {
        "status": lambda v: label(MATTER_STATUSES, v),
        "acceptance_conditions": _format_multiline,
        "review_points": _format_multiline,
        "legal_basis": _format_multiline,
        "process_steps": _format_multiline,
        "faq": _format_multiline,
    }
    description_columns = {
        "code": _l("The code in the province's list (事项编码)."),
        "promised_limit_days": _l("Counted in working days from acceptance, time awaiting correction excluded."),
        "max_extension_days": _l("Only when the matter's own law caps extensions differently: the working days all "
                                 "extensions of a case may add (0: none). Empty: the general rule of Art. 42 of the "
                                 "Administrative Licensing Law."),
        "authority": _l("The authority that carries out the matter or is in charge of it (实施机关/主管部门)."),
        "legal_basis": _l("The laws, regulations and rules the matter is set by, with their articles (设定依据)."),
        "process_steps": _l("One step a line, e.g. 申请, 受理, 审核, 办结, 送达."),
        "visits": _l("How many times the applicant comes to a window, 0 to 9 (最多跑一次: 1)."),
        "faq": _l("Each question as one line “问：…” and one line “答：…”, a blank line between two questions."),
        "precheck": _l("The department looks at the scans accepted on its behalf before the parcel leaves; a "
                       "correction it asks is relayed while the applicant may still be at the window."),
        "precheck_hours": _l("Office hours of working days the department has to answer (4: half a working day); "
                             "then the parcel leaves as it is."),
    }

    @action("publish", _l("Publish"), _l("Publish the selected matters as new guide versions?"), "fa-check", single=True)
    def publish(self, items: Any):
        items = items if isinstance(items, list) else [items]
        guides = catalog.publish_matters(self.datamodel.session, items, current_reach())
        flash(str(_l("%(n)d matter(s) published; %(v)d new guide version(s).", n=len(items), v=len(guides))), "success")
        return redirect(self.get_redirect())

    @action("retire", _l("Retire"), _l("Retire the selected matters? Open cases keep their guide."), "fa-ban", single=True)
    def retire(self, items: Any):
        items = items if isinstance(items, list) else [items]
        for item in items:
            catalog.retire_matter(self.datamodel.session, item, current_reach())
        flash(str(_l("%(n)d matter(s) retired.", n=len(items))), "success")
        return redirect(self.get_redirect())


class MatterReviewView(AppModelView):
    """市级有关部门 maintain the review points of their line's matters, nothing else."""

    datamodel = ScopedInterface(Matter)
    class_permission_name = "MatterReview"
    list_title = _l("Review points of my line")
    show_title = _l("Matter")
    edit_title = _l("Edit review points")
    label_columns = CATALOG_LABELS
    base_permissions = ["can_read", "can_write"]
    # Only editing: FAB would register add, delete and the bulk actions on this view too.
    exclude_route_methods = EDIT_ONLY_ROUTES
    list_columns = ["code", "name", "business_line", "status", "current_version"]
    show_columns = ["code", "name", "business_line", "acceptance_conditions", "review_points"]
    edit_columns = ["review_points"]
    search_columns = ["code", "name"]
    base_order = ("code", "asc")
    formatters_columns = {"status": lambda v: label(MATTER_STATUSES, v), "review_points": _format_multiline,
                          "acceptance_conditions": _format_multiline}
    related_views = [MaterialRequirementView, MatterFieldView]


def _format_guide_content(content: dict) -> Markup:
    rows = [
        f"<tr><th>{escape(str(CATALOG_LABELS.get(key, key)))}</th><td>{_format_multiline(str(content.get(key, '')))}</td></tr>"
        for key in catalog.GUIDE_FIELDS
    ]
    materials = "".join(
        f"<li>{escape(m['seq'])}. {escape(m['name'])} ×{escape(m['copies'])} "
        f"({escape(label(MATERIAL_FORMS, m['form']))}{'' if m['required'] else ', ' + escape(str(_l('optional')))})</li>"
        for m in content.get("materials", [])
    )
    fields = "".join(
        f"<li>{escape(f['label'])} <code>{escape(f['key'])}</code> ({escape(label(FIELD_KINDS, f['kind']))}"
        f"{', ' + escape(str(_l('required'))) if f.get('required') else ''})</li>"
        for f in content.get("fields", [])
    )
    extra = (f"<tr><th>{escape(str(CATALOG_LABELS['fields']))}</th><td><ul>{fields}</ul></td></tr>"
             if fields else "")
    return Markup(
        f"<table class='table table-condensed'>{''.join(rows)}"
        f"<tr><th>{escape(str(CATALOG_LABELS['materials']))}</th><td><ul>{materials}</ul></td></tr>{extra}</table>"
    )


class GuideView(AppModelView):
    datamodel = ScopedInterface(Guide)
    class_permission_name = "Guide"
    list_title = _l("Published guides")
    show_title = _l("Service guide")
    label_columns = CATALOG_LABELS
    base_permissions = ["can_read"]
    list_columns = ["matter", "version", "published_on", "sha256"]
    show_columns = ["matter", "version", "published_on", "sha256", "content"]
    search_columns = ["matter", "version"]
    base_order = ("published_on", "desc")
    formatters_columns = {"content": _format_guide_content, "sha256": lambda v: (v or "")[:12]}
