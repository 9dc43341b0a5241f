"""REST resources for the catalog: /api/v1/handling_type/, /api/v1/matter/ (with materials and guide),
/api/v1/material_requirement/ and /api/v1/guide/ (read-only)."""

from __future__ import annotations

from app.models.catalog import Guide, HandlingType, MaterialRequirement, Matter
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
    ]
    add_columns = edit_columns = [
        "code", "name", "business_line", "handling_types", "legal_limit_days", "promised_limit_days", "fee_note",
        "consult_phone", "complaint_phone", "acceptance_conditions", "review_points", "precheck", "precheck_hours",
        "max_extension_days", "authority", "legal_basis", "process_steps", "visits", "faq",
    ]
    search_columns = ["code", "name", "line", "status", "handling_types"]
    order_columns = ["code", "name", "promised_limit_days"]
    base_order = ("code", "asc")


class MaterialRequirementApi(AppModelRestApi):
    """A matter's required materials (the sample form is uploaded on the page; its download is a known gap)."""

    resource_name = "material_requirement"
    datamodel = ScopedInterface(MaterialRequirement)
    list_columns = ["id", "matter.id", "matter.code", "matter.name", "seq", "name", "copies", "form", "required",
                    "original_check", "deferrable", "sample_file_name"]
    show_columns = list_columns + ["note"]
    add_columns = edit_columns = ["matter", "seq", "name", "copies", "form", "required", "original_check",
                                  "deferrable", "note"]
    search_columns = ["matter", "name", "form", "required"]
    order_columns = ["seq", "name"]
    base_order = ("matter_id", "asc")


class GuideApi(AppModelRestApi):
    """The published guides (办事指南), read-only: a guide is published from its matter, never edited."""

    resource_name = "guide"
    datamodel = ScopedInterface(Guide)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "matter.id", "matter.code", "matter.name", "version", "published_on", "sha256"]
    show_columns = list_columns + ["content", "note"]
    search_columns = ["matter", "version"]
    order_columns = ["version", "published_on"]
    base_order = ("published_on", "desc")
