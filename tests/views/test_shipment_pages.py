"""寄递跟踪: the read-only list of shipments is scoped like their cases; out of scope answers 404."""

from __future__ import annotations

import pytest

from app.platform import outbox
from app.services.courier import tracking
from app.services.cases.take_step import take_step
from tests import factories


def _lz_only_shipment(db, waybill: str):
    """A parcel of 利州区 only: its window sends the case to 重庆市渝中区, outside the system."""
    case = factories.accepted_case(db, home=factories.key_of_center("CQYZ"), department_key=None,
                                   department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")
    outbox.run_message(db, factories.booking_message(db, case).id)
    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": waybill})
    return factories.shipments_of(db, case)[0]


@pytest.mark.parametrize("username", ["lz_window", "lz_admin", "city_super", "admin"])
def test_the_shipments_of_my_cases_are_listed_and_shown(db, client, login, username):
    shipment = _lz_only_shipment(db, "EA900000001CN")
    login(username)
    listing = client.get("/shipmentview/list/?psize_ShipmentView=100")
    assert listing.status_code == 200 and "EA900000001CN" in listing.get_data(as_text=True)
    assert f"/cases/{shipment.case_id}/" in listing.get_data(as_text=True)  # the case number links to the case
    detail = client.get(f"/shipmentview/show/{shipment.id}")
    assert detail.status_code == 200 and "EA900000001CN" in detail.get_data(as_text=True)


@pytest.mark.parametrize("username", ["cx_window", "cx_admin"])
def test_another_countys_staff_never_see_the_shipment(db, client, login, username):
    shipment = _lz_only_shipment(db, "EA900000002CN")
    login(username)
    listing = client.get("/shipmentview/list/?psize_ShipmentView=100")
    assert listing.status_code == 200 and "EA900000002CN" not in listing.get_data(as_text=True)
    assert client.get(f"/shipmentview/show/{shipment.id}").status_code == 404
    search = client.get("/shipmentview/list/?_flt_0_waybill_number=EA900000002CN")  # the filter echoes the value
    assert search.status_code == 200 and f"/cases/{shipment.case_id}/" not in search.get_data(as_text=True)


def test_a_department_officer_has_no_shipment_list(db, client, login):
    shipment = _lz_only_shipment(db, "EA900000003CN")
    login("lz_hrss")
    assert client.get("/shipmentview/list/").status_code in (302, 401, 403)
    assert client.get(f"/shipmentview/show/{shipment.id}").status_code in (302, 401, 403, 404)


def test_the_list_is_read_only(db, client, login):
    shipment = _lz_only_shipment(db, "EA900000004CN")
    login("lz_window")
    assert client.get(f"/shipmentview/edit/{shipment.id}").status_code == 404
    assert client.get("/shipmentview/add").status_code == 404
    assert client.post(f"/shipmentview/delete/{shipment.id}").status_code in (400, 404, 405)


def test_the_detail_lists_the_tracking_events(db, client, login, http_courier):
    ems = http_courier
    case = factories.accepted_case(db)
    outbox.run_message(db, factories.booking_message(db, case).id)
    [shipment] = factories.shipments_of(db, case)
    ems.add_event(shipment.waybill_number, "2026-11-23T16:10:00+08:00", "accepted", "已收寄", "广元市利州区")
    tracking.track_open_shipments(db)
    login("lz_window")
    page = client.get(f"/shipmentview/show/{shipment.id}").get_data(as_text=True)
    assert "courier-events" in page and "已收寄" in page and "广元市利州区" in page and "2026-11-23 16:10" in page
    assert shipment.booking_key in page
    case_page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert f"/shipmentview/show/{shipment.id}" in case_page and "已收寄" in case_page


def test_every_row_shows_the_day_its_parcel_must_leave(db, client, login):
    from datetime import date

    case = factories.accepted_case(db, date(2026, 3, 2))  # the materials leave by Tuesday 3 March
    outbox.run_message(db, factories.booking_message(db, case).id)
    login("lz_window")
    page = client.get("/shipmentview/list/?psize_ShipmentView=100").get_data(as_text=True)
    assert "寄出期限" in page and f"/cases/{case.id}/" in page
    assert 'class="send-by">2026-03-03' in page
