"""工作台 through the REST API: /api/v1/work_queue/?tab=… — the work queue's tabs as the page shows them
(待办 ``todo``, 跟踪中 ``tracking``, 待归档 ``to_archive``, 预审 ``precheck``, 督办待反馈 ``supervision``,
对账异常 ``reconciliation``), the same rows through the same service functions, paged, with every tab's count.

Thin: ``work_queue.queue_tabs`` (the case tabs), ``awaiting_reply`` (the orders the user's side answers) and
``reconciliation.for_queue`` (the open findings of the user's side). An unknown tab or page is 400.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import current_app, request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields

from app.api.case_openapi import array_of, json_content, obj
from app.api.case_schemas import CaseNameSchema
from app.api.declared import DeclaredApi, in_query, page_number, responses_of
from app.api.oversight import ReconciliationFindingSchema
from app.api.supervision import SupervisionOrderSchema
from app.platform.fab import LocalDateTime, MalformedRequest, answers_service_errors, current_reach
from app.services import reconciliation
from app.services.cases.work_queue import QUEUE_TABS, queue_tabs
from app.services.supervision.queries import awaiting_reply

PAGE_SIZE = 25
TABS = (*QUEUE_TABS, "supervision", "reconciliation")
_INT: dict[str, Any] = {"type": "integer"}


class QueueCaseSchema(Schema):
    """A case of the queue: an overview (no identity number or phone)."""

    id = fields.Integer()
    number = fields.String(allow_none=True)
    status = fields.String()
    warning_level = fields.String()
    applicant_name = fields.String()
    matter = fields.Nested(CaseNameSchema)
    handling_type = fields.Nested(CaseNameSchema)
    origin_center = fields.Nested(CaseNameSchema)
    home_center = fields.Nested(CaseNameSchema)
    department_name = fields.String()
    accepted_on = fields.Date(allow_none=True)
    process_due = fields.Date(allow_none=True)
    version = fields.Integer()


class QueueItemSchema(Schema):
    """A row of a case tab: the case, the steps the user may take, and what the tab tells about it."""

    __component_name__ = "QueueItem"

    case = fields.Nested(QueueCaseSchema)
    steps = fields.Function(lambda item: [str(t.name) for t in item.steps],
                            metadata={"description": "the steps the user may take (POST /api/v1/case/{pk}/{name})"})
    waiting_for = fields.Function(lambda item: [str(side) for side in item.waiting_for],
                                  metadata={"description": "跟踪中: what the case waits for"})
    since = LocalDateTime(allow_none=True, metadata={"description": "跟踪中: waiting since"})
    open_items = fields.Integer(metadata={"description": "待归档: the archive checklist's open problems"})
    on_behalf_of = fields.Function(
        lambda item: ({"id": item.on_behalf_of.id, "name": str(item.on_behalf_of)} if item.on_behalf_of else None),
        metadata={"description": "待办: the absent colleague the user stands in for (代办)"})
    precheck_due = LocalDateTime(allow_none=True, metadata={"description": "预审: the answer's due time"})


class WorkQueueApi(DeclaredApi):
    """/api/v1/work_queue/: the work queue's tabs."""

    resource_name = "work_queue"
    class_permission_name = "Case"
    method_permission_name = {"get_list": "read"}
    openapi_spec_tag = "Work queue"
    openapi_spec_component_schemas = (QueueItemSchema,)
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "One tab of the caller's work queue (the page's 待办, 跟踪中, 待归档, 预审, 督办待反馈, 对账异常), "
                       "with every tab's count",
            "parameters": [
                in_query("tab", {"type": "string", "enum": list(TABS)}, "the tab (todo by default)"),
                in_query("page", {"type": "integer", "minimum": 0}, f"{PAGE_SIZE} per page, from 0"),
            ],
            "responses": responses_of({"200": {"description": "The tab's rows: QueueItem for the case tabs, "
                                                             "SupervisionOrder, ReconciliationFinding", "content":
                json_content(obj(tab={"type": "string"}, count=_INT,
                                 counts={"type": "object", "additionalProperties": _INT},
                                 result=array_of({"type": "object"})))}}, "400", "401", "403"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """One tab of the work queue"""
        tab = request.args.get("tab") or "todo"
        if tab not in TABS:
            raise MalformedRequest(f"tab must be one of {', '.join(TABS)}")
        page = page_number()
        user, reach = current_app.appbuilder.sm.current_user, current_reach()
        cases = queue_tabs(self._session, user)
        orders = awaiting_reply(self._session, user)
        findings = reconciliation.for_queue(self._session, reach)
        rows: dict[str, tuple[list[Any], Any]] = {
            **{name: (items, QueueItemSchema(many=True)) for name, items in cases.items()},
            "supervision": (orders, SupervisionOrderSchema(many=True)),
            "reconciliation": (findings, ReconciliationFindingSchema(many=True)),
        }
        items, schema = rows[tab]
        shown = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        return self.response(200, tab=tab, count=len(items), counts={name: len(r[0]) for name, r in rows.items()},
                             result=schema.dump(shown))
