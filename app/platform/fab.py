"""The Flask-AppBuilder glue that the generated views and the REST API share: the permission maps,
the reach of the current user, the scoped data interface and the base REST resource.

``ScopedInterface`` puts the scope rule of ``app.scope`` into the query layer of FAB, so every list,
show, edit, delete, action (``action_post`` included), related list and REST call sees only rows in
scope, and it routes every write through ``app.platform.records`` so writes are checked as well.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any, Callable, ClassVar

from apispec import yaml_utils
from flask import Response, current_app, g, request
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api import expose, safe
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.models.filters import BaseFilter, FilterRelation, Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load
from marshmallow_sqlalchemy.fields import Related, RelatedList
from sqlalchemy import JSON
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from app.errors import NotFound, ServiceError
from app.models.base import LOCAL_ZONE
from app.platform import records
from app.platform.api_comfort import (
    PROBLEM_RESPONSES,
    add_problem_components,
    check_if_match,
    document_comforts,
    record_etag,
)
from app.scope import MAX_ID, Reach, as_record_id, criterion, reach_of

log = logging.getLogger(__name__)

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


class UnusableFilterValue(BadRequest):
    """A list filter whose value no row can match and the database cannot even compare: a related record named
    by something other than its id, a number beyond the column's integer. 400 on pages and in the API."""

    def __init__(self, column: str, needs: Any) -> None:
        super().__init__(str(_l("The filter on %(column)s needs %(needs)s.", column=column, needs=needs)))


class UnusableSortColumn(BadRequest):
    """A list asked to be sorted by a column it does not offer (FAB would hand it to the query and fail): 400."""

    def __init__(self) -> None:
        super().__init__(str(_l("This list cannot be sorted by that column.")))


def offer_only_sortable_columns(appbuilder: Any) -> None:
    """FAB offers every list column for sorting, properties included (a case's 办理时限, a user's name, a
    calendar day's weekday), and the query then fails on them: clicking such a header answered 500. Each
    view keeps only the columns the database can sort by, on the instance and on the class (related lists
    on show pages are new instances of it)."""
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is None or not getattr(view, "order_columns", None):
            continue
        sortable = [column for column in view.order_columns if _sortable(datamodel.obj, column)]
        view.order_columns = sortable
        type(view).order_columns = sortable


def _sortable(model: Any, column: str) -> bool:
    """A mapped column of ``model``, or ``relation.column`` of a related model (FAB joins it), of a type the
    database can order by (PostgreSQL has no order for JSON: a rating's tags)."""
    mapper = sa_inspect(model)
    name, _, rest = column.partition(".")
    if rest:
        relation = mapper.relationships.get(name)
        if relation is None:
            return False
        mapper, name = relation.mapper, rest
    attribute = mapper.column_attrs.get(name)
    return attribute is not None and not any(isinstance(c.type, JSON) for c in attribute.columns)


def _check_filter_values(datamodel: SQLAInterface, filters: Any) -> None:
    """Refuses (UnusableFilterValue) a value the database cannot compare with the filtered column: FAB sends
    it as is, and PostgreSQL fails the whole query."""
    for flt, value in zip(filters.filters, filters.values):
        is_relation = isinstance(flt, FilterRelation)
        if not is_relation and not datamodel.is_integer(flt.column_name):
            continue
        for one in value if isinstance(value, (list, tuple)) else [value]:
            if as_record_id(one) is None:
                raise UnusableFilterValue(flt.column_name, _l("the id of a record") if is_relation
                                          else _l("a whole number up to %(max)d", max=MAX_ID))


class ColumnFilters(Filters):
    """FAB's filters, with a REST filter's ``opr`` resolved by the column's own search filters.

    FAB looks ``opr`` up first in one process-wide map of ``arg_name`` → filter class, where the last class
    constructed with that ``arg_name`` wins: once the case API built its ``EqualOnFullView`` for ``eq`` (the
    masked columns' exact search), every ``eq`` of every resource applied the case rule (``opr:eq`` on a
    matter's ``code`` found nothing). Here each column's own filters decide; anything else is FAB's answer."""

    def rest_add_filters(self, data: list[dict[str, Any]]) -> None:
        for one in data:
            own = None
            if isinstance(one, dict) and "value" in one:
                own = next((flt for flt in self._search_filters.get(one.get("col"), [])
                            if flt.arg_name and flt.arg_name == one.get("opr")), None)
            if own is not None:
                self.add_filter(one["col"], type(own), one["value"])
            else:
                super().rest_add_filters([one])


class ScopedInterface(SQLAInterface):
    """An SQLAInterface whose every query carries the scope rule and whose writes go to services.

    ``eager`` names relationships that list pages show and that the model itself loads lazily
    (FAB's own ``User.roles``): they are loaded for all rows at once.
    """

    def __init__(self, obj: type, session: Any = None, eager: tuple[str, ...] = ()) -> None:
        super().__init__(obj, session)
        self.eager = eager

    def get_filters(self, search_columns: Any = None, search_filters: Any = None) -> Filters:
        return ColumnFilters(self.filter_converter_class, self, search_columns=search_columns or [],
                             search_filters=search_filters)

    def apply_all(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(selectinload(getattr(self.obj, name)) for name in self.eager))

    def apply_filters(self, query: Any, filters: Any) -> Any:
        if filters:
            _check_filter_values(self, filters)
        query = super().apply_filters(query, filters)
        return query.filter(criterion(self.obj, current_reach()))

    def get(self, id: Any, *args: Any, **kwargs: Any) -> Any:
        # An id no record can have (from a form's row ids, a query string) is missing, without a query that
        # PostgreSQL would fail.
        if as_record_id(id) is None:
            return None
        return super().get(id, *args, **kwargs)

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


#: the answer to a body over MAX_CONTENT_LENGTH (pages show it on the error page)
UPLOAD_TOO_LARGE = _l("The upload is too large.")


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
    strategy, items = limiter.limiter, parse_many(limits)
    try:
        hits = [strategy.hit(item, prefix, bucket, str(who)) for item in items]  # every limit counts
    except Exception as error:  # the storage (Redis) is away: count in this process, as the logins do
        log.warning("rate-limit storage unreachable (%s): counting %s in memory", type(error).__name__, bucket)
        strategy = _memory_strategy(type(strategy))
        hits = [strategy.hit(item, prefix, bucket, str(who)) for item in items]
    return all(hits)


#: per strategy class, the in-memory limiter used while the configured storage cannot be reached
_MEMORY_STRATEGIES: dict[type, Any] = {}


def _memory_strategy(kind: type) -> Any:
    from limits.storage import MemoryStorage

    if kind not in _MEMORY_STRATEGIES:
        _MEMORY_STRATEGIES[kind] = kind(MemoryStorage())
    return _MEMORY_STRATEGIES[kind]


def answers_service_errors(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """How every REST endpoint of ours answers a request that ends in a refusal: NotFound (missing or out
    of scope) as FAB's 404, every other ServiceError with its status and ``{"errors": [...]}``, a
    MalformedRequest as FAB's 400, a body over the size limit (read only when the endpoint reads it) as 413.
    Goes below ``@safe``, which would answer anything else with 500."""

    @functools.wraps(endpoint)
    def answer(api: ModelRestApi, *args: Any, **kwargs: Any) -> Response:
        try:
            return endpoint(api, *args, **kwargs)
        except MalformedRequest as error:
            return api.response_400(str(error))
        except RequestEntityTooLarge:
            return api.response(413, message=str(UPLOAD_TOO_LARGE))
        except NotFound:
            return api.response_404()
        except ServiceError as error:
            return api.response(error.status, **error.as_dict())

    return answer


#: the answer to a related record named by something that is not the id of one
NOT_A_RECORD = _l("Not the id of a record.")


class RelatedRecordsExist:
    """Mixed into the schemas FAB generates for a body: each related record is named by the id of an existing
    one. Anything else is refused as a validation error naming its fields (422), before a query that
    PostgreSQL would fail on ("hrss" for an integer id) and before marshmallow-sqlalchemy would make up
    a new related record for an id that has none."""

    @pre_load
    def _related_records_exist(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        problems: dict[str, list[str]] = {}
        for name, field in self.load_fields.items():  # type: ignore[attr-defined]
            key = field.data_key or name
            related = field.inner if isinstance(field, RelatedList) else field
            if data.get(key) is None or not isinstance(related, Related):
                continue
            values = data[key] if isinstance(field, RelatedList) and isinstance(data[key], list) else [data[key]]
            if not all(self._exists(related, value) for value in values):
                problems[key] = [str(NOT_A_RECORD)]
        if problems:
            raise ValidationError(problems)
        return data

    def _exists(self, field: Related, value: Any) -> bool:
        if isinstance(value, dict) and len(field.related_keys) == 1:
            value = value.get(field.related_keys[0].key)
        record_id = as_record_id(value)
        return record_id is not None and self.session.get(field.related_model, record_id) is not None  # type: ignore[attr-defined]


class LocalDateTime(fields.DateTime):
    """A moment as the product records it (the naive wall clock of ``app.models.base.now``), answered with its
    zone as RFC 3339 and OpenAPI's ``date-time`` want: 2026-12-02T13:05:00+08:00."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_ZONE)
        return super()._serialize(value, attr, obj, **kwargs)


class AppSchemaConverter(Model2SchemaConverter):
    """FAB's schema converter, with schemas that answer as they are documented: moments with their zone
    (:class:`LocalDateTime`), an empty related record as null, lists of related records as arrays (apispec
    reads ``many`` from the nested schema, which FAB leaves unset); and that check the related records a
    body names (:class:`RelatedRecordsExist`)."""

    def _meta_schema_factory(self, columns: Any, model: Any, class_mixin: type, parent_schema_name: Any = None) -> Any:
        mixin = type(class_mixin.__name__, (class_mixin, RelatedRecordsExist), {})
        return super()._meta_schema_factory(columns, model, mixin, parent_schema_name=parent_schema_name)

    def _column2relation(self, datamodel: SQLAInterface, column: Any, nested: bool = False,
                         parent_schema_name: Any = None) -> fields.Field:
        field = super()._column2relation(datamodel, column, nested=nested, parent_schema_name=parent_schema_name)
        if isinstance(field, fields.Nested):
            if field.many and isinstance(field.nested, Schema):
                field.nested.many = True
            elif datamodel.is_nullable(column.name):
                field.allow_none = True
        return field

    def _column2field(self, datamodel: SQLAInterface, column: Any, nested: bool = True,
                      parent_schema_name: Any = None) -> fields.Field:
        field = super()._column2field(datamodel, column, nested=nested, parent_schema_name=parent_schema_name)
        if type(field) is fields.DateTime:
            zoned = LocalDateTime(required=field.required, allow_none=field.allow_none, dump_only=field.dump_only,
                                  load_only=field.load_only, metadata=field.metadata)
            zoned.unique = getattr(field, "unique", False)
            return zoned
        return field


def page_problem(rison: dict[str, Any]) -> str | None:
    """Why the page asked for in a list's ``q`` cannot be served (FAB would pass a negative or huge page to the
    database as an OFFSET that PostgreSQL refuses), or None."""
    page = rison.get("page", 0)
    if isinstance(page, bool) or not isinstance(page, int) or not 0 <= page <= MAX_ID:
        return str(_l("The page must be a whole number from 0 to %(max)d.", max=MAX_ID))
    return None


# --- the OpenAPI document: FAB's answers as they really are -------------------------------------------

_TEXT = {"type": "string"}

#: the answers every resource can give, registered over FAB's (first come) in the document: the one problem body
RESPONSES: dict[str, dict[str, Any]] = PROBLEM_RESPONSES


#: one column as FAB's ``_info`` describes a field of the add and edit forms
_FORM_COLUMN = {"type": "object", "properties": {
    "name": _TEXT, "label": _TEXT, "description": _TEXT, "type": _TEXT, "required": {"type": "boolean"},
    "unique": {"type": "boolean"}, "validate": {"type": "array", "items": _TEXT},
}}


def _answer_schema(operation: dict[str, Any], status: str = "200") -> dict[str, Any]:
    content = operation["responses"].get(status, {}).get("content", {})
    return content.get("application/json", {}).get("schema", {})


def document_as_answered(endpoint: str, operation: dict[str, Any]) -> None:
    """Amends one operation of the document to what the resource answers: every operation behind a token
    can be refused with 401 and, for a role without the permission, 403; every body can be over the size
    limit (413); FAB's list gives integer ``ids``, a record's answer its integer ``id`` (FAB says a string), and
    its ``_info`` lists the form's columns as arrays."""
    # FAB's YAML reads status codes as numbers; ours are strings
    responses = operation["responses"] = {str(status): answer for status, answer in operation.get("responses", {}).items()}
    refusals = (["401", "403"] if operation.get("security") else []) + (["413"] if "requestBody" in operation else [])
    for status in refusals:
        responses.setdefault(status, {"$ref": f"#/components/responses/{status}"})
    properties = _answer_schema(operation).get("properties", {})
    if endpoint == "get_list" and "ids" in properties:
        properties["ids"]["items"] = {"type": "integer"}
    for status in ("200", "201"):
        answer = _answer_schema(operation, status).get("properties", {})
        if endpoint in ("get", "post", "put") and answer.get("id", {}).get("type") == "string":
            answer["id"] = {**answer["id"], "type": "integer"}
    if endpoint == "info":
        for name in ("add_columns", "edit_columns"):
            if name in properties:
                properties[name] = {"type": "array", "items": _FORM_COLUMN}


class AppModelRestApi(ModelRestApi):
    """Base for our REST resources: JWT only, read/write permissions on the resource named after
    ``resource_name``, refusals as JSON answers, endpoints described by their ``openapi_spec_methods``
    declaration rather than YAML in docstrings."""

    method_permission_name = API_PERMISSIONS
    allow_browser_login = False
    page_size = 25
    model2schemaconverter = AppSchemaConverter
    responses: ClassVar[dict[str, Any]] = {**ModelRestApi.responses, **RESPONSES}

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

    def get_list_headless(self, **kwargs: Any) -> Response:
        problem = page_problem(kwargs.get("rison") or {})
        if problem:
            return self.response_400(problem)
        try:
            return super().get_list_headless(**kwargs)
        except UnusableFilterValue as error:
            return self.response_400(error.description)

    @answers_service_errors
    def post_headless(self) -> Response:
        return super().post_headless()

    # FAB routes PUT and DELETE on any text as ``<pk>`` and GET on integers only: ``GET /center/abc`` then
    # answered 405. Every id of ours is an integer: one route for all three, and any other text is no record (404).
    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk: int) -> Response:
        return self.put_headless(pk)

    put.__doc__ = ModelRestApi.put.__doc__

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    def delete(self, pk: int) -> Response:
        return self.delete_headless(pk)

    delete.__doc__ = ModelRestApi.delete.__doc__

    def get_headless(self, pk: Any, **kwargs: Any) -> Response:
        """The record with its ETag (``If-None-Match`` naming it answers 304: ``api_comfort``)."""
        answer = super().get_headless(pk, **kwargs)
        if answer.status_code == 200:
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                answer.headers["ETag"] = record_etag(item)
        return answer

    def _check_if_match(self, pk: Any) -> None:
        """A change sent with ``If-Match`` is made only on the state it names (else 412)."""
        if request.headers.get("If-Match"):
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                check_if_match(item)

    @answers_service_errors
    def put_headless(self, pk: Any) -> Response:
        self._check_if_match(pk)
        answer = super().put_headless(pk)
        if answer.status_code == 200:
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                answer.headers["ETag"] = record_etag(item)
        return answer

    @answers_service_errors
    def delete_headless(self, pk: Any) -> Response:
        self._check_if_match(pk)
        return super().delete_headless(pk)

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         methods: list[str] | None = None, func: Callable[..., Any] | None = None,
                         **kwargs: Any) -> None:
        # FAB reads ``openapi_spec_methods`` only to amend YAML in the endpoint's docstring; without YAML
        # it would describe a declared endpoint as empty.
        endpoint = getattr(func, "__name__", "")
        declared = self.openapi_spec_methods.get(endpoint)
        if declared is None or yaml_utils.load_operations_from_docstring(func.__doc__ or ""):
            super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        else:
            for method in methods or []:
                operations[method.lower()] = self._declared_operation(func, declared.get(method.lower(), {}))
        for method in methods or []:
            if operations.get(method.lower()):
                document_as_answered(endpoint, operations[method.lower()])
                document_comforts(endpoint, method.lower(), operations[method.lower()])

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        # FAB's own resources (the login) registered FAB's answers first; ours say what the answers hold.
        add_problem_components(api_spec)

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
