"""Tracking: booked parcels still on their way are polled in batches, each event is recorded once
(however often it is polled, and when two beats run at once), a delivery is recorded but the
receiving window still confirms the parcel itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.models.courier import CourierEvent
from app.platform import outbox
from app.services.courier import tracking
from tests import factories

T0 = datetime(2026, 11, 23, 18, 0)


def _booked(db, n: int = 1):
    cases = []
    for _ in range(n):
        case = factories.accepted_case(db)
        outbox.run_message(db, factories.booking_message(db, case).id)
        cases.append(case)
    return cases, [factories.shipments_of(db, c)[0] for c in cases]


def _events(db, shipment) -> list[tuple]:
    return db.execute(select(CourierEvent.at, CourierEvent.code, CourierEvent.location)
                      .where(CourierEvent.shipment_id == shipment.id).order_by(CourierEvent.at)).all()


def test_polling_twice_records_each_event_once(db, http_courier):
    ems = http_courier
    _, [shipment] = _booked(db)
    ems.add_event(shipment.waybill_number, "2026-11-23T16:10:00+08:00", "accepted", "已收寄", "广元市利州区")
    ems.add_event(shipment.waybill_number, "2026-11-23T21:40:00+08:00", "in_transit", "离开广元处理中心", "广元市")

    first = tracking.track_open_shipments(db, at=T0)
    assert (first.polled, first.new_events) == (1, 2)
    again = tracking.track_open_shipments(db, at=T0 + timedelta(hours=1))
    assert (again.polled, again.new_events) == (1, 0)
    ems.add_event(shipment.waybill_number, "2026-11-24T08:05:00+08:00", "out_for_delivery", "正在派送", "苍溪县")
    third = tracking.track_open_shipments(db, at=T0 + timedelta(hours=2))
    assert third.new_events == 1
    assert [code for _, code, _ in _events(db, shipment)] == ["accepted", "in_transit", "out_for_delivery"]
    [shipment] = factories.shipments_of(db, shipment.case)
    assert shipment.tracking_status == "in_transit" and shipment.last_tracked_on == T0 + timedelta(hours=2)


def test_two_runs_at_the_same_time_poll_each_parcel_once(db, http_courier):
    ems = http_courier
    _, booked = _booked(db, 2)
    for shipment in booked:
        ems.add_event(shipment.waybill_number, "2026-11-23T16:10:00+08:00", "accepted", "已收寄", "广元市利州区")
    first = tracking.track_open_shipments(db, at=T0)
    second = tracking.track_open_shipments(db, at=T0 + timedelta(seconds=5))  # another beat, right after
    assert first.polled == 2 and second.polled == 0
    assert len(ems.calls("GET", "/v1/orders/")) == 2
    assert db.scalar(select(func.count()).select_from(CourierEvent)
                     .where(CourierEvent.shipment_id.in_([s.id for s in booked]))) == 2


def test_a_run_works_through_every_batch(db, http_courier):
    _, booked = _booked(db, 3)
    run = tracking.track_open_shipments(db, at=T0, batch=1)
    assert run.polled == 3
    assert all(factories.shipments_of(db, s.case)[0].last_tracked_on == T0 for s in booked)


def test_a_delivery_is_recorded_but_the_window_still_confirms_the_parcel(db, http_courier, client, login):
    from app.services.cases.take_step import take_step

    ems = http_courier
    [case], [shipment] = _booked(db)
    case = take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {})
    ems.add_event(shipment.waybill_number, "2026-11-23T16:10:00+08:00", "accepted", "已收寄", "广元市利州区")
    ems.add_event(shipment.waybill_number, "2026-11-24T10:20:00+08:00", "delivered", "已签收，收件人：窗口", "苍溪县")
    run = tracking.track_open_shipments(db, at=T0 + timedelta(days=1))
    assert run.delivered == [shipment.id]
    [shipment] = factories.shipments_of(db, case)
    assert shipment.tracking_status == "delivered" and shipment.courier_delivered_at == datetime(2026, 11, 24, 10, 20)
    db.refresh(case)
    assert case.status == "in_transit" and shipment.received_on is None  # nobody has confirmed it yet

    later = tracking.track_open_shipments(db, at=T0 + timedelta(days=2))
    assert later.polled == 0  # a delivered parcel is not polled again

    login("cx_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "shipment-tracking" in page and "已签收，收件人：窗口" in page


def test_a_failing_courier_leaves_the_error_on_the_parcel_and_the_others_are_polled(db, http_courier):
    ems = http_courier
    _, booked = _booked(db, 2)
    ems.fail(1)
    run = tracking.track_open_shipments(db, at=T0)
    assert run.polled == 1 and list(run.failed) == [booked[0].id]
    assert "HTTP 500" in factories.shipments_of(db, booked[0].case)[0].tracking_error
    retry = tracking.track_open_shipments(db, at=T0 + timedelta(hours=1))
    assert retry.polled == 2 and factories.shipments_of(db, booked[0].case)[0].tracking_error == ""


def test_the_tracking_task_reports_what_it_did(db, http_courier, caplog):
    import logging

    from workers import courier_tasks

    _, [shipment] = _booked(db)
    http_courier.add_event(shipment.waybill_number, "2026-11-23T16:10:00+08:00", "accepted", "已收寄", "广元市利州区")
    with caplog.at_level(logging.INFO, logger="workers.courier_tasks"):
        result = courier_tasks.track_shipments.run()
    assert result["polled"] >= 1 and result["new_events"] >= 1
    assert any("courier tracking:" in r.getMessage() for r in caplog.records)
