"""预约揽收 from 今日寄件: the ticked parcels not booked yet (planned without a waybill, or refused by the
courier) are booked again through the outbox, as the accept step books them; a parcel booked already is
said to be so; every id goes through the scope rule; every refusal is reported at once. Driven against the
fake courier server (tests/fakes/ems.py) through the http courier."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import NotFound, ValidationFailed
from app.models.case import OutboxMessage
from app.services.cases.batch import book_parcels, parcels_of_the_day
from tests import factories
from tests.conftest import config_override


def _booking_rows(db, case) -> int:
    return db.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.case_id == case.id,
                                                                 OutboxMessage.topic == "book_parcel"))


def _cx_only_case(db):
    return factories.accepted_case(db, clerk="cx_window", home=factories.key_of_center("CQYZ"), department_key=None,
                                   department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")


def _refused_by_the_courier(db, ems):
    case = factories.accepted_case(db)
    ems.reject(1)
    factories.run_outbox(db, "book_parcel", case.id, key="materials")
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "failed" and not shipment.waybill_number
    return case


def test_a_parcel_the_courier_refused_is_booked_again_and_its_waybill_is_offered_for_sending(db, http_courier):
    ems = http_courier
    case = _refused_by_the_courier(db, ems)
    clerk = factories.user(db, "lz_window")
    outcome = book_parcels(db, clerk, [case.id])
    assert [c.id for c in outcome.done] == [case.id] and not outcome.failed and not outcome.already_booked
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "planned" and shipment.booking_error == ""  # reset, queued
    assert _booking_rows(db, case) == 2
    factories.run_outbox(db, "book_parcel", case.id, key="materials")
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "booked" and shipment.waybill_number in ems.orders
    assert len(ems.orders) == 1
    parcel = next(p for p in parcels_of_the_day(db, clerk) if p.case.id == case.id)
    assert parcel.booked_waybill == shipment.waybill_number


def test_a_parcel_planned_without_a_waybill_under_the_manual_courier_is_booked_with_the_http_one(db, app, ems):
    from tests.fakes.ems import KEY, SECRET

    case = factories.accepted_case(db)
    factories.run_outbox(db, "book_parcel", case.id, key="materials")  # manual: on record, waiting for the clerk
    [shipment] = factories.shipments_of(db, case)
    assert shipment.provider == "manual" and shipment.booking_status == "planned" and not shipment.waybill_number
    with config_override(app, COURIER_PROVIDER="http", COURIER_BASE_URL=ems.url, COURIER_KEY=KEY,
                         COURIER_SECRET=SECRET, COURIER_TIMEOUT_SECONDS=1.0):
        outcome = book_parcels(db, factories.user(db, "lz_window"), [case.id])
        assert [c.id for c in outcome.done] == [case.id]
        factories.run_outbox(db, "book_parcel", case.id, key="materials")
    [again] = factories.shipments_of(db, case)
    assert again.id == shipment.id and again.provider == "http" and again.booking_status == "booked"
    assert list(ems.orders) == [again.waybill_number]


def test_a_booked_parcel_is_reported_as_booked_and_nothing_is_queued(db, http_courier):
    case = factories.accepted_case(db)
    factories.run_outbox(db, "book_parcel", case.id, key="materials")
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "booked"
    outcome = book_parcels(db, factories.user(db, "lz_window"), [case.id])
    assert not outcome.done and not outcome.failed
    [row] = outcome.already_booked
    assert row.case_id == case.id and shipment.waybill_number in str(row.problems[0].message)
    assert _booking_rows(db, case) == 1 and len(http_courier.orders) == 1


def test_a_booking_still_queued_is_not_queued_twice(db, http_courier):
    case = factories.accepted_case(db)  # the accept step's booking row, not run yet
    outcome = book_parcels(db, factories.user(db, "lz_window"), [case.id])
    assert not outcome.done and [f.case_id for f in outcome.failed] == [case.id]
    assert _booking_rows(db, case) == 1
    factories.run_outbox(db, "book_parcel", case.id, key="materials")
    assert len(http_courier.orders) == 1


def test_every_refused_row_is_reported_at_once_and_the_others_are_booked(db, http_courier):
    refused = _refused_by_the_courier(db, http_courier)
    queued = factories.accepted_case(db)
    sent = factories.accepted_case(db)
    factories.step(db, "lz_window", sent, "dispatch", waybill_number="EMS9100000001CN")
    outcome = book_parcels(db, factories.user(db, "lz_window"), [refused.id, queued.id, sent.id])
    assert [c.id for c in outcome.done] == [refused.id]
    assert sorted(f.case_id for f in outcome.failed) == sorted([queued.id, sent.id])


def test_one_id_outside_the_scope_answers_not_found_and_nothing_is_queued(db, http_courier):
    mine = _refused_by_the_courier(db, http_courier)
    other = _cx_only_case(db)
    with pytest.raises(NotFound):
        book_parcels(db, factories.user(db, "lz_window"), [mine.id, other.id])
    assert _booking_rows(db, mine) == 1
    [shipment] = factories.shipments_of(db, mine)
    assert shipment.booking_status == "failed"


def test_nothing_ticked_is_refused(db, http_courier):
    with pytest.raises(ValidationFailed):
        book_parcels(db, factories.user(db, "lz_window"), [])
