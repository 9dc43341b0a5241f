"""The notices' fonts: what is found, what is missing, and what happens without any."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.documents import fonts
from app.documents.notices import render_notice
from tests.documents.notice_pdf import HAS_HANAZONO, font_resources, pdf_text, squash

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def test_the_main_font_is_a_full_chinese_truetype_font():
    family = fonts.main_font()
    assert family.label in ("Noto Serif SC", "WenQuanYi Micro Hei", "AR PL UMing")
    coverage = fonts.font_set().main_coverage()
    assert len(coverage) > 20000  # not a GB2312 subset
    assert all(ord(ch) in coverage for ch in "广元市政务服务跨域通办受理代收通知书䶮")


def test_make_fonts_puts_noto_serif_sc_with_its_bold_in_the_package_font_dir():
    if not (fonts.PACKAGE_FONT_DIR / "NotoSerifSC-Regular.ttf").is_file():
        pytest.skip("make fonts has not been run (the notices use a Debian font)")
    family = fonts.main_font()
    assert family.label == "Noto Serif SC" and family.bold is not None
    assert (fonts.PACKAGE_FONT_DIR / "NotoSerifSC-OFL.txt").is_file()  # the licence travels with the font


def test_missing_glyphs_reports_only_what_no_font_can_draw():
    assert fonts.missing_glyphs("李晓梅 13908121234 lixiaomei@example.com 收件处 ☐ 邮寄 ☑\n") == []
    assert fonts.missing_glyphs("龚䶮") == []  # CJK extension A: in Noto Serif SC
    # a private-use code point (where legacy systems keep rare name characters) and CJK extension I
    # (Unicode 15.1, newer than every font here), each once, in order
    assert fonts.missing_glyphs("王\ue000𮯰明\ue000") == ["\ue000", "𮯰"]


@pytest.mark.skipif(not HAS_HANAZONO, reason="fonts-hanazono is not installed")
def test_a_character_beyond_the_bmp_is_found_in_a_fallback_font():
    if fonts.main_font().label == "Noto Serif SC":
        assert ord("𠮷") not in fonts.font_set().main_coverage()
    assert fonts.missing_glyphs("𠮷") == []
    assert [f.label for f in fonts.font_set().fallbacks_for("𠮷")][0].startswith("HanaMin")


def test_without_any_chinese_font_rendering_fails_with_how_to_install_one(tmp_path, font_env, acceptance):
    font_env(tmp_path / "fonts", tmp_path / "nowhere")
    with pytest.raises(fonts.FontNotFoundError) as raised:
        render_notice("acceptance", acceptance)
    message = str(raised.value)
    assert "make fonts" in message and "fonts-wqy-microhei" in message and "NOTICE_FONT_DIR" in message
    assert str(tmp_path / "fonts") in message  # where it looked
    with pytest.raises(fonts.FontNotFoundError):
        fonts.missing_glyphs("李")


def test_fallback_fonts_alone_are_not_enough(tmp_path, font_env, acceptance):
    # DejaVu has ☐ ☑ but no Chinese: still no notice, rather than one full of boxes
    font_env(tmp_path, "/usr/share/fonts/truetype/dejavu")
    with pytest.raises(fonts.FontNotFoundError):
        render_notice("acceptance", acceptance)


@pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-microhei is not installed")
def test_without_noto_the_notice_falls_back_to_wenquanyi(tmp_path, font_env, acceptance):
    font_env(tmp_path, WQY.parent, "/usr/share/fonts/truetype/dejavu")
    assert fonts.main_font().label == "WenQuanYi Micro Hei"
    pdf = render_notice("acceptance", acceptance)
    found = font_resources(pdf)
    assert any("WenQuanYi" in f["base"] for f in found) and all(f["embedded"] for f in found)
    assert not any("NotoSerif" in f["base"] for f in found)
    assert "姓名李晓梅" in squash(pdf_text(pdf)[0])
