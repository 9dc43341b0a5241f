"""REST resources for the catalog: /api/v1/handling_type/ and /api/v1/matter/ (with materials and guide)."""

from __future__ import annotations

from app.models.catalog import HandlingType, Matter
from app.platform.fab import AppModelRestApi, ScopedInterface


class HandlingTypeApi(AppModelRestApi):
    resource_name = "handling_type"
    datamodel = ScopedInterface(HandlingType)
    list_columns = ["id", "code", "name", "name_en", "nationwide", "regions.id", "regions.name", "active"]
    show_columns = list_columns + ["description", "sort_order"]
    add_columns = edit_columns = ["code", "name", "name_en", "nationwide", "regions", "description", "sort_order", "active"]
    search_columns = ["code", "name", "nationwide", "active"]
    order_columns = ["sort_order", "code", "name"]
    base_order = ("sort_order", "asc")


class MatterApi(AppModelRestApi):
    resource_name = "matter"
    datamodel = ScopedInterface(Matter)
    list_columns = [
        "id", "code", "name", "line", "status", "legal_limit_days", "promised_limit_days", "precheck",
        "handling_types.code", "handling_types.name", "current_guide.version",
    ]
    show_columns = [
        "id", "code", "name", "line", "status", "legal_limit_days", "promised_limit_days", "max_extension_days",
        "precheck", "precheck_hours", "fee_note", "consult_phone", "complaint_phone", "acceptance_conditions", "review_points",
        "authority", "legal_basis", "process_steps", "visits", "faq",
        "handling_types.code", "handling_types.name",
        "materials.id", "materials.seq", "materials.name", "materials.copies", "materials.form",
        "materials.required", "materials.original_check", "materials.deferrable", "materials.note", "materials.sample_file_name",
        "current_guide.id", "current_guide.version", "current_guide.published_on", "current_guide.sha256",
        # 补充信息 (issue 15 item 3): the extra fields a new case is asked, as published
        "form_fields",
    ]
    add_columns = edit_columns = [
        "code", "name", "business_line", "handling_types", "legal_limit_days", "promised_limit_days", "fee_note",
        "consult_phone", "complaint_phone", "acceptance_conditions", "review_points", "precheck", "precheck_hours",
        "max_extension_days", "authority", "legal_basis", "process_steps", "visits", "faq",
    ]
    search_columns = ["code", "name", "line", "status", "handling_types"]
    order_columns = ["code", "name", "promised_limit_days"]
    base_order = ("code", "asc")
