"""事件流 through the REST API: GET /api/v1/events/?after=<cursor>&limit= — every case event the caller may read
(the cases' scope), oldest first, from a stable cursor (docs/WEBHOOKS.md). Thin: ``app.services.events.feed``."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import current_app, request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.api.case_openapi import json_content, obj
from app.api.declared import DeclaredApi, in_query, responses_of
from app.platform.fab import answers_service_errors, current_reach
from app.services.events.feed import parse_request as parse_feed_request
from app.services.events.feed import read_feed

_INTEGER: dict[str, Any] = {"type": "integer"}
_STRING: dict[str, Any] = {"type": "string"}
_EVENT = {"type": "object", "properties": {
    "cursor": {"type": "integer", "description": "the event's position in the feed: ask with it as ?after="},
    "event_id": _INTEGER, "case_id": _INTEGER, "case_number": _STRING, "seq": _INTEGER,
    "action": {"type": "string", "description": "register, update or a step of the process"},
    "from_status": {"type": "string", "nullable": True}, "to_status": _STRING,
    "at": {"type": "string", "format": "date-time", "nullable": True},
    "actor_name": _STRING, "actor_place": _STRING}}


class EventFeedApi(DeclaredApi):
    """/api/v1/events/: the case event feed."""

    resource_name = "events"
    class_permission_name = "Event"
    method_permission_name = {"get_list": "read"}
    openapi_spec_tag = "Events"
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "get_list": {"get": {
            "summary": "The case events after a cursor, oldest first (only those of the cases the caller reads); "
                       "store `next` and ask with it: no event is ever skipped",
            "parameters": [
                in_query("after", {"type": "integer", "minimum": 0}, "the cursor of the last event received "
                                                                     "(0 or absent: from the start)"),
                in_query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "at most this many (100)"),
            ],
            "responses": responses_of({"200": {"description": "The events", "content": json_content(
                obj(count=_INTEGER, next=_INTEGER, more={"type": "boolean"}, next_url=_STRING,
                    result={"type": "array", "items": _EVENT}))}}, "401", "403", "422"),
        }},
    }

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get_list")
    @answers_service_errors
    def get_list(self):
        """The case events after a cursor"""
        after, limit = parse_feed_request(request.args.get("after"), request.args.get("limit"),
                                          current_app.config["EVENT_FEED_MAX_LIMIT"])
        page = read_feed(self._session, current_reach(), after, limit)
        next_url = f"/api/v1/events/?after={page.next}&limit={limit}"
        answer = self.response(200, count=len(page.events), next=page.next, more=page.more, next_url=next_url,
                               result=page.events)
        answer.headers["Link"] = f'<{next_url}>; rel="next"'
        return answer
