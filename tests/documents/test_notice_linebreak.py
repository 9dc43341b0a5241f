"""The Chinese line breaker put into xhtml2pdf (app/documents/cjk.py), on its own."""

from __future__ import annotations

import pytest
from reportlab.platypus.paraparser import ParaFrag

from app.documents import cjk, fonts


@pytest.fixture(scope="module")
def font():
    fonts_found = fonts.font_set()
    return fonts_found.register(fonts_found.require_main())


def frag(font, text, **extra):
    f = ParaFrag()
    f.text, f.fontName, f.fontSize = text, font, 10
    for key, value in extra.items():
        setattr(f, key, value)
    return f


def lines_of(result):
    return ["".join(w.text for w in line.words) for line in result.lines]


def test_a_full_line_followed_by_closing_punctuation_takes_the_last_character_down(font):
    result = cjk.break_lines([frag(font, "一二三四五。六七")], [50], False)
    assert lines_of(result) == ["一二三四", "五。六七"]
    assert all(line.extraSpace >= -0.01 for line in result.lines)  # nothing hangs past the width


def test_several_closing_marks_move_down_together(font):
    assert lines_of(cjk.break_lines([frag(font, "一二三四五”。六")], [50], False)) == ["一二三四", "五”。六"]


def test_an_opening_mark_never_ends_a_line(font):
    assert lines_of(cjk.break_lines([frag(font, "一二三四《五六》")], [50], False)) == ["一二三四", "《五六》"]


def test_a_line_break_is_kept_and_an_empty_line_keeps_its_height(font):
    parts = [frag(font, "一二"), frag(font, "", lineBreak=1), frag(font, "", lineBreak=1), frag(font, "三四")]
    result = cjk.break_lines(parts, [100], False)
    assert lines_of(result) == ["一二", "", "三四"]
    assert result.lines[1].fontSize == 10


def test_numbers_and_addresses_in_latin_letters_are_not_cut_when_they_fit(font):
    result = lines_of(cjk.break_lines([frag(font, "电话0839-3302345邮箱ab@example.com")], [90], False))
    assert result == ["电话0839-3302345", "邮箱", "ab@example.com"]


def test_a_word_longer_than_the_line_is_cut_anyway(font):
    result = lines_of(cjk.break_lines([frag(font, "x" * 40)], [50], False))
    assert "".join(result) == "x" * 40 and len(result) > 1


def test_fragments_in_different_fonts_stay_separate_words(font):
    result = cjk.break_lines([frag(font, "收件处"), frag("Helvetica", "[x]"), frag(font, "邮寄")], [200], False)
    assert [w.text for w in result.lines[0].words] == ["收件处", "[x]", "邮寄"]


def test_the_cut_is_never_at_the_start_of_the_line(font):
    # a line of nothing but closing marks still makes progress: each line takes at least one mark
    result = lines_of(cjk.break_lines([frag(font, "。。。。")], [20], False))
    assert result[0] == "。" and all(result) and "".join(result) == "。。。。"



def test_a_date_never_leaves_its_day_or_month_alone_at_the_start_of_a_line(font):
    text = "一二三四五六七八12月10日。"
    widths = cjk._char_widths(text, font, 10)
    limit = sum(widths[:text.index("日")])  # 日 is the first character that does not fit
    assert lines_of(cjk.break_lines([frag(font, text)], [limit], False)) == ["一二三四五六七八12月", "10日。"]
    limit = sum(widths[:text.index("月")])
    assert lines_of(cjk.break_lines([frag(font, text)], [limit], False)) == ["一二三四五六七八", "12月10日。"]
