"""The transition table and who acts, on its own (pure Python)."""

from __future__ import annotations

import pytest

from app.domain.workflow import (
    TRANSITIONS,
    CaseSides,
    Effect,
    Side,
    Status,
    acting_sides,
    allowed_from,
    diagram,
    transitions_for,
)

INTERNAL = CaseSides(origin_external=False, home_external=False, has_department=True)
OUTBOUND = CaseSides(origin_external=False, home_external=True, has_department=False)
INBOUND = CaseSides(origin_external=True, home_external=False, has_department=True)


def test_every_status_but_the_closed_ones_has_a_way_forward():
    for status in Status:
        steps = allowed_from(status)
        if status in (Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN):
            assert steps == []
        else:
            assert steps, status


def test_in_an_internal_case_each_side_does_its_own_steps():
    assert acting_sides(TRANSITIONS["accept"], INTERNAL) == {Side.ORIGIN_WINDOW}
    assert acting_sides(TRANSITIONS["receive"], INTERNAL) == {Side.HOME_WINDOW}
    assert acting_sides(TRANSITIONS["complete"], INTERNAL) == {Side.DEPARTMENT}


@pytest.mark.parametrize("name", ["receive", "forward", "request_correction", "complete"])
def test_in_an_outbound_case_our_window_records_the_other_ends_steps(name):
    assert acting_sides(TRANSITIONS[name], OUTBOUND) == {Side.ORIGIN_WINDOW}


@pytest.mark.parametrize("name", ["accept", "dispatch", "supplement"])
def test_in_an_inbound_case_the_home_window_records_the_outside_windows_steps(name):
    assert acting_sides(TRANSITIONS[name], INBOUND) == {Side.HOME_WINDOW}


def test_a_department_sees_only_its_steps_when_processing():
    steps = transitions_for(Status.PROCESSING, {Side.DEPARTMENT}, INTERNAL)
    assert {t.name for t in steps} == {"request_correction", "complete", "start_special_procedure",
                                       "request_extension"}


def test_the_completion_books_the_result_parcel_to_the_applicant_or_to_the_window_where_it_is_collected():
    complete = TRANSITIONS["complete"]
    assert {(e.topic, e.key) for e in complete.effects_for(delivery_by_mail=False)} == {
        ("notify_applicant", "result_ready"), ("book_parcel", "result_to_window")}
    assert {(e.topic, e.key) for e in complete.effects_for(delivery_by_mail=True)} == {
        ("notify_applicant", "result_ready"), ("book_parcel", "result")}


def test_the_diagram_is_drawn_from_the_table():
    text = diagram()
    for transition in TRANSITIONS.values():
        assert f": {transition.name}" in text


def test_the_workflow_document_is_generated_from_the_table():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "generate_workflow.py"
    spec = importlib.util.spec_from_file_location("generate_workflow", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUT.read_text(encoding="utf-8") == module.render(), "run: python docs/generate_workflow.py"


# --- 结果送达: one window owns each delivery, by the applicant's chosen method (notice §三(四)) ----------


def _by_mail(sides: CaseSides) -> CaseSides:
    return CaseSides(sides.origin_external, sides.home_external, sides.has_department, delivery_by_mail=True)


def test_a_result_collected_at_the_window_is_sent_there_by_the_home_window_first():
    # the department returns the result to the home window (notice §三(三)): it travels to 收件处 as a parcel
    send_result = TRANSITIONS["send_result"]
    assert acting_sides(send_result, INTERNAL) == {Side.HOME_WINDOW}
    assert acting_sides(send_result, OUTBOUND) == {Side.ORIGIN_WINDOW}  # the outside window sends it; we record it
    assert allowed_from(Status.COMPLETED, delivery_by_mail=False) == ["send_result", "withdraw"]
    assert allowed_from(Status.RESULT_SENT, delivery_by_mail=False) == ["deliver", "withdraw"]
    assert [t.name for t in transitions_for(Status.COMPLETED, {Side.HOME_WINDOW}, INTERNAL)] == [
        "send_result", "withdraw"]
    assert [t.name for t in transitions_for(Status.RESULT_SENT, {Side.ORIGIN_WINDOW}, INTERNAL)] == [
        "deliver", "withdraw"]


def test_a_mailed_result_never_travels_to_a_window_and_is_mailed_from_completion():
    assert allowed_from(Status.COMPLETED, delivery_by_mail=True) == ["deliver", "withdraw"]
    assert allowed_from(Status.RESULT_SENT, delivery_by_mail=True) == ["withdraw"]
    assert [t.name for t in transitions_for(Status.COMPLETED, {Side.HOME_WINDOW}, _by_mail(INTERNAL))] == [
        "deliver", "withdraw"]
    assert TRANSITIONS["send_result"].sources_for(delivery_by_mail=True) == frozenset()


def test_a_result_collected_at_the_window_is_delivered_by_the_window_where_the_applicant_applied():
    # 取件方式 收件处: the applicant collects it where the application was received (the origin window)
    deliver = TRANSITIONS["deliver"]
    assert acting_sides(deliver, INTERNAL) == {Side.ORIGIN_WINDOW}
    assert acting_sides(deliver, OUTBOUND) == {Side.ORIGIN_WINDOW}
    assert acting_sides(deliver, INBOUND) == {Side.HOME_WINDOW}  # the outside window hands it over; we record it


def test_a_mailed_result_is_delivered_by_the_home_window_that_receives_it_from_the_department():
    deliver = TRANSITIONS["deliver"]
    assert acting_sides(deliver, _by_mail(INTERNAL)) == {Side.HOME_WINDOW}
    assert acting_sides(deliver, _by_mail(INBOUND)) == {Side.HOME_WINDOW}
    assert acting_sides(deliver, _by_mail(OUTBOUND)) == {Side.ORIGIN_WINDOW}  # the outside window mails; we record it


def test_only_the_delivering_window_is_offered_the_delivery():
    assert [t.name for t in transitions_for(Status.COMPLETED, {Side.ORIGIN_WINDOW}, INTERNAL)] == ["withdraw"]
    assert [t.name for t in transitions_for(Status.RESULT_SENT, {Side.HOME_WINDOW}, INTERNAL)] == ["withdraw"]
    assert [t.name for t in transitions_for(Status.COMPLETED, {Side.ORIGIN_WINDOW}, _by_mail(INTERNAL))] == ["withdraw"]


def test_the_mailing_fields_of_the_delivery_are_for_a_mailed_result_only():
    deliver = TRANSITIONS["deliver"]
    by_mail = {f.name for f in deliver.fields_for(delivery_by_mail=True)}
    at_window = {f.name for f in deliver.fields_for(delivery_by_mail=False)}
    assert {"mail_recipient", "mail_phone", "mail_address", "mail_postcode", "waybill_number"} <= by_mail
    assert at_window == {"result_received_on", "delivered_on", "note"}
    assert "result_received_on" not in by_mail


def test_an_inbound_acceptance_queues_our_receipt_and_its_own_sms_never_the_acceptance_notice():
    accept = TRANSITIONS["accept"]
    ours = {(e.topic, e.key) for e in accept.effects_for(delivery_by_mail=False, inbound=False)}
    inbound = {(e.topic, e.key) for e in accept.effects_for(delivery_by_mail=False, inbound=True)}
    assert ("render_notice", "acceptance") in ours and ("notify_applicant", "accepted") in ours
    assert ("render_notice", "receipt") in inbound and ("notify_applicant", "inbound") in inbound
    assert not {("render_notice", "acceptance"), ("notify_applicant", "accepted")} & inbound
    assert [f.name for f in accept.fields_for(inbound=False)] == ["verified", "deferred", "note"]


def test_an_acceptance_with_a_deferred_material_queues_the_deferral_notice_only_then():
    accept = TRANSITIONS["accept"]
    plain = {(e.topic, e.key) for e in accept.effects_for(delivery_by_mail=False)}
    deferred = {(e.topic, e.key) for e in accept.effects_for(delivery_by_mail=False, deferred=True)}
    assert ("render_notice", "deferral") not in plain
    assert deferred - plain == {("render_notice", "deferral")}
    assert Effect.parse("render_notice:deferral?deferred").condition == "deferred"


# --- an inbound case: our window records the receipt of a case an outside window accepted --------------


def test_an_inbound_accept_is_called_record_receipt_with_its_own_help():
    accept = TRANSITIONS["accept"]
    assert accept.label_for(inbound=False) == "Accept (on behalf)" == accept.label
    assert accept.label_for(inbound=True) == "Record receipt"
    assert accept.help_for(inbound=True) != accept.help_for(inbound=False)
    # a step without an inbound name keeps its one name
    assert TRANSITIONS["forward"].label_for(inbound=True) == TRANSITIONS["forward"].label


def test_an_inbound_case_that_arrived_with_its_parcel_goes_straight_to_received():
    accept = TRANSITIONS["accept"]
    assert accept.target_for(inbound=False) == Status.ACCEPTED
    assert accept.target_for(inbound=True) == Status.RECEIVED
    assert {"received_on", "waybill_number"} <= {f.name for f in accept.fields_for(inbound=True)}
    # the parcel is here already: no courier is booked for it
    assert "book_parcel" not in {e.topic for e in accept.effects_for(delivery_by_mail=False, inbound=True)}
    assert "book_parcel" in {e.topic for e in accept.effects_for(delivery_by_mail=False, inbound=False)}
    assert "draft --> received: accept (inbound)" in diagram()


def test_a_pre_checked_acceptance_leads_to_pre_check_but_never_on_an_inbound_case():
    accept = TRANSITIONS["accept"]
    assert accept.target_for(precheck=True) == Status.PRECHECK
    assert accept.target_for() == Status.ACCEPTED
    assert accept.target_for(inbound=True, precheck=True) == Status.RECEIVED
    assert TRANSITIONS["dispatch"].target_for(precheck=True) == Status.IN_TRANSIT  # only accept has the override


def test_the_department_answers_the_pre_check_and_the_window_relays_or_sends_the_parcel_anyway():
    assert [t.name for t in transitions_for(Status.PRECHECK, {Side.DEPARTMENT}, INTERNAL)] == [
        "pass_precheck", "request_precheck_correction"]
    assert [t.name for t in transitions_for(Status.PRECHECK_CORRECTION, {Side.ORIGIN_WINDOW}, INTERNAL)] == [
        "supply_precheck", "dispatch", "withdraw"]
    assert [t.name for t in transitions_for(Status.PRECHECK, {Side.ORIGIN_WINDOW}, INTERNAL)] == ["withdraw"]
