"""/api/v1/public/progress: 办件查询 for the applicant, by case number and phone or by the token of the QR code.

Every request counts in the public bucket (PUBLIC_API_RATE_LIMIT) and in the stricter progress bucket
(PUBLIC_PROGRESS_RATE_LIMIT), per client address: guessing numbers or phones is slow. A wrong phone, an unknown
number and a bad token answer the same 404 body.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import expose, safe

from app.api.public import PublicApi, too_many_requests
from app.errors import NotFound
from app.extensions import db
from app.platform.fab import within_rate_limit
from app.services.public.progress import progress_by_number, progress_by_token

#: the stricter bucket of the progress lookups (per client address)
PROGRESS_BUCKET = "public-progress"

PROGRESS_SCHEMA = {
    "type": "object",
    "properties": {
        "number": {"type": "string"},
        "token": {"type": "string"},
        "matter": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
        "handling_type": {"type": "string"},
        "status": {"type": "string"},
        "stage": {"type": "string", "description": "the stage in plain words"},
        "stage_due": {"type": "string", "format": "date", "nullable": True},
        "accepted_on": {"type": "string", "format": "date", "nullable": True},
        "origin_window": {"$ref": "#/components/schemas/PublicWindowContact"},
        "home_window": {"type": "object", "properties": {"name": {"type": "string"}}},
        "department_name": {"type": "string"},
        "delivery_method": {"type": "string", "enum": ["pickup", "mail"]},
        "milestones": {"type": "array", "items": {"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"}, "title": {"type": "string"},
            "detail": {"type": "string"}}}},
        "waybills": {"type": "array", "items": {"type": "object", "properties": {
            "direction": {"type": "string"}, "carrier": {"type": "string"}, "waybill_number": {"type": "string"}}}},
        "correction": {"type": "object", "nullable": True, "properties": {
            "requested_on": {"type": "string", "format": "date"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "reason": {"type": "string"}}}},
            "hand_to": {"$ref": "#/components/schemas/PublicWindowContact"}}},
        "pickup": {"allOf": [{"$ref": "#/components/schemas/PublicWindowContact"}], "nullable": True},
        "rating": {"type": "object", "properties": {
            "open": {"type": "boolean"}, "given": {"type": "boolean"},
            "rating": {"type": "object", "nullable": True, "properties": {
                "level": {"type": "integer"}, "label": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}}, "comment": {"type": "string"},
                "at": {"type": "string", "format": "date-time"}}}}},
    },
}
WINDOW_CONTACT_SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "address": {"type": "string"}, "hours": {"type": "string"},
    "phone": {"type": "string"}}}


class PublicProgressApi(PublicApi):
    def create_blueprint(self, appbuilder: AppBuilder, *args: Any, **kwargs: Any) -> Any:
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(_limit_progress_rate)
        return blueprint

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        for name, schema in (("PublicWindowContact", WINDOW_CONTACT_SCHEMA), ("PublicProgress", PROGRESS_SCHEMA)):
            if name not in api_spec.components.schemas:
                api_spec.components.schema(name, schema)

    @expose("/progress", methods=["GET"])
    @safe
    def by_number(self) -> Response:
        """The progress of a case, by its number and the applicant's phone
        ---
        get:
          summary: 办件查询 by case number and the applicant's phone
          parameters:
          - {in: query, name: number, required: true, schema: {type: string}, description: the case number}
          - {in: query, name: phone, required: true, schema: {type: string}, description: the applicant's phone}
          responses:
            200:
              description: The case's stage, milestones, waybills, open correction and where to collect the result
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {$ref: '#/components/schemas/PublicProgress'}
            404:
              description: No case with this number and phone (a wrong phone and an unknown number answer alike)
              content:
                application/json:
                  schema: {type: object, properties: {message: {type: string}}}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        try:
            progress = progress_by_number(db.session, request.args.get("number", ""), request.args.get("phone", ""))
        except NotFound:
            return self.response_404()
        return self.response(200, result=progress)

    @expose("/progress/<string:token>", methods=["GET"])
    @safe
    def by_token(self, token: str) -> Response:
        """The progress of a case, by the token of the QR code on its acceptance notice
        ---
        get:
          summary: 办件查询 by the token of the notice's QR code (/p/<token>)
          parameters:
          - {in: path, name: token, required: true, schema: {type: string}}
          responses:
            200:
              description: The case's stage, milestones, waybills, open correction and where to collect the result
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {$ref: '#/components/schemas/PublicProgress'}
            404:
              description: No case with this token (answered as a wrong phone is)
              content:
                application/json:
                  schema: {type: object, properties: {message: {type: string}}}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        try:
            progress = progress_by_token(db.session, token)
        except NotFound:
            return self.response_404()
        return self.response(200, result=progress)


def _limit_progress_rate() -> Response | None:
    if request.method == "OPTIONS":
        return None
    if not within_rate_limit(PROGRESS_BUCKET, request.remote_addr, current_app.config["PUBLIC_PROGRESS_RATE_LIMIT"]):
        return too_many_requests()
    return None
