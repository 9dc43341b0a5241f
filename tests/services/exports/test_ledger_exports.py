"""The work ledger exported from its screen (附件3): XLSX and PDF with the screen's filters, at once when
small and as a background job with progress and a download when large; the owner's only."""

from __future__ import annotations

import hashlib
import html
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import insert, select

from app.adapters import storage
from app.errors import ValidationFailed
from app.models.case import Case, LedgerEntry, OutboxMessage, new_public_token
from app.models.exports import ExportJob
from app.scope import reach_of
from app.services.exports import jobs as exports
from app.services.exports import ledger as ledger_export
from app.services.exports.ledger import HEADER, TITLE, XLSX_HEADER, Condition, LedgerFilter
from app.views.ledger import screen_filter
from tests import factories
from tests.conftest import config_override

LIST = "/ledgerview/list/"
FOOTNOTE = "注：通办类型是指：跨省通办、省内通办、川渝通办、杭广通办、西南五省通办"


def _search_filters(app) -> dict:
    """The search form's filters of the ledger screen, by column, as the view builds them."""
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "LedgerView")
    return view.datamodel.get_filters(view.search_columns).get_search_filters()


def _flt(app, column: str, op: str, value: str) -> str:
    """The address argument of one filter of the screen's search form (the index names the operator)."""
    operators = [f.arg_name for f in _search_filters(app)[column]]
    return f"_flt_{operators.index(op)}_{column}={value}"


def _export_button(page: str, kind: str) -> str:
    """The address the screen's 导出XLSX / 导出PDF button posts to."""
    match = re.search(r'<form method="post" action="([^"]+)" class="ledger-export-form export-%s"' % kind, page)
    assert match, f"no {kind} export button on the ledger screen"
    return html.unescape(match.group(1))


def _press(client, screen_url: str, kind: str):
    page = client.get(screen_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(_export_button(page, kind), data={"csrf_token": token}), page


def _sheet_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def copy_ledger_rows(db, template: Case, rows: int, start: date, **values) -> None:
    """``rows`` more ledger rows at the template's origin window, each on a copy of the case: written
    in bulk (a test fixture: no service makes hundreds of cases at once)."""
    columns = {c.key: getattr(template, c.key) for c in Case.__table__.columns
               if c.key not in ("id", "number", "public_token")}
    numbers = [f"COPY-{template.id}-{i:06d}" for i in range(rows)]
    db.execute(insert(Case), [columns | {"number": n, "public_token": new_public_token()} for n in numbers])
    ids = db.scalars(select(Case.id).where(Case.number.in_(numbers)).order_by(Case.id)).all()
    db.execute(insert(LedgerEntry), [{
        "center_id": template.origin_center_id, "case_id": case_id, "role": "origin",
        "entry_date": start + timedelta(days=i % 20), "applicant_name": values.get("applicant_name", "王建国"),
        "applicant_phone": "13800138000", "handling_type_name": values.get("handling_type_name", "跨省通办"),
        "region_name": "广元市苍溪县", "matter_name": values.get("matter_name", "企业职工基本养老保险关系转移接续申请"),
        "handler_name": "张丽", "case_status": "accepted",
        "remarks": "材料已由受理(代收)部门核验原件，申请人要求邮寄结果。" if i % 3 == 0 else "",
    } for i, case_id in enumerate(ids)])
    db.commit()


def _three_cases(db):
    factories.accepted_case(db, date(2026, 3, 2))
    factories.accepted_case(db, date(2026, 3, 9))
    factories.accepted_case(db, date(2026, 3, 16), handling_type_code="shengnei")
    factories.accepted_case(db, date(2026, 3, 9), "cx_window", home="lz_center", department_key="lz_hrss")


# --- XLSX through the screen ------------------------------------------------------------------------


def test_the_screens_xlsx_button_gives_the_attachments_header_and_the_rows_of_its_filter(app, client, login, db):
    _three_cases(db)
    login("lz_window")
    screen = LIST + "?" + "&".join([
        _flt(app, "entry_date", "gt", "2026-03-02"), _flt(app, "entry_date", "lt", "2026-04-01"),
        _flt(app, "handling_type_name", "eq", "跨省通办")])
    response, page = _press(client, screen, "xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _sheet_rows(response.data)
    assert rows[0][0] == TITLE and rows[1] == XLSX_HEADER
    assert rows[-1][0].startswith(FOOTNOTE)
    data = [r for r in rows[2:] if r[0] and not str(r[0]).startswith("注")]
    # the screen: strictly after 2 March, before April, 跨省通办 — one row, 9 March (not 2 March, not 省内通办)
    row = [dict(zip(HEADER, r)) for r in data]
    assert [(r["日期"].date(), r["通办类型"]) for r in row] == [(date(2026, 3, 9), "跨省通办")]
    assert (row[0]["申请人"], row[0]["联系电话"], row[0]["通办具体地区"], row[0]["事项名称"]) == (
        "李晓梅", "13908121234", "广元市苍溪县", "社会保障卡申领")
    assert row[0]["经办人"] == factories.user(db, "lz_window").name
    # and the screen shows that same one row (its phone masked on screen)
    assert page.count("李晓梅") == 1 and page.count("139****1234") == 1


def test_without_filters_the_export_holds_every_row_of_the_own_window_only(client, login, db):
    _three_cases(db)
    login("lz_window")
    response, _ = _press(client, LIST, "xlsx")
    days = sorted(r[0].date() for r in _sheet_rows(response.data)[2:] if r[0] and not str(r[0]).startswith("注"))
    assert days == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]  # not 苍溪县's row of 9 March


def test_a_county_administrator_exports_its_windows_with_masked_phones(app, client, login, db):
    _three_cases(db)
    login("lz_admin")
    response, _ = _press(client, LIST + "?" + _flt(app, "entry_date", "eq", "2026-03-09"), "xlsx")
    rows = [r for r in _sheet_rows(response.data)[2:] if r[0] and not str(r[0]).startswith("注")]
    assert [r[HEADER.index("联系电话")] for r in rows] == ["139****1234"]  # 利州区's row of 9 March; 苍溪县's row is not its county's


def test_an_unreadable_filter_is_refused_with_a_message_and_no_file(app, client, login, db):
    login("lz_window")
    response, _ = _press(client, LIST + "?" + _flt(app, "entry_date", "gt", "not-a-date"), "xlsx")
    assert response.status_code == 302 and "/ledgerview/list/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "YYYY-MM-DD" in page


# --- the parser of the screen's filters -------------------------------------------------------------


def test_the_screens_filters_become_a_ledger_filter(app):
    search = _search_filters(app)
    from werkzeug.datastructures import MultiDict

    def parse(*pairs):
        args = MultiDict([p.split("=", 1) for p in pairs])
        return screen_filter(search, args)

    flt = parse(_flt(app, "entry_date", "gt", "2026-03-01"), _flt(app, "entry_date", "lt", "2026-04-01"),
                _flt(app, "handling_type_name", "eq", "跨省通办"), _flt(app, "matter_name", "ct", "社保"),
                _flt(app, "center", "rel_o_m", "7"))
    assert flt == LedgerFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 31), center_id=7,
                               handling_type_name="跨省通办", matter_name="社保")
    assert parse(_flt(app, "entry_date", "eq", "2026-03-05")).date_from == date(2026, 3, 5)
    other = parse(_flt(app, "matter_name", "nct", "养老"), _flt(app, "applicant_name", "sw", "李"))
    assert set(other.conditions) == {Condition("matter_name", "nct", "养老"), Condition("applicant_name", "sw", "李")}
    assert LedgerFilter.from_dict(other.to_dict()) == other and LedgerFilter.from_dict(flt.to_dict()) == flt
    assert parse("_flt_9_entry_date=2026-01-01", "page_LedgerView=2") == LedgerFilter()  # ignored, as on screen
    with pytest.raises(ValidationFailed) as refused:
        parse(_flt(app, "entry_date", "gt", "yesterday"), _flt(app, "center", "rel_o_m", "x"))
    assert len(refused.value.problems) == 2


def test_every_text_operator_selects_what_the_screen_selects(db):
    factories.accepted_case(db, date(2026, 3, 2))
    reach = reach_of(factories.user(db, "lz_window"))

    def count(*conditions):
        return ledger_export.count_rows(db, reach, LedgerFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2),
                                                                conditions=conditions))

    assert count() == 1
    assert count(Condition("matter_name", "sw", "社会")) == 1 and count(Condition("matter_name", "nsw", "社会")) == 0
    assert count(Condition("matter_name", "ew", "申领")) == 1 and count(Condition("matter_name", "new", "申领")) == 0
    assert count(Condition("matter_name", "nct", "保障")) == 0
    assert count(Condition("applicant_name", "neq", "李晓梅")) == 0
    assert count(Condition("handling_type_name", "in", ("省内通办", "跨省通办"))) == 1
    assert count(Condition("handling_type_name", "not_in", ("跨省通办",))) == 0
    assert count(Condition("matter_name", "ct", "100%")) == 0  # % is a character, not a wildcard


# --- PDF ---------------------------------------------------------------------------------------------


def test_the_pdf_has_the_title_header_footnote_page_numbers_and_embeds_its_font(app, client, login, db):
    _three_cases(db)
    login("lz_window")
    response, _ = _press(client, LIST + "?" + _flt(app, "entry_date", "gt", "2026-03-01"), "pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = "".join(_pdf_text(response.data))
    assert TITLE in text and FOOTNOTE in text and "第 1 页" in text
    assert all(name in text for name in HEADER)
    assert "13908121234" in text and "2026-03-16" in text  # the window keeping the ledger: full phone
    fonts = {}
    for pdf_page in reader.pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts and all("/FontFile2" in f["/FontDescriptor"] for f in fonts.values()), fonts.keys()
    assert any("NotoSerifSC" in str(name) or "WenQuanYi" in str(name) or "UMing" in str(name) for name in fonts)


def test_the_pdf_repeats_the_header_on_every_page_wraps_long_texts_and_masks_for_supervisors(db):
    template = factories.accepted_case(db, date(2026, 3, 2))
    copy_ledger_rows(db, template, 60, date(2026, 3, 3),
                     matter_name="企业职工基本养老保险关系转移接续申请（含跨省转入）以及个人账户储存额的转移")
    admin = reach_of(factories.user(db, "lz_admin"))
    data = ledger_export.ledger_pdf_bytes(db, admin, LedgerFilter(date_from=date(2026, 3, 1)))
    pages = _pdf_text(data)
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert all(name in text for name in HEADER), f"page {number} lacks the header row"
        assert f"第 {number} 页" in text and f"共 {len(pages)} 页" in text
    assert TITLE in pages[0] and FOOTNOTE in pages[-1]
    joined = "".join(pages)
    assert "138****8000" in joined and "13800138000" not in joined  # a supervisor: masked
    assert joined.replace("\n", "").count("个人账户储存额的转移") == 60  # wrapped inside its cell, never cut off


def test_a_pdf_above_its_cap_is_refused_with_a_clear_message(app, client, login, db):
    _three_cases(db)
    login("lz_window")
    with config_override(app, EXPORT_PDF_MAX_ROWS=2):
        response, _ = _press(client, LIST, "pdf")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "XLSX" in page and "3" in page
    assert db.scalar(select(ExportJob).where(ExportJob.user_fk == factories.user(db, "lz_window").id)) is None


# --- large exports: a background job ----------------------------------------------------------------


@pytest.fixture()
def small_inline_limits(app):
    """Exports of more than 4 rows become background jobs during the test."""
    with config_override(app, EXPORT_INLINE_MAX_ROWS=4, EXPORT_PDF_INLINE_MAX_ROWS=4):
        yield


def _large_export(client, login, db, kind="xlsx"):
    """An export of 10 rows pressed at the ledger screen: a background job (with ``small_inline_limits``)."""
    template = factories.accepted_case(db, date(2026, 3, 2))
    copy_ledger_rows(db, template, 9, date(2026, 3, 3))
    login("lz_window")
    response, _ = _press(client, LIST, kind)
    assert response.status_code == 302 and response.headers["Location"].endswith("/exports/")
    job = db.scalars(select(ExportJob).where(ExportJob.user_fk == factories.user(db, "lz_window").id)
                     .order_by(ExportJob.id.desc())).first()
    return job


def test_a_large_export_is_a_job_queued_through_the_outbox_that_runs_with_progress_and_a_download(
        client, login, db, small_inline_limits, monkeypatch):
    job = _large_export(client, login, db)
    assert (job.status, job.kind, job.total_rows, job.progress_rows) == ("queued", "xlsx", 10, 0)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == "build_export"))
    assert message.payload["job_id"] == job.id  # committed with the job: it always gets its run
    page = client.get("/exports/").get_data(as_text=True)
    assert f'data-job="{job.id}"' in page and "progress-bar" in page and "/exports/status" in page

    monkeypatch.setattr(ledger_export, "BATCH", 3)
    stored_progress: list[int] = []  # the job's progress as stored, read back after every batch
    write = ledger_export.write_ledger_xlsx_batched

    def write_and_watch(session, reach, flt, out, on_progress, **options):
        def progress(rows: int) -> None:
            on_progress(rows)
            stored_progress.append(session.scalar(select(ExportJob.progress_rows).where(ExportJob.id == job.id)))

        return write(session, reach, flt, out, on_progress=progress, **options)

    monkeypatch.setattr(ledger_export, "write_ledger_xlsx_batched", write_and_watch)
    factories.run_outbox(db, "build_export")
    db.refresh(job)
    assert job.status == "done" and job.progress_rows == job.total_rows == 10 and job.percent == 100
    assert [n for n in stored_progress if n] == [3, 6, 9]  # written after every batch
    stored = storage.path_of(job.file_key).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == job.sha256 and job.size == len(stored)

    state = client.get("/exports/status").get_json()["jobs"][0]
    assert state["status"] == "done" and state["percent"] == 100 and state["download_url"]
    download = client.get(state["download_url"])
    assert download.status_code == 200 and download.data == stored
    rows = _sheet_rows(download.data)
    assert rows[1] == XLSX_HEADER and len([r for r in rows[2:] if r[0] and not str(r[0]).startswith("注")]) == 10


def test_a_large_pdf_runs_in_the_background_too(client, login, db, small_inline_limits):
    job = _large_export(client, login, db, kind="pdf")
    factories.run_outbox(db, "build_export")
    db.refresh(job)
    assert job.status == "done" and job.file_name.endswith(".pdf")
    text = "".join(_pdf_text(client.get(f"/exports/{job.id}/download").data))
    assert TITLE in text and text.count("王建国") == 9


def test_the_celery_task_runs_a_job_once(client, login, db, small_inline_limits):
    from workers.export_tasks import run_export

    job = _large_export(client, login, db)
    assert run_export.run(job.id) == "done"
    db.refresh(job)
    attempts, key = job.attempts, job.file_key
    assert run_export.run(job.id) == "done"  # a second delivery changes nothing
    assert exports.run_job(db, job.id).file_key == key
    db.refresh(job)
    assert (job.attempts, job.file_key) == (attempts, key)
    assert factories.run_outbox(db, "build_export").done and job.file_key == key  # the outbox's run finds it done


def test_a_job_running_elsewhere_is_left_alone_and_a_stale_one_is_taken_over(client, login, db, small_inline_limits):
    from datetime import timedelta

    from app.models.base import now

    job = _large_export(client, login, db)
    job.status, job.updated_on, job.attempts = "running", now(), 1
    db.commit()
    with pytest.raises(exports.ExportBusy):
        exports.run_job(db, job.id)
    job.updated_on = now() - exports.STALE_AFTER - timedelta(seconds=1)
    db.commit()
    assert exports.run_job(db, job.id).status == "done"


def test_a_failed_job_shows_its_error_and_can_be_tried_again(client, login, db, small_inline_limits, monkeypatch):
    job = _large_export(client, login, db)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ledger_export, "write_ledger_xlsx_batched", broken)
    with pytest.raises(OSError):
        exports.run_job(db, job.id)
    db.refresh(job)
    assert job.status == "failed" and "disk full" in job.error and job.file_key is None
    assert "disk full" in client.get("/exports/").get_data(as_text=True)
    monkeypatch.undo()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/exports/").get_data(as_text=True)).group(1)
    assert client.post(f"/exports/{job.id}/retry", data={"csrf_token": token}).status_code == 302
    factories.run_outbox(db, "build_export")
    db.refresh(job)
    assert job.status == "done"


def test_only_the_owner_sees_and_downloads_an_export(app, client, login, db, small_inline_limits):
    job = _large_export(client, login, db)
    factories.run_outbox(db, "build_export")
    assert client.get(f"/exports/{job.id}/download").status_code == 200
    for other in ("cx_window", "lz_admin", "city_super", "admin"):
        client.get("/logout/")
        login(other)
        assert client.get(f"/exports/{job.id}/download").status_code == 404, other
        assert f'data-job="{job.id}"' not in client.get("/exports/").get_data(as_text=True), other
        assert all(j["id"] != job.id for j in client.get("/exports/status").get_json()["jobs"]), other
    client.get("/logout/")
    login("lz_hrss")  # a department officer has no exports at all
    assert client.get("/exports/").status_code in (302, 403)
    assert client.get(f"/exports/{job.id}/download").status_code in (302, 403, 404)


def test_export_files_are_removed_after_the_retention_period(client, login, db, small_inline_limits):
    from datetime import timedelta

    from app.models.base import now

    job = _large_export(client, login, db)
    factories.run_outbox(db, "build_export")
    db.refresh(job)
    path = storage.path_of(job.file_key)
    assert exports.purge_expired(db, at=now() + timedelta(days=8)) == 1
    db.refresh(job)
    assert job.status == "expired" and not path.exists()
    assert client.get(f"/exports/{job.id}/download").status_code == 404
