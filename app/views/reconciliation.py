"""对账发现: the findings of the daily reconciliation of both ends, for the supervisors and the county administrators
(scoped: a county administrator sees its county's cases, the supervisor everything, system findings included),
filtered by kind, open or resolved, and county, each linked to its case; above them, the last run."""

from __future__ import annotations

from flask import current_app, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.domain.reconciliation import SYSTEM_KINDS, FindingKind
from app.platform.fab import current_reach
from app.scope import as_record_id
from app.services import reconciliation
from app.services.reconciliation.labels import ADVICE, KIND_LABELS, describe, kind_label
from app.views.base import page_number

PAGE_SIZE = 100
STATE_LABELS = {"open": _l("Open"), "resolved": _l("Resolved"), "all": _l("All")}


class ReconciliationView(BaseView):
    route_base = "/reconciliation"
    class_permission_name = "ReconciliationFinding"
    method_permission_name = {"list": "read"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        session, reach = current_app.appbuilder.session, current_reach()
        kinds = [k for k in FindingKind if reach.everything or k not in SYSTEM_KINDS]
        kind = request.args.get("kind", "")
        kind = kind if kind in {k.value for k in kinds} else ""
        state = request.args.get("state", "open")
        state = state if state in reconciliation.STATES else "open"
        counties = reconciliation.counties_of_findings(session, reach)
        county_id = as_record_id(request.args.get("county", ""))
        county_id = county_id if county_id in {c.id for c in counties} else None
        page = page_number()
        total, items = reconciliation.findings(session, reach, kind=kind or None, state=state, county_id=county_id,
                                               page=page, page_size=PAGE_SIZE)
        run = reconciliation.last_run(session)
        return self.render_template(
            "reconciliation/list.html", title=_l("Reconciliation findings"), items=items, total=total, page=page,
            page_size=PAGE_SIZE, kinds=[(k.value, KIND_LABELS[k]) for k in kinds], kind=kind, state=state,
            states=STATE_LABELS, counties=counties, county_id=county_id, run=run, show_counts=reach.everything,
            kind_label=kind_label, describe=describe, advice=lambda k: ADVICE.get(k, ""),
            filters={"kind": kind, "state": state, "county": county_id or ""})


def register_views(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ReconciliationView, "Reconciliation findings", label=_l("Reconciliation findings"),
                        icon="fa-balance-scale", category="Cases", category_label=_l("Cases"))


def reconciliation_section(session, reach) -> dict:
    """What the work queue's 对账异常 section shows: the open findings the user's window or department answers
    for, with what to do about each."""
    return {"reconciliation_findings": reconciliation.for_queue(session, reach),
            "reconciliation_kind": kind_label, "reconciliation_describe": describe,
            "reconciliation_advice": lambda k: ADVICE.get(k, "")}
