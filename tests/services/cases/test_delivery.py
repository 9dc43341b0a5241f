"""结果送达 and 办结 (issue 11, defect 5): one window owns each delivery, by the method the applicant chose
(notice §三(四)); the delivery shows and may correct the mailing address, checked; the result documents
come with the completion itself."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from app.errors import Forbidden, ValidationFailed
from app.models.case import ResultDocument
from app.services.cases.take_step import available_steps, take_step
from tests import factories

MAIL = {"delivery_method": "mail", "mail_recipient": "李晓梅", "mail_phone": "13908121234",
        "mail_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号", "mail_postcode": "628017"}


def _completed(db, **overrides):
    return factories.step(db, "cx_hrss", factories.at_the_department(db, **overrides), "complete",
                          **factories.completion())


def _fields(error: ValidationFailed) -> list[str]:
    return [p.field for p in error.problems]


# --- who delivers ------------------------------------------------------------------------------------


def test_a_result_collected_at_the_window_is_delivered_by_the_window_where_the_applicant_applied(db):
    case = _completed(db)  # 取件方式 收件处: 利州区, where the application was received
    home_clerk = factories.user(db, "cx_window")
    case = factories.step(db, "cx_window", case, "send_result", waybill_number="EMS9000000000CN")  # sent there
    assert "deliver" not in [t.name for t in available_steps(case, home_clerk)]
    with pytest.raises(Forbidden):
        take_step(db, home_clerk, case.id, "deliver", {})
    case = factories.step(db, "lz_window", case, "deliver")
    assert case.status == "delivered" and case.delivered_on is not None


def test_a_mailed_result_is_delivered_by_the_home_window_that_receives_it(db):
    case = _completed(db, **MAIL)
    origin_clerk = factories.user(db, "lz_window")
    assert "deliver" not in [t.name for t in available_steps(case, origin_clerk)]
    with pytest.raises(Forbidden):
        take_step(db, origin_clerk, case.id, "deliver", {"waybill_number": "EMS9000000001CN"})
    case = factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9000000001CN")
    parcel = factories.shipments_of(db, case, "result")[-1]
    assert parcel.from_center.code == "GYCX" and parcel.to_address == MAIL["mail_address"]


# --- the address, recipient and phone ------------------------------------------------------------------


def test_a_corrected_recipient_and_address_are_checked_all_at_once(db):
    case = _completed(db, **MAIL)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9000000002CN",
                       mail_phone="139081212345678", mail_postcode="62801", mail_recipient="王" * 129)
    assert sorted(_fields(refused.value)) == ["mail_phone", "mail_postcode", "mail_recipient"]
    db.refresh(case)
    assert case.status == "completed" and case.mail_postcode == "628017"


def test_a_corrected_recipient_and_address_are_kept_on_the_case_the_parcel_and_the_history(db):
    case = _completed(db, **MAIL)
    case = factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9000000003CN",
                          mail_recipient="王芳", mail_phone="0839 3261234",
                          mail_address="四川省成都市锦江区红星路三段一号", mail_postcode="610021")
    assert (case.mail_recipient, case.mail_phone, case.mail_address, case.mail_postcode) == (
        "王芳", "0839-3261234", "四川省成都市锦江区红星路三段一号", "610021")
    assert factories.shipments_of(db, case, "result")[-1].to_address == "四川省成都市锦江区红星路三段一号"
    event = case.events[-1]
    assert event.action == "deliver" and event.data["mail_address"] == "四川省成都市锦江区红星路三段一号"


def test_an_unchanged_address_is_not_recorded_as_a_correction(db):
    case = _completed(db, **MAIL)
    case = factories.step(db, "cx_window", case, "deliver", waybill_number="EMS9000000004CN",
                          mail_address=MAIL["mail_address"])
    assert "mail_address" not in case.events[-1].data


def test_mailing_fields_are_refused_for_a_result_collected_at_the_window(db):
    case = factories.step(db, "cx_window", _completed(db), "send_result", waybill_number="EMS9000000006CN")
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "lz_window", case, "deliver", mail_address="四川省成都市锦江区红星路三段一号",
                       waybill_number="EMS9000000005CN")
    assert sorted(_fields(refused.value)) == ["mail_address", "waybill_number"]


# --- the result documents come with the completion ------------------------------------------------------


def test_the_department_completes_with_the_result_document_attached(db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "complete", result="approved",
                          result_documents=[{"name": "准予决定书.pdf", "data": factories.small_pdf()}])
    assert case.status == "completed"
    assert [d.name for d in case.result_documents] == ["准予决定书.pdf"]
    assert case.events[-1].data["result_documents"] == ["准予决定书.pdf"]


def test_a_result_document_may_come_as_base64_through_the_api_body(db):
    case = factories.at_the_department(db)
    content = base64.b64encode(factories.small_pdf()).decode()
    case = factories.step(db, "cx_hrss", case, "complete", result="denied",
                          result_documents=[{"name": "不予许可决定书.pdf", "content_base64": content}])
    assert [d.name for d in case.result_documents] == ["不予许可决定书.pdf"]


def test_completing_without_a_result_document_is_refused_with_every_problem(db):
    case = factories.at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "complete",
                       result_documents=[{"name": "假的.pdf", "data": b"just text"}])
    assert sorted(_fields(refused.value)) == ["result", "result_documents"]
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "complete", result="approved")
    assert _fields(refused.value) == ["result_documents"]
    assert db.scalars(select(ResultDocument).where(ResultDocument.case_id == case.id)).all() == []


def test_a_window_recording_an_outside_departments_result_may_complete_without_a_document(db):
    # the outside window's signing for the supplement is recorded by ours too
    case = factories.supplement(db, factories.outbound_case_in_correction(db), home_clerk="lz_window")
    case = factories.step(db, "lz_window", case, "complete", result="approved")
    assert case.status == "completed" and case.result_documents == []
