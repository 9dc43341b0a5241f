"""REST resources for the organisation: /api/v1/region/, /api/v1/center/, /api/v1/department/,
/api/v1/business_line/."""

from __future__ import annotations

from app.models.org import BusinessLine, Department, Region, ServiceCenter
from app.platform.fab import AppModelRestApi, ScopedInterface


class RegionApi(AppModelRestApi):
    resource_name = "region"
    datamodel = ScopedInterface(Region)
    list_columns = ["id", "code", "name", "level", "parent_id", "parent.name"]
    show_columns = ["id", "code", "name", "level", "parent_id", "parent.name", "full_name"]
    add_columns = edit_columns = ["code", "name", "level", "parent"]
    search_columns = ["code", "name", "level", "parent"]
    order_columns = ["code", "name", "level"]
    base_order = ("code", "asc")


class CenterApi(AppModelRestApi):
    resource_name = "center"
    datamodel = ScopedInterface(ServiceCenter)
    list_columns = ["id", "code", "name", "kind", "external", "region.id", "region.name", "phone", "active"]
    show_columns = [
        "id", "code", "name", "kind", "external", "has_window", "region.id", "region.name", "address",
        "postcode", "phone", "hotline", "hours", "active", "remarks",
    ]
    add_columns = edit_columns = [
        "code", "name", "kind", "external", "has_window", "region", "address", "postcode", "phone", "hotline",
        "hours", "active", "remarks",
    ]
    search_columns = ["code", "name", "kind", "external", "region", "active"]
    order_columns = ["code", "name", "kind"]
    base_order = ("code", "asc")


class DepartmentApi(AppModelRestApi):
    resource_name = "department"
    datamodel = ScopedInterface(Department)
    list_columns = ["id", "name", "short_name", "line", "region.id", "region.name", "center.id", "center.name", "active"]
    show_columns = [
        "id", "name", "short_name", "line", "region.id", "region.name", "center.id", "center.name", "phone",
        "hotline", "address", "active",
    ]
    add_columns = edit_columns = ["name", "short_name", "business_line", "region", "center", "phone", "hotline", "address",
                                  "active"]
    search_columns = ["name", "short_name", "line", "region", "active"]
    order_columns = ["name", "line"]
    base_order = ("name", "asc")


class BusinessLineApi(AppModelRestApi):
    resource_name = "business_line"
    datamodel = ScopedInterface(BusinessLine)
    list_columns = show_columns = ["id", "code", "name", "name_en"]
    add_columns = edit_columns = ["code", "name", "name_en"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
