"""The Flask-AppBuilder glue that the generated views and the REST API share: the permission maps,
the reach of the current user, the scoped data interface and the base REST resource.

``ScopedInterface`` puts the scope rule of ``app.scope`` into the query layer of FAB, so every list,
show, edit, delete, action (``action_post`` included), related list and REST call sees only rows in
scope, and it routes every write through ``app.platform.records`` so writes are checked as well.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.orm import selectinload

from app.errors import NotFound, ServiceError
from app.scope import Reach, criterion, reach_of
from app.platform import records


# One permission pair per resource: "can_read" and "can_write" on e.g. "Center", shared by the
# generated view and its REST API (the scheme Apache Superset uses).
VIEW_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "download": "read",
    "add": "write",
    "edit": "write",
    "delete": "write",
    "action": "write",
    "action_post": "write",
    "muldelete": "write",
}


API_PERMISSIONS = {
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "write",
    "put": "write",
    "delete": "write",
}


def current_reach() -> Reach:
    """The reach of whoever makes this request (session user in views, JWT user in the API)."""
    user = current_app.appbuilder.sm.current_user
    cached: Reach | None = getattr(g, "_reach", None)
    if cached is not None and cached.user_id == getattr(user, "id", None):
        return cached
    g._reach = reach_of(user)
    return g._reach


class ScopedInterface(SQLAInterface):
    """An SQLAInterface whose every query carries the scope rule and whose writes go to services.

    ``eager`` names relationships that list pages show and that the model itself loads lazily
    (FAB's own ``User.roles``): they are loaded for all rows at once.
    """

    def __init__(self, obj: type, session: Any = None, eager: tuple[str, ...] = ()) -> None:
        super().__init__(obj, session)
        self.eager = eager

    def apply_all(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(selectinload(getattr(self.obj, name)) for name in self.eager))

    def apply_filters(self, query: Any, filters: Any) -> Any:
        query = super().apply_filters(query, filters)
        return query.filter(criterion(self.obj, current_reach()))

    def is_nullable(self, col_name: str) -> bool:
        # FAB makes every NOT NULL column required in forms; one with a default (an empty remark,
        # an unticked box) may be left empty.
        column = self.list_columns.get(col_name)
        return super().is_nullable(col_name) or (column is not None and column.default is not None)

    def get_related_interface(self, col_name: str) -> SQLAInterface:
        # Related pickers (a center's region, a user's department) use their own views' rules;
        # applying this model's rule to another table would be wrong.
        return SQLAInterface(self.get_related_model(col_name))

    def add(self, item: Any, commit: bool = True) -> None:
        records.save(self.session, item, current_reach())

    def edit(self, item: Any, commit: bool = True) -> None:
        records.save(self.session, item, current_reach())

    def delete(self, item: Any, commit: bool = True) -> None:
        records.delete(self.session, item, current_reach())

    def delete_all(self, items: list[Any]) -> None:
        for item in items:
            records.delete(self.session, item, current_reach())


class AppModelRestApi(ModelRestApi):
    """Base for our REST resources: JWT only, read/write permissions, problems as 422 JSON."""

    method_permission_name = API_PERMISSIONS
    allow_browser_login = False
    page_size = 25

    def _service_error(self, error: ServiceError):
        if isinstance(error, NotFound):
            return self.response_404()
        return self.response(error.status, **error.as_dict())

    def post_headless(self):  # type: ignore[override]
        try:
            return super().post_headless()
        except ServiceError as error:
            return self._service_error(error)

    def put_headless(self, pk: Any):  # type: ignore[override]
        try:
            return super().put_headless(pk)
        except ServiceError as error:
            return self._service_error(error)

    def delete_headless(self, pk: Any):  # type: ignore[override]
        try:
            return super().delete_headless(pk)
        except ServiceError as error:
            return self._service_error(error)
