"""The supervisor's walk (issue 14) in Chromium: the city supervisor narrows the dashboard to 苍溪县, clicks its red
count, opens the case the list shows and issues a 督办单 to the window that accepted it; 苍溪县's clerk answers from
the work queue; the dashboard, still on 苍溪县, counts the order answered."""

from __future__ import annotations

from datetime import date, timedelta

from tests import factories


def _overdue_case_at_cangxi(served) -> str:
    """A case accepted at 苍溪县's window three weeks ago and never mailed (red), for 利州区's 人社局."""
    from app.extensions import db
    from app.services.cases.warnings import refresh_warnings

    with served.app.app_context():
        session = db.session
        accepted_on = date.today() - timedelta(days=21)
        while accepted_on.weekday() >= 5:
            accepted_on -= timedelta(days=1)
        case = factories.accepted_case(session, accepted_on, clerk="cx_window", home="lz_center",
                                       department_key="lz_hrss")
        number = case.number
        session.commit()
        refresh_warnings(session)
        session.commit()
        session.remove()
    return number


def test_the_supervisor_narrows_to_cangxi_orders_on_its_red_case_and_sees_the_answer(sign_in, served, shoot):
    number = _overdue_case_at_cangxi(served)
    supervisor = sign_in("city_super")
    supervisor.goto("/dashboard/")
    supervisor.select_option("#f-county", label="苍溪县")
    supervisor.locator("form.filters button[type=submit]").click()
    supervisor.wait_for_load_state()
    rows = supervisor.locator("#table-open tbody tr")
    assert rows.count() == 1 and rows.first.locator("th").inner_text() == "苍溪县"
    shoot(supervisor, "dashboard-cangxi")

    red = rows.first.locator("td.level-red a")
    assert red.inner_text() == "1"
    red.click()
    supervisor.wait_for_load_state()
    assert "（共 1 件）" in supervisor.locator(".figure-note").inner_text()
    supervisor.get_by_role("link", name=number).first.click()
    supervisor.wait_for_load_state()

    form = supervisor.locator("#supervision form.issue-form")
    form.locator("textarea[name=instruction]").fill("材料受理已逾三周未寄出，请说明原因并于今日寄出")
    form.locator("input[name=responsible_side][value=origin_window]").check()
    form.locator("button[type=submit]").click()
    supervisor.wait_for_load_state()
    assert "已下发1份督办单" in supervisor.content()

    clerk = sign_in("cx_window")
    clerk.goto("/cases/queue/")
    clerk.locator(".queue-supervision a", has_text=number).first.click()
    clerk.wait_for_load_state()
    clerk.locator("#supervision form.reply-form textarea").fill("经办人病休未及时寄出，已于今日以EMS寄出")
    clerk.locator("#supervision form.reply-form button[type=submit]").click()
    clerk.wait_for_load_state()
    assert "反馈已送达" in clerk.content()
    shoot(clerk, "supervision-order-reply")

    supervisor.goto("/dashboard/")
    supervisor.select_option("#f-county", label="苍溪县")
    supervisor.locator("form.filters button[type=submit]").click()
    supervisor.wait_for_load_state()
    panel = supervisor.locator("#panel-supervision")
    answered = panel.locator("tr", has_text="已反馈").locator("td")
    assert answered.inner_text().strip() == "1", panel.inner_text()
    assert panel.locator("tr", has_text="督办中").locator("td").inner_text().strip() == "0"
    shoot(supervisor, "dashboard-cangxi-answered")
