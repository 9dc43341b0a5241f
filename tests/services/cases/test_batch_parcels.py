"""Batch work at the window: the parcels of the day sent in one go (each case its own step, every refusal
reported at once), one 移交清单 per destination window, and the receiving window signing a whole list."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.adapters import storage
from app.errors import NotFound, ValidationFailed
from app.models.case import CaseEvent
from app.models.transmittal import Transmittal
from app.services.cases.batch import (
    ParcelInput,
    SignInput,
    incoming_by_waybill,
    incoming_of_transmittal,
    parcels_of_the_day,
    send_parcels,
    sign_parcels,
    transmittals_of,
)
from tests import factories


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


def _cx_only_case(db):
    """A case of 苍溪县 only (its window sends it to 重庆市渝中区): outside 利州区's scope."""
    return factories.accepted_case(db, clerk="cx_window", home=factories.key_of_center("CQYZ"), department_key=None,
                                   department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")


def _events(db, case, action):
    return db.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case.id, CaseEvent.action == action))


def test_the_parcels_of_the_day_are_the_accepted_cases_waiting_for_dispatch_in_the_clerks_scope(db):
    mine = factories.accepted_case(db)
    other = _cx_only_case(db)
    ids = {p.case.id for p in parcels_of_the_day(db, factories.user(db, "lz_window"))}
    assert mine.id in ids and other.id not in ids
    parcel = next(p for p in parcels_of_the_day(db, factories.user(db, "lz_window")) if p.case.id == mine.id)
    assert parcel.parcel.step == "dispatch" and parcel.destination == mine.home_center.name


def test_a_batch_dispatches_each_case_in_its_own_step_and_reports_every_failed_row_at_once(db):
    first, second, no_waybill = (factories.accepted_case(db) for _ in range(3))
    clerk = factories.user(db, "lz_window")
    outcome = send_parcels(db, clerk, [ParcelInput(first.id, "EMS1000000001CN"), ParcelInput(second.id, "EMS1000000002CN"),
                                       ParcelInput(no_waybill.id, "")])
    assert {c.id for c in outcome.done} == {first.id, second.id}
    assert [f.case_id for f in outcome.failed] == [no_waybill.id]
    assert "运单号" in str(outcome.failed[0].problems[0].message) or "waybill" in str(outcome.failed[0].problems[0].message)
    for case in (first, second):
        db.refresh(case)
        assert case.status == "in_transit" and _events(db, case, "dispatch") == 1
    db.refresh(no_waybill)
    assert no_waybill.status == "accepted" and _events(db, no_waybill, "dispatch") == 0


def test_one_id_outside_the_scope_answers_not_found_and_nothing_is_sent(db):
    mine = factories.accepted_case(db)
    other = _cx_only_case(db)
    with pytest.raises(NotFound):
        send_parcels(db, factories.user(db, "lz_window"), [ParcelInput(mine.id, "EMS1000000003CN"),
                                                            ParcelInput(other.id, "EMS1000000004CN")])
    db.refresh(mine)
    db.refresh(other)
    assert mine.status == "accepted" and other.status == "accepted"


def test_an_empty_batch_is_refused(db):
    with pytest.raises(ValidationFailed):
        send_parcels(db, factories.user(db, "lz_window"), [])


def test_one_transmittal_list_per_destination_window_lists_cases_materials_copies_and_waybills(db):
    to_cx = [factories.accepted_case(db) for _ in range(2)]
    to_cq = factories.accepted_case(db, home=factories.key_of_center("CQYZ"), department_key=None,
                                    department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")
    rows = [ParcelInput(c.id, f"EMS20000000{i}CN") for i, c in enumerate([*to_cx, to_cq])]
    outcome = send_parcels(db, factories.user(db, "lz_window"), rows)
    assert not outcome.failed
    lists = {t.to_center.name: t for t in outcome.transmittals}
    assert set(lists) == {to_cx[0].home_center.name, to_cq.home_center.name}
    cx_list = lists[to_cx[0].home_center.name]
    assert [item.case_id for item in cx_list.items] == [c.id for c in to_cx]
    text = _pdf_text(storage.path_of(cx_list.file_key).read_bytes())
    assert "移交清单" in text and cx_list.number in text
    assert to_cx[0].origin_center.name in text and to_cx[0].home_center.name in text
    for i, case in enumerate(to_cx):
        assert case.number in text and f"EMS20000000{i}CN" in text
        assert case.matter.name in text
    assert "李*" in text and "李晓梅" not in text  # the applicant masked: the list travels with the courier
    material = to_cx[0].materials[0]
    assert material.name.replace(" ", "") in text and f"{material.copies}份" in text
    for signer in ("寄件人", "快递员", "接收窗口签收人"):
        assert signer in text
    assert "年月日" in text.replace("日期：", "")


def test_the_lists_are_seen_by_their_two_windows_only(db):
    case = factories.accepted_case(db)
    outcome = send_parcels(db, factories.user(db, "lz_window"), [ParcelInput(case.id, "EMS3000000001CN")])
    transmittal = outcome.transmittals[0]
    assert transmittal in transmittals_of(db, factories.user(db, "lz_window"))
    assert transmittal in transmittals_of(db, factories.user(db, "cx_window"))
    assert transmittal not in transmittals_of(db, factories.user(db, "cx_hrss"))
    with pytest.raises(NotFound):
        incoming_of_transmittal(db, factories.user(db, "cx_hrss"), transmittal.id)


def test_the_receiving_window_signs_a_whole_list_in_one_step_naming_missing_materials(db):
    cases = [factories.accepted_case(db) for _ in range(3)]
    sent = send_parcels(db, factories.user(db, "lz_window"),
                        [ParcelInput(c.id, f"EMS40000000{i}CN") for i, c in enumerate(cases)])
    transmittal = sent.transmittals[0]
    receiver = factories.user(db, "cx_window")
    _, incoming = incoming_of_transmittal(db, receiver, transmittal.id)
    assert [row.case.id for row in incoming] == [c.id for c in cases] and all(row.signable for row in incoming)
    full = [m.seq for m in cases[0].materials]
    partial = [cases[1].materials[0].seq]
    outcome = sign_parcels(db, receiver, [SignInput(cases[0].id, tuple(full)), SignInput(cases[1].id, tuple(partial)),
                                          SignInput(cases[2].id, ())], transmittal_id=transmittal.id)
    assert {c.id for c in outcome.done} == {cases[0].id, cases[1].id}
    assert [f.case_id for f in outcome.failed] == [cases[2].id]
    for case in cases[:2]:
        db.refresh(case)
        assert case.status == "received" and _events(db, case, "receive") == 1
        assert all(s.received_on for s in case.shipments if s.direction == "materials")
    note = db.scalar(select(CaseEvent.note).where(CaseEvent.case_id == cases[1].id, CaseEvent.action == "receive"))
    assert cases[1].materials[0].name in note and cases[1].materials[1].name in note  # arrived, and missing
    db.refresh(transmittal)
    assert transmittal.received_on is None  # one case still open
    assert transmittal.items[1].received_materials == partial
    sign_parcels(db, receiver, [SignInput(cases[2].id, (cases[2].materials[0].seq,))], transmittal_id=transmittal.id)
    db.refresh(transmittal)
    assert transmittal.received_on is not None and transmittal.received_by_name == receiver.name


def test_signing_a_case_that_is_not_on_the_list_or_out_of_scope_is_not_found(db):
    case = factories.accepted_case(db)
    elsewhere = factories.accepted_case(db)
    transmittal = send_parcels(db, factories.user(db, "lz_window"),
                               [ParcelInput(case.id, "EMS5000000001CN")]).transmittals[0]
    factories.step(db, "lz_window", elsewhere, "dispatch", waybill_number="EMS5000000002CN")
    receiver = factories.user(db, "cx_window")
    with pytest.raises(NotFound):
        sign_parcels(db, receiver, [SignInput(elsewhere.id, (1,))], transmittal_id=transmittal.id)
    other = _cx_only_case(db)
    with pytest.raises(NotFound):
        sign_parcels(db, factories.user(db, "lz_window"), [SignInput(other.id, (1,))])
    db.refresh(elsewhere)
    assert elsewhere.status == "in_transit"


def test_a_parcel_without_a_list_is_found_by_its_waybill_and_signed(db):
    case = factories.accepted_case(db)
    factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS6000000001CN")
    receiver = factories.user(db, "cx_window")
    incoming = incoming_by_waybill(db, receiver, "EMS6000000001CN")
    assert [row.case.id for row in incoming] == [case.id] and incoming[0].signable
    assert incoming_by_waybill(db, factories.user(db, "cx_hrss"), "EMS6000000001CN") == []
    outcome = sign_parcels(db, receiver, [SignInput(case.id, tuple(m.seq for m in case.materials))])
    assert [c.id for c in outcome.done] == [case.id]


def test_the_courier_booked_waybill_is_kept_when_the_row_leaves_it_empty(db):
    case = factories.accepted_case(db)
    shipment = factories.shipments_of(db, case)[0] if factories.shipments_of(db, case) else None
    if shipment is None:
        factories.run_outbox(db, "book_parcel", case.id)
        shipment = factories.shipments_of(db, case)[0]
    shipment.provider, shipment.booking_status, shipment.waybill_number = "http", "booked", "EA100000009CN"
    db.commit()
    parcel = next(p for p in parcels_of_the_day(db, factories.user(db, "lz_window")) if p.case.id == case.id)
    assert parcel.booked_waybill == "EA100000009CN"
    outcome = send_parcels(db, factories.user(db, "lz_window"), [ParcelInput(case.id, "")])
    assert not outcome.failed
    assert outcome.transmittals[0].items[0].shipment.waybill_number == "EA100000009CN"


def test_transmittal_numbers_count_per_window_and_day(db):
    first, second = factories.accepted_case(db), factories.accepted_case(db)
    clerk = factories.user(db, "lz_window")
    one = send_parcels(db, clerk, [ParcelInput(first.id, "EMS7000000001CN")]).transmittals[0]
    two = send_parcels(db, clerk, [ParcelInput(second.id, "EMS7000000002CN")]).transmittals[0]
    assert one.number != two.number and one.number.rsplit("-", 1)[0] == two.number.rsplit("-", 1)[0]
    assert db.scalar(select(func.count(Transmittal.id)).where(Transmittal.id.in_([one.id, two.id]))) == 2


def test_a_supplement_parcel_is_not_offered_in_the_batch_its_items_are_ticked_in_the_case(db):
    in_correction = factories.run_steps(db, factories.at_the_department(db), [
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "复印件不清晰"}]}),
    ])
    clerk = factories.user(db, "lz_window")
    assert in_correction.id not in {p.case.id for p in parcels_of_the_day(db, clerk)}
    outcome = send_parcels(db, clerk, [ParcelInput(in_correction.id, "EMS9000000001CN")])
    assert outcome.done == [] and [f.case_id for f in outcome.failed] == [in_correction.id]
    db.refresh(in_correction)
    assert in_correction.status == "correction"


def test_the_result_collected_at_the_window_leaves_in_the_home_windows_batch_with_its_own_list(db):
    completed = factories.step(db, "cx_hrss", factories.at_the_department(db), "complete", **factories.completion())
    mailed = factories.step(db, "cx_hrss", factories.at_the_department(db, **{
        "delivery_method": "mail", "mail_recipient": "李晓梅", "mail_phone": "13908121234",
        "mail_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号", "mail_postcode": "628017"}),
        "complete", **factories.completion())
    home_clerk = factories.user(db, "cx_window")
    parcels = {p.case.id: p for p in parcels_of_the_day(db, home_clerk)}
    assert parcels[completed.id].parcel.step == "send_result"
    assert parcels[completed.id].destination == completed.origin_center.name
    assert parcels[mailed.id].parcel.step == "deliver"  # mailed to the applicant, as before
    assert completed.id not in {p.case.id for p in parcels_of_the_day(db, factories.user(db, "lz_window"))}

    outcome = send_parcels(db, home_clerk, [ParcelInput(completed.id, "EMS7100000001CN")])
    assert not outcome.failed and outcome.done[0].status == "result_sent"
    [transmittal] = outcome.transmittals
    assert (transmittal.from_center.code, transmittal.to_center.code) == ("GYCX", "GYLZ")
    text = _pdf_text(storage.path_of(transmittal.file_key).read_bytes())
    assert "办理结果" in text and "EMS7100000001CN" in text and completed.number in text
    assert transmittal.id in {t.id for t in transmittals_of(db, factories.user(db, "lz_window"))}
def test_a_list_number_already_taken_on_the_day_is_skipped(db):
    """Numbers counted from the day's lists collided with one numbered past the count (a list removed, or
    made by a clerk at the same moment): the next free number is drawn instead of failing the batch."""
    from datetime import date

    case = factories.accepted_case(db)
    origin, home = case.origin_center, case.home_center
    taken = f"YJ{origin.id:04d}-{date.today():%Y%m%d}-02"
    db.add(Transmittal(number=taken, from_center_id=origin.id, to_center_id=home.id, sent_on=date.today()))
    db.flush()
    outcome = send_parcels(db, factories.user(db, "lz_window"), [ParcelInput(case.id, "EMS4000000001CN")])
    [transmittal] = outcome.transmittals
    assert not outcome.failed and transmittal.number == f"YJ{origin.id:04d}-{date.today():%Y%m%d}-03"


def test_two_lists_of_the_same_window_and_day_get_different_numbers(db):
    first, second = factories.accepted_case(db), factories.accepted_case(db)
    clerk = factories.user(db, "lz_window")
    one = send_parcels(db, clerk, [ParcelInput(first.id, "EMS4000000002CN")]).transmittals[0]
    two = send_parcels(db, clerk, [ParcelInput(second.id, "EMS4000000003CN")]).transmittals[0]
    assert one.number != two.number and one.number.rsplit("-", 1)[0] == two.number.rsplit("-", 1)[0]
