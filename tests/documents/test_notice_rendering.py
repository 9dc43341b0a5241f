"""Rendering from plain contexts (no database, no app): fields, copies, wrapping, fonts, metadata,
determinism."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from app.documents import notices
from app.documents.notices import NOTICE_KINDS, context_from_dict, context_to_dict, render_notice
from tests.documents.notice_pdf import (
    HAS_HANAZONO,
    LONG_ADDRESS,
    LONG_MAIL,
    LONG_MATERIAL,
    REMARKS,
    cell_lines,
    font_resources,
    fonts_drawing,
    needs_pdftotext,
    overruns,
    pdf_text,
    squash,
    vertical_rules,
    words,
)

CLOSING = set("。，、；：？！”’》）")


def test_acceptance_prints_every_field_of_attachment_1_on_each_of_three_copies(acceptance):
    pdf = render_notice("acceptance", acceptance)
    pages = pdf_text(pdf)
    assert len(pages) == 3
    labels = ["第一联申请人联", "第二联受理(代收)部门联", "第三联属地办理部门联"]
    for page, label in zip(pages, labels):
        text = squash(page)
        assert label in text
        assert [other for other in labels if other != label and other in text] == []
        expected = [
            "广元市政务服务“跨域通办”受理(代收)通知书",
            "编号：GYLZ-2026-000321", "申请日期：2026年11月26日",
            "申请事项", "不动产登记（二手房转移登记及抵押权首次登记合并办理）",
            "申请信息", "姓名李晓梅", "电话13908121234", "电子邮箱lixiaomei1988@example.com",
            "通讯地址", squash(LONG_ADDRESS), "邮政编码628017",
            "受理(代收)信息", "受理(代收)部门广元市利州区政务服务中心", "申请件数1件",
            "受理日期2026年11月26日", "受理人张丽",
            "咨询方式0839-3302345（受理窗口）、0839-3266012（事项咨询）；工作日9:00—12:00，14:00—17:30",
            "法定时限20个工作日", "承诺办理总时限10个工作日", "收费情况不收费", "投诉电话12345",
            "接收材料", "序号材料名称份数原件或复印件", "1不动产登记申请书1原件",
            "2申请人及代理人身份证明（居民身份证、户口簿或者其他有效身份证明材料）2复印件（已核原件）",
            "3" + LONG_MATERIAL + "1原件", "4存量房买卖合同网签备案表1复印件",
            "取件信息", "取件方式收件处☐邮寄☑", "邮寄地址" + squash(LONG_MAIL),
            "备注" + squash(REMARKS),
            "申请人签字", "签字日期年月日",
            "注：本通知书一式三份，申请人、受理(代收)部门、属地办理部门各一份。",
        ]
        assert [e for e in expected if squash(e) not in text] == []
    # the fields in the attachment's order
    first = squash(pages[0])
    order = ["申请事项", "申请信息", "姓名", "电话", "电子邮箱", "通讯地址", "邮政编码", "受理(代收)信息",
             "受理(代收)部门", "申请件数", "受理日期", "受理人", "咨询方式", "法定时限", "承诺办理总时限", "收费情况",
             "投诉电话", "接收材料", "序号", "材料名称", "份数", "原件或复印件", "取件信息", "取件方式", "邮寄地址", "备注",
             "申请人签字", "签字日期", "注："]
    positions = [first.index(label) for label in order]
    assert positions == sorted(positions)


def test_pickup_ticks_the_window_box_and_leaves_the_mail_address_empty(acceptance):
    pdf = render_notice("acceptance", dataclasses.replace(acceptance, delivery_method="pickup", mail_address=""))
    assert "取件方式收件处☑邮寄☐邮寄地址备注" in squash(pdf_text(pdf)[0])


def test_correction_follows_attachment_2_with_numbered_items_on_two_copies(correction):
    pdf = render_notice("correction", correction)
    pages = pdf_text(pdf)
    assert len(pages) == 2
    for page, label in zip(pages, ["第一联申请人联", "第二联属地办理部门联"]):
        text = squash(page)
        assert label in text
        expected = [
            "广元市政务服务“跨域通办”补正通知书", "李晓梅（申请人）：",
            "本部门（或单位）于2026年11月28日收到你申请企业职工基本养老保险关系转移接续业务的"
            "居民身份证、转移接续申请表、参保缴费凭证等材料，经审查，你提供的申请材料不全（或不符合）法定形式，请补全后再次申请。",
            "需补全材料为：",
            "一、居民身份证复印件：复印件不清晰，请提供清晰的正反面复印件。",
            "二、转移接续申请表：缺少申请人签字。",
            "三、参保缴费凭证：缺少2019年1月至2020年6月的缴费记录。",
            "特此通知。", "部门名称：苍溪县人力资源和社会保障局（全称并盖章）", "经办人：蒲文斌（手写签字）",
            "联系电话：0839-5222345", "2026年12月2日",
            "注：本通知一式二份，申请人、属地办理部门（单位）各一份。",
        ]
        assert [e for e in expected if squash(e) not in text] == []


def test_the_special_procedure_notice_names_the_procedure_its_days_and_the_expected_due_day(special_procedure):
    pages = pdf_text(render_notice("special_procedure", special_procedure))
    assert len(pages) == 2
    for page, label in zip(pages, ["第一联申请人联", "第二联属地办理部门联"]):
        text = squash(page)
        assert label in text
        expected = [
            "广元市政务服务“跨域通办”特别程序告知书", "编号：GYLZ-2026-000321", "申请日期：2026年11月26日",
            "李晓梅（申请人）：",
            "你（单位）于2026年11月26日申请的“企业职工基本养老保险关系转移接续”（编号：GYLZ-2026-000321），"
            "因需要检验，依据《中华人民共和国行政许可法》第四十五条，",
            "申请人提交的职业健康检查报告需由具备资质的机构复检",
            "特别程序自2026年12月2日开始，预计需要5个工作日，所需时间不计算在办理时限内。",
            "特别程序结束后继续办理，预计办结日期为2026年12月21日",
            "联系电话：0839-5222345", "特此告知。", "部门名称：苍溪县人力资源和社会保障局（全称并盖章）",
            "经办人：蒲文斌", "2026年12月2日", "注：本告知书一式二份，申请人、属地办理部门（单位）各一份。",
        ]
        assert [e for e in expected if squash(e) not in text] == []


def test_the_extension_notice_names_the_approving_head_the_days_and_the_new_due_day(extension):
    pages = pdf_text(render_notice("extension", extension))
    assert len(pages) == 2
    for page, label in zip(pages, ["第一联申请人联", "第二联属地办理部门联"]):
        text = squash(page)
        assert label in text
        expected = [
            "广元市政务服务“跨域通办”延期办理告知书", "编号：GYLZ-2026-000321", "李晓梅（申请人）：",
            "你（单位）于2026年11月26日申请的“企业职工基本养老保险关系转移接续”（编号：GYLZ-2026-000321），"
            "因需现场核查，核查对象分布较散，不能在承诺时限内作出决定",
            "经本行政机关负责人（罗建华）批准，依据《中华人民共和国行政许可法》第四十二条，办理时限延长3个工作日，"
            "延长后的办结期限为2026年12月15日",
            "原办结期限为2026年12月10日", "联系电话：0839-5222345", "特此告知。",
            "部门名称：苍溪县人力资源和社会保障局（全称并盖章）", "批准人：罗建华", "经办人：蒲文斌", "2026年12月3日",
            "注：本告知书一式二份，申请人、属地办理部门（单位）各一份。",
        ]
        assert [e for e in expected if squash(e) not in text] == []


def test_the_deferral_notice_lists_each_deferred_material_with_its_promised_day_and_the_promise(deferral):
    pages = pdf_text(render_notice("deferral", deferral))
    assert len(pages) == 2
    for page, label in zip(pages, ["第一联申请人联", "第二联窗口留存联"]):
        text = squash(page)
        assert label in text
        expected = [
            "广元市政务服务“跨域通办”容缺受理告知承诺书", "编号：GYLZ-2026-000321", "申请日期：2026年11月26日",
            "申请人李晓梅于2026年11月26日申请的“企业职工基本养老保险关系转移接续”，经审查，申请材料基本齐全、"
            "主要申请材料符合法定形式，下列非主要材料暂缺，按容缺受理办理：",
            "序号材料名称承诺补齐日期", "1近期免冠白底彩色证件照片2026年12月9日", LONG_MATERIAL, "2026年12月10日",
            "申请人承诺在上述日期前补齐所缺材料；逾期未补齐的，审批部门可依法作出不予许可决定。",
            "申请人（签字）：", "受理窗口：广元市利州区政务服务中心（盖章）", "受理人：张丽", "联系电话：0839-3302345",
            "注：本告知承诺书一式二份，申请人、受理窗口各一份。",
        ]
        assert [e for e in expected if squash(e) not in text] == []
        assert text.index("近期免冠白底彩色证件照片") < text.index("申请人承诺") < text.index("受理人")


@needs_pdftotext
def test_a_long_deferred_material_wraps_inside_its_cell(deferral):
    pdf = render_notice("deferral", deferral)
    assert [overruns(pdf, page) for page in (1, 2)] == [[], []]


def test_rejection_gives_every_reason_the_remedies_and_the_hotline(rejection):
    pdf = render_notice("rejection", rejection)
    pages = pdf_text(pdf)
    assert len(pages) == 2
    for page, label in zip(pages, ["第一联申请人联", "第二联受理(代收)部门联"]):
        text = squash(page)
        assert label in text
        expected = [
            "广元市政务服务“跨域通办”不予受理(代收)告知书", "编号：GYLZ-2026-000322", "申请日期：2026年11月26日",
            "王晓东（申请人）：", "社会保障卡申领", "跨省通办", "广元市利州区政务服务中心", "不予受理(代收)",
            "现将原因一次性告知如下：",
            "一、未能提供有效的居民身份证原件，无法核验申请人身份。", "二、社会保障卡申领登记表未签字确认。",
            "六十日内依法申请行政复议", "六个月内依法向人民法院提起行政诉讼",
            "咨询方式：0839-3302345（受理窗口）", "投诉电话：12345", "经办人：张丽", "2026年11月26日",
            "注：本告知书一式二份，申请人、受理(代收)部门各一份。",
        ]
        assert [e for e in expected if squash(e) not in text] == []
    assert "申请人签收" in squash(pages[1]) and "申请人签收" not in squash(pages[0])


@pytest.mark.parametrize("kind", ["acceptance", "correction", "rejection", "special_procedure", "extension",
                                  "deferral"])
def test_the_same_context_gives_the_same_pdf(kind, request):
    context = request.getfixturevalue(kind)
    first = render_notice(kind, context)
    second = render_notice(kind, context)
    assert pdf_text(first) == pdf_text(second)
    assert first == second  # ReportLab's invariant mode: no timestamp, no random file ID


@pytest.mark.parametrize("kind", ["acceptance", "correction", "rejection", "special_procedure", "extension",
                                  "deferral"])
def test_metadata_names_the_notice_its_issuer_and_the_case(kind, request):
    context = request.getfixturevalue(kind)
    meta = PdfReader(io.BytesIO(render_notice(kind, context))).metadata
    assert meta.title == NOTICE_KINDS[kind].title
    assert meta.author == {"acceptance": "广元市利州区政务服务中心", "correction": "苍溪县人力资源和社会保障局",
                           "rejection": "广元市利州区政务服务中心", "special_procedure": "苍溪县人力资源和社会保障局",
                           "extension": "苍溪县人力资源和社会保障局", "deferral": "广元市利州区政务服务中心"}[kind]
    assert context.number in meta.subject and context.matter_name in meta.subject


@pytest.mark.parametrize("kind", ["acceptance", "correction", "rejection", "special_procedure", "extension",
                                  "deferral"])
def test_every_font_is_embedded_and_the_text_is_in_the_chinese_font(kind, request):
    fonts_found = font_resources(render_notice(kind, request.getfixturevalue(kind)))
    assert fonts_found and all(f["embedded"] for f in fonts_found), fonts_found
    assert any(family in f["base"] for f in fonts_found for family in ("NotoSerifSC", "WenQuanYi", "UMing")), fonts_found
    assert not any("Helvetica" in f["base"] or "STSong" in f["base"] for f in fonts_found)


def test_the_boxes_come_from_a_font_that_has_them(acceptance):
    pdf = render_notice("acceptance", acceptance)
    assert {f for f in fonts_drawing(pdf, "☑")} and all("DejaVu" in f for f in fonts_drawing(pdf, "☑"))
    assert all("DejaVu" in f for f in fonts_drawing(pdf, "☐"))


def test_a_rare_character_in_the_bmp_is_drawn_by_the_main_font(acceptance):
    pdf = render_notice("acceptance", dataclasses.replace(acceptance, applicant_name="龚䶮"))
    assert "姓名龚䶮" in squash(pdf_text(pdf)[0])
    assert all("NotoSerifSC" in f or "WenQuanYi" in f for f in fonts_drawing(pdf, "䶮"))


@pytest.mark.skipif(not HAS_HANAZONO, reason="fonts-hanazono is not installed")
def test_a_character_beyond_the_bmp_falls_back_to_a_font_that_has_it(acceptance):
    pdf = render_notice("acceptance", dataclasses.replace(acceptance, applicant_name="𠮷野䶮"))
    text = squash(pdf_text(pdf)[0])
    assert "姓名𠮷野䶮" in text  # copied out of the PDF as itself (ToUnicode with surrogate pairs)
    assert fonts_drawing(pdf, "𠮷") and all("HanaMin" in f for f in fonts_drawing(pdf, "𠮷"))
    assert all(f["embedded"] for f in font_resources(pdf))


def test_a_notice_without_rare_characters_does_not_load_the_rare_fonts(acceptance):
    assert not any("HanaMin" in f["base"] for f in font_resources(render_notice("acceptance", acceptance)))


@needs_pdftotext
def test_a_sixty_character_material_and_long_addresses_wrap_inside_their_cells(acceptance):
    pdf = render_notice("acceptance", acceptance)
    for page in (1, 2, 3):
        assert overruns(pdf, page) == []
    material = cell_lines(pdf, LONG_MATERIAL)
    assert len(material) >= 4
    assert {round(w.x0) for w in material} == {round(material[0].x0)}  # one column, left-aligned
    assert len(cell_lines(pdf, LONG_ADDRESS)) >= 3
    assert len(cell_lines(pdf, LONG_MAIL + "，李晓梅（收），13908121234，邮编")) >= 2


@needs_pdftotext
def test_closing_punctuation_never_starts_a_line_nor_hangs_past_the_border(acceptance):
    pdf = render_notice("acceptance", acceptance)
    material = cell_lines(pdf, LONG_MATERIAL)
    # The 16th character is a comma where the first line is full: the 15th comes down with it.
    assert material[0].text == LONG_MATERIAL[:14]
    assert material[1].text.startswith(LONG_MATERIAL[14:16])
    for lines in (material, cell_lines(pdf, LONG_ADDRESS)):
        assert [w.text for w in lines if w.text[0] in CLOSING] == []
    assert overruns(pdf, 1) == []


@needs_pdftotext
def test_a_line_break_in_the_remarks_starts_a_new_line(acceptance):
    pdf = render_notice("acceptance", acceptance)
    first, second, third = cell_lines(pdf, squash(REMARKS))
    assert first.text.endswith("通过邮") and second.text == "政。寄递结果请保持电话畅通"  # 。 took 政 down with it
    assert third.text == "第二行：如需变更取件方式，请提前联系受理窗口。"
    assert abs(third.x0 - first.x0) < 0.5 and third.y0 > second.y1 - 1


@needs_pdftotext
def test_spaced_labels_are_centred_in_their_cells(acceptance):
    pdf = render_notice("acceptance", acceptance)
    found = words(pdf)
    surname, given = [w for w in found if w.text in ("姓", "名")][:2]
    assert given.x0 - surname.x1 > 15  # 姓　　名, although full-width spaces collapse in xhtml2pdf
    rules = sorted({round(r.x, 1) for r in vertical_rules(pdf)})
    left = max(x for x in rules if x < surname.x0)
    right = min(x for x in rules if x > given.x1)
    assert abs((surname.x0 - left) - (right - given.x1)) < 2


def qr_codes_hold(pdf: bytes, text: str) -> bool:
    """Every page's one image is the QR code of ``text`` (error correction M, as the notices make it)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        (image,) = page.images
        picture = image.image.convert("L")
        size = picture.width / len(matrix)
        if picture.width != picture.height or round(size) != size:
            return False
        sampled = [[picture.getpixel((int((x + 0.5) * size), int((y + 0.5) * size))) < 128
                    for x in range(len(matrix))] for y in range(len(matrix))]
        if sampled != matrix:
            return False
    return True


def test_without_a_progress_link_the_qr_code_holds_the_case_number_uncaptioned(acceptance):
    pdf = render_notice("acceptance", acceptance)
    assert qr_codes_hold(pdf, acceptance.number)
    assert not any("扫码查询办理进度" in squash(page) for page in pdf_text(pdf))


def test_the_qr_code_leads_to_the_progress_page_captioned_on_every_copy(acceptance):
    link = "https://zwfw.cngy.gov.cn/p/Xk3vQ9aT2mLp8RrN5wYc1A"
    pdf = render_notice("acceptance", dataclasses.replace(acceptance, progress_link=link))
    assert qr_codes_hold(pdf, link) and not qr_codes_hold(pdf, acceptance.number)
    pages = pdf_text(pdf)
    assert len(pages) == 3 and all("扫码查询办理进度" in squash(page) for page in pages)


def test_contexts_survive_json_and_are_frozen(acceptance, correction, rejection, special_procedure, extension,
                                              deferral):
    import json

    for context in (acceptance, correction, rejection, special_procedure, extension, deferral):
        data = json.loads(json.dumps(context_to_dict(context)))
        assert context_from_dict(data) == context
        with pytest.raises(dataclasses.FrozenInstanceError):
            context.number = "X"  # type: ignore[misc]


def test_unknown_kinds_and_mismatched_contexts_are_refused(acceptance):
    assert set(NOTICE_KINDS) == {"acceptance", "receipt", "correction", "rejection", "special_procedure", "extension",
                                 "deferral"}
    with pytest.raises(ValueError, match="unknown notice kind"):
        render_notice("ledger", acceptance)
    with pytest.raises(TypeError, match="CorrectionContext"):
        render_notice("correction", acceptance)


def test_notice_text_lists_what_the_clerk_should_check(acceptance):
    text = notices.notice_text(acceptance)
    assert acceptance.applicant_name in text and LONG_MATERIAL in text


def test_a_long_list_of_materials_flows_onto_more_pages_instead_of_failing(acceptance):
    materials = tuple(dataclasses.replace(acceptance.materials[2], seq=i, name=f"第{i}项：{LONG_MATERIAL}")
                      for i in range(1, 21))
    pages = pdf_text(render_notice("acceptance", dataclasses.replace(acceptance, materials=materials)))
    text = squash("".join(pages))
    assert all(squash(f"第{i}项：{LONG_MATERIAL}") in text for i in range(1, 21))
    labels = ["第一联申请人联", "第二联受理(代收)部门联", "第三联属地办理部门联"]
    starts = [next(i for i, page in enumerate(pages) if label in squash(page)) for label in labels]
    assert len(pages) > 3 and starts == sorted(starts) and starts[0] == 0  # each copy runs on as long as it needs
    assert [sum(label in squash(page) for page in pages) for label in labels] == [1, 1, 1]
    assert "接收材料（续）" in text


def test_values_are_text_never_markup(acceptance):
    hostile = '<img src="file:///etc/passwd"/><b>王</b>'
    pdf = render_notice("acceptance", dataclasses.replace(acceptance, applicant_name=hostile, remarks="<br/>&amp;"))
    text = squash(pdf_text(pdf)[0])
    assert squash(hostile) in text and "<br/>&amp;" in text
    assert all(len(page.images) == 1 for page in PdfReader(io.BytesIO(pdf)).pages)  # the QR code only
