"""办理流程 as steps and 常见问题 as question/answer pairs, read from the text an administrator writes."""

from __future__ import annotations

from app.domain.guide_elements import FaqEntry, faq_entries, faq_problems, process_step_list


def test_process_steps_are_one_a_line_without_their_numbers_or_blank_lines():
    text = "1. 申请：到窗口提交材料\r\n（2）受理\n\n  3、审核  \n第四步：办结\n送达"
    assert process_step_list(text) == ["申请：到窗口提交材料", "受理", "审核", "办结", "送达"]
    assert process_step_list("") == [] and process_step_list(None) == []


def test_common_questions_are_blocks_of_a_question_and_an_answer():
    text = "问：要本人到场吗？\n答：可以委托他人。\n受托人带身份证。\n\n\n问:收费吗？\n答: 不收费。\n"
    assert faq_entries(text) == [FaqEntry("要本人到场吗？", "可以委托他人。\n受托人带身份证。"),
                                 FaqEntry("收费吗？", "不收费。")]
    assert faq_problems(text) == []


def test_every_block_that_is_not_a_question_and_an_answer_is_named():
    text = "问：只有问题\n\n答：只有回答\n\n问：好的？\n答：好的。\n\n问：\n答：没有问题\n\n随便写的一段话"
    assert faq_problems(text) == [1, 2, 4, 5]
    assert faq_entries(text) == [FaqEntry("好的？", "好的。")]
    assert faq_problems("") == [] and faq_entries(None) == []
