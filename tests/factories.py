"""Factories for tests and benchmarks: the demo records found by their natural keys, new records that
differ from the demo only where a test says so, and cases at a given point of their process.

New records are made through the services the staff use — ``register_case``, ``take_step``,
``records.save``, the case file services, the outbox's ``run_message`` — so a factory never makes a
record the product could not make. A factory that sets up a state no service offers says so.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import data
from app.models.case import Case, OutboxMessage, Shipment
from app.models.catalog import HandlingType, MaterialRequirement, Matter, MatterStatus
from app.models.org import BusinessLine, Department, Region, ServiceCenter
from app.models.staff import StaffUser
from app.platform import outbox, records
from app.scope import SYSTEM

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


def line(session: Session, code: str) -> BusinessLine:
    return session.execute(select(BusinessLine).where(BusinessLine.code == code)).scalar_one()


# --- new records, saved as an administrator saves them (``records.save``: rules, scope, commit) --


def make_center(session: Session, county: str = "510802", **overrides: Any) -> ServiceCenter:
    values = {
        "code": unique("TC"), "name": unique("测试便民服务站"), "kind": "station", "external": False,
        "region": region(session, county), "address": "四川省广元市测试路1号", "postcode": "628000",
        "phone": "0839-3261234", "hours": "工作日 9:00—17:00",
    } | overrides
    return records.save(session, ServiceCenter(**values), SYSTEM)


def make_department(session: Session, county: str = "510802", line: str = "hrss", **overrides: Any) -> Department:
    values = {"name": unique("测试审批部门"), "short_name": "测试", "region": region(session, county), "line": line,
              "phone": "0839-3261234"} | overrides
    return records.save(session, Department(**values), SYSTEM)


def make_matter(session: Session, line: str = "hrss", materials: int = 2, **overrides: Any) -> Matter:
    """A draft matter (not published: ``app.services.catalog.matters.publish_matter`` does that)."""
    values = {"code": unique("TEST-"), "name": unique("测试事项"), "line": line, "legal_limit_days": 20,
              "promised_limit_days": 10, "status": MatterStatus.DRAFT,
              "handling_types": [handling_type(session, "kuasheng")]} | overrides
    item = Matter(**values)
    item.materials = [
        MaterialRequirement(seq=i, name=f"材料{i}", copies=1, form="copy", required=True) for i in range(1, materials + 1)
    ]
    return records.save(session, item, SYSTEM)


# --- cases -------------------------------------------------------------------------------------

APPLICANT = {
    "applicant_name": "李晓梅", "applicant_id_type": "resident_id", "applicant_id_number": "11010519491231002X",
    "applicant_phone": "13908121234", "applicant_email": "lixiaomei1988@example.com",
    "applicant_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号", "applicant_postcode": "628017",
}


def case_data(session: Session, *, home: str = "cx_center", matter_code: str = "KYTB-HRSS-001",
              department_key: str | None = "cx_hrss", handling_type_code: str = "kuasheng", **overrides: Any) -> dict:
    """What a clerk enters to register a case (the form's and the API's fields)."""
    fields = dict(APPLICANT) | {
        "matter_id": matter(session, matter_code).id,
        "handling_type_id": handling_type(session, handling_type_code).id,
        "home_center_id": center(session, home).id,
        "department_id": department(session, department_key).id if department_key else None,
    }
    return fields | overrides


def guide_materials(session: Session, matter_id: int, *, received: bool) -> list[dict]:
    """The materials of the matter's current guide as the clerk ticks them at registration: every one
    handed in, or none."""
    from app.services.cases.input import materials_from_guide

    guide = session.get(Matter, matter_id).current_guide
    return [item | {"received": received} for item in materials_from_guide(guide.content)]


def make_case(session: Session, clerk: str = "lz_window", *, received: bool = True, today: date | None = None,
              **overrides: Any) -> Case:
    """A draft registered at ``clerk``'s window with every material of the guide handed in (the
    optional ones too), or with none when ``received`` is False. ``overrides`` go to ``case_data``;
    a ``materials`` list of their own replaces the guide's."""
    from app.services.cases.registration import register_case

    fields = case_data(session, **overrides)
    fields.setdefault("materials", guide_materials(session, fields["matter_id"], received=received))
    return register_case(session, user(session, clerk), fields, today=today)


def step(session: Session, username: str, case: Case, name: str, on: date | None = None, **fields: Any) -> Case:
    """``username`` takes the step ``name`` on the case (on the day ``on``, today if None)."""
    from app.services.cases.take_step import take_step

    return take_step(session, user(session, username), case.id, name, fields, today=on)


def run_steps(session: Session, case: Case, steps: list[tuple[str, str, dict]], today: date | None = None) -> Case:
    """Takes (username, step, fields) steps in order; returns the case."""
    for username, name, fields in steps:
        case = step(session, username, case, name, today, **fields)
    return case


def verify_all(case: Case) -> dict:
    return {"verified": [m.seq for m in case.materials]}


def accepted_case(session: Session, on: date | None = None, clerk: str = "lz_window", **overrides: Any) -> Case:
    """A case registered and accepted at ``clerk``'s window on the day ``on`` (today if None), every
    material handed in and verified; by default 利州区's window for 苍溪县人社局 (home window 苍溪县).
    A case sent by an outside window is accepted with the day the outside window accepted it."""
    case = make_case(session, clerk, today=on, **overrides)
    fields = verify_all(case)
    if case.origin_center.external:  # as the outside window's acceptance notice says
        fields["accepted_on"] = (on or date.today()).isoformat()
        fields["counterpart_accepted_by"] = "王芳"
        fields["waybill_number"] = "EMS1100000000CN"  # the parcel it mailed, signed for at our window
    return step(session, clerk, case, "accept", on, **fields)


def at_the_department(session: Session, *, sent_in_batch: bool = False, **overrides: Any) -> Case:
    """A case of 利州区's window for 苍溪县's 人社 department, accepted, mailed, received and forwarded:
    processing at the department. With ``sent_in_batch`` its parcel leaves through 今日寄件, which makes
    its 移交清单."""
    case = make_case(session, **overrides)
    case = run_steps(session, case, [("lz_window", "accept", verify_all(case))])
    if sent_in_batch:
        from app.services.cases.batch import ParcelInput, send_parcels

        outcome = send_parcels(session, user(session, "lz_window"), [ParcelInput(case.id, "EMS1234567890CN")])
        assert not outcome.failed and outcome.transmittals, outcome.failed
        session.refresh(case)
    else:
        case = run_steps(session, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"})])
    return run_steps(session, case, [
        ("cx_window", "receive", {}),
        ("cx_window", "forward", {}),
    ])


def supplied(case: Case) -> dict:
    """The supplement step's fields: every item of the open correction supplied, each with a scan."""
    return {"supplied": [{"item": item.seq, "file": (f"{item.name}.pdf", small_pdf())}
                         for item in case.open_correction.items]}


def supplement(session: Session, case: Case, on: date | None = None, *, clerk: str = "lz_window",
               home_clerk: str = "cx_window", **fields: Any) -> Case:
    """The applicant supplies every item at the accepting window (``clerk``, with scans); the home window
    (``home_clerk``) signs for the parcel and hands it to the department, on the day ``on``."""
    case = step(session, clerk, case, "supplement", on, **(supplied(case) | fields))
    return step(session, home_clerk, case, "receive_supplement", on)


def outbound_case_in_correction(session: Session) -> Case:
    """A case 利州区's window sent to 重庆市渝中区 (a window outside the system, with an outside
    department): our window records every step of the other end, up to a request for correction."""
    case = make_case(session, home=key_of_center("CQYZ"), department_key=None,
                     department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")
    return run_steps(session, case, [
        ("lz_window", "accept", verify_all(case)),
        ("lz_window", "dispatch", {"waybill_number": "EMS0000000001CN"}),
        ("lz_window", "receive", {"note": "渝中区窗口已签收"}),
        ("lz_window", "forward", {}),
        ("lz_window", "request_correction", {"items": [{"name": "户口簿", "reason": "复印件不清晰"}]}),
    ])


def completion(result: str = "approved", note: str = "准予办理", document: str = "办理结果.pdf",
               data: bytes | None = None) -> dict:
    """What the department enters in the 办结 form: the decision and its result document attached."""
    return {"result": result, "result_note": note,
            "result_documents": [{"name": document, "data": data or small_pdf()}]}


def result_document_json(name: str = "办理结果.pdf") -> dict:
    """A result document as an API client attaches it to the 办结 step (base64 in the JSON body)."""
    import base64

    return {"name": name, "content_base64": base64.b64encode(small_pdf()).decode()}


def accepted_with_deferral(session: Session, on: date = date(2026, 3, 2), until: str = "2026-03-06") -> Case:
    """容缺受理: a case of 利州区's window for KYTB-HRSS-001 (republished with its photo, seq 3, required and
    可容缺) accepted on ``on`` without the photo, against the applicant's signed promise to supply it by ``until``."""
    from app.services.cases.registration import register_case
    from app.services.catalog.matters import publish_matter

    social_card = matter(session, "KYTB-HRSS-001")
    photo = next(m for m in social_card.materials if m.seq == 3)
    photo.required, photo.deferrable = True, True
    publish_matter(session, social_card, SYSTEM)
    values = case_data(session)
    values["materials"] = [item | {"received": item["seq"] != 3}
                           for item in guide_materials(session, values["matter_id"], received=True)]
    case = register_case(session, user(session, "lz_window"), values, today=on)
    return step(session, "lz_window", case, "accept", on, verified=[m.seq for m in case.materials if m.received],
                deferred={"materials": [3], "until": until, "promise_signed": True})


def delivered_case(session: Session, completed_with: dict | None = None, *, sent_in_batch: bool = False,
                   **overrides: Any) -> Case:
    """A case of 利州区's window for 苍溪县's 人社 department, run up to the delivery of the result
    (with one round of correction on the way, supplied item by item; collected at 利州区's window, where
    苍溪县's window sends it back, unless ``overrides`` say it is mailed: then 苍溪县's window mails it).
    ``sent_in_batch``: see ``at_the_department``."""
    case = run_steps(session, at_the_department(session, sent_in_batch=sent_in_batch, **overrides), [
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "复印件不清晰"}]}),
    ])
    case = supplement(session, case, waybill_number="EMS1234567891CN")
    case = step(session, "cx_hrss", case, "complete", **(completed_with or completion()))
    return deliver_result(session, case)


def deliver_result(session: Session, case: Case, on: date | None = None, *, home_clerk: str = "cx_window",
                   origin_clerk: str = "lz_window", waybill: str = "EMS1234567892CN") -> Case:
    """The completed result reaches the applicant as chosen: mailed by the home window (``home_clerk``); or
    sent back by it to the window where the applicant applied, which delivers it (``origin_clerk``)."""
    if case.delivery_method == "mail":
        return step(session, home_clerk, case, "deliver", on)
    case = step(session, home_clerk, case, "send_result", on, waybill_number=waybill)
    return step(session, origin_clerk, case, "deliver", on)


def ready_to_archive(session: Session, case: Case) -> Case:
    """What archiving asks of a delivered case, done the way the staff would: a scan of every received
    material (by a clerk of the case), a result document (by the department, when it is in the
    system), and the pending notices rendered (their outbox jobs run). Returns the case."""
    from app.services.cases import files as case_files

    window = case.origin_center if not case.origin_center.external else case.home_center
    clerk = session.scalars(select(StaffUser).where(StaffUser.center_id == window.id)).first()
    for material in case.materials:
        if material.received and not material.scan_key:
            case_files.attach_scan(session, clerk, case.id, material.id, f"{material.name}.pdf", small_pdf())
    if case.department_id is not None and not case.result_documents:
        officer = session.scalars(select(StaffUser).where(StaffUser.department_id == case.department_id)).first()
        case_files.add_result_document(session, officer, case.id, "办理结果.pdf", small_pdf())
    run_outbox(session, "render_notice", case.id)
    session.refresh(case)
    return case


def archived_case(session: Session, *, build: bool = True) -> Case:
    """A delivered case archived by 利州区's window; with ``build`` its archive package is built too."""
    case = run_steps(session, ready_to_archive(session, delivered_case(session)), [("lz_window", "archive", {})])
    if build:
        run_outbox(session, "build_archive_package", case.id)
    return case


# --- the outbox: jobs run in the test's own session, as the worker runs them -------------------


@dataclass
class OutboxRun:
    """What ``run_outbox`` did: the rows carried out, and the errors of the attempts that failed."""

    done: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_outbox(session: Session, topic: str | None = None, case_id: int | None = None, *, key: str | None = None,
               attempts: int = 1) -> OutboxRun:
    """Carries out the unfinished outbox rows (of ``topic``, ``case_id`` and ``key`` when given), in
    the order they were written. A row that fails is tried again, up to ``attempts`` times in all, as
    the Celery task retries it; the last error is raised when it still fails."""
    stmt = select(OutboxMessage.id).where(OutboxMessage.done_on.is_(None)).order_by(OutboxMessage.id)
    for column, value in ((OutboxMessage.topic, topic), (OutboxMessage.case_id, case_id), (OutboxMessage.key, key)):
        if value is not None:
            stmt = stmt.where(column == value)
    run = OutboxRun()
    for message_id in session.scalars(stmt).all():
        _run_with_retries(session, message_id, attempts, run)
    return run


def _run_with_retries(session: Session, message_id: int, attempts: int, run: OutboxRun) -> None:
    for attempt in range(1, attempts + 1):
        try:
            outbox.run_message(session, message_id)
        except Exception as error:  # noqa: BLE001 - recorded, then retried as the task does
            run.errors.append(type(error).__name__)
            if attempt == attempts:
                raise
        else:
            run.done.append(message_id)
            return


def booking_message(session: Session, case: Case, key: str = "materials") -> OutboxMessage:
    """The outbox row that books the case's parcel of ``key`` (materials, supplement, result)."""
    return session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                      OutboxMessage.topic == "book_parcel",
                                                      OutboxMessage.key == key))


def shipments_of(session: Session, case: Case, direction: str = "materials") -> list[Shipment]:
    """The case's shipments of ``direction`` as stored now."""
    session.expire_all()
    return session.scalars(select(Shipment).where(Shipment.case_id == case.id, Shipment.direction == direction)
                           .order_by(Shipment.id)).all()


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


# --- staff ---------------------------------------------------------------------------------------


def make_colleague(session: Session, of: str = "lz_window", family_name: str = "王", given_name: str = "芳",
                   **overrides: Any) -> StaffUser:
    """A new active user with the role and unit (window or department) of the demo user ``of``, through
    the security manager the user pages use; signs in with the demo password."""
    import os

    from flask import current_app

    model = user(session, of)
    sm = current_app.appbuilder.sm
    username = overrides.pop("username", unique(f"{of}_mate"))
    made = sm.add_user(username, given_name, family_name, f"{username}@gy-demo.example.cn", list(model.roles),
                       password=os.environ["DEMO_PASSWORD"], commit=False)
    made.display_name = family_name + given_name
    made.center_id, made.department_id, made.region_id = model.center_id, model.department_id, model.region_id
    for name, value in overrides.items():
        setattr(made, name, value)
    session.flush()
    return made
