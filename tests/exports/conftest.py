"""Builders shared by the export and archive tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from app.demo import builders
from app.models.case import Case, LedgerEntry, OutboxMessage
from app.platform import outbox


def accept_on(db, clerk: str, on: date, **overrides):
    """A case accepted by ``clerk`` on ``on``: a ledger row of that day at the clerk's window."""
    case = builders.make_case(db, clerk, applied_on=on.isoformat(), today=on, **overrides)
    return builders.run_steps(db, case, [(clerk, "accept", builders.verify_all(case))], today=on)


def copy_ledger_rows(db, template: Case, rows: int, start: date, **values) -> None:
    """``rows`` more ledger rows at the template's origin window (each on a copy of the case)."""
    columns = {c.key: getattr(template, c.key) for c in Case.__table__.columns if c.key not in ("id", "number")}
    numbers = [f"COPY-{template.id}-{i:06d}" for i in range(rows)]
    db.execute(insert(Case), [columns | {"number": n} for n in numbers])
    ids = db.scalars(select(Case.id).where(Case.number.in_(numbers)).order_by(Case.id)).all()
    db.execute(insert(LedgerEntry), [{
        "center_id": template.origin_center_id, "case_id": case_id, "role": "origin",
        "entry_date": start + timedelta(days=i % 20), "applicant_name": values.get("applicant_name", "王建国"),
        "applicant_phone": "13800138000", "handling_type_name": values.get("handling_type_name", "跨省通办"),
        "region_name": "广元市苍溪县", "matter_name": values.get("matter_name", "企业职工基本养老保险关系转移接续申请"),
        "handler_name": "张丽", "case_status": "accepted",
        "remarks": "材料已由受理(代收)部门核验原件，申请人要求邮寄结果。" if i % 3 == 0 else "",
    } for i, case_id in enumerate(ids)])
    db.commit()


def run_outbox(db, topic: str, case_id: int | None = None) -> list[int]:
    stmt = select(OutboxMessage.id).where(OutboxMessage.topic == topic, OutboxMessage.done_on.is_(None))
    if case_id is not None:
        stmt = stmt.where(OutboxMessage.case_id == case_id)
    ids = list(db.scalars(stmt.order_by(OutboxMessage.id)))
    for message_id in ids:
        outbox.run_message(db, message_id)
    return ids


def delivered_case(db, **overrides):
    """A case of 利州区's window for 苍溪县's 人社 department, run up to the delivery of the result."""
    case = builders.make_case(db, **overrides)
    return builders.run_steps(db, case, [
        ("lz_window", "accept", builders.verify_all(case)),
        ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
        ("cx_window", "receive", {}),
        ("cx_window", "forward", {}),
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "复印件不清晰"}]}),
        ("lz_window", "supplement", {"waybill_number": "EMS1234567891CN"}),
        ("cx_hrss", "complete", {"result": "approved", "result_note": "准予办理"}),
        ("cx_window", "deliver", {}),
    ])


def archived_case(db, *, build: bool = True):
    case = builders.ready_to_archive(db, delivered_case(db))
    case = builders.run_steps(db, case, [("lz_window", "archive", {})])
    if build:
        run_outbox(db, "build_archive_package", case.id)
    return case


@pytest.fixture()
def settings(app):
    """Changes app settings for one test: ``settings(EXPORT_INLINE_MAX_ROWS=2)``."""
    saved: dict = {}

    def change(**values):
        for name, value in values.items():
            saved.setdefault(name, app.config.get(name, KeyError))
            app.config[name] = value

    yield change
    for name, value in saved.items():
        if value is KeyError:
            app.config.pop(name, None)
        else:
            app.config[name] = value
