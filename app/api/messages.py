"""REST resource for the message templates: /api/v1/message_template/. As on the page, the templates are fixed
by the code (one per event, channel and language): they are read and their texts edited, never added or
deleted."""

from __future__ import annotations

from app.models.notify import MessageTemplate
from app.platform.fab import AppModelRestApi, ScopedInterface


class MessageTemplateApi(AppModelRestApi):
    resource_name = "message_template"
    datamodel = ScopedInterface(MessageTemplate)
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "event", "channel", "language", "subject", "active", "changed_on"]
    show_columns = ["id", "event", "channel", "language", "subject", "body", "active", "changed_on"]
    edit_columns = ["subject", "body", "active"]
    search_columns = ["event", "channel", "language", "active"]
    order_columns = ["event", "channel", "language"]
    base_order = ("event", "asc")
