"""Authorization matrix generated from the route map: every rule of ``app.url_map`` and each of its
methods is one test, run as one demo user per role and anonymously. Nothing here lists the routes or
who may use them; a new route is covered (or flagged) without editing this file.

How the expected answer is derived, per route:

* **the permission**: the one FAB's ``@has_access`` / ``@protect`` checks — the method's
  ``_permission_name`` mapped through the view's ``method_permission_name`` (``can_`` + the name), which
  must also be in the view's ``base_permissions`` — on the view's ``class_permission_name``. FAB's
  action routes check each action's own permission (``get_action_permission_name``); the step routes
  of a case also need the step's ``can_<step>`` (``app.domain.workflow``).
* **who holds it**: the role matrix, ``app.domain.permissions.permissions_of``.
* **the records**: each path parameter names a record (``ID_PARAMETERS``, or the view's ``datamodel``
  for ``pk``) or takes a value (``VALUE_PARAMETERS``). The scope rule (``app.scope.criterion``, the
  write rule for routes that need more than ``can_read``) picks, per user, a record in scope and one
  out of scope among the records ``world`` builds; an id that exists nowhere is the missing one.

Then: whoever lacks the permission is refused (FAB's redirect to the login page, 403 or 401; an action
refused by FAB's action check is sent back to the list), whoever holds it is not refused and reaches
the record in scope; a record out of scope is answered exactly like a missing id (status, Location
and body, with the ids taken out). A route that checks no permission must be in ``PUBLIC_ROUTES``; a
path parameter the test cannot map fails the test until it is added to one of the two tables.

Web routes are requested through a session signed in with the login form, API routes with a JWT; the
sign-ins and the records are made once per module, and every route rolls back to its own savepoint.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import not_, select

from app.domain.permissions import permissions_of
from app.domain.roles import STAFF_ROLES, RoleName
from app.domain.workflow import TRANSITIONS
from tests import factories
from tests.conftest import (
    api_token,
    config_override,
    csrf_token,
    rolled_back_session,
    web_login,
)

#: the routes anyone may open without signing in: each one answers no record and no personal data
PUBLIC_ROUTES = frozenset({
    "AppAuthDBView.login", "AppAuthDBView.logout", "AppSecurityApi.login", "AppSecurityApi.refresh",
    "static", "appbuilder.static", "health.health_page", "LocaleView.index",
    "HomeView.index",  # the start page: the login page to those not signed in
    "UtilView.back",  # FAB's "back": a redirect to the page before
    "portal.portal_root", "portal.portal_file",  # the applicant's static portal (published catalog, no record)
    # the public API of the applicant's side (issue 13): no login, no personal data
    "PublicCatalogApi.handling_types", "PublicCatalogApi.matters", "PublicCatalogApi.guide",
    "PublicCatalogApi.sample", "PublicCatalogApi.windows",
    "PublicProgressApi.by_number", "PublicProgressApi.by_token",
    "progress_link",  # /p/<token>: a redirect to the portal's progress page, no lookup
    "PublicRatingApi.options", "PublicRatingApi.state", "PublicRatingApi.rate",
})

#: an id no record has (within PostgreSQL's integer range: larger ones are defect 6)
MISSING_ID = 2_000_000_000

#: Defect 6 (500s that should be 4xx, another helper's): the exact cases that answer 500 today, as
#: (route, value of its parameters); only their 500s are let through. Delete this list after the merge.
PENDING_DEFECT_6: frozenset[tuple[str, str]] = frozenset()

#: the routes that answer a case's personal data in full (files, packages): readers who see masks
#: may be refused with 403 there (defect 3); the case's windows and department may not
FULL_VIEWS = frozenset({
    "CaseWorkView.archive_package", "CaseApi.archive_package", "CaseWorkView.notice", "CaseApi.notice",
    "CaseWorkView.scan", "CaseApi.download_scan", "CaseWorkView.result_document", "CaseApi.download_result",
    "CaseWorkView.scan_version", "CaseApi.download_scan_version",
})

#: the case conversation (沟通记录): for the case's sides (the city supervisor reads the thread); every other
#: reader of the case is refused with 403 there, and its attachments are full views
CONVERSATION = frozenset({"CaseApi.messages", "CaseApi.post_message", "CaseWorkView.post_message",
                          "CaseWorkView.message_file", "CaseApi.download_message_file"})

#: the FAB action routes: they check the permission of the action they are asked to run
ACTION_METHODS = frozenset({"action", "action_post"})


def _id_parameters() -> dict[str, Callable[[Any], tuple[type, Any]]]:
    """Path parameter -> (model it names, condition a usable record meets) for the view of the route."""
    from app.models.case import (
        Case,
        CaseAccessLog,
        CaseMaterial,
        LedgerEntry,
        MaterialVersion,
        Notification,
        ResultDocument,
        Shipment,
    )
    from app.models.conversation import CaseMessage, StandIn
    from app.models.exports import ExportJob
    from app.models.notify import Reminder, Report, ReportRequest
    from app.models.rating import Rating, Rectification
    from app.models.supervision import SupervisionOrder
    from app.models.transmittal import Transmittal

    return {
        "message_id": lambda view: (CaseMessage, CaseMessage.file_key.is_not(None)),
        "stand_in_id": lambda view: (StandIn, None),
        "pk": lambda view: (view.datamodel.obj, None),
        "case_id": lambda view: (Case, None),
        "material_id": lambda view: (CaseMaterial, CaseMaterial.scan_key.is_not(None)),
        "document_id": lambda view: (ResultDocument, None),
        "version_id": lambda view: (MaterialVersion, None),
        "job_id": lambda view: (ExportJob, ExportJob.file_key.is_not(None)),
        "transmittal_id": lambda view: (Transmittal, None),
        "order_id": lambda view: (SupervisionOrder, None),
        "report_id": lambda view: (Report, None),
        "request_id": lambda view: (ReportRequest, None),
        "entry_id": lambda view: (LedgerEntry, None),
        "reminder_id": lambda view: (Reminder, None),
        "shipment_id": lambda view: (Shipment, None),
        "rating_id": lambda view: (Rating, None),
        "rectification_id": lambda view: (Rectification, None),
        "log_entry_id": lambda view: (CaseAccessLog, None),
        "notification_id": lambda view: (Notification, None),
    }


def _ids_outside_the_path() -> dict[str, tuple[str, str, Callable[[Any], type]]]:
    """Endpoint (or FAB method) -> (field, "args" or "form", model) of an id sent in the query string or
    the form instead of the path."""
    from app.models.case import Case
    from app.models.notify import Reminder
    from app.models.staff import StaffUser

    return {
        "action_post": ("rowid", "form", lambda view: view.datamodel.obj),
        "ScopedResetPasswordView.this_form_get": ("pk", "args", lambda view: StaffUser),
        "ScopedResetPasswordView.this_form_post": ("pk", "args", lambda view: StaffUser),
        "ReminderView.mark_read": ("id", "form", lambda view: Reminder),
        # the bulk ids of 今日寄件 and of 整包签收 by waybill go through the scope rule like a path id
        "ParcelBatchView.parcels": ("rowid", "form", lambda view: Case),
    }


#: path parameters that name a record of a case: the route's case id is then that record's case
CHILDREN_OF_A_CASE = frozenset({"material_id", "document_id", "message_id", "version_id"})


def _usable_records() -> dict[str, Any]:
    """Endpoint -> the condition a record must meet for the route to have something to answer with."""
    from app.models.case import Notification
    from app.models.catalog import MaterialRequirement

    parked = Notification.status == "parked"
    with_sample = MaterialRequirement.sample_file_key.is_not(None)
    return {"MaterialRequirementView.sample": with_sample, "MaterialRequirementApi.sample": with_sample,
            **{f"ParkedMessageView.{name}": parked for name in ("show", "action", "action_post")},
            "ParkedMessageApi.get": parked}


def _narrower_rules() -> dict[type, Callable[[Any], Any]]:
    """Models whose services narrow the scope rule for those who reach everything too."""
    from app.models.exports import ExportJob
    from app.models.notify import Reminder

    return {ExportJob: lambda reach: ExportJob.user_fk == (reach.user_id or -1),  # only the owner
            Reminder: lambda reach: Reminder.user_id == (reach.user_id or -1)}


#: models without a scope rule (``__scope__``) whose routes may show them anyway, and why
OUTSIDE_THE_SCOPE_RULE = {
    "Role": "FAB's roles, shown to administrators only; what they grant is code (app/domain/permissions.py)",
}


def _value_parameters(route: Route, view: Any) -> dict[str, list[str]]:
    """Path parameters that take a value, not an id: the values to try (the first also for the scope)."""
    return {
        "name": _actions(route, view) if route.method_name in ACTION_METHODS else list(TRANSITIONS),
        "kind": (["xlsx"] if route.endpoint.startswith("LedgerView.") else
                 ["weekly"] if route.endpoint.startswith(("ReportView.", "ReportApi.")) else ["acceptance"]),
        "fmt": ["xlsx", "pdf"],
        "year": [str(date.today().year)],
        "filename": ["x.pdf"],
        "group_by": ["first_name"],
        "locale": ["zh"],
        "version": ["v1"],
        "code": ["KYTB-HRSS-001"],  # a matter's code (the public catalog)
        "seq": ["1"],  # a material's number in the matter's guide
        "token": ["no-such-token"],  # a case's public token (progress, rating): the public API's own 404
    }


def _actions(route: Route, view: Any) -> list[str]:
    """The actions a route runs: those for several records through the list's ``action_post``."""
    names = [name for name, item in view.actions.items() if item.multiple or route.method_name != "action_post"]
    return names or ["(none)"]


# --- the route map ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    endpoint: str
    arguments: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def method_name(self) -> str:
        return self.endpoint.rsplit(".", 1)[-1]

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")


def _route_map() -> list[Route]:
    """Every rule and method of an app built like the tests' own (on an in-memory database, so that
    collecting the tests touches no database)."""
    from app.factory import create_app

    application = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (Route(rule.rule, method, rule.endpoint, tuple(rule.arguments))
         for rule in application.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}),
        key=str,
    )


ROUTES = _route_map()


# --- what a route needs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A request's permission (resource, permission names all needed), or None for a public route."""

    resource: str
    permissions: tuple[str, ...]

    def held_by(self, *roles: RoleName) -> bool:
        """Held by a user with these roles (an approving head is an officer too: it holds both)."""
        granted = set().union(*(permissions_of(role) for role in roles))
        return all((permission, self.resource) in granted for permission in self.permissions)

    @property
    def writes(self) -> bool:
        return any(permission != "can_read" for permission in self.permissions)


def view_of(app, route: Route) -> Any:
    return getattr(app.view_functions[route.endpoint], "__self__", None)


def route_permission(app, route: Route) -> str | None:
    """The permission FAB's ``@has_access`` / ``@protect`` check for the route, or None when it has neither."""
    view = view_of(app, route)
    method = getattr(type(view), route.method_name, None) if view is not None else None
    name = getattr(method, "_permission_name", None)
    if name is None:
        return None
    name = (view.method_permission_name or {}).get(method.__name__, name)
    permission = f"can_{name}"
    # FAB refuses a permission the view does not list in base_permissions, whoever asks.
    return permission if permission in view.base_permissions else "(not in base_permissions)"


#: the FAB routes that change records; FAB refuses them over GET while CSRF protection is on
MUTATIONS = frozenset({"delete", "action"})


#: what an action the view does not have needs: nothing to check, it is missing (404) for everyone
NO_SUCH_ACTION = "(no such action: 404)"


def need_of(app, route: Route, values: dict[str, str]) -> Need | None:
    view = view_of(app, route)
    if route.method_name in ACTION_METHODS and values.get("name") not in getattr(view, "actions", {}):
        return Need(view.class_permission_name, (NO_SUCH_ACTION,))
    get_refused = not app.config.get("FAB_ALLOW_GET_UNSAFE_MUTATIONS", False) and "csrf" in app.extensions
    if route.method == "GET" and route.method_name in MUTATIONS and get_refused:
        return Need(view.class_permission_name, ("(no change over GET)",))
    if route.method_name in ACTION_METHODS and view is not None and hasattr(view, "actions"):
        name = values["name"]
        permission = view.get_action_permission_name(name) if name in view.actions else "(no such action)"
        return Need(view.class_permission_name, (permission,))
    permission = route_permission(app, route)
    if permission is None:
        return None
    permissions = [permission]
    step = TRANSITIONS.get(values.get("name", "")) if route.method_name == "step" else None
    if step is not None:
        permissions.append(step.permission)
    return Need(view.class_permission_name, tuple(permissions))


# --- the world: records, users, signed-in clients ----------------------------------------------------


@dataclass
class User:
    name: str
    role: RoleName
    reach: Any
    #: every role the user holds (``role`` and those beside it)
    roles: tuple[RoleName, ...] = ()
    web: Any = None  # a test client signed in with the login form
    web_csrf: str = ""
    bearer: dict = field(default_factory=dict)
    #: when the JWT was issued: a run on a busy machine outlasts its lifetime, so it is renewed
    bearer_since: float = 0.0


#: renew a JWT older than this (JWT_ACCESS_TOKEN_EXPIRES is 15 minutes)
TOKEN_RENEWAL_SECONDS = 10 * 60


def bearer_of(world: "World", user: User) -> dict:
    """The user's API authorisation header, with a token that has not expired."""
    if not user.bearer or time.monotonic() - user.bearer_since > TOKEN_RENEWAL_SECONDS:
        as_a_new_request()
        user.bearer = {"Authorization": f"Bearer {api_token(world.app.test_client(), user.name)}"}
        user.bearer_since = time.monotonic()
    return user.bearer


@dataclass(frozen=True)
class Record:
    id: int
    case_id: int | None


@dataclass
class World:
    app: Any
    users: list[User]
    anonymous: Any
    anonymous_csrf: str
    samples: dict = field(default_factory=dict)

    def sample(self, model: type, condition: Any, user: User, *, write: bool, inside: bool,
               readable: bool | None = None) -> Any:
        """A record of ``model`` inside (or outside) the user's scope; ``readable`` narrows the outside
        ones to those the user may read (but not write) or may not read at all. None when there is none."""
        from app.extensions import db
        from app.scope import criterion

        key = (model, str(condition), user.name, write, inside, readable)
        cached = self.samples.get(key)
        if cached is not None and db.session.get(model, cached.id) is None:
            del self.samples[key]  # picked while a route's changes stood (they were undone since)
        if key not in self.samples:
            pk = model.__mapper__.primary_key[0]
            stmt = select(model)
            if condition is not None:
                stmt = stmt.where(condition)
            narrower = _narrower_rules().get(model)
            rule = criterion(model, user.reach, write=write)
            if narrower is not None:
                rule = rule & narrower(user.reach)
            stmt = stmt.where(rule if inside else not_(rule))
            if readable is not None:
                read_rule = criterion(model, user.reach)
                stmt = stmt.where(read_rule if readable else not_(read_rule))
            found = db.session.execute(stmt.order_by(pk.desc()).limit(1)).scalar()
            # ids only: the session's objects do not outlive a request
            self.samples[key] = None if found is None else Record(found.id, getattr(found, "case_id", None))
        return self.samples[key]


def _user_per_role(session, in_scope_case) -> list[tuple[str, RoleName]]:
    """The first demo user of each role whose scope holds the case (the first of the role otherwise)."""
    from app.demo.data import USERS
    from app.scope import is_in_scope, reach_of

    chosen = []
    for role in STAFF_ROLES:
        names = [u["username"] for u in USERS if role.value in (u["role"], *u["extra_roles"])]
        covering = [n for n in names if is_in_scope(session, in_scope_case, reach_of(factories.user(session, n)))]
        chosen.append(((covering or names)[0], role))
    return chosen


def _build_records(app, session) -> Any:
    """Two cases no non-city user shares: an archived 利州→苍溪 人社 case with scans, a result
    document, notices and an archive package, and an accepted 苍溪→旺苍 公安 case with scans, a
    message with an attachment and a parcel; a stand-in of 利州区's clerk; each user's export job; the reports of last week
    and three reports on demand (the city's, 利州区's, 苍溪县's)."""
    from app.services.cases import conversation
    from app.services.cases import files as case_files
    from app.services.exports.jobs import request_ledger_export, run_job
    from app.services.exports.ledger import LedgerFilter
    from app.services.notifications import reports
    from app.services.organisation.stand_ins import save_stand_in

    other = factories.accepted_case(session, clerk="cx_window", home="wc_center", matter_code="KYTB-POL-001",
                                    department_key="wc_police")
    for material in other.materials:
        case_files.attach_scan(session, factories.user(session, "cx_window"), other.id, material.id,
                               "scan.pdf", factories.small_pdf())
    conversation.post_message(session, factories.user(session, "cx_window"), other.id, "附件见",
                              upload=("note.pdf", factories.small_pdf()))
    clerk = factories.user(session, "lz_window")
    save_stand_in(session, clerk, {"stand_in_user_id": factories.make_colleague(session).id,
                                   "starts_on": date.today().isoformat(), "ends_on": date.today().isoformat()})
    factories.run_outbox(session, case_id=other.id)
    archived = factories.archived_case(session)
    _transmittal_of(session, archived)
    from app.services.ratings.rating import rate_case  # 好差评: a poor rating and its rectification (利州区)
    from tests.services.ratings import token_of

    rate_case(session, token_of(archived), 2, ["cold"], "态度生硬")
    _park_the_messages_of(session, other, archived)
    from app.services.supervision.orders import issue_orders  # 督办单: one for a window, one for a department

    for case, side in ((other, "origin_window"), (archived, "department")):
        issue_orders(session, factories.user(session, "city_super"), [case.id],
                     {"instruction": "请反馈办理情况", "responsible_side": side, "reply_days": 3})
    with config_override(app, EXPORT_INLINE_MAX_ROWS=-1, EXPORT_PDF_INLINE_MAX_ROWS=-1):
        for username in ("admin", "city_super", "lz_admin", "cx_admin", "lz_window", "cx_window"):
            job = request_ledger_export(session, factories.user(session, username), "xlsx", LedgerFilter())
            run_job(session, job.id)
    reports.build_reports(session, "weekly", date.today() + timedelta(days=7))
    from app.services.notifications.report_requests import request_report  # reports on demand: city, 2 counties

    week = (date.today() - timedelta(days=7)).isoformat(), date.today().isoformat()
    for username, county in (("city_super", None), ("lz_admin", "510802"), ("cx_admin", "510824")):
        request_report(session, factories.user(session, username), *week,
                       factories.region(session, county).id if county else None)
    session.commit()
    return archived


def _transmittal_of(session, case) -> None:
    """A 移交清单 of the case's parcel of materials, stored as the batch page stores one: its two windows
    are its sides."""
    from app.adapters import storage
    from app.documents.transmittal import render_transmittal
    from app.models.transmittal import Transmittal, TransmittalItem
    from app.services.cases.batch import transmittal_context

    shipment = next(s for s in case.shipments if s.direction == "materials")
    transmittal = Transmittal(number="YJ-MATRIX-01", from_center_id=case.origin_center_id,
                              to_center_id=case.home_center_id, sent_on=shipment.sent_on, created_by_name="张丽")
    transmittal.items.append(TransmittalItem(seq=1, case_id=case.id, shipment_id=shipment.id))
    session.add(transmittal)
    session.flush()
    transmittal.file_key, transmittal.sha256 = storage.put(render_transmittal(transmittal_context(transmittal)))
    transmittal.file_name = "移交清单-YJ-MATRIX-01.pdf"


def _park_the_messages_of(session, *cases) -> None:
    """The cases' SMS as a gateway outage past the retry budget leaves them (the way there is proven by
    tests/services/notifications/test_sms_survives_gateway_outage.py), for 发送失败的消息."""
    from sqlalchemy import update

    from app.models.case import Notification

    session.execute(update(Notification).where(Notification.case_id.in_([case.id for case in cases]))
                    .values(status="parked", next_attempt_on=None))


@pytest.fixture(scope="module")
def world(app) -> Iterator[World]:
    from app.scope import reach_of

    with rolled_back_session(app) as session:
        archived = _build_records(app, session)
        session.commit()
        users = []
        for name, role in _user_per_role(session, archived):
            held = tuple(RoleName(r.name) for r in factories.user(session, name).roles)
            user = User(name, role, reach_of(factories.user(session, name)), held)
            user.web = app.test_client()
            as_a_new_request()
            web_login(user.web, name)
            as_a_new_request()
            user.web_csrf = csrf_token(user.web, "/resetmypassword/form")
            users.append(user)
        anonymous = app.test_client()
        as_a_new_request()
        yield World(app, users, anonymous, csrf_token(anonymous))


@contextmanager
def undone() -> Iterator[None]:
    """Whatever the requests inside change is rolled back at the end (to a savepoint of the module's
    transaction)."""
    from app.extensions import db

    db.session.remove()  # a session still open would hold a savepoint around ours
    savepoint = db.engines[None].begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()


@pytest.fixture()
def rolled_back_route(world) -> Iterator[World]:
    """Whatever the route's requests change is undone before the next route."""
    with undone():
        yield world


# --- requests and answers ----------------------------------------------------------------------------


def as_a_new_request() -> None:
    """The test client runs requests in the app context the test holds (for its transaction), so they
    share ``g`` and the session: start each request as a new one would, without the user, the reach
    or the objects of the one before (clients of several users take turns here)."""
    from flask import g

    from app.extensions import db

    vars(g).clear()
    db.session.remove()


@dataclass
class Answer:
    status: int
    location: str
    body: str
    flashes: list = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.location}".strip()


def send(world: World, route: Route, user: User | None, url: str, form: dict | None = None) -> Answer:
    as_a_new_request()
    if route.api:
        client = world.anonymous
        headers = bearer_of(world, user) if user else {}
        kwargs: dict[str, Any] = {"json": {}} if route.method in ("POST", "PUT", "PATCH") else {}
    else:
        client = user.web if user else world.anonymous
        headers = {}
        token = user.web_csrf if user else world.anonymous_csrf
        kwargs = {"data": {"csrf_token": token, **(form or {})}} if route.method != "GET" else {}
        with client.session_transaction() as web_session:
            # FAB sends some answers "back" to the page before: the same page before every request
            web_session.pop("page_history", None)
    response = client.open(url, method=route.method, headers=headers, **kwargs)
    answer = Answer(response.status_code, response.headers.get("Location", ""),
                    response.get_data().decode("utf-8", "replace"))
    if 300 <= response.status_code < 400 and not route.api:
        with client.session_transaction() as web_session:
            # what a redirect flashed is part of its answer, and must not show on the next page
            answer.flashes = [str(message) for _, message in web_session.pop("_flashes", [])]
    return answer


def refused(route: Route, answer: Answer) -> bool:
    """FAB's refusals: 401 / 403, or a redirect that flashes "Access is Denied" (to the login page for
    an anonymous visitor, back to the page before for an action)."""
    from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED

    if answer.status in (401, 403):
        return True
    if 300 <= answer.status < 400:
        return "/login" in answer.location or str(FLAMSG_ERR_SEC_ACCESS_DENIED) in answer.flashes
    return False


_TOKENS = re.compile(r'[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}')  # CSRF tokens (signed, with a timestamp)


def without_ids(text: str, url: str, ids: list[int]) -> str:
    """The answer with the request's URL and its ids (where an id stands: after "/", "=", or quoted)
    taken out, and CSRF tokens too, so that two answers differ only by what they say."""
    text = _TOKENS.sub("<token>", text)
    for form in (url, quote(url, safe=""), quote(url)):
        text = text.replace(form, "<url>")
    for value in ids:
        text = re.sub(rf'(?<=[/="]){value}(?![\w.])', "<id>", text)
    return text


# --- building the URLs of a route --------------------------------------------------------------------


@dataclass
class Target:
    """One request of a route: its URL, its form, the ids in it."""

    url: str
    form: dict
    ids: list[int]


def id_outside_the_path(app, route: Route) -> tuple[str, str, type] | None:
    table = _ids_outside_the_path()
    entry = table.get(route.endpoint) or table.get(route.method_name)
    if entry is None:
        return None
    name, where, model = entry
    return name, where, model(view_of(app, route))


def id_parameters_of(app, route: Route) -> dict[str, tuple[type, Any]]:
    view = view_of(app, route)
    table = _id_parameters()
    return {name: table[name](view) for name in route.arguments if name in table}


def unknown_parameters(app, route: Route) -> list[str]:
    view = view_of(app, route)
    values = _value_parameters(route, view)
    table = _id_parameters()
    return [name for name in route.arguments if name not in table and name not in values]


def target(app, route: Route, values: dict[str, str], record: Any | None) -> Target:
    """The request of ``route`` for ``record`` (None: the missing id) with the value parameters given."""
    parameters = id_parameters_of(app, route)
    ids: dict[str, int] = {}
    children = [name for name in parameters if name in CHILDREN_OF_A_CASE]
    for name in parameters:
        if record is None:
            ids[name] = MISSING_ID
        elif name in CHILDREN_OF_A_CASE or not children:
            ids[name] = record.id
        else:
            ids[name] = record.case_id  # the case of the record the route names
    in_path = {name: value for name, value in values.items() if name in route.arguments}
    url = app.url_map.bind("localhost").build(route.endpoint, {**in_path, **ids}, method=route.method)
    form: dict = {"action": values["name"]} if route.method_name == "action_post" else {}
    outside = id_outside_the_path(app, route)
    if outside is not None:
        name, where, _ = outside
        ids[name] = MISSING_ID if record is None else record.id
        if where == "args":
            url += f"?{name}={ids[name]}"
        else:
            form[name] = [ids[name]]
    return Target(url, form, sorted(set(ids.values())))


def value_sets(app, route: Route) -> list[dict[str, str]]:
    """The value parameters to try: every value of the first one that has several, the first of the rest."""
    view = view_of(app, route)
    table = _value_parameters(route, view)
    names = [name for name in route.arguments if name in table]
    if route.method_name == "action_post":
        names.append("name")  # the action comes in the form
    if not names:
        return [{}]
    first = {name: table[name][0] for name in names}
    several = next((name for name in names if len(table[name]) > 1), None)
    if several is None:
        return [first]
    return [first | {several: value} for value in table[several]]


# --- the test ----------------------------------------------------------------------------------------


def _record_model(app, route: Route) -> tuple[type, Any] | None:
    parameters = id_parameters_of(app, route)
    if not parameters:
        outside = id_outside_the_path(app, route)
        return None if outside is None else (outside[2], None)
    children = [name for name in parameters if name in CHILDREN_OF_A_CASE]
    model, condition = parameters[children[0] if children else next(iter(parameters))]
    usable = _usable_records().get(route.endpoint)
    return model, condition if usable is None else usable


def check_public(world: World, route: Route, need: Need | None, problems: list[str]) -> None:
    if need is None and route.endpoint not in PUBLIC_ROUTES:
        problems.append(f"{route} ({route.endpoint}) checks no permission and is not in PUBLIC_ROUTES")
    if need is not None and route.endpoint in PUBLIC_ROUTES:
        problems.append(f"{route} is in PUBLIC_ROUTES but checks {need}: take it off the list")


def check_as(world: World, route: Route, user: User | None, values: dict[str, str], need: Need,
             record_model: tuple[type, Any] | None, with_scope: bool, problems: list[str]) -> None:
    app = world.app
    who = user.name if user else "anonymous"
    holds = user is not None and need.held_by(*user.roles)
    if need.permissions == (NO_SUCH_ACTION,):
        missing = target(app, route, values, None)
        answer = send(world, route, user, missing.url, missing.form)
        if answer.status != 404:
            problems.append(f"{route} {values} as {who}: {answer}, expected 404 (the view has no such action)")
        return
    if record_model is None:
        request = target(app, route, values, None)
        answer = send(world, route, user, request.url, request.form)
        if answer.status >= 500 or refused(route, answer) == holds:
            problems.append(f"{route} {values or ''} as {who}: {answer}, expected "
                            f"{'not refused' if holds else 'refused'} ({need.permissions} on {need.resource})")
        return
    model, condition = record_model
    if not holds:
        # Refused before any record is looked at: try it on a record that exists (anyone's).
        anyone = world.sample(model, condition, world.users[0], write=False, inside=True)
        probe = target(app, route, values, anyone)
        answer = send(world, route, user, probe.url, probe.form)
        if not refused(route, answer):
            problems.append(f"{route} {values or ''} as {who}: {answer}, expected refused "
                            f"({need.permissions} on {need.resource})")
        return
    if route.method_name in ACTION_METHODS:
        # FAB's action check comes first: a holder gets as far as looking the id up.
        missing = target(app, route, values, None)
        answer = send(world, route, user, missing.url, missing.form)
        if answer.status != 404:
            problems.append(f"{route} {values} as {who} on a missing id: {answer}, expected 404")
    if not with_scope:
        inside = world.sample(model, condition, user, write=need.writes, inside=True)
        if inside is not None:
            _check_inside(world, route, user, values, inside, problems)
        return
    _check_outside_like_missing(world, route, user, values, model, condition, need, problems)
    inside = world.sample(model, condition, user, write=need.writes, inside=True)
    if inside is not None:  # last: it may change the record
        _check_inside(world, route, user, values, inside, problems)


def _check_inside(world: World, route: Route, user: User, values: dict[str, str], record: Any,
                  problems: list[str]) -> None:
    request = target(world.app, route, values, record)
    answer = send(world, route, user, request.url, request.form)
    if route.endpoint in FULL_VIEWS and answer.status == 403 and not sees_full_data(user, record):
        return  # personal data in full: refused to those who see masks (defect 3)
    if route.endpoint in CONVERSATION and answer.status == 403 and not is_a_side(user, record):
        return  # the conversation is its sides' (issue 11)
    if refused(route, answer) or answer.status == 404 or answer.status >= 500:
        problems.append(f"{route} {values or ''} as {user.name} on {request.url} (in scope): {answer}, "
                        "expected not refused")


def is_a_side(user: User, record: Record) -> bool:
    from app.extensions import db
    from app.models.case import Case
    from app.services.cases.access import sides_of

    return bool(sides_of(user.reach, db.session.get(Case, record.case_id or record.id)))


def sees_full_data(user: User, record: Record) -> bool:
    from app.extensions import db
    from app.models.case import Case
    from app.services.cases.access import may_see_full_data

    return may_see_full_data(user.reach, db.session.get(Case, record.case_id or record.id))


def _check_outside_like_missing(world: World, route: Route, user: User, values: dict[str, str], model: type,
                                condition: Any, need: Need, problems: list[str]) -> None:
    if getattr(model, "__scope__", None) is None and model.__name__ in OUTSIDE_THE_SCOPE_RULE:
        return
    missing = target(world.app, route, values, None)
    expected = send(world, route, user, missing.url, missing.form)
    outside = [world.sample(model, condition, user, write=need.writes, inside=False, readable=False)]
    if need.writes:  # a record the user may read but not change counts as out of scope too
        outside.append(world.sample(model, condition, user, write=True, inside=False, readable=True))
    for record in filter(None, outside):
        request = target(world.app, route, values, record)
        answer = send(world, route, user, request.url, request.form)
        same = (answer.status == expected.status and answer.flashes == expected.flashes
                and without_ids(answer.location, request.url, request.ids)
                == without_ids(expected.location, missing.url, missing.ids)
                and without_ids(answer.body, request.url, request.ids)
                == without_ids(expected.body, missing.url, missing.ids))
        if not same:
            problems.append(f"{route} {values or ''} as {user.name}: out of scope {request.url} answers {answer}, "
                            f"missing {missing.url} answers {expected}"
                            + ("" if answer.status != expected.status else " (bodies differ)"))


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_route_is_closed_to_whoever_lacks_its_permission_or_scope(rolled_back_route, route):
    world = rolled_back_route
    app = world.app
    unknown = unknown_parameters(app, route)
    assert not unknown, (f"{route}: which record or value do {unknown} name? Add them to ID_PARAMETERS "
                         "or VALUE_PARAMETERS of this test")
    problems: list[str] = []
    record_model = _record_model(app, route)
    for index, values in enumerate(value_sets(app, route)):
        need = need_of(app, route, values)
        check_public(world, route, need, problems)
        if need is None:
            continue
        found: list[str] = []
        with undone():  # an action or a step that changed a record must not change the next one's answer
            for user in [None, *world.users] if index == 0 else world.users:
                check_as(world, route, user, values, need, record_model, with_scope=index == 0, problems=found)
        if (str(route), next(iter(values.values()), None)) in PENDING_DEFECT_6:
            found = [problem for problem in found if ": 500" not in problem]
        problems += found
    assert not problems, "\n".join(problems)


def test_every_public_route_exists():
    """The allowlist stays short and true: a route taken away leaves no entry behind."""
    endpoints = {route.endpoint for route in ROUTES}
    assert PUBLIC_ROUTES <= endpoints, PUBLIC_ROUTES - endpoints


def test_every_model_outside_the_scope_rule_is_one():
    from flask_appbuilder import Model

    models = {mapper.class_.__name__: mapper.class_ for mapper in Model.registry.mappers}
    for name in OUTSIDE_THE_SCOPE_RULE:
        assert name in models and getattr(models[name], "__scope__", None) is None, name
