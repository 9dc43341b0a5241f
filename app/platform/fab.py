"""The Flask-AppBuilder glue that the generated views and the REST API share: the permission maps,
the reach of the current user, the scoped data interface and the base REST resource.

``ScopedInterface`` puts the scope rule of ``app.scope`` into the query layer of FAB, so every list,
show, edit, delete, action (``action_post`` included), related list and REST call sees only rows in
scope, and it routes every write through ``app.platform.records`` so writes are checked as well.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

from apispec import yaml_utils
from flask import Response, current_app, g
from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

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


class InReadScope(BaseFilter):
    """Rows of the filtered model that the current user may read (the one scope rule); not offered as a
    search filter (no ``arg_name``): the related pickers of the REST API add it themselves."""

    name = "In read scope"

    def apply(self, query: Any, value: Any) -> Any:
        return query.filter(criterion(self.model, current_reach()))


def may_read_model(model: type) -> bool:
    """Whether the current user's roles may read ``model``: ``can_read`` on the resource (``class_permission_name``)
    of a registered view or API showing it. A model no view or API shows is left to the scope rule."""
    appbuilder = current_app.appbuilder
    resources = {view.class_permission_name for view in appbuilder.baseviews
                 if getattr(getattr(view, "datamodel", None), "obj", None) is model}
    return not resources or any(appbuilder.sm.has_access("can_read", name) for name in resources)


def translated(text: Any) -> str:
    """``text`` in the user's language; an empty text stays empty (gettext("") is the catalogue's header)."""
    if not text:
        return ""
    return gettext(text) if isinstance(text, str) else str(text)  # a lazy text translates itself


#: FAB's placeholder for a resource's class name in its OpenAPI texts; the class name names the model
#: schemas FAB registers for it ("CaseApi.get" …)
CLASS_NAME_PLACEHOLDER = "{{self.__class__.__name__}}"


class MalformedRequest(Exception):
    """The request itself cannot be read (a body that is no JSON object, a version that is no number):
    answered 400 with the reason, as FAB answers a bad request."""


def within_rate_limit(bucket: str, who: Any, limits: str) -> bool:
    """Counts one hit of ``who`` in ``bucket`` against ``limits`` ("30 per minute;300 per day") with
    the limiter FAB keeps for the logins (Redis when configured); False once a limit is exceeded."""
    from limits import parse_many

    limiter = getattr(current_app.appbuilder.sm, "limiter", None)
    if limiter is None or not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    strategy = limiter.limiter
    hits = [strategy.hit(item, prefix, bucket, str(who)) for item in parse_many(limits)]  # every limit counts
    return all(hits)


def answers_service_errors(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """How every REST endpoint of ours answers a request that ends in a refusal: NotFound (missing or out
    of scope) as FAB's 404, every other ServiceError with its status and ``{"errors": [...]}``, a
    MalformedRequest as FAB's 400, a body over MAX_CONTENT_LENGTH (raised when the upload is first read) as 413.
    Goes below ``@safe``, which would answer anything else with 500."""

    @functools.wraps(endpoint)
    def answer(api: ModelRestApi, *args: Any, **kwargs: Any) -> Response:
        try:
            return endpoint(api, *args, **kwargs)
        except MalformedRequest as error:
            return api.response_400(str(error))
        except NotFound:
            return api.response_404()
        except ServiceError as error:
            return api.response(error.status, **error.as_dict())
        except RequestEntityTooLarge:
            return api.response(413, message=str(_l("The upload is too large.")))

    return answer


class AppModelRestApi(ModelRestApi):
    """Base for our REST resources: JWT only, read/write permissions on the resource named after
    ``resource_name``, refusals as JSON answers, endpoints described by their ``openapi_spec_methods``
    declaration rather than YAML in docstrings."""

    method_permission_name = API_PERMISSIONS
    allow_browser_login = False
    page_size = 25

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The permission pair of a resource is named as its views name it ("handling_type" → "HandlingType"),
        # so an API and its view share "can_read" / "can_write".
        if cls.resource_name and "class_permission_name" not in cls.__dict__:
            cls.class_permission_name = "".join(part.capitalize() for part in cls.resource_name.split("_"))

    def _get_list_related_field(self, field: Any, filter_rel_field: list[Any], page: int | None = None,
                                page_size: int | None = None) -> tuple[int, list[dict[str, Any]]]:
        """A related picker of ``_info`` lists only what the user may read: nothing of a resource its roles
        may not read, and of the others only the rows within the scope rule."""
        related = self.datamodel.get_related_model(field.name)
        if not may_read_model(related):
            return 0, []
        in_scope = [related.__mapper__.primary_key[0].key, InReadScope, None]
        return super()._get_list_related_field(field, [*filter_rel_field, in_scope], page=page, page_size=page_size)

    def _get_field_info(self, field: Any, filter_rel_field: list[Any], page: int | None = None,
                        page_size: int | None = None) -> dict[str, Any]:
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        # FAB translates a missing label or description, and gettext("") is the catalogue's header.
        info["label"] = translated(self.label_columns.get(field.name))
        info["description"] = translated(self.description_columns.get(field.name))
        return info

    @answers_service_errors
    def post_headless(self) -> Response:
        return super().post_headless()

    @answers_service_errors
    def put_headless(self, pk: Any) -> Response:
        return super().put_headless(pk)

    @answers_service_errors
    def delete_headless(self, pk: Any) -> Response:
        return super().delete_headless(pk)

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         methods: list[str] | None = None, func: Callable[..., Any] | None = None,
                         **kwargs: Any) -> None:
        # FAB reads ``openapi_spec_methods`` only to amend YAML in the endpoint's docstring; without YAML
        # it would describe a declared endpoint as empty.
        declared = self.openapi_spec_methods.get(getattr(func, "__name__", ""))
        if declared is None or yaml_utils.load_operations_from_docstring(func.__doc__ or ""):
            super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
            return
        for method in methods or []:
            operations[method.lower()] = self._declared_operation(func, declared.get(method.lower(), {}))

    def _declared_operation(self, func: Callable[..., Any], declared: dict[str, Any]) -> dict[str, Any]:
        # A copy (apispec changes what it is given), with the class name put in for FAB's placeholder as
        # FAB does in docstrings; the docstring's line is the summary.
        text = json.dumps(declared).replace(CLASS_NAME_PLACEHOLDER, type(self).__name__)
        operation: dict[str, Any] = json.loads(text)
        summary = (func.__doc__ or "").strip().splitlines()
        if summary:
            operation.setdefault("summary", summary[0])
        if self.get_method_permission(func.__name__):
            operation["security"] = [{"jwt": []}, {"api_key": []}]
        return operation
