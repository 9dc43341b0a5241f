"""The dispatch job books each parcel exactly once: after failures, after a timeout or a dropped answer
(the server had booked), when the job runs twice, when the clerk was first — never a second parcel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.errors import ValidationFailed
from app.models.base import now
from app.models.case import OutboxMessage
from app.platform import outbox
from app.services.courier import booking as shipments
from app.services.courier import tracking
from app.adapters.courier import CourierUnavailable
from app.services.cases.take_step import take_step
from tests import factories


def test_a_courier_failing_three_times_then_answering_books_one_parcel(db, http_courier):
    ems = http_courier
    ems.fail(3)
    case = factories.accepted_case(db)
    message = factories.booking_message(db, case)
    run = factories.run_outbox(db, "book_parcel", case.id, key="materials", attempts=10)
    assert run.errors == ["CourierUnavailable"] * 3
    [shipment] = factories.shipments_of(db, case)
    assert len(ems.orders) == 1 and shipment.waybill_number in ems.orders
    assert shipment.booking_status == "booked" and shipment.provider == "http" and shipment.booked_on
    assert shipment.booking_key == ems.orders[shipment.waybill_number]["idempotency_key"]
    assert shipment.booking_key.startswith("kytb-shipment-") and shipment.booking_key != f"kytb-shipment-{shipment.id}"
    assert shipment.booking_attempts == 4 and shipment.booking_error == ""
    db.refresh(message)
    assert message.done_on is not None and message.attempts >= 4
    order = ems.orders[shipment.waybill_number]
    assert order["reference"] == case.number
    assert order["sender"]["name"] == case.origin_center.name and order["receiver"]["name"] == case.home_center.name


def test_a_timeout_after_the_server_booked_is_retried_into_the_same_order(db, http_courier):
    ems = http_courier
    ems.slow(2.0)  # books, then answers after the client's 1 s timeout
    case = factories.accepted_case(db)
    message = factories.booking_message(db, case)
    with pytest.raises(CourierUnavailable):
        outbox.run_message(db, message.id)
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "planned" and "no answer" in shipment.booking_error
    assert len(ems.orders) == 1  # the parcel exists at the courier, the case does not know its waybill yet

    outbox.run_message(db, message.id)
    [shipment] = factories.shipments_of(db, case)
    assert len(ems.orders) == 1 and shipment.waybill_number == next(iter(ems.orders))
    assert len(ems.calls("GET", "/v1/orders?idempotency_key=")) == 1  # the retry asked for the key's order


def test_a_dropped_answer_after_booking_is_retried_into_the_same_order(db, http_courier):
    ems = http_courier
    ems.drop(1)
    case = factories.accepted_case(db)
    run = factories.run_outbox(db, "book_parcel", case.id, key="materials", attempts=10)
    assert run.errors == ["CourierUnavailable"]
    [shipment] = factories.shipments_of(db, case)
    assert list(ems.orders) == [shipment.waybill_number]


def test_running_the_dispatch_job_twice_books_once(db, http_courier):
    ems = http_courier
    case = factories.accepted_case(db)
    message = factories.booking_message(db, case)
    assert outbox.run_message(db, message.id) is True
    assert outbox.run_message(db, message.id) is False  # a duplicate delivery of the task
    # The handler itself, run again as if the worker died after booking but before the row was done:
    message = db.get(OutboxMessage, message.id)
    shipments.book_parcel(db, message)
    shipments.book_parcel(db, message)
    [shipment] = factories.shipments_of(db, case)
    assert len(ems.orders) == 1 and len(ems.calls("POST", "/v1/orders")) == 1
    assert shipment.booking_attempts == 1


class WorkerLost(BaseException):
    """The worker process is gone: nothing after this point runs, not even an ``except Exception``."""


def test_a_republished_row_while_the_first_run_is_lost_books_once(db, http_courier, monkeypatch):
    """The relay republishes a row whose worker was lost (held past the held limit): the second run finds
    the claimed shipment and its key."""
    ems = http_courier
    case = factories.accepted_case(db)
    message = factories.booking_message(db, case)

    def booked_then_lost(request, **kwargs):
        ems.create_order(request.as_json())  # the courier booked it …
        raise WorkerLost  # … and the first run's worker was lost before the answer

    with monkeypatch.context() as patch:
        patch.setattr(shipments.get_provider("http"), "book", booked_then_lost)
        with pytest.raises(WorkerLost):
            outbox.run_message(db, message.id)
    assert outbox.run_message(db, message.id) is False  # still held by the lost worker: left to it …
    held = timedelta(seconds=current_app.config["OUTBOX_HELD_SECONDS"])
    assert message.id in outbox.publish_pending(db, lambda _id: None, at=now() + held + timedelta(seconds=1))
    assert outbox.run_message(db, message.id) is True  # … until the held limit: its worker died
    [shipment] = factories.shipments_of(db, case)
    assert len(ems.orders) == 1 and shipment.waybill_number == next(iter(ems.orders))
    assert ems.calls("POST", "/v1/orders") == []


def test_the_clerk_dispatching_first_means_no_courier_booking(db, http_courier):
    ems = http_courier
    case = factories.accepted_case(db)
    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"})
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)
    assert shipment.waybill_number == "1180123456789" and shipment.booking_status == "booked"
    assert ems.orders == {} and shipment.outbox_id is not None


def test_with_a_booked_parcel_the_clerk_dispatches_without_typing_the_waybill(db, http_courier):
    case = factories.accepted_case(db)
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)
    with pytest.raises(ValidationFailed) as refused:
        take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "999"})
    assert shipment.waybill_number in str(refused.value.problems[0].message)
    case = take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {})
    [again] = factories.shipments_of(db, case)
    assert case.status == "in_transit" and again.id == shipment.id and again.sent_on is not None
    assert again.waybill_number == shipment.waybill_number


def test_a_refused_order_is_not_retried_and_the_clerk_books_by_hand(db, http_courier):
    ems = http_courier
    ems.reject(1, 422)
    case = factories.accepted_case(db)
    message = factories.booking_message(db, case)
    outbox.run_message(db, message.id)  # no exception: retrying the same order cannot help
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "failed" and "422" in shipment.booking_error and ems.orders == {}
    with pytest.raises(ValidationFailed):
        take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {})
    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"})
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "booked" and shipment.waybill_number == "1180123456789"


def test_a_parcel_sent_by_an_outside_window_is_never_booked_by_us(db, http_courier):
    ems = http_courier
    hangzhou = factories.center(db, factories.key_of_center("HZXH"))
    case = factories.accepted_case(db, clerk="cx_window", origin_center_id=hangzhou.id, home="cx_center",
                                   counterpart_number="XH-2026-0815")
    # recorded at 接收登记 with the waybill on the parcel that arrived: no booking job is queued at all
    assert not db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                     OutboxMessage.topic == "book_parcel")).all()
    factories.run_outbox(db, case_id=case.id)
    [shipment] = factories.shipments_of(db, case)
    assert shipment.provider == "manual" and shipment.waybill_number and shipment.received_on and ems.orders == {}


def test_a_withdrawn_case_books_nothing(db, http_courier):
    ems = http_courier
    case = factories.accepted_case(db)
    take_step(db, factories.user(db, "lz_window"), case.id, "withdraw", {"reason": "申请人撤回"})
    outbox.run_message(db, factories.booking_message(db, case).id)
    assert ems.orders == {}


def test_the_result_is_booked_to_the_applicants_mail_address(db, http_courier):
    ems = http_courier
    case = factories.make_case(db, delivery_method="mail", mail_address="四川省广元市利州区嘉陵路1号",
                               mail_postcode="628017")
    case = factories.run_steps(db, case, [
        ("lz_window", "accept", factories.verify_all(case)), ("lz_window", "dispatch", {"waybill_number": "1"}),
        ("cx_window", "receive", {}), ("cx_window", "forward", {}), ("cx_hrss", "complete", factories.completion()),
    ])
    factories.run_outbox(db, "book_parcel", case.id, key="result", attempts=10)
    [result] = factories.shipments_of(db, case, "result")
    order = ems.orders[result.waybill_number]
    assert order["receiver"]["address"] == "四川省广元市利州区嘉陵路1号" and order["receiver"]["postcode"] == "628017"
    assert order["parcel"]["description"] == "跨域通办办理结果"
    case = take_step(db, factories.user(db, "cx_window"), case.id, "deliver", {})
    assert case.status == "delivered" and factories.shipments_of(db, case, "result")[0].sent_on is not None


def test_the_courier_answer_racing_a_typed_waybill_is_cancelled(db, http_courier, monkeypatch):
    """The clerk typed the terminal's waybill while the courier was booking: the courier's order goes."""
    ems = http_courier
    case = factories.accepted_case(db)
    real_book = shipments.get_provider("http").book

    def book_while_the_clerk_dispatches(request, **kwargs):
        booking = real_book(request, **kwargs)
        take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"})
        return booking

    provider = shipments.get_provider("http")
    monkeypatch.setattr(provider, "book", book_while_the_clerk_dispatches)
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)
    assert shipment.waybill_number == "1180123456789"
    [order] = ems.orders.values()
    assert order["status"] == "cancelled"
    assert db.scalar(select(OutboxMessage.done_on).where(OutboxMessage.id == shipment.outbox_id)) is not None


def test_a_booked_parcel_not_yet_sent_can_be_cancelled(db, http_courier):
    ems = http_courier
    case = factories.accepted_case(db)
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)
    shipments.cancel_booking(db, shipment)
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "cancelled" and ems.orders[shipment.waybill_number]["status"] == "cancelled"
    assert tracking.track_open_shipments(db).polled == 0


def test_a_courier_answer_for_another_parcel_is_refused_and_its_waybill_not_attached(db, http_courier):
    ems = http_courier
    ems.fail(1)
    case = factories.accepted_case(db)
    message = factories.booking_message(db, case)
    with pytest.raises(CourierUnavailable):
        outbox.run_message(db, message.id)
    [shipment] = factories.shipments_of(db, case)
    # The courier holds the key for another case's parcel (a key handed out twice, as before a restore).
    other = {"name": "广元市利州区政务服务中心", "phone": "0839-3261234", "address": "广元市利州区某路一号"}
    _, foreign = ems.create_order({"idempotency_key": shipment.booking_key, "reference": "GYLZ-2026-000933",
                                   "sender": other, "receiver": other, "parcel": {"description": "x", "pieces": 1}})

    outbox.run_message(db, message.id)  # refused for good: retrying the same key gets the same answer
    [shipment] = factories.shipments_of(db, case)
    assert shipment.waybill_number == "" and shipment.booking_status == "failed"
    assert foreign["waybill_number"] in shipment.booking_error and "GYLZ-2026-000933" in shipment.booking_error
    assert len(ems.orders) == 1 and [c for c in ems.calls("POST", "/v1/orders") if c[2] != 500] == []
