"""FAB's menu for API clients (/api/v1/menu/), documented as it answers: between entries of a category
stands the separator "-", a text, where FAB's description promises only objects."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_appbuilder.menu import MenuApi

from app.platform.fab import document_as_answered

_TEXT: dict[str, Any] = {"type": "string"}
_ENTRY: dict[str, Any] = {"type": "object", "properties": {"name": _TEXT, "label": _TEXT, "icon": _TEXT, "url": _TEXT}}
_CHILD: dict[str, Any] = {"oneOf": [_ENTRY, {"type": "string", "enum": ["-"], "description": "a separator"}]}
_MENU: dict[str, Any] = {"type": "object", "properties": {"result": {
    "type": "array", "description": "the categories and entries the caller may open",
    "items": {**_ENTRY, "properties": {**_ENTRY["properties"], "childs": {"type": "array", "items": _CHILD}}},
}}}


class AppMenuApi(MenuApi):
    class_permission_name = "MenuApi"  # the permission FAB's own menu API has (app.domain.permissions)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {"get_menu_data": {"get": {"responses": {
        "200": {"description": "The menu", "content": {"application/json": {"schema": _MENU}}},
    }}}}

    def operation_helper(self, *args: Any, **kwargs: Any) -> None:
        super().operation_helper(*args, **kwargs)
        for operation in (kwargs.get("operations") or {}).values():
            document_as_answered("get_menu_data", operation)
