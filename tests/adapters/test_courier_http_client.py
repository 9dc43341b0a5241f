"""The http courier client against the fake EMS server: signed requests, idempotent booking by key,
timeouts and dropped answers as retryable errors, refusals as final ones."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from app.adapters.courier import (
    BookingRequest,
    CourierAnsweredForAnotherParcel,
    CourierNotConfigured,
    CourierRejected,
    CourierUnavailable,
    HttpCourier,
    ManualCourier,
    Party,
    get_provider,
    parse_time,
    signature,
)
from tests.fakes.ems import KEY, SECRET


def _request(key: str = "kytb-shipment-1") -> BookingRequest:
    window = Party(name="广元市利州区政务服务中心", phone="0839-3261234", address="广元市利州区滨河北路二段", postcode="628000")
    home = Party(name="苍溪县政务服务中心", phone="0839-5221234", address="苍溪县陵江镇江南大道", postcode="628400")
    return BookingRequest(idempotency_key=key, reference="GYLZ-2026-000001", sender=window, receiver=home,
                          description="跨域通办申请材料")


@pytest.fixture()
def client(ems):
    return HttpCourier(ems.url, KEY, SECRET, timeout=1.0)


def test_every_request_is_signed_and_the_server_accepts_the_signature(ems, client):
    booking = client.book(_request())
    assert booking.created and booking.waybill_number in ems.orders
    assert client.find("kytb-shipment-1").waybill_number == booking.waybill_number
    assert client.track(booking.waybill_number) == []
    assert ems.bad_signatures == 0
    assert [status for _, _, status in ems.log] == [201, 200, 200]


def test_a_wrong_secret_or_an_old_timestamp_is_refused(ems):
    with pytest.raises(CourierRejected) as refused:
        HttpCourier(ems.url, KEY, "not-the-secret", timeout=1.0).book(_request())
    assert refused.value.status == 401 and ems.orders == {}
    client = HttpCourier(ems.url, KEY, SECRET, timeout=1.0)
    body = b'{"idempotency_key":"k"}'
    old = str(int(time.time()) - 3600)
    response = client.http.post(ems.url + "/v1/orders", data=body, headers=client.headers("POST", "/v1/orders", body, old))
    assert response.status_code == 401 and ems.bad_signatures == 2


def test_the_signature_covers_method_path_timestamp_and_body():
    base = signature(SECRET, "POST", "/v1/orders", "1700000000", b"{}")
    assert len(base) == 64
    assert base != signature(SECRET, "GET", "/v1/orders", "1700000000", b"{}")
    assert base != signature(SECRET, "POST", "/v1/orders?x=1", "1700000000", b"{}")
    assert base != signature(SECRET, "POST", "/v1/orders", "1700000001", b"{}")
    assert base != signature(SECRET, "POST", "/v1/orders", "1700000000", b"{ }")


def test_posting_the_same_key_again_answers_the_same_order(ems, client):
    first, again = client.book(_request()), client.book(_request())
    assert first.waybill_number == again.waybill_number and again.created is False
    assert len(ems.orders) == 1


def test_a_retry_looks_the_key_up_before_posting(ems, client):
    first = client.book(_request())
    again = client.book(_request(), lookup_first=True)
    assert again.waybill_number == first.waybill_number
    assert len(ems.calls("POST", "/v1/orders")) == 1 and len(ems.calls("GET", "/v1/orders?idempotency_key=")) == 1


def test_server_errors_timeouts_and_dropped_answers_are_worth_retrying(ems, client):
    ems.fail(1)
    with pytest.raises(CourierUnavailable, match="HTTP 500"):
        client.book(_request("a"))
    assert ems.orders == {}

    ems.slow(2.0)
    started = time.monotonic()
    with pytest.raises(CourierUnavailable, match="no answer within 1 s"):
        client.book(_request("b"))
    assert time.monotonic() - started < 1.9  # the read timeout, not the server, ended the wait
    assert "b" in ems.by_key  # … although the server booked it

    ems.drop(1)
    with pytest.raises(CourierUnavailable):
        client.book(_request("c"))
    assert "c" in ems.by_key


def test_a_refused_order_is_final(ems, client):
    ems.reject(1, 422)
    with pytest.raises(CourierRejected) as refused:
        client.book(_request())
    assert refused.value.status == 422 and refused.value.code == "invalid_address"


def test_a_courier_that_is_not_listening_is_unavailable():
    with pytest.raises(CourierUnavailable):
        HttpCourier("http://127.0.0.1:9", KEY, SECRET, timeout=1.0).book(_request())


def test_tracking_events_come_back_in_china_standard_time(ems, client):
    waybill = client.book(_request()).waybill_number
    ems.add_event(waybill, "2026-11-23T09:30:00+08:00", "accepted", "已收寄", "广元市")
    ems.add_event(waybill, "2026-11-23T03:00:00Z", "in_transit", "离开处理中心", "成都市")
    events = client.track(waybill)
    assert [(e.at, e.code, e.location) for e in events] == [
        (datetime(2026, 11, 23, 9, 30), "accepted", "广元市"), (datetime(2026, 11, 23, 11, 0), "in_transit", "成都市")]
    assert parse_time("2026-11-23T09:30:00") == datetime(2026, 11, 23, 9, 30)


def test_cancel_before_pickup(ems, client):
    waybill = client.book(_request()).waybill_number
    client.cancel(waybill)
    assert ems.orders[waybill]["status"] == "cancelled"
    ems.add_event(waybill, "2026-11-23T09:30:00+08:00", "accepted")
    with pytest.raises(CourierRejected):
        client.cancel(waybill)


def test_the_provider_follows_the_configuration(ems):
    settings = {"COURIER_PROVIDER": "http", "COURIER_BASE_URL": ems.url, "COURIER_KEY": KEY, "COURIER_SECRET": SECRET,
                "COURIER_TIMEOUT_SECONDS": 3}
    assert isinstance(get_provider(settings=settings | {"COURIER_PROVIDER": "manual"}), ManualCourier)
    provider = get_provider(settings=settings)
    assert isinstance(provider, HttpCourier) and provider.timeout == (3.0, 3.0)
    assert get_provider("manual", settings).books is False
    with pytest.raises(CourierNotConfigured):
        get_provider("http", settings | {"COURIER_KEY": "", "COURIER_SECRET": ""})
    with pytest.raises(CourierNotConfigured):
        get_provider("pigeon", settings)


def test_a_known_key_answered_with_another_reference_or_address_is_refused(ems, client):
    from dataclasses import replace

    first = client.book(_request("kytb-shipment-1"))
    assert client.book(_request("kytb-shipment-1")).waybill_number == first.waybill_number  # the same parcel
    for other in (replace(_request("kytb-shipment-1"), reference="GYCX-2026-000923"),
                  replace(_request("kytb-shipment-1"), receiver=replace(_request().receiver, address="旺苍县东河镇"))):
        for lookup_first in (False, True):
            with pytest.raises(CourierAnsweredForAnotherParcel) as refused:
                client.book(other, lookup_first=lookup_first)
            assert first.waybill_number in str(refused.value) and refused.value.code == "another_parcel"
    assert len(ems.orders) == 1
