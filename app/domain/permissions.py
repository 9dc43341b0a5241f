"""Which role holds which permission (DESIGN §1). The one place to read or change it.

Permissions are "can_read" / "can_write" on a resource (the ``class_permission_name`` a view and its
REST API share). Menu entries follow from these: a role sees a menu item when it may read the view
behind it. ``flask roles sync`` (run by ``make run`` and the tests) writes this table to the database.
"""

from __future__ import annotations

from app.domain.roles import RoleName
from app.domain.workflow import TRANSITIONS, Side

READ, WRITE = "can_read", "can_write"

A = RoleName.ADMIN
SUP = RoleName.CITY_SUPERVISOR
CA = RoleName.COUNTY_ADMIN
WC = RoleName.WINDOW_CLERK
DO = RoleName.DEPARTMENT_OFFICER
CD = RoleName.CITY_DEPARTMENT
AP = RoleName.APPROVER
STAFF = frozenset({A, SUP, CA, WC, DO, CD})

#: resource -> permission -> roles holding it
MATRIX: dict[str, dict[str, frozenset[RoleName]]] = {
    "Region": {READ: STAFF, WRITE: frozenset({A})},
    "BusinessLine": {READ: STAFF, WRITE: frozenset({A})},
    "Center": {READ: frozenset({A, SUP, CA, WC}), WRITE: frozenset({A, CA})},
    "Department": {READ: frozenset({A, SUP, CA, DO, CD}), WRITE: frozenset({A, CA})},
    "HandlingType": {READ: STAFF, WRITE: frozenset({A})},
    "Matter": {READ: STAFF, WRITE: frozenset({A})},
    "MatterReview": {READ: frozenset({CD}), WRITE: frozenset({CD})},
    "MaterialRequirement": {READ: STAFF, WRITE: frozenset({A, CD})},
    # 补充信息 (issue 15 item 3): the administrator, or the city department for the matters of its line
    "MatterField": {READ: STAFF, WRITE: frozenset({A, CD})},
    "Guide": {READ: STAFF},
    "CatalogTransfer": {READ: STAFF, WRITE: frozenset({A})},
    "WorkCalendar": {READ: STAFF, WRITE: frozenset({A})},
    "WorkCalendarYear": {READ: STAFF},
    "User": {READ: frozenset({A, CA}), WRITE: frozenset({A, CA}), "can_userinfo": STAFF},
    # FAB's own security views: roles are defined here in code, so administrators only look at them.
    "RoleModelView": {"can_list": frozenset({A}), "can_show": frozenset({A})},
    "UserStatsChartView": {"can_chart": frozenset({A})},
    # FAB's own pages every signed-in user needs.
    "ResetMyPasswordView": {"can_this_form_get": STAFF, "can_this_form_post": STAFF},
    "UserInfoEditView": {"can_this_form_get": STAFF, "can_this_form_post": STAFF},
    "SwaggerView": {"can_show": frozenset({A})},
    "OpenApi": {"can_get": STAFF},
    "MenuApi": {"can_get": STAFF},
}


def _transition_grants() -> dict[str, frozenset[RoleName]]:
    """A window clerk may take every step (it records the steps of sides outside the system); a
    department officer the department's steps, except the decisions kept for approvers (``approval``),
    which an approver takes beside its officer role. Derived from the transition table, never listed twice."""
    def department_roles(t) -> set[RoleName]:
        if Side.DEPARTMENT not in t.actors:
            return set()
        return {AP} if t.approval else {DO}

    return {t.permission: frozenset({WC} | department_roles(t)) for t in TRANSITIONS.values()}


# 查看个人信息: the city supervisor follows complaints (12345) and may ask, with a logged reason, to see
# one case's personal data for a while. Administrators and county administrators manage accounts and
# organisations, not complaints: they see masks only (data minimisation, PIPL art. 6).
MATRIX["Case"] = {READ: STAFF, WRITE: frozenset({WC}), "can_disclose": frozenset({SUP}), **_transition_grants()}
# The access log of personal data (who saw, searched or asked to see what, and why): audited by the
# administrator and the city supervisor.
MATRIX["AccessLog"] = {READ: frozenset({A, SUP})}
MATRIX["Ledger"] = {READ: frozenset({A, SUP, CA, WC}), WRITE: frozenset({WC})}
# Jobs and what they produce (issues 4 and 5): exports of what a user may read, shipments and their
# tracking, in-app reminders, message templates, sent messages, reports.
MATRIX["Export"] = {READ: frozenset({A, SUP, CA, WC})}
MATRIX["Shipment"] = {READ: frozenset({A, SUP, CA, WC})}
MATRIX["Reminder"] = {READ: STAFF}
# Stand-ins (代办): clerks and officers name their own (我的代理); the administrator manages everybody's.
MATRIX["StandIn"] = {READ: frozenset({A, WC, DO}), WRITE: frozenset({A, WC, DO})}
MATRIX["MessageTemplate"] = {READ: frozenset({A}), WRITE: frozenset({A})}
MATRIX["Notification"] = {READ: frozenset({A, SUP})}
# Messages whose retries ran out (issue 10): administrators send them again — a county administrator
# those of its county's cases, as far as the message list's scope reaches; the supervisor follows them.
MATRIX["ParkedMessage"] = {READ: frozenset({A, SUP, CA}), WRITE: frozenset({A, CA})}
# Reports on demand (issue 14): the same readers ask for them, and for "generate now", within their reach.
MATRIX["Report"] = {READ: frozenset({A, SUP, CA}), WRITE: frozenset({A, SUP, CA})}
# 审计导出 of a period (issue 14): supervisors and administrators (a county administrator its county); the
# audit export of one case belongs to reading the case (Case can_read).
MATRIX["Audit"] = {READ: frozenset({A, SUP, CA})}
# 宣传推广 (issue 13): the portal's news and policy pages, edited by the administrator and the city supervisor.
MATRIX["Article"] = {READ: frozenset({A, SUP}), WRITE: frozenset({A, SUP})}
# 好差评 and 整改 (issue 13): the ratings are read by the accepting window and its county (the supervisor and the
# administrator everywhere); the county administrators (and the administrator) work the rectifications; the city
# supervisor alone decides appeals.
MATRIX["Rating"] = {READ: frozenset({A, SUP, CA, WC})}
MATRIX["Rectification"] = {READ: frozenset({A, SUP, CA, WC}), WRITE: frozenset({A, CA}), "can_decide": frozenset({SUP})}
# 对账发现 (issue 14): the findings of the daily reconciliation, followed by the supervisors and the county
# administrators (the windows and departments see theirs in their work queue).
MATRIX["ReconciliationFinding"] = {READ: frozenset({A, SUP, CA})}

# 督导看板 (issue 14): the supervisors' dashboard, each seeing the figures of its own scope.
MATRIX["Dashboard"] = {READ: frozenset({A, SUP, CA, CD})}
# 督办单 and 催办 (issue 14): read through the case's scope by whoever reads cases; issued, and cases nudged, by the
# city supervisor (every case) and the county administrators (their county's); answered by the responsible side
# (the window's clerks, the department's officers). The supervisor's only writes besides disclosures.
MATRIX["SupervisionOrder"] = {READ: STAFF, "can_issue": frozenset({SUP, CA}), "can_nudge": frozenset({SUP, CA}),
                              "can_reply": frozenset({WC, DO})}

# 事件流 and webhooks (issue 15): the event feed is read by whoever reads cases, within the cases' scope (an
# integration account is a user with one of these roles); the webhook subscribers and their delivery log
# (重新投递) are the administrator's.
MATRIX["Event"] = {READ: MATRIX["Case"][READ]}
MATRIX["WebhookSubscriber"] = {READ: frozenset({A}), WRITE: frozenset({A})}
MATRIX["WebhookDelivery"] = {READ: frozenset({A}), WRITE: frozenset({A})}


def permissions_of(role: RoleName) -> set[tuple[str, str]]:
    """(permission, resource) pairs the role holds, menus excluded (they are derived)."""
    return {
        (permission, resource)
        for resource, grants in MATRIX.items()
        for permission, roles in grants.items()
        if role in roles
    }
