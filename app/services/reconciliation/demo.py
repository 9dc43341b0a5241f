"""对账 in the demonstration (``make run``): one case accepted at 利州区's window three working days ago whose
materials never left, so the first reconciliation — run at the end of loading — has a finding to show (in
利州区's work queue, on the findings list and on the dashboard)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.case import Case
from app.models.catalog import HandlingType, Matter
from app.models.org import Department, ServiceCenter
from app.models.staff import StaffUser
from app.services.calendar import load_calendar
from app.services.cases.input import materials_from_guide
from app.services.cases.registration import register_case
from app.services.cases.take_step import take_step

REMARK = "演示数据：受理后逾期未寄出的办件（对账异常）"
APPLICANT = {"applicant_name": "孙建军", "applicant_id_type": "resident_id",
             "applicant_id_number": "11010519491231002X", "applicant_phone": "13908120459",
             "applicant_address": "四川省广元市利州区东坝街道嘉陵路8号", "applicant_postcode": "628000"}
WORKING_DAYS_AGO = 3


def load_overdue_case(session: Session, today: date | None = None) -> Case | None:
    """The case accepted WORKING_DAYS_AGO working days before ``today`` and not dispatched (None when it is there
    already)."""
    if session.scalars(select(Case.id).where(Case.remarks == REMARK)).first() is not None:
        return None
    calendar, day = load_calendar(session), today or date.today()
    for _ in range(WORKING_DAYS_AGO):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    clerk = session.scalars(select(StaffUser).where(StaffUser.username == "lz_window")).one()
    matter = session.scalars(select(Matter).where(Matter.code == "KYTB-HRSS-001")).one()
    home = session.scalars(select(ServiceCenter.id).where(ServiceCenter.code == "GYCX")).one()
    department = session.scalars(select(Department.id).where(Department.name == "苍溪县人力资源和社会保障局")).one()
    values = dict(APPLICANT) | {
        "matter_id": matter.id, "home_center_id": home, "department_id": department, "remarks": REMARK,
        "handling_type_id": session.scalars(select(HandlingType.id).where(HandlingType.code == "kuasheng")).one(),
        "materials": [item | {"received": True} for item in materials_from_guide(matter.current_guide.content)],
    }
    case = register_case(session, clerk, values, today=day)
    case = take_step(session, clerk, case.id, "accept", {"verified": [m.seq for m in case.materials]}, today=day)
    session.commit()
    return case
