"""The public API of the applicant's side (issue 13), under /api/v1/public/: no login, no personal data in any
answer, CORS for the portal's origins (PORTAL_ORIGINS), a rate limit per client address (PUBLIC_API_RATE_LIMIT).

Each resource is a ``PublicApi`` subclass with its own blueprint under the same prefix; its endpoints are
documented by YAML in their docstrings (after ``---``), as Flask-AppBuilder reads them into /api/v1/_openapi.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import BaseApi
from flask_babel import gettext as _

from app.platform.fab import within_rate_limit

PREFIX = "/api/v1/public"
#: the bucket every public request counts in (per client address)
RATE_BUCKET = "public-api"


class PublicApi(BaseApi):
    """Base of the public resources: open to anyone, counted per address, readable by the portal's origins."""

    route_base = PREFIX
    openapi_spec_tag = "Public"
    allow_browser_login = False
    csrf_exempt = True

    def create_blueprint(self, appbuilder: AppBuilder, *args: Any, **kwargs: Any) -> Any:
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(_limit_rate)
        blueprint.after_request(_allow_portal_origins)
        return blueprint


def too_many_requests() -> Response:
    """429 with the time to wait, in the shape of FAB's message answers."""
    answer = jsonify(message=_("Too many requests from your address; please try again in a minute."))
    answer.status_code, answer.headers["Retry-After"] = 429, "60"
    return answer


def _limit_rate() -> Response | None:
    if request.method == "OPTIONS":
        return None  # a CORS preflight is no request of the applicant's
    if not within_rate_limit(RATE_BUCKET, request.remote_addr, current_app.config["PUBLIC_API_RATE_LIMIT"]):
        return too_many_requests()
    return None


def _allow_portal_origins(response: Response) -> Response:
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if origin and origin in current_app.config["PORTAL_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
    return response


def register_public_apis(appbuilder: AppBuilder) -> None:
    from app.api.public.catalog import PublicCatalogApi
    from app.api.public.progress import PublicProgressApi
    from app.api.public.ratings import PublicRatingApi

    for api in (PublicCatalogApi, PublicProgressApi, PublicRatingApi):
        appbuilder.add_api(api)
