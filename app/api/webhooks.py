"""Webhooks (issue 15) as API resources, the administrator's pages 订阅方 and 投递记录 (Admin only, the pages'
permissions ``WebhookSubscriber`` / ``WebhookDelivery``):

- ``/api/v1/webhook_subscriber/``: list, show, create, edit (If-Match), delete; the generated secret is in the
  creation's answer and in ``POST /{pk}/new_secret`` (生成新密钥), never in a list or a show; the page's record
  rules (name, http(s) URL, account: every problem at once, 422).
- ``/api/v1/webhook_delivery/``: the delivery log (filters: subscriber, status, created_on, attempts), show,
  重新投递 of one (``POST /{pk}/redeliver``) or of several, all or nothing (``POST /redeliver``).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from flask import Response
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.api.case_openapi import array_of, in_path, json_body, json_content, obj
from app.api.declared import json_object, record_ids, responses_of
from app.errors import NotFound
from app.models.webhook import WebhookDelivery, WebhookSubscriber
from app.platform.fab import API_PERMISSIONS, AppModelRestApi, ScopedInterface, answers_service_errors
from app.services.events import webhooks

_INT = {"type": "integer"}
_SECRET = json_content(obj(id=_INT, name={"type": "string"}, secret={
    "type": "string", "description": "the new secret, shown this once (copy it to the receiver now)"}))
_QUEUED = json_content(obj(result=obj(queued=array_of(_INT))))


class WebhookSubscriberApi(AppModelRestApi):
    """订阅方: the outside systems that get the case events (docs/WEBHOOKS.md)."""

    resource_name = "webhook_subscriber"
    datamodel = ScopedInterface(WebhookSubscriber)
    list_columns = ["id", "name", "url", "account.id", "account.username", "actions", "active", "created_on"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "url", "account", "actions", "active"]
    search_columns = ["name", "active"]
    order_columns = ["name", "created_on"]
    base_order = ("name", "asc")
    method_permission_name: ClassVar[dict[str, str]] = {**API_PERMISSIONS, "new_secret": "write"}
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "new_secret": {"post": {
            "summary": "生成新密钥: a new secret for the subscriber, shown this once; the old one stops working at once",
            "parameters": [in_path("pk")],
            "responses": responses_of({"200": {"description": "The new secret", "content": _SECRET}}, "404"),
        }},
    }

    def post_headless(self) -> Response:
        """The created subscriber with its generated secret: the one time it is shown."""
        answer = super().post_headless()
        if answer.status_code == 201:
            body = answer.get_json()
            item = self.datamodel.get(body.get("id"), self._base_filters)
            if item is not None:
                body["secret"] = item.secret
                answer.set_data(json.dumps(body))
        return answer

    @expose("/<int:pk>/new_secret", methods=["POST"])
    @protect()
    @safe
    @permission_name("new_secret")
    @answers_service_errors
    def new_secret(self, pk: int) -> Any:
        """A new secret for the subscriber"""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            raise NotFound()
        made = webhooks.new_secrets(self.datamodel.session, [item.id])
        return self.response(200, id=item.id, name=item.name, secret=made[item.name])


class WebhookDeliveryApi(AppModelRestApi):
    """投递记录: one line per case event × subscriber; read-only but for 重新投递."""

    resource_name = "webhook_delivery"
    datamodel = ScopedInterface(WebhookDelivery)
    include_route_methods = {"get", "get_list", "info", "redeliver", "redeliver_several"}
    list_columns = ["id", "created_on", "subscriber.id", "subscriber.name", "event.id", "event.case_id",
                    "event.action", "status", "attempts", "last_status_code", "delivered_on", "next_retry_on"]
    show_columns = list_columns + ["last_error", "last_attempt_on"]
    search_columns = ["subscriber", "status", "created_on", "attempts"]
    order_columns = ["id", "created_on", "status", "attempts"]
    base_order = ("id", "desc")
    method_permission_name: ClassVar[dict[str, str]] = {**API_PERMISSIONS, "redeliver": "write",
                                                        "redeliver_several": "write"}
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "redeliver": {"post": {
            "summary": "重新投递: queues the delivery again (a new round of attempts, the same delivery id); 409 while "
                       "it is still on its way",
            "parameters": [in_path("pk")],
            "responses": responses_of({"200": {"description": "Queued again", "content": _QUEUED}}, "404", "409"),
        }},
        "redeliver_several": {"post": {
            "summary": "重新投递 of several deliveries, all or nothing: an unknown one or one still on its way "
                       "refuses them all (every problem at once)",
            "requestBody": json_body(obj(ids=array_of(_INT))),
            "responses": responses_of({"200": {"description": "Queued again", "content": _QUEUED}}, "400", "422"),
        }},
    }

    def get_headless(self, pk: Any, **kwargs: Any) -> Response:
        """The delivery with its ``delivery_id`` (the ``X-Kytb-Event-Id`` the receiver got)."""
        answer = super().get_headless(pk, **kwargs)
        if answer.status_code == 200:
            body = answer.get_json()
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                body["result"]["delivery_id"] = item.delivery_id
                answer.set_data(json.dumps(body))
        return answer

    @expose("/<int:pk>/redeliver", methods=["POST"])
    @protect()
    @safe
    @permission_name("redeliver")
    @answers_service_errors
    def redeliver(self, pk: int) -> Any:
        """Delivers the event again"""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            raise NotFound()
        webhooks.redeliver_one(self.datamodel.session, item)
        return self.response(200, result={"queued": [item.id]})

    @expose("/redeliver", methods=["POST"])
    @protect()
    @safe
    @permission_name("redeliver_several")
    @answers_service_errors
    def redeliver_several(self) -> Any:
        """Delivers several events again"""
        ids = record_ids(json_object().get("ids"), "ids")
        queued = webhooks.redeliver_checked(self.datamodel.session, ids)
        return self.response(200, result={"queued": [delivery.id for delivery in queued]})
