"""Scans and result documents an attacker might upload (issue 9, defects 5 and 7): an image that decodes to
more pixels than the configured limit is refused before it is decoded, an A3 scan at 300 dpi still passes;
a PDF with active content (script on opening, actions, launch, embedded files), however its names are
spelt or packed, is refused; each refusal names its reason, through the API (422) and the pages (flashed),
and stores nothing. An upload over MAX_CONTENT_LENGTH is answered 413 by both."""

from __future__ import annotations

import io

import pytest

from app.errors import ValidationFailed
from app.services.cases.files import add_result_document, attach_scan
from tests import factories, hostile_files
from tests.conftest import config_override, csrf_token


def _messages(error: ValidationFailed) -> str:
    return " ".join(str(problem.message) for problem in error.problems)


def _api_upload(client, headers, url: str, data: bytes, name: str):
    return client.post(url, headers=headers, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


# --- decompression bombs ---------------------------------------------------------------------------


def test_a_9400_by_9400_png_is_refused_before_decoding_naming_the_megapixel_limit(app, db, api, client):
    case = factories.make_case(db)
    material = case.materials[0]
    bomb = hostile_files.blank_png(9400, 9400)  # 88 megapixels in about 11 KB
    lz = api("lz_window")

    answer = _api_upload(client, lz.headers, f"/api/v1/case/{case.id}/materials/{material.id}/scan", bomb, "扫描.png")

    assert answer.status_code == 422, answer.get_json()
    (problem,) = answer.get_json()["errors"]
    assert problem["field"] == "file" and "25" in problem["message"] and "像素" in problem["message"]
    db.refresh(material)
    assert material.scan_key is None


def test_the_megapixel_limit_is_a_setting(app, db):
    case = factories.make_case(db)
    with config_override(app, UPLOAD_MAX_MEGAPIXELS=0.001), pytest.raises(ValidationFailed) as refused:
        attach_scan(db, factories.user(db, "lz_window"), case.id, case.materials[0].id, "小图.png",
                    hostile_files.blank_png(40, 30))
    assert "0.001" in _messages(refused.value)


def test_an_a3_page_scanned_at_300_dpi_is_accepted(db):
    case = factories.make_case(db)
    material = attach_scan(db, factories.user(db, "lz_window"), case.id, case.materials[0].id, "A3.png",
                           hostile_files.blank_png(3508, 4961))
    assert material.scan_key and material.scan_content_type == "image/png"


def test_the_pages_flash_the_refusal_of_an_oversized_image(client, login, db):
    case = factories.make_case(db)
    material = case.materials[0]
    login("lz_window")
    token = csrf_token(client, "/resetmypassword/form")
    answer = client.post(f"/cases/{case.id}/materials/{material.id}/scan", content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (io.BytesIO(hostile_files.blank_png(9400, 9400)), "扫描.png")})
    assert answer.status_code == 302
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert [category for category, _ in flashes] == ["danger"] and "像素" in flashes[0][1]
    db.refresh(material)
    assert material.scan_key is None


# --- uploads over MAX_CONTENT_LENGTH: 413, not 500 ---------------------------------------------------


def test_an_upload_over_max_content_length_is_answered_413_by_the_api_and_the_pages(app, client, login, api, db):
    case = factories.make_case(db)
    material = case.materials[0]
    url = f"/cases/{case.id}/materials/{material.id}/scan"
    lz = api("lz_window")
    login("lz_window")
    token = csrf_token(client, "/resetmypassword/form")
    with config_override(app, MAX_CONTENT_LENGTH=64 * 1024):
        too_big = factories.small_pdf() + b"%" + b"0" * (128 * 1024)
        by_api = _api_upload(client, lz.headers, f"/api/v1/case/{case.id}/materials/{material.id}/scan", too_big, "a.pdf")
        by_page = client.post(url, content_type="multipart/form-data",
                              data={"csrf_token": token, "file": (io.BytesIO(too_big), "a.pdf")})
    assert by_api.status_code == 413 and by_api.is_json
    assert by_page.status_code == 413
    db.refresh(material)
    assert material.scan_key is None


# --- PDFs with active content ------------------------------------------------------------------------

ACTIVE_PDFS = {
    "open action with script": hostile_files.pdf_with("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
    "name obfuscated with #61": hostile_files.pdf_with("/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    "page additional action": hostile_files.pdf_with(page="/AA << /O << /S /JavaScript /JS (app.alert(2)) >> >>"),
    "document script name tree": hostile_files.pdf_with(
        "/Names << /JavaScript << /Names [(x) 4 0 R] >> >>", objects=("<< /S /JavaScript /JS (app.alert(3)) >>",)),
    "launch action in a link": hostile_files.pdf_with(
        page="/Annots [4 0 R]",
        objects=("<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /Launch /F (cmd.exe) >> >>",)),
    "embedded file": hostile_files.pdf_with(
        "/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        objects=("<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
                 "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")),
    "action inside a compressed object stream": hostile_files.pdf_with_compressed_action(
        "<< /S /JavaScript /JS (app.alert(4)) >>"),
}


@pytest.mark.parametrize("pdf", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_a_pdf_with_active_content_is_refused_as_a_scan(db, pdf):
    case = factories.make_case(db)
    with pytest.raises(ValidationFailed) as refused:
        attach_scan(db, factories.user(db, "lz_window"), case.id, case.materials[0].id, "身份证.pdf", pdf)
    assert "身份证.pdf" in _messages(refused.value)
    db.refresh(case.materials[0])
    assert case.materials[0].scan_key is None


def test_a_result_document_with_a_script_on_opening_is_refused_by_the_api(db, api, client):
    case = factories.at_the_department(db)
    hrss = api("cx_hrss")
    answer = _api_upload(client, hrss.headers, f"/api/v1/case/{case.id}/results",
                         ACTIVE_PDFS["open action with script"], "准予决定书.pdf")
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"][0]["field"] == "file"
    db.refresh(case)
    assert case.result_documents == []


def test_a_plain_pdf_written_the_same_way_is_accepted(db):
    case = factories.make_case(db)
    material = attach_scan(db, factories.user(db, "lz_window"), case.id, case.materials[0].id, "身份证.pdf",
                           hostile_files.pdf_with())
    assert material.scan_key


def test_a_sample_form_with_a_script_is_refused(app, db):
    from app.adapters import storage

    class Material:
        sample_file_key = sample_file_name = sample_file_sha256 = None

    with app.test_request_context(), pytest.raises(ValidationFailed):
        storage.attach_sample_form(Material(), "样表.pdf", ACTIVE_PDFS["open action with script"])
    assert Material.sample_file_key is None


def test_stored_files_download_as_attachments_that_the_browser_may_not_sniff_nor_run(client, login, db):
    case = factories.at_the_department(db)
    add_result_document(db, factories.user(db, "cx_hrss"), case.id, "准予决定书.pdf", factories.small_pdf())
    document = case.result_documents[0]
    login("cx_hrss")
    answer = client.get(f"/cases/{case.id}/results/{document.id}")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert "no-store" in answer.headers["Cache-Control"]
