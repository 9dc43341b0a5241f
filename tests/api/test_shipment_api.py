"""寄递跟踪 through the REST API: the shipments of the cases in scope with the page's filters, one with its
tracking events (as the page shows them); another county's shipment is missing; roles without the page are
refused; every problem of a filter at once."""

from __future__ import annotations

from datetime import datetime

from app.adapters.courier import TrackingEvent
from app.services.courier.tracking import record_events
from tests import factories
from tests.services.supervision import other_county_case


def _mailed(db):
    case = factories.at_the_department(db)
    shipment = factories.shipments_of(db, case)[0]
    record_events(db, shipment, [TrackingEvent(datetime(2026, 3, 3, 9, 30), "PICKUP", "已收寄", "广元市利州区"),
                                 TrackingEvent(datetime(2026, 3, 4, 8, 0), "ARRIVE", "到达苍溪县", "苍溪县")])
    db.commit()
    return case, shipment


def test_the_shipments_in_scope_and_one_with_its_events(api, db, client, login):
    case, shipment = _mailed(db)
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/shipment/").get_json()
    row = next(r for r in listed["result"] if r["id"] == shipment.id)
    assert row["case_number"] == case.number and row["waybill_number"] == "EMS1234567890CN"
    assert row["last_event"]["code"] == "ARRIVE"
    assert clerk.get("/api/v1/shipment/?waybill_number=1234567890").get_json()["count"] >= 1
    assert clerk.get("/api/v1/shipment/?waybill_number=NOPE").get_json()["count"] == 0
    assert clerk.get("/api/v1/shipment/?direction=result").get_json()["count"] == 0
    assert clerk.get("/api/v1/shipment/?direction=materials&booking_status=booked").get_json()["count"] >= 1

    detail = clerk.get(f"/api/v1/shipment/{shipment.id}").get_json()["result"]
    assert [e["code"] for e in detail["events"]] == ["PICKUP", "ARRIVE"]
    assert detail["events"][1]["description"] == "到达苍溪县"
    login("lz_window")
    page = client.get(f"/shipmentview/show/{shipment.id}").get_data(as_text=True)
    assert "到达苍溪县" in page and "已收寄" in page  # the page shows the same events


def test_another_countys_shipment_is_missing(api, db):
    theirs = other_county_case(db)
    theirs = factories.run_steps(db, theirs, [("cx_window", "dispatch", {"waybill_number": "EMS9999999999CN"})])
    shipment = factories.shipments_of(db, theirs)[0]
    assert api("lz_window").get(f"/api/v1/shipment/{shipment.id}").status_code == 404
    assert shipment.id not in [r["id"] for r in api("lz_window").get("/api/v1/shipment/").get_json()["result"]]
    assert api("cx_window").get(f"/api/v1/shipment/{shipment.id}").status_code == 200


def test_roles_without_shipment_tracking_are_refused(api, db):
    _, shipment = _mailed(db)
    assert api("cx_hrss").get("/api/v1/shipment/").status_code in (401, 403)
    assert api("cx_hrss").get(f"/api/v1/shipment/{shipment.id}").status_code in (401, 403)


def test_every_problem_of_a_filter_at_once(api, db):
    answer = api("lz_window").get("/api/v1/shipment/?direction=air&booking_status=lost&sent_from=yesterday")
    assert answer.status_code == 422
    assert {e["field"] for e in answer.get_json()["errors"]} == {"direction", "booking_status", "sent_from"}


def test_the_endpoints_are_in_the_openapi_document(api, db):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    assert "get" in spec["paths"]["/api/v1/shipment/"] and "get" in spec["paths"]["/api/v1/shipment/{shipment_id}"]
    assert {"Shipment", "ShipmentDetail", "CourierEvent"} <= set(spec["components"]["schemas"])
