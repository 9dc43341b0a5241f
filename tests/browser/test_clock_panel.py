"""The 办理时限 panel in Chromium (issue 12): a case whose clock stopped for a correction and a special
procedure and grew by an approved extension, with a second extension awaiting approval, read by the
approving head 罗建华; and a case whose special procedure still runs (its expected due day). Screenshots of
both panels go to ``screenshots`` (docs/screenshots/clock-timeline*.png are taken with BROWSER_SCREENSHOTS)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests import factories


def _at_the_department_since(session: Any, accepted: date):
    case = factories.accepted_case(session, accepted)
    return factories.run_steps(session, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
                                               ("cx_window", "receive", {}), ("cx_window", "forward", {})],
                               today=accepted)


def _shoot_panel(page: Any, screenshots: Any, name: str) -> None:
    box = page.locator("#clock").bounding_box()
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True,
                    clip={"x": box["x"] - 8, "y": box["y"] - 8, "width": box["width"] + 16, "height": box["height"] + 16})


def test_the_clock_panel_shows_its_timeline_and_the_extension_awaiting_approval(sign_in, served, screenshots):
    from app.extensions import db

    session = db.session
    today = date.today()
    monday = today - timedelta(days=today.weekday() + 14)  # the Monday two weeks back
    case = _at_the_department_since(session, monday)
    case = factories.step(session, "cx_hrss", case, "request_correction", monday + timedelta(days=1),
                          items=[{"name": "户口簿", "reason": "复印件不清晰"}])
    case = factories.supplement(session, case, monday + timedelta(days=4))
    case = factories.step(session, "cx_hrss", case, "request_extension", monday + timedelta(days=7), days="5",
                          reason="需现场核查，核查对象分布较散。")
    case = factories.step(session, "cx_hrss_head", case, "approve_extension", monday + timedelta(days=7))
    case = factories.step(session, "cx_hrss", case, "start_special_procedure", monday + timedelta(days=8),
                          procedure="testing", expected_days="3", reason="需对申请人提交的检测报告进行复检。")
    case = factories.step(session, "cx_hrss", case, "end_special_procedure", monday + timedelta(days=10),
                          outcome="复检合格。")
    case = factories.step(session, "cx_hrss", case, "request_extension", today, days="3", reason="需组织专家论证。")
    case_id = case.id
    db.session.remove()  # no transaction of ours keeps the served app's SQLite from writing

    page = sign_in("cx_hrss_head")
    page.goto(f"/cases/{case_id}/")
    panel = page.locator("#clock")
    assert "办理时限计时" in panel.inner_text()
    assert page.locator("#clock .clock-pending").is_visible()
    assert page.locator("#clock .clock-entry").count() >= 5  # running, 补正, running, 延期, 特别程序, running
    assert "罗建华" in panel.inner_text() and "特别程序（检验）" in panel.inner_text()
    _shoot_panel(page, screenshots, "clock-timeline")

    session = db.session
    running = _at_the_department_since(session, monday)
    running = factories.step(session, "cx_hrss", running, "start_special_procedure", monday + timedelta(days=7),
                             procedure="expert_review", expected_days="10", reason="组织专家评审。")
    running_id = running.id
    db.session.remove()
    page.goto(f"/cases/{running_id}/")
    assert page.locator("#clock .clock-expected-due").is_visible()
    assert page.locator("#clock .clock-open").count() == 1
    _shoot_panel(page, screenshots, "clock-timeline-procedure")
