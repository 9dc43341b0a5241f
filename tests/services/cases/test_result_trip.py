"""寄回结果: a result the applicant collects at the window is at the home window when the department
returns it (notice §三(三)); the home window sends it to the window where the application was received,
as a shipment with its waybill, and that window delivers it within one working day of its arrival
(§三(四)). A mailed result is mailed by the home window straight from 已办结."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import Conflict, Forbidden, ValidationFailed
from app.labels import DELIVERY_LABELS, TRANSITION_LABELS
from app.services.cases.take_step import available_steps, take_step
from tests import factories

MAIL = {"delivery_method": "mail", "mail_recipient": "李晓梅", "mail_phone": "13908121234",
        "mail_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号", "mail_postcode": "628017"}
# a week of working days (2026-03-02 is a Monday)
MON, TUE, WED, THU, FRI = (date(2026, 3, d) for d in (2, 3, 4, 5, 6))


def _completed(db, on=None, **overrides):
    """A case of 利州区's window for 苍溪县人社局, registered and run up to 已办结 on the day ``on``."""
    if on is not None:
        overrides["applied_on"] = on.isoformat()
    case = factories.make_case(db, today=on, **overrides)
    return factories.run_steps(db, case, [
        ("lz_window", "accept", factories.verify_all(case)),
        ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
        ("cx_window", "receive", {}),
        ("cx_window", "forward", {}),
        ("cx_hrss", "complete", factories.completion()),
    ], today=on)


def _messages(error) -> str:
    return " ".join(str(p.message) for p in error.problems)


def test_a_result_collected_at_the_window_travels_back_to_it_as_a_shipment_before_it_is_delivered(db):
    case = _completed(db)
    home_clerk, origin_clerk = factories.user(db, "cx_window"), factories.user(db, "lz_window")
    assert [t.name for t in available_steps(case, home_clerk)] == ["send_result", "withdraw"]
    assert "deliver" not in [t.name for t in available_steps(case, origin_clerk)]
    with pytest.raises(Conflict) as refused:  # not straight from 已办结: the paper is at the home window
        take_step(db, origin_clerk, case.id, "deliver", {})
    assert str(TRANSITION_LABELS["send_result"]) in _messages(refused.value)  # what is possible now

    case = factories.step(db, "cx_window", case, "send_result", carrier="EMS", waybill_number="EMS7000000001CN")
    assert case.status == "result_sent"
    parcel = factories.shipments_of(db, case, "result_to_window")[-1]
    assert (parcel.from_center.code, parcel.to_center.code) == ("GYCX", "GYLZ")
    assert parcel.waybill_number == "EMS7000000001CN" and parcel.sent_on == date.today()
    assert parcel.received_on is None
    assert factories.shipments_of(db, case, "result") == []  # nothing goes to the applicant's address
    assert "send_result" not in [t.name for t in available_steps(case, home_clerk)]

    case = factories.step(db, "lz_window", case, "deliver")
    assert case.status == "delivered" and case.delivered_on == date.today()
    assert factories.shipments_of(db, case, "result_to_window")[-1].received_on == date.today()
    event = case.events[-1]
    assert event.action == "deliver" and event.data["result_received_on"] == date.today().isoformat()


def test_the_completion_puts_the_result_parcel_to_the_window_on_record_for_booking(db):
    case = _completed(db)
    assert factories.booking_message(db, case, "result_to_window") is not None
    assert factories.booking_message(db, case, "result") is None
    factories.run_outbox(db, "book_parcel", case.id)
    planned = factories.shipments_of(db, case, "result_to_window")
    assert len(planned) == 1 and planned[0].to_center.code == "GYLZ" and planned[0].sent_on is None
    case = factories.step(db, "cx_window", case, "send_result", waybill_number="EMS7000000002CN")
    assert [s.waybill_number for s in factories.shipments_of(db, case, "result_to_window")] == ["EMS7000000002CN"]


def test_the_result_parcel_needs_its_waybill_and_dates_in_order(db):
    case = _completed(db, on=TUE)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_window", case, "send_result", WED, sent_on=MON.isoformat())
    assert {p.field for p in refused.value.problems} == {"waybill_number", "sent_on"}
    case = factories.step(db, "cx_window", case, "send_result", WED, waybill_number="EMS7000000003CN")
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "deliver", FRI, result_received_on=TUE.isoformat(),
                       delivered_on=THU.isoformat())
    assert {p.field for p in refused.value.problems} == {"result_received_on"}
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "deliver", FRI, result_received_on=THU.isoformat(),
                       delivered_on=WED.isoformat())
    assert {p.field for p in refused.value.problems} == {"delivered_on"}
    assert case.status == "result_sent"


def test_the_windows_deadlines_run_from_completion_and_from_the_arrival_of_the_result(db):
    case = _completed(db, on=MON)
    assert case.delivery_due == TUE  # the home window sends it within one working day
    case = factories.step(db, "cx_window", case, "send_result", TUE, waybill_number="EMS7000000004CN")
    assert case.current_due is None  # on its way: the origin window's day has not started
    case = factories.step(db, "lz_window", case, "deliver", FRI, result_received_on=WED.isoformat(),
                          delivered_on=FRI.isoformat())
    assert case.delivery_due == THU and case.delivered_on > case.delivery_due  # late, and it shows


def test_a_mailed_result_is_mailed_by_the_home_window_straight_from_completion(db):
    case = _completed(db, **MAIL)
    home_clerk = factories.user(db, "cx_window")
    assert "send_result" not in [t.name for t in available_steps(case, home_clerk)]
    with pytest.raises(Conflict) as refused:
        take_step(db, home_clerk, case.id, "send_result", {"waybill_number": "EMS7000000005CN"})
    assert str(DELIVERY_LABELS["mail"]) in _messages(refused.value)  # why not
    with pytest.raises(ValidationFailed) as refused:  # the arrival at a window is not a field of a mailing
        factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9000000001CN",
                       result_received_on=date.today().isoformat())
    assert [p.field for p in refused.value.problems] == ["result_received_on"]
    case = factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9000000001CN")
    assert case.status == "delivered"
    assert factories.shipments_of(db, case, "result_to_window") == []
    assert factories.shipments_of(db, case, "result")[-1].waybill_number == "EMS9000000001CN"


def test_an_outbound_result_sent_back_by_the_outside_window_is_recorded_by_ours(db):
    case = factories.outbound_case_in_correction(db)
    case = factories.supplement(db, case, home_clerk="lz_window")
    case = factories.step(db, "lz_window", case, "complete", result="approved")
    assert "send_result" in [t.name for t in available_steps(case, factories.user(db, "lz_window"))]
    with pytest.raises(Conflict):
        factories.step(db, "lz_window", case, "deliver")
    case = factories.step(db, "lz_window", case, "send_result", waybill_number="EMS7000000006CN",
                          note="渝中区窗口寄回")
    parcel = factories.shipments_of(db, case, "result_to_window")[-1]
    assert parcel.from_center.external and parcel.to_center.code == "GYLZ" and parcel.provider == "manual"
    case = factories.step(db, "lz_window", case, "deliver")
    assert case.status == "delivered" and parcel.received_on == date.today()


def test_the_home_window_follows_the_result_it_sent_until_the_window_delivers_it(db):
    from app.services.cases.work_queue import tracking_queue, work_queue

    case = _completed(db)
    case = factories.step(db, "cx_window", case, "send_result", waybill_number="EMS7000000007CN")
    followed = {item.case.id: item for item in tracking_queue(db, factories.user(db, "cx_window"))}
    assert [str(name) for name in followed[case.id].waiting_for] == [case.origin_center.name]
    assert case.id in {item.case.id for item in work_queue(db, factories.user(db, "lz_window"))}
    with pytest.raises(Forbidden):
        take_step(db, factories.user(db, "cx_window"), case.id, "deliver", {})


def test_a_result_sent_back_late_counts_as_overdue_in_the_report_of_its_week(db):
    from app.services.notifications import reports

    on_time = factories.step(db, "cx_window", _completed(db, on=MON), "send_result", TUE,
                             waybill_number="EMS7200000001CN")
    late = factories.step(db, "cx_window", _completed(db, on=MON), "send_result", WED,
                          waybill_number="EMS7200000002CN")  # due on Tuesday
    for case in (on_time, late):  # both delivered the day the result arrived: the window is on time
        factories.step(db, "lz_window", case, "deliver", WED, result_received_on=WED.isoformat())
    assert reports.compute_figures(db, "weekly", MON, date(2026, 3, 8))["total"]["overdue"] == 1
