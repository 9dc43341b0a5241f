"""Builders for tests and demos: find demo records by their natural keys, or make new ones that
differ from the demo only where a test says so."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import data
from app.models.catalog import HandlingType, MaterialRequirement, Matter, MatterStatus
from app.models.org import BusinessLine, Department, Region, ServiceCenter
from app.models.staff import StaffUser

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):04d}"


# --- the demo records --------------------------------------------------------------------------


def region(session: Session, code: str) -> Region:
    return session.execute(select(Region).where(Region.code == code)).scalar_one()


def center(session: Session, key: str) -> ServiceCenter:
    """A demo center by its key in ``app.demo.data`` (e.g. "lz_center")."""
    code = next(c["code"] for c in data.CENTERS if c["key"] == key)
    return session.execute(select(ServiceCenter).where(ServiceCenter.code == code)).scalar_one()


def key_of_center(code: str) -> str:
    """The demo key of a center by its code (e.g. "CQYZ" for 重庆市渝中区政务服务中心)."""
    return next(c["key"] for c in data.CENTERS if c["code"] == code)


def department(session: Session, key: str) -> Department:
    name = next(d["name"] for d in data.DEPARTMENTS if d["key"] == key)
    return session.execute(select(Department).where(Department.name == name)).scalar_one()


def user(session: Session, username: str) -> StaffUser:
    return session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()


def matter(session: Session, code: str) -> Matter:
    return session.execute(select(Matter).where(Matter.code == code)).scalar_one()


def handling_type(session: Session, code: str) -> HandlingType:
    return session.execute(select(HandlingType).where(HandlingType.code == code)).scalar_one()


# --- new records -------------------------------------------------------------------------------


def make_center(session: Session, county: str = "510802", **overrides: Any) -> ServiceCenter:
    values = {
        "code": unique("TC"), "name": unique("测试便民服务站"), "kind": "station", "external": False,
        "region": region(session, county), "address": "四川省广元市测试路1号", "postcode": "628000",
        "phone": "0839-3261234", "hours": "工作日 9:00—17:00",
    } | overrides
    item = ServiceCenter(**values)
    session.add(item)
    session.flush()
    return item


def make_department(session: Session, county: str = "510802", line: str = "hrss", **overrides: Any) -> Department:
    values = {"name": unique("测试审批部门"), "short_name": "测试", "region": region(session, county), "line": line,
              "phone": "0839-3261234"} | overrides
    item = Department(**values)
    session.add(item)
    session.flush()
    return item


def make_matter(session: Session, line: str = "hrss", materials: int = 2, **overrides: Any) -> Matter:
    values = {"code": unique("TEST-"), "name": unique("测试事项"), "line": line, "legal_limit_days": 20,
              "promised_limit_days": 10, "status": MatterStatus.DRAFT,
              "handling_types": [handling_type(session, "kuasheng")]} | overrides
    item = Matter(**values)
    item.materials = [
        MaterialRequirement(seq=i, name=f"材料{i}", copies=1, form="copy", required=True) for i in range(1, materials + 1)
    ]
    session.add(item)
    session.flush()
    return item


def line(session: Session, code: str) -> BusinessLine:
    return session.execute(select(BusinessLine).where(BusinessLine.code == code)).scalar_one()


# --- cases -------------------------------------------------------------------------------------

APPLICANT = {
    "applicant_name": "李晓梅", "applicant_id_type": "resident_id", "applicant_id_number": "11010519491231002X",
    "applicant_phone": "13908121234", "applicant_email": "lixiaomei1988@example.com",
    "applicant_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号", "applicant_postcode": "628017",
}


def case_data(session: Session, *, home: str = "cx_center", matter_code: str = "KYTB-HRSS-001",
              department_key: str | None = "cx_hrss", handling_type_code: str = "kuasheng", **overrides: Any) -> dict:
    """What a clerk enters to register a case (the form's and the API's fields)."""
    data = dict(APPLICANT) | {
        "matter_id": matter(session, matter_code).id,
        "handling_type_id": handling_type(session, handling_type_code).id,
        "home_center_id": center(session, home).id,
        "department_id": department(session, department_key).id if department_key else None,
    }
    return data | overrides


def make_case(session: Session, clerk: str = "lz_window", *, received_all: bool = True, today: Any = None,
              **overrides: Any):
    """A registered draft at ``clerk``'s window, every material of the guide handed in."""
    from app.services.cases.registration import register_case

    case = register_case(session, user(session, clerk), case_data(session, **overrides), today=today)
    if received_all:
        for material in case.materials:
            material.received = True
        session.commit()
    return case


def run_steps(session: Session, case: Any, steps: list[tuple[str, str, dict]], today: Any = None):
    """Performs (username, transition, data) steps in order; returns the case."""
    from app.services.cases.take_step import take_step

    for username, name, fields in steps:
        case = take_step(session, user(session, username), case.id, name, fields, today=today)
    return case


def verify_all(case: Any) -> dict:
    return {"verified": [m.seq for m in case.materials]}


def ready_to_archive(session: Session, case: Any) -> Any:
    """What archiving asks of a delivered case, done the way the staff would: a scan of every received
    material (by a clerk of the case), a result document (by the department, when it is in the
    system), and the pending notices rendered (their outbox jobs run). Returns the case."""
    from app.models.case import OutboxMessage
    from app.services.cases import files as case_files
    from app.platform import outbox

    window = case.origin_center if not case.origin_center.external else case.home_center
    clerk = session.scalars(select(StaffUser).where(StaffUser.center_id == window.id)).first()
    for material in case.materials:
        if material.received and not material.scan_key:
            case_files.attach_scan(session, clerk, case.id, material.id, f"{material.name}.pdf", small_pdf())
    if case.department_id is not None and not case.result_documents:
        officer = session.scalars(select(StaffUser).where(StaffUser.department_id == case.department_id)).first()
        case_files.add_result_document(session, officer, case.id, "办理结果.pdf", small_pdf())
    pending = session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.case_id == case.id, OutboxMessage.topic == "render_notice", OutboxMessage.done_on.is_(None))).all()
    for message_id in pending:
        outbox.run_message(session, message_id)
    session.refresh(case)
    return case


# --- files -------------------------------------------------------------------------------------


def small_pdf() -> bytes:
    """A real one-page PDF (what a scanner produces, minus the picture)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def small_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()
