"""One shared case walked through the whole process in Chromium, in the web pages only (no API, no
service call), by the people of the demo as they would do it: 张丽 at the 利州区 window registers and
accepts a 社会保障卡申领 for 苍溪县 and mails the materials with the day's parcels (今日寄件, 移交清单);
杜小娟 at the 苍溪县 window signs for the whole parcel (整包签收) and forwards it; 蒲文斌 of
苍溪县人力资源和社会保障局 asks for a correction, picking the material; 张丽 ticks the supplied item with
its scan; 杜小娟 signs for the supplement; 蒲文斌 completes the case with the result attached; 杜小娟
sends the result back to 利州区 with the day's parcels (寄回结果); 张丽 delivers it at her counter and
archives it from 待归档. A second test walks an inbound case: registered, its receipt recorded (接收登记)
with the 材料接收回执, and on to archived.

The outbox's jobs (notices, SMS records, bookings) are carried out between the steps as the worker would
(``served.run_jobs``). Screenshots of every page go to ``screenshots``.
"""

from __future__ import annotations

import re
import time
from typing import Any

from tests.factories import small_pdf

#: the whole walk, server start excluded, may take this long (it takes about a minute on a busy machine)
WALK_SECONDS = 300

MATTER = "社会保障卡申领"
HANDLING_TYPE = "省内通办"
HOME_WINDOW = "苍溪县政务服务中心"
DEPARTMENT = "苍溪县人力资源和社会保障局"
APPLICANT = {"申请人名称": "李晓梅", "证件号码": "11010519491231002X", "电话": "13908121234",
             "地址": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号", "邮政编码": "628017"}
WAYBILL = "1180412345678"
RESULT_WAYBILL = "1180412345680"  # the result sent back to the accepting window


def menu(page: Any, top: str, item: str) -> None:
    """Opens a page through the navbar, as users do: the menu, then its entry."""
    navbar = page.locator(".navbar")
    navbar.get_by_role("link", name=top).click()
    navbar.get_by_role("link", name=item).click()
    page.wait_for_load_state()


class Walk:
    """The pages of one case as its people see them: each signed in in a browser of their own."""

    def __init__(self, sign_in: Any, served: Any, shoot: Any) -> None:
        self.sign_in, self.served, self.shoot = sign_in, served, shoot
        self.pages: dict[str, Any] = {}
        self.case_id: int | None = None
        self.number = ""
        self.shots = 0

    def as_user(self, username: str) -> Any:
        if username not in self.pages:
            self.pages[username] = self.sign_in(username)
        return self.pages[username]

    def snap(self, page: Any, name: str) -> None:
        self.shots += 1
        self.shoot(page, f"{self.shots:02d}-{name}")

    def open_from_queue(self, username: str) -> Any:
        """The user finds the case in 待办 (through the menu) and opens it by its number."""
        page = self.as_user(username)
        page.goto("/")
        menu(page, "通办件", "待办")
        row = page.locator("table.queue-table tr").filter(has_text=self.number)
        row.get_by_role("link", name=self.number).click()
        page.wait_for_url(f"**/cases/{self.case_id}/")
        return page

    def take_step(self, page: Any, step: str, fill: Any = None) -> None:
        """Presses the step's button on the case page, fills its form and submits it."""
        page.locator(".case-steps").get_by_role("link", name=step, exact=True).click()
        page.wait_for_url(re.compile(r"/step/"))
        if fill:
            fill(page)
        self.snap(page, f"step-{step}")
        page.locator("form.step-form").get_by_role("button", name=step, exact=True).click()
        page.wait_for_url(f"**/cases/{self.case_id}/")
        done = page.locator(".alert").filter(has_text=f"“{step}”已完成。")
        assert done.count() == 1, page.locator(".alert").all_inner_texts()

    def status(self, page: Any) -> str:
        return page.locator(".case-status").inner_text().strip()


def _archive_from_the_tab(walk: Walk, served: Any, page: Any) -> None:
    """Opens the case from the 待归档 tab of the queue and archives it (its package built by the job)."""
    page.goto("/")
    menu(page, "通办件", "待办")
    page.locator(".queue-tab-to_archive").click()
    page.locator(f'tr[data-archive-case="{walk.case_id}"]').get_by_role("link", name=walk.number).click()
    page.wait_for_url(f"**/cases/{walk.case_id}/")
    walk.take_step(page, "归档")
    served.run_jobs()  # the archive package
    page.reload()
    assert walk.status(page) == "已归档", walk.status(page)


def _register(walk: Walk) -> None:
    page = walk.as_user("lz_window")
    menu(page, "通办件", "办件登记")
    form = page.locator("form.register-form")
    # Select2 keeps the real <select> in the page: choosing by its label is what a keyboard user does too.
    form.get_by_label("事项", exact=True).select_option(label=MATTER)
    form.get_by_label("通办类型").select_option(label=HANDLING_TYPE)
    form.get_by_label("属地窗口").select_option(label=HOME_WINDOW)
    form.get_by_label("审批部门", exact=True).select_option(label=DEPARTMENT)
    for label, value in APPLICANT.items():
        form.get_by_label(label, exact=True).fill(value)
    walk.snap(page, "register")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.get_by_text("办件已登记。请核对接收材料，然后受理或不予受理。").is_visible()
    walk.case_id = int(re.search(r"/cases/(\d+)/", page.url).group(1))


def _upload_scans(walk: Walk, page: Any) -> None:
    """The clerk scans every material handed in, on the case page (the archive needs them)."""
    rows = page.locator("table.materials-table tbody tr").filter(has=page.locator("input[type=file]"))
    received = []
    for index in range(rows.count()):
        cell = rows.nth(index).locator("td").nth(4)  # 已接收: a box while the case is a draft, 是/否 after
        box = cell.locator("input[type=checkbox]")
        if (box.is_checked() if box.count() else "是" in cell.inner_text()):
            received.append(index)
    assert received, "no material is marked as handed in"
    for index in received:
        row = rows.nth(index)
        row.locator("input[type=file]").set_input_files(
            {"name": f"scan-{index + 1}.pdf", "mimeType": "application/pdf", "buffer": small_pdf()})
        row.get_by_role("button", name="上传").click()
        page.wait_for_load_state()
        assert page.locator(".alert-success").count() == 1, page.locator(".alert").all_inner_texts()
    walk.snap(page, "scans")


def test_a_case_walks_from_registration_to_archive_in_the_pages(sign_in, served, shoot):
    started = time.monotonic()
    walk = Walk(sign_in, served, shoot)

    # 1. 利州区's window registers the case in the form (办件 → 办件登记) and scans the materials.
    _register(walk)
    page = walk.as_user("lz_window")
    assert walk.status(page) == "申报"
    _upload_scans(walk, page)

    # 2. It accepts the case, ticking the originals it verified; the case gets its number.
    def verify_originals(form_page: Any) -> None:
        for box in form_page.locator(".field-verified input[type=checkbox]").all():
            box.check()

    walk.take_step(page, "受理(代收)", verify_originals)
    walk.number = page.locator(".case-header h2").inner_text().split()[0]
    assert walk.status(page) == "已受理", walk.status(page)
    served.run_jobs()  # the acceptance notice, the SMS, the booking of the parcel
    page.reload()
    notice = page.get_by_role("link", name="受理(代收)通知书")
    assert "生成中" not in notice.inner_text(), "the acceptance notice is still being prepared"
    walk.snap(page, "accepted")

    # 3. It mails the materials with the day's other parcels (通办件 → 今日寄件): the waybill the courier
    #    printed, and a 移交清单 for the destination window to print and sign.
    menu(page, "通办件", "今日寄件")
    batch = page.locator("form.batch-form")
    for box in batch.locator("input[name=rowid]").all():
        box.uncheck()
    row = batch.locator("tbody tr").filter(has_text=walk.number)
    row.locator("input[name=rowid]").check()
    row.locator("input[name^=waybill-]").fill(WAYBILL)
    walk.snap(page, "parcels-of-the-day")
    batch.get_by_role("button", name="寄出所选邮件并打印移交清单").click()
    page.wait_for_load_state()
    lists = page.locator(".batch-transmittals a")
    assert lists.count() == 1, page.locator(".alert").all_inner_texts()
    walk.snap(page, "transmittal-list")

    # 4. 苍溪县's window, the home window of the matter, signs for the whole parcel from its 移交清单,
    #    ticking the materials that arrived, then finds the case in 待办 and forwards it.
    page = walk.as_user("cx_window")
    page.goto("/")
    menu(page, "通办件", "移交清单")
    page.get_by_role("link", name="整包签收").first.click()
    page.wait_for_load_state()
    sign = page.locator("form.sign-form")
    assert sign.locator("tbody tr").filter(has_text=walk.number).count() == 1
    walk.snap(page, "sign-for-the-parcel")
    sign.get_by_role("button", name="签收所有勾选的办件").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() >= 1, page.locator(".alert").all_inner_texts()
    page = walk.open_from_queue("cx_window")
    assert walk.status(page) == "已签收", walk.status(page)
    walk.take_step(page, "转送审批部门")
    walk.snap(page, "forwarded")

    # 5. The department officer asks for a correction: one item, with its reason.
    page = walk.open_from_queue("cx_hrss")

    def correction_item(form_page: Any) -> None:
        table = form_page.locator(".items-table")
        table.locator("input[name=items-name]").first.fill("社会保障卡申领登记表")
        table.locator("input[name=items-reason]").first.fill("缺少申请人签字，请签字确认后补交")

    walk.take_step(page, "一次性告知补正", correction_item)
    served.run_jobs()  # the correction notice and the SMS

    # 6. The applicant supplies the item at the accepting window: the clerk ticks it with its scan; the home
    # window signs for the supplement parcel and the department's clock runs again.
    page = walk.open_from_queue("lz_window")

    def supplied(form_page: Any) -> None:
        rows = form_page.locator("table.supplied-items tbody tr")
        for index in range(rows.count()):
            rows.nth(index).locator("input[type=checkbox]").check()
            rows.nth(index).locator("input[type=file]").set_input_files(
                {"name": f"supplied-{index + 1}.pdf", "mimeType": "application/pdf", "buffer": small_pdf()})
        form_page.locator("input[name=waybill_number]").fill("1180412345679")  # the supplement parcel

    walk.take_step(page, "补齐材料", supplied)
    served.run_jobs()  # the booking of the supplement parcel
    page = walk.open_from_queue("cx_window")
    walk.take_step(page, "签收补正材料")

    # 7. The officer completes the case with the result document attached in the 办结 form.
    page = walk.open_from_queue("cx_hrss")

    def approve(form_page: Any) -> None:
        form_page.locator("select[name=result]").select_option(label="准予")
        form_page.get_by_label("结果说明").fill("准予办理，社会保障卡已制卡")
        form_page.locator("input[name=result_documents]").set_input_files(
            {"name": "社会保障卡制卡通知.pdf", "mimeType": "application/pdf", "buffer": small_pdf()})

    walk.take_step(page, "办结", approve)
    walk.snap(page, "completed")
    served.run_jobs()

    # 8. The department returned the result to 苍溪县's window: collected at 利州区 (pick-up chosen at
    # registration), it travels there with the day's parcels (今日寄件), under a 移交清单 to 利州区.
    page = walk.as_user("cx_window")
    page.goto("/")
    menu(page, "通办件", "今日寄件")
    batch = page.locator("form.batch-form")
    for box in batch.locator("input[name=rowid]").all():
        box.uncheck()
    row = batch.locator("tbody tr").filter(has_text=walk.number)
    row.locator("input[name=rowid]").check()
    row.locator("input[name^=waybill-]").fill(RESULT_WAYBILL)
    batch.get_by_role("button", name="寄出所选邮件并打印移交清单").click()
    page.wait_for_load_state()
    assert page.locator(".batch-transmittals a").count() == 1, page.locator(".alert").all_inner_texts()
    walk.snap(page, "result-sent-back")

    # 9. The accepting window, the one delivery owner for a result collected at its counter, records the
    # day the result arrived and hands it to the applicant.
    page = walk.open_from_queue("lz_window")
    assert walk.status(page) == "结果寄递中", walk.status(page)
    walk.take_step(page, "结果送达")
    served.run_jobs()

    # 10. It archives the case from its 待归档 tab.
    _archive_from_the_tab(walk, served, page)
    assert page.get_by_role("link", name="下载归档包").is_visible(), "no archive package on the case page"
    walk.snap(page, "archived")

    elapsed = time.monotonic() - started
    assert elapsed < WALK_SECONDS, f"the walk took {elapsed:.0f} s"


OUTSIDE_WINDOW = "成都市锦江区政务服务中心"
OWN_WINDOW = "广元市利州区政务服务中心"
OWN_DEPARTMENT = "广元市利州区人力资源和社会保障局"
INBOUND_WAYBILL = "1190412345678"  # the EMS parcel 锦江区's window mailed


def test_an_inbound_case_is_registered_and_walked_from_its_receipt_to_archive(sign_in, served, shoot):
    """An application mailed to 利州区 by an outside window (成都市锦江区) is registered by 张丽 with our
    window as its home window and our department deciding it. She records its receipt (接收登记: the outside
    window's acceptance as its notice says, the parcel's waybill and the day it arrived), which prints our
    材料接收回执 and takes the case straight to 已签收; she forwards it, the department completes it, and she
    records the delivery at the outside window and archives it — in the pages only."""
    from playwright.sync_api import expect

    walk = Walk(sign_in, served, shoot)
    page = walk.as_user("lz_window")
    menu(page, "通办件", "办件登记")
    form = page.locator("form.register-form")
    form.get_by_label("收件窗口").select_option(label=OUTSIDE_WINDOW)
    form.get_by_label("事项", exact=True).select_option(label=MATTER)
    form.get_by_label("通办类型").select_option(label=HANDLING_TYPE)
    home = form.get_by_label("属地窗口")
    # the pickers follow the receiving window and the matter: the form asks the server again
    expect(home.locator("option").filter(has_text=OWN_WINDOW)).to_have_count(1)
    home.select_option(label=OWN_WINDOW)
    form.get_by_label("审批部门", exact=True).select_option(label=OWN_DEPARTMENT)
    form.get_by_label("对方窗口办件编号").fill("JJ-2026-1202-0007")
    for label, value in APPLICANT.items():
        form.get_by_label(label, exact=True).fill(value)
    shoot(page, "inbound-register")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    shoot(page, "inbound-registered")
    walk.case_id = int(re.search(r"/cases/(\d+)/", page.url).group(1))
    header = page.locator(".case-header").inner_text()
    assert OUTSIDE_WINDOW in header and OWN_WINDOW in header and OWN_DEPARTMENT in header, header
    _upload_scans(walk, page)

    # 接收登记, never 受理(代收): our window records what the outside window did and signs for its parcel.
    steps = page.locator(".case-steps")
    assert steps.get_by_role("link", name="受理(代收)", exact=True).count() == 0, steps.inner_text()

    def record_receipt(form_page: Any) -> None:
        assert form_page.locator(".panel-title").first.inner_text().startswith("接收登记")
        for box in form_page.locator(".field-verified input[type=checkbox]").all():
            box.check()
        form_page.locator("input[name=counterpart_accepted_by]").fill("王芳")
        form_page.locator("input[name=waybill_number]").fill(INBOUND_WAYBILL)
        shoot(form_page, "inbound-receipt-step")

    walk.take_step(page, "接收登记", record_receipt)
    walk.number = page.locator(".case-header h2").inner_text().split()[0]
    assert walk.status(page) == "已签收", walk.status(page)  # the parcel arrived with the case: no dispatch
    served.run_jobs()  # the receipt of materials and the SMS
    page.reload()
    receipt = page.get_by_role("link", name="材料接收回执")
    assert "生成中" not in receipt.inner_text(), "the receipt of materials is still being prepared"
    assert page.get_by_role("link", name="受理(代收)通知书").count() == 0
    pdf = page.request.get(receipt.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF"), pdf.status
    assert "接收登记" in page.locator(".case-history").inner_text()
    walk.snap(page, "inbound-received")

    # Handled as our own cases are: forwarded, completed by the department with its result attached.
    walk.take_step(page, "转送审批部门")
    page = walk.open_from_queue("lz_hrss")

    def approve(form_page: Any) -> None:
        form_page.locator("select[name=result]").select_option(label="准予")
        form_page.locator("input[name=result_documents]").set_input_files(
            {"name": "社会保障卡制卡通知.pdf", "mimeType": "application/pdf", "buffer": small_pdf()})

    walk.take_step(page, "办结", approve)
    served.run_jobs()

    # Collected where the applicant applied, an outside window: our window sends the result there (寄回结果)
    # and records the delivery for it.
    page = walk.open_from_queue("lz_window")
    walk.take_step(page, "寄回结果", lambda form_page: form_page.locator("input[name=waybill_number]").fill(
        "1180412345680"))
    served.run_jobs()
    page.reload()
    walk.take_step(page, "结果送达")
    served.run_jobs()
    _archive_from_the_tab(walk, served, page)
    walk.snap(page, "inbound-archived")
