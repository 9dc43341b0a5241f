"""Webhooks (issue 15), the administrator's pages:

- 订阅方 (``/webhooksubscribers/``): the outside systems that get the case events; the secret is generated and
  shown once (after adding, or with 生成新密钥), never in a form or a list; the URL must be http(s).
- 投递记录 (``/webhookdeliveries/``): one line per event × subscriber with its attempts, last answer and error;
  重新投递 queues the selected ones again.
"""

from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder import AppBuilder
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l

from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscriber
from app.platform.fab import VIEW_PERMISSIONS, ScopedInterface
from app.services.events import webhooks
from app.views.base import NO_EDITING_ROUTES, AppModelView

DELIVERY_STATUSES = {DeliveryStatus.PENDING: _l("Waiting"), DeliveryStatus.DELIVERED: _l("Delivered"),
                     DeliveryStatus.FAILED: _l("Failed")}


def _show_secrets(made: dict[str, str]) -> None:
    for name, secret in made.items():
        flash(str(_l("The secret of %(name)s, shown this once (copy it to the receiver now): %(secret)s",
                     name=name, secret=secret)), "warning")


class WebhookSubscriberView(AppModelView):
    datamodel = ScopedInterface(WebhookSubscriber)
    class_permission_name = "WebhookSubscriber"
    route_base = "/webhooksubscribers"
    method_permission_name = {**VIEW_PERMISSIONS, "new_secret": "write"}
    list_title = _l("Webhook subscribers")
    show_title = edit_title = _l("Webhook subscriber")
    add_title = _l("Add a webhook subscriber")
    label_columns = {"name": _l("Name"), "url": _l("Receiving URL"), "account": _l("Account (its scope applies)"),
                     "actions": _l("Actions (empty: all)"), "active": _l("Active"), "created_on": _l("Created on")}
    list_columns = ["name", "url", "account", "actions", "active", "created_on"]
    show_columns = ["name", "url", "account", "actions", "active", "created_on"]
    add_columns = edit_columns = ["name", "url", "account", "actions", "active"]
    search_columns = ["name", "active"]
    base_order = ("name", "asc")
    description_columns = {
        "url": _l("http:// or https://; the events are POSTed there, signed (X-Kytb-Signature)."),
        "account": _l("The subscriber gets the events of the cases this account may read."),
        "actions": _l("Comma-separated, e.g. accept,complete; empty for every action."),
    }

    def post_add(self, item: WebhookSubscriber) -> None:
        _show_secrets({item.name: item.secret})

    @action("new_secret", _l("New secret"), _l("Generate a new secret? The old one stops working at once."),
            "fa-key", single=False)
    def new_secret(self, items: list[WebhookSubscriber]):
        _show_secrets(webhooks.new_secrets(self.datamodel.session, [item.id for item in items]))
        return redirect(self.get_redirect())


class WebhookDeliveryView(AppModelView):
    datamodel = ScopedInterface(WebhookDelivery)
    class_permission_name = "WebhookDelivery"
    route_base = "/webhookdeliveries"
    method_permission_name = {**VIEW_PERMISSIONS, "redeliver": "write"}
    exclude_route_methods = NO_EDITING_ROUTES
    list_title = _l("Webhook deliveries")
    show_title = _l("Webhook delivery")
    label_columns = {"created_on": _l("Queued on"), "subscriber": _l("Subscriber"), "event": _l("Case event"),
                     "status": _l("Delivery status"), "attempts": _l("Attempts"),
                     "last_status_code": _l("Last answer"), "last_error": _l("Last error"),
                     "last_attempt_on": _l("Last attempt"), "delivered_on": _l("Delivered on"),
                     "next_retry_on": _l("Next attempt"), "delivery_id": _l("Delivery id")}
    list_columns = ["created_on", "subscriber", "event", "status", "attempts", "last_status_code", "delivered_on",
                    "next_retry_on"]
    show_columns = ["delivery_id", "created_on", "subscriber", "event", "status", "attempts", "last_status_code",
                    "last_error", "last_attempt_on", "delivered_on", "next_retry_on"]
    search_columns = ["subscriber", "status", "created_on", "attempts"]
    base_order = ("id", "desc")
    formatters_columns = {"status": lambda v: str(DELIVERY_STATUSES.get(v, v)),
                          "event": lambda e: f"{e.case.number or e.case_id} · {e.action}" if e is not None else ""}

    @action("redeliver", _l("Deliver again"), _l("Deliver the selected events again?"), "fa-repeat", single=False)
    def redeliver(self, items: list[WebhookDelivery]):
        queued = webhooks.redeliver(self.datamodel.session, [item.id for item in items])
        flash(str(_l("%(n)d delivery(ies) queued again.", n=len(queued))), "success")
        return redirect(self.get_redirect())


def register_views(appbuilder: AppBuilder) -> None:
    """Under 消息与报表 (the category of the other outgoing messages): a menu of its own would widen the
    administrator's navigation bar."""
    category = "Messages"
    appbuilder.add_view(WebhookSubscriberView, "Webhook subscribers", label=_l("Webhook subscribers"),
                        icon="fa-plug", category=category)
    appbuilder.add_view(WebhookDeliveryView, "Webhook deliveries", label=_l("Webhook deliveries"), icon="fa-send",
                        category=category)
