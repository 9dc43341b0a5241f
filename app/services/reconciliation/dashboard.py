"""The reconciliation's panel of the supervisors' dashboard: the open findings per kind, each linking to the
scoped findings list of that kind (one grouped count, whatever the number of findings)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.reconciliation import SYSTEM_KINDS, FindingKind
from app.models.reconciliation import ReconciliationFinding
from app.scope import Reach, criterion
from app.domain.panels import Panel, PanelRow
from app.services.reconciliation.labels import kind_label

#: the findings list (app.views.reconciliation.ReconciliationView)
LIST_PATH = "/reconciliation/"


def list_url(**filters: str) -> str:
    return f"{LIST_PATH}?{urlencode(filters)}"


def reconciliation_panel(session: Session, reach: Reach) -> Panel:
    """对账异常: one row per kind the reach can see (system kinds only for the everything-roles), with its open
    count; red when there is any."""
    finding = ReconciliationFinding
    counts = dict(session.execute(select(finding.kind, func.count()).where(finding.is_open.is_(True),
                                                                           criterion(finding, reach))
                                  .group_by(finding.kind)).all())
    kinds = [k for k in FindingKind if reach.everything or k not in SYSTEM_KINDS]
    rows = tuple(PanelRow(kind_label(k), counts.get(k.value, 0), list_url(kind=k.value, state="open"),
                          "red" if counts.get(k.value, 0) else "") for k in kinds)
    return Panel("reconciliation", _("Reconciliation of both ends"), rows)
