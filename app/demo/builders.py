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
