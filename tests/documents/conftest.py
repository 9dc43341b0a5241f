"""Fixtures of the notice tests: contexts built by hand (no database) and the font search."""

from __future__ import annotations

from datetime import date

import pytest

from app.documents import fonts
from app.documents.notices import (
    AcceptanceContext,
    CorrectionContext,
    CorrectionItem,
    DeferralContext,
    DeferredLine,
    ExtensionContext,
    MaterialLine,
    RejectionContext,
    SpecialProcedureContext,
)
from tests.documents.notice_pdf import LONG_ADDRESS, LONG_MAIL, LONG_MATERIAL, REMARKS

# --- contexts without a database -------------------------------------------------------------------


@pytest.fixture()
def acceptance():
    return AcceptanceContext(
        number="GYLZ-2026-000321", applied_on=date(2026, 11, 26),
        matter_name="不动产登记（二手房转移登记及抵押权首次登记合并办理）",
        applicant_name="李晓梅", applicant_phone="13908121234", applicant_email="lixiaomei1988@example.com",
        applicant_address=LONG_ADDRESS, applicant_postcode="628017", window_name="广元市利州区政务服务中心",
        application_count=1, accepted_on=date(2026, 11, 26), accepted_by="张丽",
        consult="0839-3302345（受理窗口）、0839-3266012（事项咨询）；工作日 9:00—12:00，14:00—17:30",
        legal_limit_days=20, promised_limit_days=10, fee_note="不收费", complaint_phone="12345",
        materials=(MaterialLine(1, "不动产登记申请书", 1, "原件"),
                   MaterialLine(2, "申请人及代理人身份证明（居民身份证、户口簿或者其他有效身份证明材料）", 2, "复印件（已核原件）"),
                   MaterialLine(3, LONG_MATERIAL, 1, "原件"),
                   MaterialLine(4, "存量房买卖合同网签备案表", 1, "复印件")),
        delivery_method="mail", mail_address=LONG_MAIL + "，李晓梅（收），13908121234，邮编 401147",
        remarks=REMARKS,
        issuer="广元市利州区政务服务中心",
        home_department="苍溪县人力资源和社会保障局", home_department_phone="0839-5222601",
    )


@pytest.fixture()
def correction():
    return CorrectionContext(
        number="GYLZ-2026-000321", round=1, applicant_name="李晓梅", received_on=date(2026, 11, 28),
        matter_name="企业职工基本养老保险关系转移接续", materials_summary="居民身份证、转移接续申请表、参保缴费凭证",
        items=(CorrectionItem("居民身份证复印件", "复印件不清晰，请提供清晰的正反面复印件。"),
               CorrectionItem("转移接续申请表", "缺少申请人签字。"),
               CorrectionItem("参保缴费凭证", "缺少2019年1月至2020年6月的缴费记录。")),
        department_name="苍溪县人力资源和社会保障局", handler="蒲文斌", phone="0839-5222345",
        requested_on=date(2026, 12, 2),
    )


@pytest.fixture()
def rejection():
    return RejectionContext(
        number="GYLZ-2026-000322", applicant_name="王晓东", applicant_phone="13908121234",
        applied_on=date(2026, 11, 26), matter_name="社会保障卡申领", handling_type="跨省通办",
        window_name="广元市利州区政务服务中心",
        reasons=("未能提供有效的居民身份证原件，无法核验申请人身份。", "社会保障卡申领登记表未签字确认。"),
        decided_on=date(2026, 11, 26), handler="张丽", consult="0839-3302345（受理窗口）", complaint_phone="12345",
        home_name="苍溪县",
    )


@pytest.fixture()
def special_procedure():
    return SpecialProcedureContext(
        number="GYLZ-2026-000321", applicant_name="李晓梅", applied_on=date(2026, 11, 26),
        matter_name="企业职工基本养老保险关系转移接续", procedure="检验",
        reason="申请人提交的职业健康检查报告需由具备资质的机构复检", started_on=date(2026, 12, 2), expected_days=5,
        expected_due=date(2026, 12, 21), department_name="苍溪县人力资源和社会保障局", handler="蒲文斌",
        phone="0839-5222345",
    )


@pytest.fixture()
def extension():
    return ExtensionContext(
        number="GYLZ-2026-000321", applicant_name="李晓梅", applied_on=date(2026, 11, 26),
        matter_name="企业职工基本养老保险关系转移接续", reason="需现场核查，核查对象分布较散", days=3,
        approver="罗建华", approved_on=date(2026, 12, 3), due_before=date(2026, 12, 10), new_due=date(2026, 12, 15),
        department_name="苍溪县人力资源和社会保障局", handler="蒲文斌", phone="0839-5222345",
    )


@pytest.fixture()
def deferral():
    return DeferralContext(
        number="GYLZ-2026-000321", applicant_name="李晓梅", applied_on=date(2026, 11, 26),
        matter_name="企业职工基本养老保险关系转移接续",
        items=(DeferredLine(1, "近期免冠白底彩色证件照片", date(2026, 12, 9)), DeferredLine(2, LONG_MATERIAL, date(2026, 12, 10))),
        window_name="广元市利州区政务服务中心", accepted_by="张丽", phone="0839-3302345", accepted_on=date(2026, 11, 26),
    )


@pytest.fixture()
def font_env():
    """Point the font search somewhere else for one test, as the settings NOTICE_FONT_DIR and
    NOTICE_SYSTEM_FONT_DIRS do (and put back the app's search, forgetting what was found, afterwards)."""
    saved = []

    def point(font_dir, *system_dirs):
        saved.append(fonts.configure(font_dir, system_dirs))
        fonts.reset()

    yield point
    if saved:
        fonts.configure(saved[0].font_dir, saved[0].system_dirs)
    fonts.reset()
