"""Notices of real cases: the contexts read the case (its frozen guide, its history), the PDFs print them."""

from __future__ import annotations

from datetime import date

import pytest

from app.documents.notices import (
    AcceptanceContext,
    acceptance_context,
    correction_context,
    rejection_context,
    render_notice,
)
from tests import factories
from tests.documents.notice_pdf import LONG_ADDRESS, LONG_MATERIAL, needs_pdftotext, overruns, pdf_text, squash

MAIL_ADDRESS = "重庆市渝北区龙溪街道金龙路二百六十八号金易都会一期十二栋三单元二十四楼二四零三号"


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


#: a case with long texts, three materials and mail delivery: what the notices must fit
NOTICE_CASE = {
    "applicant_address": LONG_ADDRESS, "delivery_method": "mail", "mail_address": MAIL_ADDRESS,
    "mail_postcode": "401147", "remarks": "申请人另附委托书一份。\n结果寄达后请电话告知。",
    "materials": [
        {"name": "居民身份证", "copies": 1, "form": "copy", "requirement_seq": 1},
        {"name": "社会保障卡申领登记表", "copies": 1, "form": "original", "requirement_seq": 2},
        {"name": LONG_MATERIAL, "copies": 2, "form": "copy", "requirement_seq": 4},
    ],
}


def test_the_acceptance_notice_prints_the_case(db):
    case = factories.accepted_case(db, **NOTICE_CASE)
    context = acceptance_context(case)
    guide = case.guide.content
    assert context == AcceptanceContext(
        number=case.number, applied_on=case.applied_on, matter_name="社会保障卡申领",
        applicant_name="李晓梅", applicant_phone="13908121234", applicant_email="lixiaomei1988@example.com",
        applicant_address=LONG_ADDRESS, applicant_postcode="628017", window_name="广元市利州区政务服务中心",
        application_count=1, accepted_on=case.accepted_on, accepted_by="张丽",
        consult=f"0839-3302345（受理窗口）、{guide['consult_phone']}（事项咨询）；{case.origin_center.hours}",
        legal_limit_days=guide["legal_limit_days"], promised_limit_days=guide["promised_limit_days"],
        fee_note=guide["fee_note"], complaint_phone="12345",
        materials=context.materials, delivery_method="mail",
        mail_address=f"{MAIL_ADDRESS}，李晓梅（收），13908121234，邮编 401147",
        remarks="申请人另附委托书一份。\n结果寄达后请电话告知。", issuer="广元市利州区政务服务中心",
        home_department="苍溪县人力资源和社会保障局", home_department_phone=case.department.phone,
    )
    assert [(m.seq, m.name, m.copies, m.form) for m in context.materials] == [
        (1, "居民身份证", 1, "复印件（已核原件）"), (2, "社会保障卡申领登记表", 1, "原件"),
        (3, LONG_MATERIAL, 2, "复印件（已核原件）")]

    pdf = render_notice("acceptance", context)
    pages = pdf_text(pdf)
    assert len(pages) == 3
    for page in pages:
        text = squash(page)
        for value in (case.number, cn(case.applied_on), "社会保障卡申领", "李晓梅", "13908121234",
                      "lixiaomei1988@example.com", LONG_ADDRESS, "628017", "广元市利州区政务服务中心", "1件",
                      cn(case.accepted_on), "受理人张丽", squash(context.consult),
                      f"{guide['legal_limit_days']}个工作日", f"{guide['promised_limit_days']}个工作日",
                      guide["fee_note"], "12345", "居民身份证", "社会保障卡申领登记表", LONG_MATERIAL,
                      "收件处☐邮寄☑", squash(context.mail_address), "申请人另附委托书一份。结果寄达后请电话告知。"):
            assert squash(value) in text, value


@needs_pdftotext
def test_long_values_of_a_real_case_stay_in_their_cells(db):
    pdf = render_notice("acceptance", acceptance_context(factories.accepted_case(db, **NOTICE_CASE)))
    assert [overruns(pdf, page) for page in (1, 2, 3)] == [[], [], []]


def test_a_context_is_the_same_each_time_it_is_read_and_renders_the_same(db):
    pickup = {"delivery_method": "pickup", "mail_address": "", "mail_postcode": ""}
    case = factories.accepted_case(db, **NOTICE_CASE | pickup)
    first, second = acceptance_context(case), acceptance_context(case)
    assert first == second and first.delivery_method == "pickup" and first.mail_address == ""
    assert render_notice("acceptance", first) == render_notice("acceptance", second)
    assert "收件处☑邮寄☐" in squash(pdf_text(render_notice("acceptance", first))[0])


def test_the_acceptance_notice_keeps_the_clerks_name_as_it_was(db):
    case = factories.accepted_case(db, **NOTICE_CASE)
    factories.user(db, "lz_window").display_name = "张丽华"  # renamed later
    db.flush()
    assert acceptance_context(case).accepted_by == "张丽"


def test_a_rare_name_from_the_register_is_printed(db):
    case = factories.accepted_case(db, **NOTICE_CASE | {"applicant_name": "龚䶮"})
    assert "姓名龚䶮" in squash(pdf_text(render_notice("acceptance", acceptance_context(case)))[0])


def test_the_correction_notice_lists_every_item_in_order(db):
    case = factories.accepted_case(db, **NOTICE_CASE)
    items = [{"name": "居民身份证复印件", "reason": "复印件不清晰，无法辨认证件号码。"},
             {"name": "社会保障卡申领登记表", "reason": "缺少申请人签字。"},
             {"name": "近期免冠白底彩色证件照片", "reason": "照片为蓝底，不符合制卡标准。"}]
    case = factories.run_steps(db, case, [
        ("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
        ("cx_window", "receive", {}),
        ("cx_window", "forward", {}),
        ("cx_hrss", "request_correction", {"items": items}),
    ])
    correction = case.corrections[-1]
    context = correction_context(case, correction)
    assert context.department_name == "苍溪县人力资源和社会保障局" and context.handler == "蒲文斌"
    assert context.phone == case.department.phone and context.received_on == correction.materials_received_on
    assert context.materials_summary == f"居民身份证、社会保障卡申领登记表、{LONG_MATERIAL}"

    pages = pdf_text(render_notice("correction", context))
    assert len(pages) == 2
    for page in pages:
        text = squash(page)
        for value in ("李晓梅（申请人）：", f"于{cn(context.received_on)}收到你申请社会保障卡申领业务的",
                      "一、居民身份证复印件：复印件不清晰，无法辨认证件号码。", "二、社会保障卡申领登记表：缺少申请人签字。",
                      "三、近期免冠白底彩色证件照片：照片为蓝底，不符合制卡标准。", "特此通知。",
                      "部门名称：苍溪县人力资源和社会保障局", "经办人：蒲文斌", f"联系电话：{case.department.phone}",
                      cn(correction.requested_on)):
            assert squash(value) in text, value
        assert text.index("一、") < text.index("二、") < text.index("三、") < text.index("特此通知")


def test_the_rejection_notice_gives_every_reason_of_the_decision(db):
    case = factories.make_case(db)
    case = factories.run_steps(db, case, [("lz_window", "reject", {"reasons": [
        {"reason": "未能提供有效的居民身份证原件，无法核验申请人身份。"},
        {"reason": "社会保障卡申领登记表未签字确认。"},
    ]})])
    context = rejection_context(case)
    assert context.reasons == ("未能提供有效的居民身份证原件，无法核验申请人身份。", "社会保障卡申领登记表未签字确认。")
    assert context.handler == "张丽" and context.decided_on == case.decided_on and context.number == case.number

    pages = pdf_text(render_notice("rejection", context))
    assert len(pages) == 2
    text = squash(pages[0])
    for value in (case.number, "李晓梅（申请人）：", "社会保障卡申领", "广元市利州区政务服务中心", context.handling_type,
                  "一、未能提供有效的居民身份证原件，无法核验申请人身份。", "二、社会保障卡申领登记表未签字确认。",
                  "行政复议", "行政诉讼", "投诉电话：12345", cn(case.decided_on)):
        assert squash(value) in text, value


def test_a_notice_of_an_outside_department_names_it_as_entered(db):
    case = factories.outbound_case_in_correction(db)
    context = correction_context(case, case.corrections[-1])
    assert context.department_name == "重庆市渝中区人力资源和社会保障局"
    assert context.phone == case.home_center.phone
    assert "一、户口簿：复印件不清晰" in squash(pdf_text(render_notice("correction", context))[0])


@pytest.mark.parametrize("kind", ["acceptance", "rejection"])
def test_notices_render_outside_the_app_context(kind, db, app):
    case = factories.make_case(db)
    step = ("accept", factories.verify_all(case)) if kind == "acceptance" else ("reject", {"reasons": ["材料不全"]})
    case = factories.run_steps(db, case, [("lz_window", *step)])
    context = (acceptance_context if kind == "acceptance" else rejection_context)(case)
    import threading

    result = {}
    worker = threading.Thread(target=lambda: result.update(pdf=render_notice(kind, context)))
    worker.start()
    worker.join()
    assert result["pdf"].startswith(b"%PDF")


def test_the_acceptance_notice_names_the_home_department_that_decides_and_its_phone(db):
    case = factories.accepted_case(db, **NOTICE_CASE)
    context = acceptance_context(case)
    assert context.home_department == "苍溪县人力资源和社会保障局"
    assert context.home_department_phone == case.department.phone != ""
    for page in pdf_text(render_notice("acceptance", context)):
        assert squash(f"属地办理部门苍溪县人力资源和社会保障局联系电话{case.department.phone}") in squash(page)


def test_an_outside_department_is_printed_as_entered_with_the_home_windows_phone(db):
    case = factories.make_case(db, home=factories.key_of_center("CQYZ"), department_key=None,
                               department_name="重庆市渝中区人力资源和社会保障局", handling_type_code="chuanyu")
    case = factories.step(db, "lz_window", case, "accept", **factories.verify_all(case))
    context = acceptance_context(case)
    assert context.home_department == "重庆市渝中区人力资源和社会保障局"
    assert context.home_department_phone == case.home_center.phone


# --- the legal clock's notices (issue 12) ------------------------------------------------------------


def _stored_notice(db, case, kind, ref):
    from app.adapters import storage
    from app.services.cases import notices as documents

    document = documents.stored_document(db, case.id, kind, ref)
    assert document is not None, (kind, ref)
    return document, storage.path_of(document.file_key).read_bytes()


def test_starting_a_special_procedure_renders_its_notice_with_the_expected_due_day(db):
    from app.services.calendar import load_calendar
    from app.services.cases import notices as documents
    from app.services.cases.clock import case_clock

    case = factories.at_the_department(db, **NOTICE_CASE)
    calendar = load_calendar(db)
    began = calendar.add_working_days(case.accepted_on, 1).due
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", on=began, procedure="testing",
                          expected_days="5", reason="需对申请人提交的检测报告进行复检。")
    expected_due = case_clock(calendar, case, began).expected_due
    assert documents.applicable(case, "special_procedure") == ["1"]
    run = factories.run_outbox(db, "render_notice", case.id, key="special_procedure")
    assert not run.errors
    document, pdf = _stored_notice(db, case, "special_procedure", "1")
    assert document.file_name == f"{case.number}-特别程序告知书（第1次）.pdf"
    pages = pdf_text(pdf)
    assert len(pages) == 2
    text = squash(pages[0])
    for value in (case.number, "李晓梅（申请人）：", f"于{cn(case.applied_on)}申请的“社会保障卡申领”", "因需要检验",
                  "第四十五条", "需对申请人提交的检测报告进行复检", f"特别程序自{cn(began)}开始", "预计需要5个工作日",
                  "所需时间不计算在办理时限内", f"预计办结日期为{cn(expected_due)}",
                  "部门名称：苍溪县人力资源和社会保障局", "经办人：蒲文斌", f"联系电话：{case.department.phone}"):
        assert squash(value) in text, value
    # ended later, the notice stays what it was: the expected due day as of the start
    case = factories.step(db, "cx_hrss", case, "end_special_procedure", on=calendar.add_working_days(began, 2).due,
                          outcome="复检合格。")
    assert documents.applicable(case, "special_procedure") == ["1"]
    assert documents.render_case_notice(db, case.id, "special_procedure", "1").id == document.id


def test_an_approved_extension_renders_its_notice_with_the_approver_and_the_new_due_day(db):
    from app.services.cases import notices as documents

    case = factories.at_the_department(db, **NOTICE_CASE)
    due_before = case.process_due
    case = factories.step(db, "cx_hrss", case, "request_extension", days="5", reason="需现场核查，核查对象分布较散。")
    assert documents.applicable(case, "extension") == []  # asked, not approved: no notice
    case = factories.step(db, "cx_hrss_head", case, "approve_extension", days="3")
    assert documents.applicable(case, "extension") == ["1"]
    run = factories.run_outbox(db, "render_notice", case.id, key="extension")
    assert not run.errors
    document, pdf = _stored_notice(db, case, "extension", "1")
    assert document.file_name == f"{case.number}-延期办理告知书（第1次）.pdf"
    text = squash(pdf_text(pdf)[0])
    for value in ("广元市政务服务“跨域通办”延期办理告知书", case.number, "因需现场核查，核查对象分布较散，不能在承诺时限内作出决定",
                  "经本行政机关负责人（罗建华）批准", "第四十二条", "办理时限延长3个工作日",
                  f"延长后的办结期限为{cn(case.process_due)}", f"原办结期限为{cn(due_before)}", "批准人：罗建华",
                  "经办人：蒲文斌", cn(case.clock_segments[0].decided_on)):
        assert squash(value) in text, value


def test_a_refused_extension_has_no_notice_and_a_later_approved_one_is_the_first(db):
    from app.errors import NotFound
    from app.services.cases import notices as documents

    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需专家论证。")
    case = factories.step(db, "cx_hrss_head", case, "refuse_extension", reason="可在原时限内办结。")
    case = factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需补充现场勘验。")
    case = factories.step(db, "cx_hrss_head", case, "approve_extension")
    assert documents.applicable(case, "extension") == ["2"]
    with pytest.raises(NotFound):
        documents.render_case_notice(db, case.id, "extension", "1")
    assert not factories.run_outbox(db, "render_notice", case.id).errors
    document, _ = _stored_notice(db, case, "extension", "2")
    assert document.file_name.endswith("延期办理告知书（第1次）.pdf")


# --- 容缺受理 (issue 12) ---------------------------------------------------------------------------------


def test_an_acceptance_with_a_deferred_material_renders_the_deferral_notice_with_the_promised_day(db):
    from app.services.cases import notices as documents

    case = factories.accepted_with_deferral(db, on=date(2026, 3, 2), until="2026-03-06")
    assert documents.applicable(case, "deferral") == [""]
    run = factories.run_outbox(db, "render_notice", case.id, key="deferral")
    assert run.done and not run.errors
    document, pdf = _stored_notice(db, case, "deferral", "")
    assert document.file_name == f"{case.number}-容缺受理告知承诺书.pdf"
    pages = pdf_text(pdf)
    assert len(pages) == 2
    photo = next(m for m in case.materials if m.deferred_until is not None)
    for page in pages:
        text = squash(page)
        for value in ("广元市政务服务“跨域通办”容缺受理告知承诺书", case.number, f"申请日期：{cn(case.applied_on)}",
                      f"申请人李晓梅于{cn(case.applied_on)}申请的“社会保障卡申领”", "按容缺受理办理",
                      f"1{photo.name}2026年3月6日", "申请人承诺在上述日期前补齐所缺材料",
                      "审批部门可依法作出不予许可决定", "受理窗口：广元市利州区政务服务中心", "受理人：张丽",
                      f"联系电话：{case.origin_center.phone}", cn(date(2026, 3, 2))):
            assert squash(value) in text, value
    # supplied later, the notice stays what was promised; a repeated job returns the stored one
    assert documents.render_case_notice(db, case.id, "deferral").id == document.id


def test_a_case_accepted_with_every_material_has_no_deferral_notice(db):
    from sqlalchemy import select

    from app.errors import NotFound
    from app.models.case import OutboxMessage
    from app.services.cases import notices as documents

    case = factories.accepted_case(db, **NOTICE_CASE)
    assert documents.applicable(case, "deferral") == []
    keys = set(db.scalars(select(OutboxMessage.key).where(OutboxMessage.case_id == case.id,
                                                          OutboxMessage.topic == "render_notice")))
    assert keys == {"acceptance"}
    with pytest.raises(NotFound):
        documents.render_case_notice(db, case.id, "deferral")


def test_the_stored_acceptance_notice_leads_the_applicant_to_the_cases_progress_page(db, app):
    from app.adapters import storage
    from app.services.cases.notices import render_case_notice
    from app.services.public.progress import progress_link
    from tests.conftest import config_override
    from tests.documents.test_notice_rendering import qr_codes_hold

    case = factories.accepted_case(db)
    with config_override(app, PUBLIC_URL="https://zwfw.cngy.gov.cn"):
        document = render_case_notice(db, case.id, "acceptance")
        link = progress_link(case)
    assert link == f"https://zwfw.cngy.gov.cn/p/{case.public_token}"
    pdf = storage.path_of(document.file_key).read_bytes()
    assert qr_codes_hold(pdf, link)
    assert all("扫码查询办理进度" in squash(page) for page in pdf_text(pdf))
