"""好差评 in Chromium: the demo's case rated 不满意 shows in 利州区's administrator's 差评整改 list with its due day;
its page records a call-back, and the rectification is closed with its measures."""

from __future__ import annotations


def _rated_demo_case(served) -> int:
    from app.extensions import db
    from app.services.demo import load_rated_demo_case

    with served.app.app_context():
        rating = load_rated_demo_case(db.session)
        ident = rating.rectification.id
        db.session.remove()
    return ident


def test_the_county_administrator_works_the_rectification_of_a_poor_rating(sign_in, served, shoot):
    ident = _rated_demo_case(served)
    page = sign_in("lz_admin")
    page.goto("/rectifications/list/")
    assert "差评整改" in page.content()
    shoot(page, "rectification-list")
    page.goto(f"/rectifications/show/{ident}")
    page.locator("form.callback-form #contact").fill("申请人本人")
    page.locator("form.callback-form #note").fill("已向申请人致歉，并说明户口簿原件要求")
    page.locator("form.callback-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "回访情况已登记" in page.content()
    page.locator("form.actions-form textarea").fill("在窗口张贴一次性告知清单，组织窗口人员培训")
    page.locator("form.actions-form button[type=submit]").click()
    page.wait_for_load_state()
    shoot(page, "rectification-page")
    page.locator("form.close-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "整改已办结" in page.content() and "已整改" in page.content()
