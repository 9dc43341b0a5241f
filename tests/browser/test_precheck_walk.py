"""远程预审 in Chromium, in the web pages only: 张丽 at the 利州区 window registers a 失业保险金申领 (the demo's
pre-checked matter) for 苍溪县, scans the materials and accepts it: the case waits for the pre-check. 蒲文斌 of
苍溪县人力资源和社会保障局 finds it in his 预审 tab and asks for a correction; 张丽 relays it at her counter
and uploads the supplied scan; 蒲文斌 passes the pre-check; 张丽 sends the parcel, once, complete."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_case_walk import APPLICANT, DEPARTMENT, HOME_WINDOW, Walk, _upload_scans, menu
from tests.factories import small_pdf

PRECHECKED_MATTER = "失业保险金申领"


def _open_from_the_precheck_tab(walk: Walk, username: str) -> Any:
    page = walk.as_user(username)
    page.goto("/")
    menu(page, "通办件", "待办")
    page.locator(".queue-tab-precheck").click()
    row = page.locator(f'tr[data-precheck-case="{walk.case_id}"]')
    assert row.locator(".precheck-due").inner_text().strip(), "the pre-check's answer time is shown"
    walk.snap(page, "precheck-tab")
    row.get_by_role("link", name=walk.number).click()
    page.wait_for_url(f"**/cases/{walk.case_id}/")
    return page


def test_a_pre_check_catches_a_correction_before_the_parcel_leaves_in_the_pages(sign_in, served, shoot):
    walk = Walk(sign_in, served, shoot)
    page = walk.as_user("lz_window")
    menu(page, "通办件", "办件登记")
    form = page.locator("form.register-form")
    form.get_by_label("事项", exact=True).select_option(label=PRECHECKED_MATTER)
    form.get_by_label("通办类型").select_option(label="省内通办")
    form.get_by_label("属地窗口").select_option(label=HOME_WINDOW)
    form.get_by_label("审批部门", exact=True).select_option(label=DEPARTMENT)
    for label, value in APPLICANT.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    walk.case_id = int(re.search(r"/cases/(\d+)/", page.url).group(1))
    _upload_scans(walk, page)

    def verify_originals(form_page: Any) -> None:
        for box in form_page.locator(".field-verified input[type=checkbox]").all():
            box.check()

    walk.take_step(page, "受理(代收)", verify_originals)
    walk.number = page.locator(".case-header h2").inner_text().split()[0]
    assert walk.status(page) == "预审中", walk.status(page)
    assert page.locator(".case-steps").get_by_role("link", name="寄出材料", exact=True).count() == 0

    # the department is reminded, with the time to answer by, and catches a correction before the parcel leaves
    page = walk.as_user("cx_hrss")
    page.goto("/reminders/")
    assert page.locator(".reminder-precheck-due").first.inner_text().startswith("请于"), "the time to answer by"
    walk.snap(page, "precheck-reminder")
    page = _open_from_the_precheck_tab(walk, "cx_hrss")

    def correction_item(form_page: Any) -> None:
        table = form_page.locator(".items-table")
        table.locator("input[name=items-name]").first.fill("授权委托书")
        table.locator("input[name=items-reason]").first.fill("代为申领的，需提供本人签字的授权委托书")

    walk.take_step(page, "预审补正", correction_item)
    assert walk.status(page) == "预审补正", walk.status(page)

    # the window relays it while the applicant is there and uploads the supplied scan
    page = walk.open_from_queue("lz_window")

    def supplied(form_page: Any) -> None:
        rows = form_page.locator("table.supplied-items tbody tr")
        assert rows.count() == 1
        rows.first.locator("input[type=checkbox]").check()
        rows.first.locator("input[type=file]").set_input_files(
            {"name": "授权委托书.pdf", "mimeType": "application/pdf", "buffer": small_pdf()})

    walk.take_step(page, "窗口补齐", supplied)
    assert walk.status(page) == "预审中", walk.status(page)

    # the department passes it; the window sends the parcel, once, complete
    page = _open_from_the_precheck_tab(walk, "cx_hrss")
    walk.take_step(page, "预审通过")
    assert walk.status(page) == "已受理", walk.status(page)
    page = walk.open_from_queue("lz_window")
    walk.take_step(page, "寄出材料", lambda form_page: form_page.locator("input[name=waybill_number]")
                   .fill("1180412345690"))
    assert walk.status(page) == "寄递中", walk.status(page)
    rounds = page.locator("#prechecks .precheck-round")
    assert rounds.count() == 2, "both rounds on the case page"
    assert "授权委托书" in page.locator("#prechecks").inner_text()
    page.locator("#prechecks").scroll_into_view_if_needed()
    walk.snap(page, "precheck-rounds")
    history = page.locator("body").inner_text()
    assert "预审补正" in history and "窗口补齐" in history and "预审通过" in history
