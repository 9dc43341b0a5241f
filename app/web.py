"""Request-level wiring: error pages in the user's language, template helpers, the calendar warning, and the
security headers of every answer."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

_warning_cache: dict[str, Any] = {"at": 0.0, "years": []}
WARNING_TTL_SECONDS = 300


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(status: int, message: Any):
    if _wants_json():
        return jsonify(message=str(message)), status
    appbuilder = current_app.appbuilder
    return render_template("error.html", status=status, message=message, appbuilder=appbuilder,
                           base_template=appbuilder.base_template), status


def calendar_warning() -> list[int]:
    """Years without an official arrangement, for users who maintain the calendar (cached briefly)."""
    sm = current_app.appbuilder.sm
    if not sm.current_user or not sm.has_access("can_write", "WorkCalendar"):
        return []
    now = time.monotonic()
    if now - _warning_cache["at"] > WARNING_TTL_SECONDS:
        from app.services.calendar import missing_years_ahead

        _warning_cache["years"] = missing_years_ahead(current_app.appbuilder.session, date.today())
        _warning_cache["at"] = now
    return _warning_cache["years"]


def forget_calendar_warning() -> None:
    _warning_cache["at"] = 0.0


#: pages: our own scripts and styles only (Flask-AppBuilder's pages use inline ones, hence 'unsafe-inline');
#: no plugins, no framing by any site, forms posted only to us
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
#: a downloaded file (scans and result documents come from outside): opened in the browser, it runs nothing
DOWNLOAD_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
#: assets that may be cached; everything else is a page, an API answer or a file with personal data
STATIC_PREFIX = "/static/"


def secure_headers(response: Response) -> Response:
    """Every answer: nosniff, no framing, no referrer to other sites; pages get the page policy, attachments
    the sandbox; nothing but static assets is kept by browsers or proxies (personal data)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    is_download = response.headers.get("Content-Disposition", "").startswith("attachment")
    if is_download:
        response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    elif response.mimetype == "text/html" or _wants_json():
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    if not request.path.startswith(STATIC_PREFIX):
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.pop("Expires", None)
        response.headers.pop("ETag", None)
    return response


def register_web(app: Flask) -> None:
    app.after_request(secure_headers)
    app.register_error_handler(403, lambda e: _error(403, _l("Your role does not allow this.")))
    app.register_error_handler(404, lambda e: _error(404, _l("Not found.")))
    app.register_error_handler(413, lambda e: _error(413, _l("The upload is too large.")))
    app.register_error_handler(
        429, lambda e: _error(429, _l("Too many attempts. Wait a minute and try again."))
    )

    @app.context_processor
    def _template_helpers() -> dict[str, Any]:
        from app.services.calendar import known_years

        return {
            "calendar_warning": calendar_warning() if not _wants_json() else [],
            "known_calendar_years": lambda: known_years(current_app.appbuilder.session),
        }
