"""督办 in Chromium: the city supervisor issues a 督办单 to the home window on the case page and nudges the case; the
home window's clerk finds it under 督办待反馈 in the work queue and answers in the case; the supervisor's list shows it
answered."""

from __future__ import annotations


def _demo_case(served) -> int:
    from app.extensions import db
    from app.services.demo import load_rated_demo_case

    with served.app.app_context():
        rating = load_rated_demo_case(db.session)
        ident = rating.case_id
        db.session.remove()
    return ident


def test_an_order_is_issued_answered_and_shown_answered(sign_in, served, shoot):
    case_id = _demo_case(served)
    supervisor = sign_in("city_super")
    supervisor.goto(f"/cases/{case_id}/")
    form = supervisor.locator("#supervision form.issue-form")
    form.locator("textarea[name=instruction]").fill("请属地窗口说明结果寄回用时并反馈")
    form.locator("input[name=responsible_side][value=home_window]").check()
    form.locator("button[type=submit]").click()
    supervisor.wait_for_load_state()
    assert "已下发1份督办单" in supervisor.content()
    supervisor.locator("#supervision form.nudge-form button[type=submit]").click()
    supervisor.wait_for_load_state()
    assert "已催办1次" in supervisor.content()

    clerk = sign_in("cx_window")
    clerk.goto("/cases/queue/")
    clerk.locator(".queue-supervision a").first.click()
    clerk.wait_for_load_state()
    clerk.locator("#supervision form.reply-form textarea").fill("结果已于办结次日寄回，邮路用时两天")
    clerk.locator("#supervision form.reply-form button[type=submit]").click()
    clerk.wait_for_load_state()
    assert "反馈已送达" in clerk.content() and "结果已于办结次日寄回" in clerk.content()
    shoot(clerk, "supervision-order-reply")

    supervisor.goto("/supervision/?state=answered")
    assert "结果已于办结次日寄回" in supervisor.content()
