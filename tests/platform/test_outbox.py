"""Side effects through the transactional outbox: written with the step or not at all, published once
(again only when stale), carried out once — the notice rendered and stored, the SMS recorded, the
parcel on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.models.base import now
from app.models.case import CaseDocument, Notification, OutboxMessage, Shipment
from app.platform import outbox
from app.services.cases.take_step import take_step
from tests import factories


def _messages(db, case):
    return db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id)).all()


def test_a_refused_step_writes_no_outbox_row(db):
    case = factories.make_case(db, received=False)
    with pytest.raises(ValidationFailed):
        take_step(db, factories.user(db, "lz_window"), case.id, "accept", {})
    assert _messages(db, case) == []


def test_accepting_queues_the_notice_the_sms_and_the_parcel(db):
    case = factories.accepted_case(db)
    assert {(m.topic, m.key) for m in _messages(db, case)} == {
        ("render_notice", "acceptance"), ("notify_applicant", "accepted"), ("book_parcel", "materials")}


def test_the_relay_publishes_each_row_once_and_again_only_when_stale(app, db):
    case = factories.accepted_case(db)
    sent: list[int] = []
    first = outbox.publish_pending(db, sent.append)
    assert set(first) >= {m.id for m in _messages(db, case)}
    assert outbox.publish_pending(db, sent.append) == []
    later = outbox.publish_pending(db, sent.append, at=now() + timedelta(seconds=app.config["OUTBOX_STALE_SECONDS"] + 1))
    assert set(later) >= {m.id for m in _messages(db, case)}  # never finished: published again


def test_each_message_is_carried_out_once(db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    assert all(m.done_on is not None for m in _messages(db, case))
    assert [outbox.run_message(db, m.id) for m in _messages(db, case)] == [False, False, False]
    assert db.scalar(select(func.count()).select_from(CaseDocument).where(CaseDocument.case_id == case.id)) == 1
    sms = db.scalars(select(Notification).where(Notification.case_id == case.id)).all()
    assert len(sms) == 1 and sms[0].status == "sent" and case.number in sms[0].body
    assert sms[0].recipient == case.applicant_phone


def test_the_acceptance_notice_is_stored_with_its_checksum_and_renders_the_same_again(db):
    import hashlib

    from app.adapters import storage
    from app.services.cases.notices import render_case_notice

    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    document = db.scalar(select(CaseDocument).where(CaseDocument.case_id == case.id))
    data = storage.path_of(document.file_key).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == document.sha256
    assert render_case_notice(db, case.id, "acceptance").id == document.id


def test_the_parcel_is_on_record_after_acceptance_and_dispatch_fills_in_that_same_parcel(db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    parcels = db.scalars(select(Shipment).where(Shipment.case_id == case.id)).all()
    assert len(parcels) == 1 and parcels[0].sent_on is None and parcels[0].to_center_id == case.home_center_id
    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"})
    parcels = db.scalars(select(Shipment).where(Shipment.case_id == case.id)).all()
    assert len(parcels) == 1 and parcels[0].waybill_number == "1180123456789" and parcels[0].sent_on


def test_a_correction_notice_is_rendered_per_round(db):
    case = factories.accepted_case(db)
    case = factories.run_steps(db, case, [
        ("lz_window", "dispatch", {"waybill_number": "1"}), ("cx_window", "receive", {}), ("cx_window", "forward", {}),
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "不清晰"}]}),
        ("lz_window", "supplement", {}),
        ("cx_hrss", "request_correction", {"items": [{"name": "照片", "reason": "非白底"}]}),
    ])
    factories.run_outbox(db, case_id=case.id)
    refs = db.scalars(select(CaseDocument.ref).where(CaseDocument.case_id == case.id, CaseDocument.kind == "correction")).all()
    assert sorted(refs) == ["1", "2"]
