"""The deadlines of one case, recomputed from the work calendar after each change
(the set-based pass over every open case is ``app.services.cases.warnings``).
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy.orm import Session

from app.domain import deadlines as rules
from app.domain.workflow import Status
from app.models.case import Case, ShipmentDirection
from app.services.calendar import load_calendar
from app.services.cases.clock import case_clock


def refresh_deadlines(session: Session, case: Case, today: date) -> None:
    """Recomputes the due dates and the warning level of one case from the work calendar."""
    calendar = load_calendar(session)
    provisional = False
    clock = case_clock(calendar, case, today)
    if clock is not None:
        # stopped days (补正, 特别程序) apart: extensions lengthen the limit itself
        case.paused_days = clock.stopped_total
        dispatch, process = rules.dispatch_due(calendar, case.accepted_on), clock.due
        case.dispatch_due, case.process_due = dispatch.due, process.due
        if case.inbound:  # the outside window had to mail the materials; our window signed for them
            case.dispatch_due = None
        provisional = dispatch.provisional or process.provisional
    if case.completed_on:
        arrived_on = _result_arrived_on(case)
        delivery = rules.delivery_due(calendar, arrived_on) if arrived_on else None
        case.delivery_due = delivery.due if delivery else None
        provisional = provisional or bool(delivery and delivery.provisional)
    case.due_provisional = provisional
    stage = rules.STAGE_OF_STATUS.get(Status(case.status))
    case.warning_level = rules.warning_level(calendar, stage, case.current_due, today, near_working_days()).value


def _result_arrived_on(case: Case) -> date | None:
    """Where the result is now arrived: at the home window on completion; collected at the window, at that
    window the day its parcel was signed for (None while it is on its way)."""
    parcels = [s for s in case.shipments if s.direction == ShipmentDirection.RESULT_TO_WINDOW and s.sent_on]
    if not parcels:
        return case.completed_on
    return max(parcels, key=lambda s: s.id).received_on


def near_working_days() -> int:
    """DEADLINE_WARNING_WORKING_DAYS: how many working days before its due day a case turns yellow."""
    return current_app.config["DEADLINE_WARNING_WORKING_DAYS"]
