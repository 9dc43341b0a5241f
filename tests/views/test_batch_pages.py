"""The batch pages, driven through the real forms (CSRF on): 今日寄件, 移交清单 and 整包签收."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.models.case import Case
from app.models.transmittal import Transmittal
from tests import factories
from tests.conftest import csrf_token


def _cx_only_case(db):
    """Accepted at 苍溪县's window for 重庆市渝中区: outside 利州区's scope."""
    return factories.accepted_case(db, clerk="cx_window", home=factories.key_of_center("CQYZ"), department_key=None,
                                   department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")


def _send(client, rows: dict[int, str], **extra):
    token = csrf_token(client, "/resetmypassword/form")
    data = {"csrf_token": token, "rowid": [str(i) for i in rows], **extra}
    data |= {f"waybill-{case_id}": waybill for case_id, waybill in rows.items()}
    return client.post("/batch/parcels/", data=data)


def test_the_parcels_page_lists_the_accepted_cases_of_the_clerks_window_only(client, login, db):
    mine, theirs = factories.accepted_case(db), _cx_only_case(db)
    login("lz_window")
    page = client.get("/batch/parcels/").get_data(as_text=True)
    assert f'name="rowid" value="{mine.id}"' in page and mine.number in page
    assert f'value="{theirs.id}"' not in page
    assert "今日寄件" in page or "Parcels of the day" in page


def test_sending_through_the_form_dispatches_the_ticked_cases_and_shows_every_failed_row(client, login, db):
    first, second = factories.accepted_case(db), factories.accepted_case(db)
    login("lz_window")
    response = _send(client, {first.id: "EMS8000000001CN", second.id: ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, first.id).status == "in_transit" and db.get(Case, second.id).status == "accepted"
    assert f"{second.number}：" in page  # the refused row, with its case and reason, on the page
    transmittal = db.scalar(select(Transmittal).join(Transmittal.items).where(Transmittal.items.any(case_id=first.id)))
    assert transmittal is not None and f"/transmittals/{transmittal.id}/pdf" in page


def test_a_bulk_send_with_an_id_outside_the_scope_is_404_and_sends_nothing(client, login, db):
    mine, theirs = factories.accepted_case(db), _cx_only_case(db)
    login("lz_window")
    response = _send(client, {mine.id: "EMS8000000002CN", theirs.id: "EMS8000000003CN"})
    assert response.status_code == 404
    db.expire_all()
    assert db.get(Case, mine.id).status == "accepted" and db.get(Case, theirs.id).status == "accepted"


def test_a_bulk_send_with_a_malformed_id_is_404(client, login, db):
    login("lz_window")
    assert _send(client, {"../1": "EMS1"}).status_code == 404  # type: ignore[dict-item]


def test_the_pdf_downloads_for_the_two_windows_and_404_for_anyone_else(client, login, db):
    case = factories.accepted_case(db)
    login("lz_window")
    _send(client, {case.id: "EMS8000000004CN"})
    transmittal = db.scalar(select(Transmittal).where(Transmittal.items.any(case_id=case.id)))
    response = client.get(f"/transmittals/{transmittal.id}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    assert case.number in text and "EMS8000000004CN" in text
    client.get("/logout/")
    login("cx_window")
    assert client.get(f"/transmittals/{transmittal.id}/pdf").status_code == 200
    assert str(transmittal.number) in client.get("/transmittals/").get_data(as_text=True)
    client.get("/logout/")
    login("cx_hrss")  # the department: not a side of the parcel
    assert client.get(f"/transmittals/{transmittal.id}/pdf").status_code in (403, 404, 302)


def test_the_receiving_window_signs_the_whole_list_through_the_form(client, login, db):
    cases = [factories.accepted_case(db) for _ in range(2)]
    login("lz_window")
    _send(client, {c.id: f"EMS810000000{i}CN" for i, c in enumerate(cases)})
    transmittal = db.scalar(select(Transmittal).where(Transmittal.items.any(case_id=cases[0].id)))
    client.get("/logout/")
    login("cx_window")
    page = client.get(f"/transmittals/{transmittal.id}/receive").get_data(as_text=True)
    for case in cases:
        assert case.number in page and f'name="material-{case.id}"' in page
    token = csrf_token(client, f"/transmittals/{transmittal.id}/receive")
    data = {"csrf_token": token, "sign": [str(c.id) for c in cases],
            f"material-{cases[0].id}": [str(m.seq) for m in cases[0].materials],
            f"material-{cases[1].id}": []}
    response = client.post(f"/transmittals/{transmittal.id}/receive", data=data)
    assert response.status_code == 200
    db.expire_all()
    assert db.get(Case, cases[0].id).status == "received"
    assert db.get(Case, cases[1].id).status == "in_transit"  # nothing ticked: refused, shown with its case
    page = response.get_data(as_text=True)
    assert f"{cases[1].number}：" in page and f'data-case="{cases[1].id}"' in page


def test_signing_a_list_of_another_window_or_a_case_off_the_list_is_404(client, login, db):
    case, elsewhere = factories.accepted_case(db), factories.accepted_case(db)
    login("lz_window")
    _send(client, {case.id: "EMS8200000001CN"})
    factories.step(db, "lz_window", elsewhere, "dispatch", waybill_number="EMS8200000002CN")
    transmittal = db.scalar(select(Transmittal).where(Transmittal.items.any(case_id=case.id)))
    client.get("/logout/")
    login("cx_window")
    token = csrf_token(client, f"/transmittals/{transmittal.id}/receive")
    response = client.post(f"/transmittals/{transmittal.id}/receive",
                           data={"csrf_token": token, "sign": [str(elsewhere.id)], f"material-{elsewhere.id}": ["1"]})
    assert response.status_code == 404
    db.expire_all()
    assert db.get(Case, elsewhere.id).status == "in_transit"
    theirs = _cx_only_case(db)
    client.get("/logout/")
    login("cx_window")
    token = csrf_token(client, "/resetmypassword/form")
    client.post("/batch/parcels/", data={"csrf_token": token, "rowid": [str(theirs.id)],
                                         f"waybill-{theirs.id}": "EMS8200000003CN"})
    theirs_list = db.scalar(select(Transmittal).where(Transmittal.items.any(case_id=theirs.id)))
    client.get("/logout/")
    login("lz_window")
    assert client.get(f"/transmittals/{theirs_list.id}/receive").status_code == 404
    assert client.get(f"/transmittals/{theirs_list.id}/pdf").status_code == 404


def test_a_parcel_is_found_by_its_waybill_and_signed(client, login, db):
    case = factories.accepted_case(db)
    factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS8300000001CN")
    login("cx_window")
    page = client.get("/transmittals/incoming?waybill=EMS8300000001CN").get_data(as_text=True)
    assert case.number in page
    token = csrf_token(client, "/transmittals/incoming?waybill=EMS8300000001CN")
    response = client.post("/transmittals/incoming", data={
        "csrf_token": token, "waybill": "EMS8300000001CN", "sign": [str(case.id)],
        f"material-{case.id}": [str(m.seq) for m in case.materials]})
    assert response.status_code == 200
    db.expire_all()
    assert db.get(Case, case.id).status == "received"


def test_the_parcels_page_shows_a_booked_waybill_and_a_refused_booking(client, login, db):
    booked, refused = factories.accepted_case(db), factories.accepted_case(db)
    for case in (booked, refused):
        if not factories.shipments_of(db, case):
            factories.run_outbox(db, "book_parcel", case.id)
    booked_parcel, refused_parcel = factories.shipments_of(db, booked)[0], factories.shipments_of(db, refused)[0]
    booked_parcel.provider, booked_parcel.booking_status, booked_parcel.waybill_number = "http", "booked", "EA1234CN"
    refused_parcel.provider, refused_parcel.booking_status = "http", "failed"
    db.commit()
    login("lz_window")
    page = client.get("/batch/parcels/").get_data(as_text=True)
    assert 'placeholder="EA1234CN"' in page
    assert "booking-failed" in page


def test_the_menu_offers_the_batch_pages_to_window_clerks_only(client, login, db):
    login("lz_window")
    page = client.get("/cases/queue/").get_data(as_text=True)
    assert "/batch/parcels/" in page and "/transmittals/" in page
    client.get("/logout/")
    login("cx_hrss")
    page = client.get("/cases/queue/").get_data(as_text=True)
    assert "/batch/parcels/" not in page and "/transmittals/" not in page


def _book(client, ids):
    token = csrf_token(client, "/resetmypassword/form")
    return client.post("/batch/parcels/", data={"csrf_token": token, "rowid": [str(i) for i in ids], "action": "book"})


def test_the_book_button_shows_only_when_the_configured_courier_books(client, login, db, app, ems):
    from tests.conftest import config_override
    from tests.fakes.ems import KEY, SECRET

    factories.accepted_case(db)
    login("lz_window")
    assert 'value="book"' not in client.get("/batch/parcels/").get_data(as_text=True)  # manual courier
    with config_override(app, COURIER_PROVIDER="http", COURIER_BASE_URL=ems.url, COURIER_KEY=KEY,
                         COURIER_SECRET=SECRET, COURIER_TIMEOUT_SECONDS=1.0):
        assert 'value="book"' in client.get("/batch/parcels/").get_data(as_text=True)


def test_booking_through_the_form_queues_the_refused_parcels_and_says_which_are_booked(client, login, db, http_courier):
    refused, booked = factories.accepted_case(db), factories.accepted_case(db)
    http_courier.reject(1)
    factories.run_outbox(db, "book_parcel", refused.id, key="materials")
    factories.run_outbox(db, "book_parcel", booked.id, key="materials")
    [booked_shipment] = factories.shipments_of(db, booked)
    login("lz_window")
    response = _book(client, [refused.id, booked.id])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert booked_shipment.waybill_number in page and f"{booked.number}：" in page
    [shipment] = factories.shipments_of(db, refused)
    assert shipment.booking_status == "planned"
    factories.run_outbox(db, "book_parcel", refused.id, key="materials")
    [shipment] = factories.shipments_of(db, refused)
    assert shipment.booking_status == "booked" and shipment.waybill_number in http_courier.orders
    db.expire_all()
    assert db.get(Case, refused.id).status == "accepted"  # booked, not sent


def test_a_bulk_booking_with_an_id_outside_the_scope_is_404_and_queues_nothing(client, login, db, http_courier):
    from app.models.case import OutboxMessage

    mine, theirs = factories.accepted_case(db), _cx_only_case(db)
    before = db.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
    login("lz_window")
    assert _book(client, [mine.id, theirs.id]).status_code == 404
    assert db.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) == before
