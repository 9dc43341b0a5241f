"""The dashboard's 督办 panel: open orders, overdue unanswered, answered, answered late, and the nudges of the last
30 days — in the user's scope, in one statement (a grouped count), each row linking to the list it counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.base import now
from app.models.case import Case, CaseEvent
from app.models.supervision import SupervisionOrder
from app.scope import Reach, criterion
from app.domain.panels import Panel, PanelRow
from app.services.supervision.orders import NUDGED
from app.services.supervision.queries import STATES, state_criterion

NUDGE_DAYS = 30
LIST_PATH = "/supervision/"
ROWS = (("open", _l("Supervision orders open"), ""), ("red", _l("Overdue, not answered"), "red"),
        ("answered", _l("Answered"), ""), ("late", _l("Answered late"), "yellow"))


def _count(state: str) -> Any:
    return func.coalesce(func.sum(sql_case((state_criterion(state), 1), else_=0)), 0)


def supervision_panel(session: Session, reach: Reach) -> Panel:
    nudges = (select(func.count()).select_from(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
              .where(CaseEvent.action == NUDGED, CaseEvent.at >= now() - timedelta(days=NUDGE_DAYS),
                     criterion(Case, reach))
              .scalar_subquery())
    stmt = select(*(_count(state) for state in STATES), nudges).where(criterion(SupervisionOrder, reach))
    figures = session.execute(stmt).one()
    counts = dict(zip(STATES, figures[:len(STATES)]))
    rows = [PanelRow(str(title), int(counts[state] or 0), f"{LIST_PATH}?state={state}", level if counts[state] else "")
            for state, title, level in ROWS]
    rows.append(PanelRow(str(_l("Nudges in the last 30 days")), int(figures[-1] or 0), "", ""))
    return Panel("supervision", str(_l("Supervision orders")), tuple(rows))
