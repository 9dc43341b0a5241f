"""Loads the demo network and catalog (``flask demo load``): Guangyuan, its windows, departments,
handling types, matters and one user per role. Safe to run again: records are matched by their
natural keys (code, name, username) and updated, never duplicated; passwords of existing users stay.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import data
from app.demo.form_fields import FORM_FIELDS
from app.demo.guide_elements import GUIDE_ELEMENTS
from app.domain.guide_elements import GUIDE_ELEMENT_DEFAULTS
from app.models.catalog import HandlingType, MaterialRequirement, Matter, MatterField
from app.models.org import BusinessLine, Department, Region, ServiceCenter
from app.models.portal import Article
from app.models.staff import StaffUser
from app.scope import SYSTEM
from app.services import calendar as calendar_service
from app.services.catalog.matters import publish_matter
from app.services.organisation.units import set_region_path

log = logging.getLogger(__name__)


def _upsert(session: Session, model: type, where: dict[str, Any], values: dict[str, Any]) -> Any:
    item = session.execute(select(model).filter_by(**where)).scalar_one_or_none()
    if item is None:
        item = model(**where)
        session.add(item)
    for key, value in values.items():
        setattr(item, key, value)
    return item


def load_regions(session: Session) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for rec in data.REGIONS:
        parent = regions.get(rec["parent"]) if rec["parent"] else None
        where = {"code": rec["code"]} if rec["code"] else {"name": rec["name"], "parent_id": parent.id if parent else None}
        region = _upsert(session, Region, where, {"name": rec["name"], "level": rec["level"], "parent": parent})
        session.flush()
        set_region_path(session, region)
        regions[rec["key"]] = region
    return regions


def load_org(session: Session, regions: dict[str, Region]) -> tuple[dict[str, ServiceCenter], dict[str, Department]]:
    for code, (name, name_en) in data.LINES.items():
        _upsert(session, BusinessLine, {"code": code}, {"name": name, "name_en": name_en})
    session.flush()
    centers: dict[str, ServiceCenter] = {}
    for rec in data.CENTERS:
        values = {k: rec[k] for k in ("name", "kind", "external", "address", "postcode", "phone", "hours")}
        centers[rec["key"]] = _upsert(session, ServiceCenter, {"code": rec["code"]},
                                      values | {"region": regions[rec["region"]]})
    session.flush()
    departments: dict[str, Department] = {}
    for rec in data.DEPARTMENTS:
        values = {
            "short_name": rec["short_name"], "line": rec["line"], "phone": rec["phone"], "address": rec["address"],
            "region": regions[rec["region"]], "center": centers.get(rec["center"]) if rec["center"] else None,
        }
        departments[rec["key"]] = _upsert(session, Department, {"name": rec["name"]}, values)
    session.flush()
    return centers, departments


#: what a demo material sets on its requirement (可容缺 too: the demo shows 容缺受理)
MATERIAL_KEYS = ("name", "copies", "form", "required", "original_check", "deferrable", "note")


def guide_elements(code: str) -> dict[str, Any]:
    """实施机关, 设定依据, 办理流程, 到现场次数 and 常见问题 of a demo matter (issue 13); the defaults for one without."""
    return GUIDE_ELEMENT_DEFAULTS | GUIDE_ELEMENTS.get(code, {})


def load_catalog(session: Session, regions: dict[str, Region]) -> list[Matter]:
    types: dict[str, HandlingType] = {}
    for order, rec in enumerate(data.HANDLING_TYPES, start=1):
        types[rec["code"]] = _upsert(session, HandlingType, {"code": rec["code"]}, {
            "name": rec["name"], "name_en": rec["name_en"], "nationwide": rec["nationwide"],
            "description": rec["description"], "sort_order": order,
            "regions": [regions[key] for key in rec["regions"]],
        })
    session.flush()
    matters = []
    for rec in data.MATTERS:
        fields = ("name", "line", "legal_limit_days", "promised_limit_days", "fee_note", "consult_phone",
                  "acceptance_conditions", "review_points")
        matter = _upsert(session, Matter, {"code": rec["code"]}, {f: rec[f] for f in fields} | {
            "precheck": rec.get("precheck", False), "precheck_hours": rec.get("precheck_hours", 4),
            "handling_types": [types[code] for code in rec["handling_types"]],
        } | guide_elements(rec["code"]))
        existing = {m.seq: m for m in matter.materials}
        for seq, mat in enumerate(rec["materials"], start=1):
            values = {k: mat[k] for k in MATERIAL_KEYS}
            item = existing.get(seq) or MaterialRequirement(seq=seq)
            for key, value in values.items():
                setattr(item, key, value)
            if item not in matter.materials:
                matter.materials.append(item)
        for seq in set(existing) - set(range(1, len(rec["materials"]) + 1)):
            matter.materials.remove(existing[seq])
        _load_fields(matter, FORM_FIELDS.get(rec["code"], []))
        matters.append(matter)
    session.flush()
    for matter in matters:
        publish_matter(session, matter, SYSTEM, note="demo", commit=False)
    return matters


def _load_fields(matter: Matter, fields: list[dict]) -> None:
    """补充信息 of a demo matter (issue 15 item 3), matched by key."""
    existing = {f.key: f for f in matter.fields}
    for seq, rec in enumerate(fields, start=1):
        item = existing.pop(rec["key"], None) or MatterField(key=rec["key"])
        for key, value in ({"seq": seq, "help": "", "required": False, "choices": ""} | rec).items():
            if getattr(item, key) != value:
                setattr(item, key, value)
        if item not in matter.fields:
            matter.fields.append(item)
    for leftover in existing.values():
        matter.fields.remove(leftover)


def demo_form_values(matter: Matter, applicant: dict[str, Any]) -> dict[str, Any]:
    """What a demo applicant answers to the required extra fields of a matter: its own address for an
    address (迁入地址), the first choice of a choice, a plain word otherwise."""
    values: dict[str, Any] = {}
    for item in matter.form_fields:
        if not item.get("required"):
            continue
        kind = item.get("kind")
        values[item["key"]] = (applicant.get("applicant_address") or "四川省广元市利州区" if kind == "address"
                               else (item.get("choices") or [""])[0] if kind == "choice"
                               else True if kind == "yes_no" else "1" if kind == "number"
                               else applicant.get("applicant_phone") if kind == "phone"
                               else applicant.get("applicant_id_number") if kind == "id_number"
                               else date.today().isoformat() if kind == "date" else "无")
    return values


def load_users(session: Session, sm: Any, password: str, regions: dict[str, Region],
               centers: dict[str, ServiceCenter], departments: dict[str, Department]) -> list[StaffUser]:
    users = []
    for rec in data.USERS:
        role = sm.find_role(rec["role"])
        if role is None:
            raise RuntimeError(f"role {rec['role']} is missing: run `flask roles sync` first")
        user = session.execute(select(StaffUser).filter_by(username=rec["username"])).scalar_one_or_none()
        if user is None:
            user = sm.add_user(rec["username"], rec["first_name"], rec["last_name"], rec["email"], role,
                               password=password, commit=False)
            if not user:
                raise RuntimeError(f"could not create user {rec['username']}")
        user.first_name, user.last_name, user.email = rec["first_name"], rec["last_name"], rec["email"]
        user.display_name = rec.get("display_name")
        extra = [sm.find_role(name) for name in rec.get("extra_roles", ())]
        if None in extra:
            raise RuntimeError(f"a role of {rec['username']} is missing: run `flask roles sync` first")
        user.roles = [role, *extra]
        user.center = centers.get(rec["center"]) if rec["center"] else None
        user.department = departments.get(rec["department"]) if rec["department"] else None
        if rec["county"]:
            user.region = regions[rec["county"]]
        elif user.center is not None:
            user.region = user.center.region.county or user.center.region
        elif user.department is not None:
            user.region = user.department.region.county or user.department.region
        users.append(user)
    return users


def load_articles(session: Session) -> list[Article]:
    """The portal's demo articles (宣传推广), matched by title; published."""
    articles = []
    for rec in data.ARTICLES:
        values = {"summary": rec["summary"], "body": rec["body"], "category": rec["category"], "published": True,
                  "published_on": date.fromisoformat(rec["published_on"])}
        articles.append(_upsert(session, Article, {"title": rec["title"]}, values))
    return articles


def load_demo(session: Session, sm: Any, password: str) -> dict[str, int]:
    """Loads everything in one transaction."""
    regions = load_regions(session)
    centers, departments = load_org(session, regions)
    matters = load_catalog(session, regions)
    users = load_users(session, sm, password, regions, centers, departments)
    articles = load_articles(session)
    session.commit()
    seeded = calendar_service.seed_from_chinese_calendar(session)
    if current_app.config.get("DEMO_MODE"):
        # a case that went the whole way, for the portal's rating and the rectification in the admin (demo
        # installations only: the tests' database stays without cases)
        load_rated_demo_case(session)
        load_rated_demo_case(session, data.DELIVERED_CASE)
        # some forty cases of the last four months at every stage, for the supervisors' dashboard
        load_demo_workload(session)
        # 对账: a case whose materials never left, then the first reconciliation (its finding shows at once)
        from app.services import reconciliation
        from app.services.reconciliation.demo import load_overdue_case

        load_overdue_case(session)
        reconciliation.reconcile(session)
        load_supervision_demo(session)
    summary = {"regions": len(regions), "centers": len(centers), "departments": len(departments),
               "matters": len(matters), "users": len(users), "articles": len(articles),
               "calendar_years": len(seeded)}
    log.info("demo data loaded: %s", summary)
    return summary


#: the parcels of the rated demo case (materials, result)
WAYBILLS = ("EMS1000000001CN", "EMS1000000002CN")


def load_rated_demo_case(session: Session, spec: dict[str, Any] | None = None) -> Any:
    """好差评: one case of 利州区's window for 苍溪县人社局 taken through the real steps to delivery and, when the
    spec has a rating (data.RATED_CASE: 不满意, which opens its rectification for 利州区), rated by its applicant;
    data.DELIVERED_CASE waits for the visitor to rate it on the portal. Skipped when it is there already.
    Returns the rating (None when skipped or not rated)."""
    import io
    from datetime import date

    from pypdf import PdfWriter

    from app.models.case import Case
    from app.services.cases.input import materials_from_guide
    from app.services.cases.registration import register_case
    from app.services.cases.take_step import take_step
    from app.services.ratings.rating import rate_case

    spec = spec or data.RATED_CASE
    if session.scalars(select(Case.id).where(Case.remarks == spec["remark"])).first() is not None:
        return None
    center_code = {c["key"]: c["code"] for c in data.CENTERS}
    department_name = {d["key"]: d["name"] for d in data.DEPARTMENTS}

    def user(name: str) -> StaffUser:
        return session.scalars(select(StaffUser).where(StaffUser.username == name)).one()

    matter = session.scalars(select(Matter).where(Matter.code == spec["matter"])).one()
    values = dict(spec["applicant"]) | {
        "matter_id": matter.id,
        "handling_type_id": session.scalars(select(HandlingType.id).where(HandlingType.code == spec["handling_type"])).one(),
        "home_center_id": session.scalars(select(ServiceCenter.id)
                                          .where(ServiceCenter.code == center_code[spec["home_center"]])).one(),
        "department_id": session.scalars(select(Department.id)
                                         .where(Department.name == department_name[spec["department"]])).one(),
        "remarks": spec["remark"],
        "materials": [item | {"received": True} for item in materials_from_guide(matter.current_guide.content)],
        "form_values": demo_form_values(matter, spec["applicant"]),
    }
    today = date.today()
    case = register_case(session, user(spec["origin_clerk"]), values, today=today)
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    steps = [
        (spec["origin_clerk"], "accept", {"verified": [m.seq for m in case.materials]}),
        (spec["origin_clerk"], "dispatch", {"waybill_number": spec.get("waybills", WAYBILLS)[0]}),
        (spec["home_clerk"], "receive", {}),
        (spec["home_clerk"], "forward", {}),
        (spec["officer"], "complete", {"result": "approved", "result_note": "准予办理",
                                       "result_documents": [{"name": "社会保障卡补领结果.pdf", "data": pdf.getvalue()}]}),
        (spec["home_clerk"], "send_result", {"waybill_number": spec.get("waybills", WAYBILLS)[1]}),
        (spec["origin_clerk"], "deliver", {}),
    ]
    for username, step, fields in steps:
        case = take_step(session, user(username), case.id, step, fields, today=today)
    rating = spec.get("rating")
    if rating is None:
        session.commit()
        return None
    return rate_case(session, case.public_token, rating["level"], rating["tags"], rating["comment"], rating["channel"])


def load_supervision_demo(session: Session) -> int:
    """督办: the orders of data.SUPERVISION_ORDERS on the demo cases (one answered by its window, one open for the
    department), through the real commands; skipped for a case that has orders already. Returns how many were
    issued."""
    from app.models.case import Case
    from app.models.supervision import SupervisionOrder
    from app.services.supervision.orders import issue_orders, reply_to_order

    def user(name: str) -> StaffUser:
        return session.scalars(select(StaffUser).where(StaffUser.username == name)).one()

    issued = 0
    for spec in data.SUPERVISION_ORDERS:
        case_id = session.scalars(select(Case.id).where(Case.remarks == spec["case"])).first()
        if case_id is None or session.scalars(select(SupervisionOrder.id)
                                              .where(SupervisionOrder.case_id == case_id)).first() is not None:
            continue
        [order] = issue_orders(session, user(spec["issuer"]), [case_id], {
            "instruction": spec["instruction"], "responsible_side": spec["side"], "reply_days": spec["days"]})
        issued += 1
        if spec.get("reply"):
            reply_to_order(session, user(spec["reply"]["by"]), order.id, {"reply": spec["reply"]["text"]})
    return issued


def demo_loaded(session: Session) -> bool:
    return session.execute(select(Region.id).where(Region.code == "510800")).first() is not None


def load_demo_workload(session: Session, today: date | None = None) -> int:
    """看板演示: the cases of ``app.demo.workload`` taken through the real steps, each on its own day, then the
    deadline check of today (warnings, reminders). Skipped when loaded already. Returns the cases made."""
    from app.demo import workload
    from app.models.case import Case
    from app.services.cases.input import materials_from_guide
    from app.services.cases.registration import register_case
    from app.services.cases.take_step import take_step
    from app.services.notifications.reminders import check_deadlines

    if session.scalars(select(Case.id).where(Case.remarks.startswith(workload.REMARK))).first() is not None:
        return 0
    today = today or date.today()
    users = {u.username: u for u in session.scalars(select(StaffUser))}
    matters = {line: session.scalars(select(Matter).where(Matter.line == line, Matter.code.startswith("KYTB-"),
                                                  Matter.precheck.is_(False))
                                     .order_by(Matter.code)).all() for line in ("hrss", "police")}
    types = {t.code: t.id for t in session.scalars(select(HandlingType))}
    centers = {c["key"]: c["code"] for c in data.CENTERS}
    center_ids = {c.code: c.id for c in session.scalars(select(ServiceCenter))}
    department_names = {d["key"]: d["name"] for d in data.DEPARTMENTS}
    department_ids = {d.name: d.id for d in session.scalars(select(Department))}
    calendar = calendar_service.load_calendar(session)
    waybills = iter(range(1, 10_000))
    made = 0
    for index, plan in enumerate(workload.plan_cases(today, calendar)):
        route = plan.route
        fitting = [m for m in matters[plan.matter_line]
                   if route.handling_type is None or route.handling_type in {t.code for t in m.handling_types}]
        matter = fitting[index % len(fitting)]
        type_codes = [t.code for t in matter.handling_types]
        type_code = route.handling_type or type_codes[index % len(type_codes)]
        values = dict(plan.applicant) | {
            "matter_id": matter.id, "handling_type_id": types[type_code],
            "home_center_id": center_ids[centers.get(route.home_center, route.home_center)],
            "department_id": department_ids[department_names[route.department]] if route.department else None,
            "department_name": route.department_name,
            "remarks": f"{workload.REMARK}（第{index + 1}件）",
            "materials": [item | {"received": True} for item in materials_from_guide(matter.current_guide.content)],
            "form_values": demo_form_values(matter, plan.applicant),
        }
        if plan.delivery_mail and route.department:
            values |= {"delivery_method": "mail", "mail_recipient": values["applicant_name"],
                       "mail_phone": values["applicant_phone"], "mail_address": values["applicant_address"],
                       "mail_postcode": values["applicant_postcode"]}
        case = register_case(session, users[route.origin_clerk], values, today=plan.registered)
        case.registered_on = datetime.combine(plan.registered, time(9, 0))
        dated = _backdate(session, case.id, plan.registered, 0)
        for day, username, step, fields in plan.steps:
            if day > today:
                break
            case = take_step(session, users[username], case.id, step, _workload_fields(case, fields, waybills),
                             today=day)
            dated = _backdate(session, case.id, day, dated)
        session.commit()
        made += 1
    check_deadlines(session, today)
    _carry_out_history(session, workload.REMARK)
    log.info("demo workload: %d case(s)", made)
    return made


def _carry_out_history(session: Session, remark: str) -> None:
    """The notices, SMS records and parcel bookings of the workload's past steps, made now, in this process
    (with the demo's log SMS and manual courier, at once): left to the worker, some two hundred rows of history
    would hold up the notice of the first case a visitor accepts for minutes."""
    from app.models.case import Case, OutboxMessage
    from app.platform import outbox

    pending = session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.done_on.is_(None),
                                       OutboxMessage.case_id.in_(select(Case.id).where(Case.remarks.startswith(remark))))
        .order_by(OutboxMessage.id)).all()
    app_log = logging.getLogger("app")
    level = app_log.level
    app_log.setLevel(logging.WARNING)  # a line per row would push make run's address and logins off the screen
    try:
        for message_id in pending:
            try:
                outbox.run_message(session, message_id, holder="demo-load")
            except Exception:  # noqa: BLE001 — the worker tries it again; the demo loads on
                session.rollback()
                log.warning("demo workload: outbox row %s left to the worker", message_id, exc_info=True)
    finally:
        app_log.setLevel(level)


def _workload_fields(case: Any, fields: dict[str, Any], waybills: Any) -> dict[str, Any]:
    """A planned step's fields with what depends on the case: every material verified, every item supplied
    with a scan, a fresh waybill number, a result document."""
    values = dict(fields)
    if values.get("verified") == "all":
        values["verified"] = [m.seq for m in case.materials]
    if values.get("supplied") == "all":
        values["supplied"] = [{"item": item.seq, "file": (f"{item.name}.pdf", _blank_pdf())}
                              for item in case.open_correction.items]
    if values.get("waybill_number") == "waybill":
        values["waybill_number"] = f"EMS2{next(waybills):09d}CN"
    if "result" in values:
        values["result_documents"] = [{"name": "办理结果.pdf", "data": _blank_pdf()}]
    return values


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _backdate(session: Session, case_id: int, day: date, dated: int) -> int:
    """The history of a workload case on the day it happened (a step stamps the hour it ran): the events after
    number ``dated`` get ``day``, in their order. Returns the last event's number."""
    from app.models.case import CaseEvent

    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq > dated)
                             .order_by(CaseEvent.seq)).all()
    for minute, event in enumerate(events):
        event.at = datetime.combine(day, time(9, 30)) + timedelta(minutes=7 * minute)
    return events[-1].seq if events else dated
