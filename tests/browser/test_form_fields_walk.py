"""补充信息 in Chromium (issue 15 item 3, done-when): the administrator adds a required field to a matter in
the browser and publishes the matter; 张丽 at the 利州区 window registers a case of it, is refused without
the value (with the problem at the field), fills it, registers, and the case page and the acceptance
notice show it. No code change, no service call: pages only."""

from __future__ import annotations

import io
import re

from tests.browser.test_case_walk import APPLICANT, DEPARTMENT, HOME_WINDOW, menu

MATTER = "社会保障卡申领"
HANDLING_TYPE = "省内通办"
LABEL, KEY, VALUE = "最后就业单位", "last_employer", "广元市利州区某某建筑有限公司"


def _add_field_and_publish(sign_in, shoot) -> None:
    page = sign_in("admin")
    page.goto("/matterfieldview/add")
    form = page.locator("form").filter(has=page.locator("#key"))
    form.locator("select#matter").select_option(label=MATTER)
    form.locator("#label").fill(LABEL)
    form.locator("#key").fill(KEY)
    form.locator("select#kind").select_option(value="text")
    form.locator("#required").check()
    form.locator("#help").fill("填写申领人失业前最后一个用人单位的全称")
    shoot(page, "fields-01-add")
    form.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() >= 1, page.locator(".alert").all_inner_texts()

    page.goto("/matterview/list/?_flt_0_name=" + MATTER)
    page.locator("table tr").filter(has_text=MATTER).locator("a[href*='/matterview/show/']").first.click()
    page.wait_for_url(re.compile(r"/matterview/show/\d+"))
    page.locator("[id='btn-action-MatterView.action-publish']").click()
    with page.expect_navigation():
        page.locator("#modal-confirm-ok:visible").click()
    page.locator(".alert").filter(has_text="已发布1个事项").wait_for()  # a new guide version, with the field
    shoot(page, "fields-02-published")


def test_an_admin_adds_a_required_field_and_the_next_registration_asks_prints_and_shows_it(sign_in, served, shoot):
    _add_field_and_publish(sign_in, shoot)

    page = sign_in("lz_window")
    menu(page, "通办件", "办件登记")
    form = page.locator("form.register-form")
    form.get_by_label("事项", exact=True).select_option(label=MATTER)
    extra = form.locator(f"#extra-fields [name='form_values.{KEY}']")
    extra.wait_for()  # the script asked the options endpoint and drew the matter's extra fields
    assert form.locator("#extra-fields").get_by_text(LABEL).is_visible()
    form.get_by_label("通办类型").select_option(label=HANDLING_TYPE)
    form.get_by_label("属地窗口").select_option(label=HOME_WINDOW)
    form.get_by_label("审批部门", exact=True).select_option(label=DEPARTMENT)
    for label, value in APPLICANT.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    refused = page.locator(f".extra-field.has-error[data-key='{KEY}']")
    assert refused.count() == 1, page.locator(".alert").all_inner_texts()
    assert page.locator(".register-problems").is_visible()
    shoot(page, "fields-03-refused")

    page.locator(f"[name='form_values.{KEY}']").fill(VALUE)
    page.locator("form.register-form").get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case_id = int(re.search(r"/cases/(\d+)/", page.url).group(1))
    row = page.locator("tr.extra-value").filter(has_text=LABEL)
    assert VALUE in row.inner_text()
    shoot(page, "fields-04-case-page")

    page.locator(".case-steps").get_by_role("link", name="受理(代收)", exact=True).click()
    page.wait_for_url(re.compile(r"/step/"))
    for box in page.locator(".field-verified input[type=checkbox]").all():
        box.check()
    page.locator("form.step-form").get_by_role("button", name="受理(代收)", exact=True).click()
    page.wait_for_url(f"**/cases/{case_id}/")
    served.run_jobs()  # the acceptance notice
    page.reload()
    link = page.get_by_role("link", name="受理(代收)通知书")
    answer = page.request.get(link.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("application/pdf")
    from pypdf import PdfReader

    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(answer.body())).pages[0].extract_text())
    assert f"{LABEL}{VALUE}" in text
