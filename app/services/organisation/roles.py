"""Writes the role table of ``app.domain.permissions`` to the database (``flask roles sync``).

Permissions come from the registered views; each system role then gets exactly the pairs of the
matrix plus the menu entries of the views it may read. Edits made to these roles by hand are undone,
which is the point: roles are defined in code and reviewed like code.
"""

from __future__ import annotations

import logging
from typing import Any

from app.domain.roles import RoleName, STAFF_ROLES
from app.domain.permissions import MATRIX, permissions_of

log = logging.getLogger(__name__)

#: the permission that makes a resource's menu entry visible
MENU_PERMISSION_BY_RESOURCE = {
    resource: next(iter(grants)) if "can_read" not in grants else "can_read" for resource, grants in MATRIX.items()
}


def _menu_items(appbuilder: Any) -> list[tuple[str, str | None, str | None, str | None]]:
    """(menu name, category name, resource of the view behind it, permission that shows the entry) for
    every menu entry. A view may name that permission (``menu_permission``, e.g. case registration is
    shown to those who may write cases); otherwise it is the resource's read permission."""
    items = []
    for category in appbuilder.menu.get_list():
        children = category.childs or [category]
        for child in children:
            if child.name == "-":
                continue
            resource = getattr(child.baseview, "class_permission_name", None) if child.baseview else None
            permission = getattr(child.baseview, "menu_permission", None) or MENU_PERMISSION_BY_RESOURCE.get(resource)
            items.append((child.name, category.name if category.childs else None, resource, permission))
    return items


def _menus_for(appbuilder: Any, granted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    menus: set[tuple[str, str]] = set()
    for name, category, resource, permission in _menu_items(appbuilder):
        if resource is not None and (permission, resource) in granted:
            menus.add(("menu_access", name))
            if category:
                menus.add(("menu_access", category))
    return menus


def _create_view_permissions(appbuilder: Any) -> None:
    """Every permission any registered view or API checks, per resource.

    FAB's own ``add_permissions`` treats each view alone and deletes a resource's permissions that
    this view lacks — wrong when several views share a resource ("Case": list, queue, steps). Here
    the union of all views of a resource is created, and nothing is deleted.
    """
    sm = appbuilder.sm
    for view in appbuilder.baseviews:
        resource = getattr(view, "class_permission_name", None) or view.__class__.__name__
        for permission in getattr(view, "base_permissions", None) or []:
            sm.add_permission_view_menu(permission, resource)
    for item in appbuilder.menu.get_flat_name_list():
        if item != "-":
            sm.add_permission_view_menu("menu_access", item)


def sync_roles(appbuilder: Any) -> dict[str, int]:
    """Creates every permission of the registered views, then sets each role to its exact grants."""
    sm = appbuilder.sm
    for role_name in [*STAFF_ROLES, RoleName.PUBLIC]:  # Public exists and holds nothing
        sm.add_role(role_name.value)
    _create_view_permissions(appbuilder)
    summary: dict[str, int] = {}
    for role_name in [*STAFF_ROLES, RoleName.PUBLIC]:
        role = sm.find_role(role_name.value)
        granted = permissions_of(role_name) if role_name != RoleName.PUBLIC else set()
        granted |= _menus_for(appbuilder, granted)
        # Permissions that no view method carries (the steps of a case, can_accept …) are created here.
        pvs = [sm.add_permission_view_menu(permission, view_menu) for permission, view_menu in sorted(granted)]
        role.permissions = pvs
        summary[role_name.value] = len(pvs)
    sm.session.commit()
    log.info("roles synchronised: %s", summary)
    return summary


def holds_permission(user: Any, permission: str, resource: str) -> bool:
    """Whether one of ``user``'s roles holds ``permission`` on ``resource``, as written to the database
    by ``sync_roles`` — the check FAB makes for a page, made by the services for the steps they take."""
    return any(pv.permission.name == permission and pv.view_menu.name == resource
               for role in getattr(user, "roles", None) or () for pv in role.permissions)
