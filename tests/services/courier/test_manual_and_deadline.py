"""The manual courier (the default): nothing is booked until the clerk types the terminal's waybill,
nothing is tracked; and the booking deadline of a parcel of materials (the case's dispatch_due)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from app.models.case import OutboxMessage
from app.platform import outbox
from app.services.courier import booking as shipments
from app.services.courier import tracking
from app.services.cases.take_step import take_step
from tests import factories
from tests.conftest import config_override

MONDAY = date(2026, 11, 23)  # accepted on a Monday: the parcel must be booked by Tuesday
TUESDAY, WEDNESDAY, FRIDAY = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)


def test_manual_booking_waits_for_the_clerk_and_the_case_shows_the_typed_waybill(db, client, login, app):
    assert app.config["COURIER_PROVIDER"] == "manual"
    case = factories.accepted_case(db)
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)
    assert (shipment.provider, shipment.booking_status, shipment.waybill_number) == ("manual", "planned", "")
    assert shipment.booking_key.startswith("kytb-shipment-")  # made with the row, whatever the provider
    assert tracking.track_open_shipments(db).polled == 0  # nothing to ask anyone

    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"})
    [shipment] = factories.shipments_of(db, case)
    assert shipment.booking_status == "booked" and shipment.booked_on and shipment.sent_on
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert "1180123456789" in page


def _warning_of(db, case) -> str:
    return factories.shipments_of(db, case)[0].booking_warning


def test_a_parcel_not_booked_by_its_deadline_raises_a_warning(db, caplog):
    case = factories.accepted_case(db, MONDAY)
    assert case.dispatch_due == TUESDAY
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)

    shipments.refresh_booking_warnings(db, MONDAY)
    assert _warning_of(db, case) == "none"
    shipments.refresh_booking_warnings(db, TUESDAY)
    assert _warning_of(db, case) == "yellow"  # the last day to book it
    assert shipment.id not in [o.shipment.id for o in shipments.overdue_shipments(db, TUESDAY)]

    with caplog.at_level(logging.WARNING, logger="app.services.courier.booking"):
        newly_red = shipments.refresh_booking_warnings(db, WEDNESDAY)
    assert shipment.id in [s.id for s in newly_red] and _warning_of(db, case) == "red"
    assert any(f"shipment {shipment.id} " in r.getMessage() and "not booked" in r.getMessage() for r in caplog.records)
    assert shipment.id not in [s.id for s in shipments.refresh_booking_warnings(db, WEDNESDAY)]  # logged once

    [overdue] = [o for o in shipments.overdue_shipments(db, FRIDAY) if o.shipment.id == shipment.id]
    assert overdue.due == TUESDAY and overdue.days_late == 3 and overdue.case.id == case.id

    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"},
            today=WEDNESDAY)
    shipments.refresh_booking_warnings(db, FRIDAY)
    assert _warning_of(db, case) == "none"
    assert shipment.id not in [o.shipment.id for o in shipments.overdue_shipments(db, FRIDAY)]


def test_the_booking_deadline_follows_the_configuration(db, app):
    with config_override(app, COURIER_BOOKING_DAYS=3):
        case = factories.accepted_case(db, MONDAY)
        outbox.run_message(db, factories.booking_message(db, case).id)
        [shipment] = factories.shipments_of(db, case)
        assert shipment.id not in [o.shipment.id for o in shipments.overdue_shipments(db, date(2026, 11, 26))]
        assert shipment.id in [o.shipment.id for o in shipments.overdue_shipments(db, FRIDAY)]


def test_a_parcel_an_outside_window_sends_or_of_a_closed_case_is_not_ours_to_book(db):
    hangzhou = factories.center(db, factories.key_of_center("HZXH"))
    inbound = factories.accepted_case(db, MONDAY, "cx_window", origin_center_id=hangzhou.id, home="cx_center",
                                      counterpart_number="XH-2026-0815")
    withdrawn = factories.accepted_case(db, MONDAY)
    # the outside window's parcel arrived before our window recorded the receipt: nothing to book
    assert not db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == inbound.id,
                                                     OutboxMessage.topic == "book_parcel")).all()
    outbox.run_message(db, factories.booking_message(db, withdrawn).id)
    take_step(db, factories.user(db, "lz_window"), withdrawn.id, "withdraw", {"reason": "申请人撤回"}, today=MONDAY)
    overdue = {o.shipment.case_id for o in shipments.overdue_shipments(db, FRIDAY)}
    assert inbound.id not in overdue and withdrawn.id not in overdue


def test_the_tracking_task_flags_overdue_bookings(db, app, monkeypatch):
    from workers import courier_tasks

    case = factories.accepted_case(db, MONDAY)
    outbox.run_message(db, factories.booking_message(db, case).id)
    result = courier_tasks.track_shipments.run()  # today is after MONDAY's deadline
    assert factories.shipments_of(db, case)[0].id in result["overdue_bookings"]
    assert _warning_of(db, case) == "red"
