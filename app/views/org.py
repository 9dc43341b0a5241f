"""Generated views for the organisation: regions, lines, service centers, departments."""

from __future__ import annotations

from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_babel import lazy_gettext as _l

from app.models.org import BusinessLine, Department, Region, RegionLevel, ServiceCenter
from app.views.base import BulkDeleteMixin, AppModelView, code_select, region_ids
from app.platform.fab import ScopedInterface
from app.labels import CENTER_KINDS, REGION_LEVELS, label

ORG_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "short_name": _l("Short name"),
    "full_name": _l("Full name"),
    "level": _l("Level"),
    "parent": _l("Parent region"),
    "region": _l("Region"),
    "kind": _l("Kind"),
    "external": _l("Outside the system"),
    "has_window": _l("Has a cross-region window"),
    "address": _l("Address"),
    "postcode": _l("Postcode"),
    "phone": _l("Phone"),
    "hotline": _l("Service hotline"),
    "hours": _l("Office hours"),
    "active": _l("Active"),
    "remarks": _l("Remarks"),
    "line": _l("Line of business"),
    "business_line": _l("Line of business"),
    "center": _l("Service center (stationed in)"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}


class RegionView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(Region)
    class_permission_name = "Region"
    list_title = _l("Regions")
    show_title = _l("Region")
    add_title = _l("Add region")
    edit_title = _l("Edit region")
    label_columns = ORG_LABELS
    list_columns = ["code", "name", "level", "parent"]
    show_columns = ["code", "name", "full_name", "level", "parent"]
    add_columns = edit_columns = ["code", "name", "level", "parent"]
    search_columns = ["code", "name", "level"]
    base_order = ("path", "asc")
    formatters_columns = {"level": lambda v: label(REGION_LEVELS, v)}
    add_form_extra_fields = edit_form_extra_fields = {"level": code_select(_l("Level"), REGION_LEVELS)}
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "parent": [["id", FilterInFunction, lambda: region_ids("province", "city", "county")]]
    }


class BusinessLineView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(BusinessLine)
    class_permission_name = "BusinessLine"
    list_title = _l("Lines of business")
    show_title = _l("Line of business")
    add_title = _l("Add line of business")
    edit_title = _l("Edit line of business")
    label_columns = ORG_LABELS
    list_columns = ["code", "name", "name_en"]
    add_columns = edit_columns = show_columns = ["code", "name", "name_en"]
    search_columns = ["code", "name"]
    base_order = ("code", "asc")


class CenterView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(ServiceCenter)
    class_permission_name = "Center"
    list_title = _l("Service centers and windows")
    show_title = _l("Service center")
    add_title = _l("Add service center")
    edit_title = _l("Edit service center")
    label_columns = ORG_LABELS
    list_columns = ["code", "name", "kind", "region", "external", "phone", "active"]
    show_columns = [
        "code", "name", "kind", "external", "has_window", "region", "address", "postcode",
        "phone", "hotline", "hours", "active", "remarks", "changed_on",
    ]
    add_columns = edit_columns = [
        "code", "name", "kind", "external", "has_window", "region", "address", "postcode",
        "phone", "hotline", "hours", "active", "remarks",
    ]
    search_columns = ["code", "name", "kind", "external", "address", "active"]
    base_order = ("code", "asc")
    formatters_columns = {"kind": lambda v: label(CENTER_KINDS, v)}
    description_columns = {
        "code": _l("Short code used in case numbers, e.g. GYLZ."),
        "external": _l("A counterpart window in another province or city: address and phone only, no users."),
        "phone": _l("A mobile number or a fixed line with its area code."),
        "hotline": _l("A service hotline such as 12345, if the center publishes one; never printed as a case's phone."),
    }
    add_form_extra_fields = edit_form_extra_fields = {"kind": code_select(_l("Kind"), CENTER_KINDS)}
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "region": [["id", FilterInFunction, lambda: region_ids(RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)]]
    }


class DepartmentView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(Department)
    class_permission_name = "Department"
    list_title = _l("Approving departments")
    show_title = _l("Approving department")
    add_title = _l("Add department")
    edit_title = _l("Edit department")
    label_columns = ORG_LABELS
    list_columns = ["name", "region", "business_line", "center", "phone", "active"]
    show_columns = ["name", "short_name", "region", "business_line", "center", "phone", "hotline", "address", "active",
                    "changed_on"]
    add_columns = edit_columns = ["name", "short_name", "region", "business_line", "center", "phone", "hotline", "address",
                                  "active"]
    search_columns = ["name", "short_name", "business_line", "active"]
    base_order = ("name", "asc")
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "region": [["id", FilterInFunction, lambda: region_ids(RegionLevel.CITY, RegionLevel.COUNTY)]]
    }
