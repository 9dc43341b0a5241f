"""The 办理时限 panel of the case page (issue 12): the promised limit, the extensions granted and who approved
them, the stopped days per reason, the working days used, the due day (and the expected one while a special
procedure runs), the timeline of the clock, and an extension awaiting approval."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.services.calendar import load_calendar
from app.services.cases.clock import case_clock
from tests import factories


def _panel(client, case) -> str:
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    found = re.search(r'<div class="panel panel-default case-clock" id="clock">(.*?)<div class="panel panel-default case-materials"',
                      page, re.S)
    assert found, "no clock panel"
    return found.group(1)


def test_the_panel_shows_the_granted_extension_the_running_procedure_and_the_timeline_in_order(client, login, db):
    case = factories.at_the_department(db)
    case.applied_on -= timedelta(days=21)
    case.accepted_on -= timedelta(days=21)  # accepted three weeks ago
    db.commit()
    asked = case.accepted_on + timedelta(days=3)
    case = factories.step(db, "cx_hrss", case, "request_extension", asked, days="3", reason="需现场核查，核查对象分布较散。")
    case = factories.step(db, "cx_hrss_head", case, "approve_extension", asked)
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", date.today() - timedelta(days=7),
                          procedure="testing", expected_days="5", reason="需对申请人提交的检测报告进行复检。")
    login("cx_hrss")
    panel = _panel(client, case)
    limit = case.guide.content["promised_limit_days"]
    assert f"{limit} 个工作日" in panel
    assert "+3 个工作日" in panel and "罗建华" in panel  # the extension and who approved it
    assert "暂停计时：特别程序" in panel  # the stop in force
    assert 'class="clock-expected-due"' in panel  # the due day if the procedure ends as expected
    clock = case_clock(load_calendar(db), case, date.today())  # the open stop runs up to today
    assert clock.due.due.isoformat() in panel and clock.expected_due.isoformat() in panel
    kinds = re.findall(r'class="clock-entry clock-(\w+)', panel)
    assert kinds[0] == "running" and "extended" in kinds and kinds[-1] == "stopped"
    assert "特别程序（检验）" in panel and "需对申请人提交的检测报告进行复检。" in panel and "蒲文斌" in panel


def test_a_requested_extension_shows_as_awaiting_approval_with_who_asked_how_long_and_why(client, login, db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "request_extension", days="4", reason="需组织专家论证。")
    login("cx_hrss_head")
    panel = _panel(client, case)
    pending = re.search(r'<div class="alert alert-info clock-pending">(.*?)</div>\s*</div>', panel, re.S).group(1)
    assert "延期待批" in pending and "蒲文斌" in pending and "4" in pending and "需组织专家论证。" in pending
    assert 'class="clock-extended"' in panel and "clock-entry clock-extended" not in panel  # nothing granted yet


def test_corrections_count_as_stopped_days_of_their_own(client, login, db):
    case = factories.at_the_department(db)
    calendar = load_calendar(db)
    asked = calendar.add_working_days(case.accepted_on, 1).due
    case = factories.step(db, "cx_hrss", case, "request_correction", on=asked,
                          items=[{"name": "户口簿", "reason": "复印件不清晰"}])
    login("cx_hrss")
    panel = _panel(client, case)
    entry = re.search(r'<li class="clock-entry clock-stopped clock-correction clock-open">(.*?)</li>', panel, re.S).group(1)
    assert "补正，暂停计时" in entry and "蒲文斌" in entry and "户口簿" in entry
