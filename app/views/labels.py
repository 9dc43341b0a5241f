"""How stored codes read to people (zh first, en through the language menu). One table per code set."""

from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

REGION_LEVELS = {
    "province": _l("Province"),
    "city": _l("City"),
    "county": _l("County/district"),
    "township": _l("Township/street"),
}
CENTER_KINDS = {
    "center": _l("Government service center"),
    "station": _l("Convenience service center/station"),
}
MATTER_STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "retired": _l("Retired"),
}
MATERIAL_FORMS = {
    "original": _l("Original"),
    "copy": _l("Copy"),
    "scan": _l("Scan"),
}
ROLE_LABELS = {
    "Admin": _l("System administrator"),
    "CitySupervisor": _l("City supervisor"),
    "CountyAdmin": _l("County administrator"),
    "WindowClerk": _l("Window clerk"),
    "DepartmentOfficer": _l("Department officer"),
    "CityDepartment": _l("City department"),
    "Public": _l("Public"),
}
CALENDAR_SOURCES = {
    "chinesecalendar": _l("chinesecalendar package"),
    "import": _l("Imported file"),
    "manual": _l("Entered by hand"),
}


def label(table: Mapping[str, Any], value: Any) -> str:
    return str(table.get(value, value if value is not None else ""))


def choices(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return list(table.items())


def role_names(roles: Any) -> str:
    return "、".join(label(ROLE_LABELS, role.name) for role in roles or [])
