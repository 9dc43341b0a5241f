"""Request-level wiring: error pages in the user's language, ids that no record can have, template helpers,
the calendar warning, the security headers of every answer, and 503 with Retry-After when the database is
away."""

from __future__ import annotations

import time
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from app.labels import joined
from app.platform.fab import UPLOAD_TOO_LARGE, UnusableFilterValue, UnusableSortColumn
from app.scope import NO_RECORD_ID, as_record_id

_warning_cache: dict[str, Any] = {"at": 0.0, "years": []}
WARNING_TTL_SECONDS = 300


def _wants_json() -> bool:
    return request.path.startswith("/api/")


#: FAB's own answer to a missing record in the API (``response_404``): every API 404 reads alike
API_NOT_FOUND = "Not found"


def _error(status: int, message: Any):
    if _wants_json():
        return jsonify(message=API_NOT_FOUND if status == 404 else str(message)), status
    appbuilder = current_app.appbuilder
    if "user" not in g:
        # raised before FAB's own before_request (e.g. by a URL preprocessor): the page's menu needs the user
        g.user = current_user
    return render_template("error.html", status=status, message=message, appbuilder=appbuilder,
                           base_template=appbuilder.base_template), status


#: what a request gets while the database cannot be reached (pages and the API alike)
DATABASE_UNAVAILABLE = _l("The service is temporarily unavailable: the database cannot be reached. "
                          "Please try again in a moment.")
#: errors of a database that is away (stopped, unreachable, connections cut, the pool exhausted) rather
#: than of a statement: the request may succeed when tried again
OUTAGE_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS) or (isinstance(error, exc.DBAPIError) and error.connection_invalidated)


def database_unavailable(error: BaseException | None = None) -> Response:
    """503 with Retry-After. The page is rendered without the app's context processors and without the
    base layout (menu, user, calendar warning): each of them would ask the database again."""
    if error is not None and not is_database_outage(error):
        raise error  # an error of the statement itself stays what it was
    if _wants_json():
        response = jsonify(message=str(DATABASE_UNAVAILABLE))
    else:
        page = current_app.jinja_env.get_template("unavailable.html").render(
            message=DATABASE_UNAVAILABLE, language=str(get_locale() or "zh"))
        response = Response(page, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(int(current_app.config["OUTAGE_RETRY_AFTER_SECONDS"]))
    return response


@event.listens_for(Engine, "handle_error")
def _remember_outage(context: Any) -> None:
    """FAB's ``@safe`` turns every error inside an API endpoint into its own 500 before any handler of ours
    sees it: a lost database is remembered here, and that 500 becomes the 503 (``_outage_answers_503``)."""
    if has_request_context() and (context.is_disconnect or is_database_outage(context.sqlalchemy_exception)):
        g.database_outage = True


def _outage_answers_503(response: Response) -> Response:
    if response.status_code == 500 and g.get("database_outage"):
        return database_unavailable()
    return response


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
        if is_download or not (_wants_json() and response.is_json):  # an API record keeps its ETag (docs/API.md)
            response.headers.pop("ETag", None)
    return response



def answer_impossible_ids_as_missing(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """One place for every route, FAB's own included. A route's id that no record can have (beyond the
    database's integer, which PostgreSQL refuses to compare) reaches the view as ``NO_RECORD_ID``, which no
    record has either: the view then answers exactly as for any missing record, its permission check
    first. An action the view does not have is missing too (FAB fails on it, and has no permission to check)."""
    values = values if values is not None else {}
    for name, value in values.items():
        if _names_a_record(name) and _looks_numeric(value) and as_record_id(value) is None:
            values[name] = type(value)(NO_RECORD_ID)
    view_name, _, method = (endpoint or "").rpartition(".")
    action = values.get("name") if method == "action" else request.form.get("action") if method == "action_post" else None
    if action is not None:
        view = _views_by_endpoint().get(view_name)
        if view is not None and action not in getattr(view, "actions", {}):
            abort(404)


def refuse_unknown_sort_columns() -> None:
    """One place for every list page: FAB hands ``_oc_<View>`` to the query as it comes, and a column the
    view does not offer for ordering (a property, a relation, a typo) fails there. Such a request answers
    400 with the reason, as a filter value no row can match does."""
    views = None
    for argument, value in request.args.items():
        if argument.startswith("_od_") and value not in ("asc", "desc"):
            raise UnusableSortColumn()
        if not argument.startswith("_oc_"):
            continue
        views = views if views is not None else {type(v).__name__: v for v in current_app.appbuilder.baseviews}
        view = views.get(argument.removeprefix("_oc_"))
        if view is not None and value not in (getattr(view, "order_columns", None) or ()):
            raise UnusableSortColumn()


def _names_a_record(argument: str) -> bool:
    """FAB's ``<pk>`` and our ``<int:case_id>``, ``<int:material_id>`` … (not e.g. a calendar's year)."""
    return argument == "pk" or argument.endswith("_id")


def _looks_numeric(value: Any) -> bool:
    """An int, or a string that reads as one (other strings are left to the view: FAB answers them as missing)."""
    if isinstance(value, int):
        return True
    text = str(value).strip().lstrip("+-")
    return text.isascii() and text.isdigit()


def _views_by_endpoint() -> dict[str, Any]:
    return {view.endpoint: view for view in current_app.appbuilder.baseviews}


def _bad_request(error: Any):
    # A filter's own reason is for the user; other reasons (a missing CSRF token …) are werkzeug's English.
    readable = isinstance(error, (UnusableFilterValue, UnusableSortColumn))
    reason = error.description if readable else _l("The request cannot be read.")
    return _error(400, reason)


#: where the short link of a case's progress page (``/p/<token>``: the QR code on the notice, the SMS) leads
PORTAL_PROGRESS_PAGE = "/portal/progress.html"


def progress_redirect(token: str) -> Response:
    """``/p/<token>`` → the portal's progress page, which fetches the case by the token. No login, no lookup
    here: every token gets the same answer, whether a case has it or not (the page asks the public API)."""
    return redirect(f"{PORTAL_PROGRESS_PAGE}?t={quote(token[:64], safe='')}", code=302)


def register_web(app: Flask) -> None:
    app.add_url_rule("/p/<token>", "progress_link", progress_redirect, methods=["GET"])
    app.after_request(secure_headers)
    app.after_request(_outage_answers_503)  # registered last, runs first: the 503 gets the security headers
    for error in (*OUTAGE_ERRORS, exc.DBAPIError):
        app.register_error_handler(error, database_unavailable)
    app.url_value_preprocessor(answer_impossible_ids_as_missing)
    app.before_request(refuse_unknown_sort_columns)
    app.register_error_handler(400, _bad_request)
    app.register_error_handler(403, lambda e: _error(403, _l("Your role does not allow this.")))
    app.register_error_handler(404, lambda e: _error(404, _l("Not found.")))
    app.register_error_handler(413, lambda e: _error(413, UPLOAD_TOO_LARGE))
    app.register_error_handler(
        429, lambda e: _error(429, _l("Too many attempts. Wait a minute and try again."))
    )

    app.add_template_filter(joined, "joined")

    @app.context_processor
    def _template_helpers() -> dict[str, Any]:
        from app.services.calendar import known_years

        return {
            "calendar_warning": calendar_warning() if not _wants_json() else [],
            "known_calendar_years": lambda: known_years(current_app.appbuilder.session),
        }
