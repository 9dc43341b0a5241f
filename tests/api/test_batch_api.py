"""今日寄件, 移交清单 and 整包签收 through the REST API: the same services as the batch pages — a case outside
the scope is 404 and nothing is done, every refused row is answered with every reason (422 when none was
done), the lists and their PDFs are the two windows' only, roles without the pages' permission are refused."""

from __future__ import annotations

from sqlalchemy import select

from app.models.case import Case
from app.models.transmittal import Transmittal
from tests import factories
from tests.services.supervision import other_county_case


def _cx_only_case(db):
    """Accepted at 苍溪县's window for 重庆市渝中区: outside 利州区's scope."""
    return factories.accepted_case(db, clerk="cx_window", home=factories.key_of_center("CQYZ"), department_key=None,
                                   department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")


def _sent_list(api, db, cases, waybill="EMS83000000{}CN"):
    answer = api("lz_window").post("/api/v1/parcel_batch/send", json={"parcels": [
        {"case_id": c.id, "waybill_number": waybill.format(i)} for i, c in enumerate(cases)]})
    assert answer.status_code == 200, answer.get_json()
    return db.scalar(select(Transmittal).where(Transmittal.items.any(case_id=cases[0].id)))


def test_the_parcels_of_the_day_and_sending_them_with_every_refused_row(api, db, client, login):
    first, second, theirs = factories.accepted_case(db), factories.accepted_case(db), _cx_only_case(db)
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/parcel_batch/").get_json()
    ids = [p["case_id"] for p in listed["result"]]
    assert first.id in ids and second.id in ids and theirs.id not in ids
    assert next(p for p in listed["result"] if p["case_id"] == first.id)["step"] == "dispatch"

    answer = clerk.post("/api/v1/parcel_batch/send", json={"parcels": [
        {"case_id": first.id, "waybill_number": "EMS8000000001CN"}, {"case_id": second.id, "waybill_number": ""}]})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["done"] == [first.id] and [f["case_id"] for f in body["failed"]] == [second.id]
    assert body["failed"][0]["errors"] and body["transmittals"][0]["cases"] == 1
    db.expire_all()
    assert db.get(Case, first.id).status == "in_transit" and db.get(Case, second.id).status == "accepted"
    login("lz_window")  # the page lists the same list
    assert body["transmittals"][0]["number"] in client.get("/transmittals/").get_data(as_text=True)


def test_every_row_refused_is_422_and_out_of_scope_is_404(api, db):
    mine, theirs = factories.accepted_case(db), _cx_only_case(db)
    clerk = api("lz_window")
    refused = clerk.post("/api/v1/parcel_batch/send", json={"parcels": [{"case_id": mine.id}]})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == f"cases[{mine.id}]"
    nothing = clerk.post("/api/v1/parcel_batch/send", json={"parcels": [], "sent_on": "yesterday"})
    assert nothing.status_code == 422 and len(nothing.get_json()["errors"]) == 2  # every problem at once
    scoped = clerk.post("/api/v1/parcel_batch/send", json={"parcels": [
        {"case_id": mine.id, "waybill_number": "EMS8000000002CN"}, {"case_id": theirs.id, "waybill_number": "X"}]})
    assert scoped.status_code == 404
    # the test set-up's courier is manual: 预约揽收 is refused as on the page, before any case is looked at
    booked = clerk.post("/api/v1/parcel_batch/book", json={"case_ids": [mine.id]})
    assert booked.status_code == 422 and booked.get_json()["errors"][0]["field"] is None
    db.expire_all()
    assert db.get(Case, mine.id).status == "accepted"
    assert clerk.post("/api/v1/parcel_batch/send", json={"parcels": "x"}).status_code == 400


def test_the_receiving_window_signs_the_list_and_anyone_else_is_refused(api, db):
    cases = [factories.accepted_case(db) for _ in range(2)]
    transmittal = _sent_list(api, db, cases)
    receiver = api("cx_window")
    assert transmittal.id in [t["id"] for t in receiver.get("/api/v1/transmittal/").get_json()["result"]]
    detail = receiver.get(f"/api/v1/transmittal/{transmittal.id}").get_json()
    assert [c["case_id"] for c in detail["cases"]] == [c.id for c in cases]
    assert all(c["signable"] and c["materials"] for c in detail["cases"])
    pdf = receiver.get(f"/api/v1/transmittal/{transmittal.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    answer = receiver.post(f"/api/v1/transmittal/{transmittal.id}/receive", json={"cases": [
        {"case_id": cases[0].id, "materials": [m["seq"] for m in detail["cases"][0]["materials"]]},
        {"case_id": cases[1].id, "materials": []}]})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["done"] == [cases[0].id] and answer.get_json()["failed"][0]["case_id"] == cases[1].id
    db.expire_all()
    assert db.get(Case, cases[0].id).status == "received" and db.get(Case, cases[1].id).status == "in_transit"

    # a list between two other windows (苍溪县 to 旺苍县) is missing for 利州区's clerk
    elsewhere = other_county_case(db)
    sent = api("cx_window").post("/api/v1/parcel_batch/send", json={"parcels": [
        {"case_id": elsewhere.id, "waybill_number": "EMS8500000001CN"}]})
    assert sent.status_code == 200, sent.get_json()
    theirs = sent.get_json()["transmittals"][0]["id"]
    outsider = api("lz_window")
    assert outsider.get(f"/api/v1/transmittal/{theirs}").status_code == 404
    assert outsider.get(f"/api/v1/transmittal/{theirs}/pdf").status_code == 404
    assert outsider.post(f"/api/v1/transmittal/{theirs}/receive", json={}).status_code == 404
    assert theirs not in [t["id"] for t in outsider.get("/api/v1/transmittal/").get_json()["result"]]
    assert api("cx_hrss").get("/api/v1/transmittal/").status_code in (401, 403)
    assert api("cx_hrss").get("/api/v1/parcel_batch/").status_code in (401, 403)


def test_a_parcel_without_a_list_is_signed_for_by_its_waybill(api, db):
    case = factories.accepted_case(db)
    factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS8400000001CN")
    receiver = api("cx_window")
    found = receiver.get("/api/v1/transmittal/incoming?waybill=EMS8400000001CN").get_json()
    assert [c["case_id"] for c in found["result"]] == [case.id]
    assert api("lz_window").get("/api/v1/transmittal/incoming?waybill=EMS8400000001CN").get_json()["count"] == 0
    seqs = [m["seq"] for m in found["result"][0]["materials"]]
    answer = receiver.post("/api/v1/transmittal/incoming", json={"cases": [{"case_id": case.id, "materials": seqs}]})
    assert answer.status_code == 200 and answer.get_json()["done"] == [case.id]
    assert receiver.post("/api/v1/transmittal/incoming",
                         json={"cases": [{"case_id": case.id, "materials": ["1"]}]}).status_code == 400


def test_the_endpoints_are_in_the_openapi_document(api, db):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    assert "get" in paths["/api/v1/parcel_batch/"] and "post" in paths["/api/v1/parcel_batch/send"]
    assert "post" in paths["/api/v1/parcel_batch/book"]
    assert {"get", "post"} <= set(paths["/api/v1/transmittal/incoming"])
    assert "get" in paths["/api/v1/transmittal/{transmittal_id}"]
    assert "get" in paths["/api/v1/transmittal/{transmittal_id}/pdf"]
    assert "post" in paths["/api/v1/transmittal/{transmittal_id}/receive"]
