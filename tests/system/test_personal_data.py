"""Personal-data checks (issue 9): the full identity number and phone of a seeded applicant never reach
a user who must see masks, through any answer of any GET route (HTML, JSON, PDF text, XLSX, ZIP), and
every full view by a user of the case's sides is in the access log.

The routes come from ``app.url_map``: a new route is scanned without editing this test. Its arguments
are filled from the seeded case (its id, its materials, result documents, notices, ledger rows,
messages …); a route whose arguments cannot be filled must be named in ``NOT_ABOUT_A_CASE``.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from html import unescape
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from app.domain.workflow import TRANSITIONS
from app.models.case import Case, CaseAccessLog
from app.services.cases import files as case_files
from app.services.cases import notices as documents
from tests.conftest import api_token, config_override, web_login
from tests.factories import completion, delivered_case, ready_to_archive, run_outbox, run_steps, user

ID_NUMBER = "510824198503170636"
PHONE = "13987650123"

#: the demo users who may read the seeded case but stand on none of its sides: they see masks
MASKED_READERS = ("admin", "city_super", "lz_admin", "cx_admin", "city_hrss")
#: the users of its sides: its two windows and its department
SIDE_USERS = ("lz_window", "cx_window", "cx_hrss")

#: GET routes whose arguments name nothing of a case (FAB's own security pages, static files …)
NOT_ABOUT_A_CASE = {"filename", "locale", "version", "group_by", "year",
                    "report_id", "request_id"}  # reports: figures of many cases, no personal data
#: GET routes that change the session, not what is read (logouts are skipped too)
SKIPPED_ENDPOINTS = {"LocaleView.index", "static", "appbuilder.static"}


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer holds ``text`` (a scan after OCR, a printed decision)."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


@pytest.fixture()
def seeded_case(db) -> Case:
    """An archived case (notices rendered, a scan and a result document holding the ID number, its
    archive package built) of an applicant whose ID number and phone appear nowhere else; its parcel
    left through 今日寄件 (a 移交清单 lists it) and its conversation has a message with an attachment
    holding them too, so the routes of the list and of the messages answer and are scanned."""
    from app.services.cases.conversation import post_message

    decision = completion(document="决定书.pdf", data=pdf_with_text(f"ID {ID_NUMBER} TEL {PHONE}"))
    case = delivered_case(db, completed_with=decision, sent_in_batch=True, applicant_id_number=ID_NUMBER,
                          applicant_phone=PHONE)
    material = next(m for m in case.materials if m.received)
    case_files.attach_scan(db, user(db, "lz_window"), case.id, material.id, "身份证.pdf",
                           pdf_with_text(f"ID {ID_NUMBER} TEL {PHONE}"))
    post_message(db, user(db, "cx_window"), case.id, "身份证复印件见附件，请核对。",
                 upload=("身份证复印件.pdf", pdf_with_text(f"ID {ID_NUMBER} TEL {PHONE}")))
    case = run_steps(db, ready_to_archive(db, case), [("lz_window", "archive", {})])
    run_outbox(db)
    db.refresh(case)
    return case


# --- reading every kind of answer as text --------------------------------------------------------


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def answer_text(data: bytes) -> str:
    """Everything a person could read from the answer: PDF text, every member of a ZIP (XLSX, archive
    package) read the same way, HTML unescaped, with whitespace removed."""
    if data.startswith(b"%PDF-"):
        text = pdf_text(data)
    elif data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = "\n".join(answer_text(archive.read(name)) for name in archive.namelist())
    else:
        text = unescape(data.decode("utf-8", errors="ignore"))
    return re.sub(r"\s+", "", text)


def leaks(data: bytes) -> list[str]:
    text = answer_text(data).upper()
    return [value for value in (ID_NUMBER, PHONE) if value in text]


# --- the routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    endpoint: str


def _view_model(app, endpoint: str) -> Any:
    """The model behind the view or API of ``endpoint`` (None for views without one)."""
    blueprint = endpoint.split(".", 1)[0]
    for view in app.appbuilder.baseviews:
        if getattr(view, "blueprint", None) is not None and view.blueprint.name == blueprint:
            datamodel = getattr(view, "datamodel", None)
            return datamodel.obj if datamodel is not None else None
    return None


def _records_of_a_case() -> dict[str, type]:
    """Path arguments of the REST API that name a record of a case (it has ``case_id``) by its own id."""
    from app.models.case import LedgerEntry, Notification, Shipment
    from app.models.notify import Reminder
    from app.models.rating import Rating, Rectification

    return {"entry_id": LedgerEntry, "shipment_id": Shipment, "log_entry_id": CaseAccessLog,
            "notification_id": Notification, "reminder_id": Reminder, "rating_id": Rating,
            "rectification_id": Rectification}


def _argument_values(db, app, endpoint: str, argument: str, case: Case, username: str) -> list[Any] | None:
    """The values to try for one argument of a route, None when it is not about a case."""
    if argument == "case_id":
        return [case.id]
    if argument == "pk":
        model = _view_model(app, endpoint)
        if model is Case:
            return [case.id]
        if model is not None and hasattr(model, "case_id"):
            return list(db.scalars(select(model.id).where(model.case_id == case.id)))
        return None
    if argument == "material_id":
        return [m.id for m in case.materials]
    if argument == "document_id":
        return [d.id for d in case.result_documents]
    if argument == "version_id":
        return [v.id for m in case.materials for v in m.versions]
    if argument == "transmittal_id":  # the 移交清单 that list the case
        from app.models.transmittal import TransmittalItem

        return list(db.scalars(select(TransmittalItem.transmittal_id).where(TransmittalItem.case_id == case.id)))
    if argument == "message_id":
        from app.models.conversation import CaseMessage

        return list(db.scalars(select(CaseMessage.id).where(CaseMessage.case_id == case.id)))
    if argument == "kind":
        return list(documents.NOTICE_KINDS)
    if argument == "name":
        return None if endpoint.endswith(".action") else list(TRANSITIONS)
    if argument == "fmt":
        return ["xlsx", "pdf"]
    if argument in _records_of_a_case():  # the API's records of the case by their own ids (issue 15)
        model = _records_of_a_case()[argument]
        return list(db.scalars(select(model.id).where(model.case_id == case.id)))
    if argument == "job_id":
        from app.models.exports import ExportJob

        return list(db.scalars(select(ExportJob.id).where(ExportJob.user_fk == user(db, username).id)))
    if argument == "token":  # the applicant's key (QR code, SMS link): the public answers about the case
        return [case.public_token]
    if argument == "code":  # the case's matter in the public catalog
        return [case.matter.code]
    if argument == "seq":  # the matter's required materials (their sample forms)
        return sorted({m.requirement_seq for m in case.materials if m.requirement_seq is not None})
    if argument in NOT_ABOUT_A_CASE:
        return None
    raise AssertionError(f"{endpoint}: the scanner does not know how to fill <{argument}>; teach "
                         "_argument_values or name it in NOT_ABOUT_A_CASE")


def get_requests(db, app, case: Case, username: str) -> Iterator[Request]:
    """Every GET route of the app, its arguments filled from the case."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.endswith(".logout"):
            continue
        arguments = sorted(rule.arguments)
        values = [_argument_values(db, app, rule.endpoint, a, case, username) for a in arguments]
        if any(v is None for v in values):
            continue
        for combination in itertools.product(*values):
            url = rule.build(dict(zip(arguments, combination)), append_unknown=False)[1]
            yield Request("GET", url, rule.endpoint)


def signed_in(app, username: str):
    """A test client signed in to the pages and carrying the user's JWT for the API. The test's app
    context (the ``db`` fixture) is shared by the requests: the user signed in before is forgotten."""
    from flask import g

    for name in ("_login_user", "user", "csrf_token"):
        g.pop(name, None)
    client = app.test_client()
    web_login(client, username)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(client, username)}"
    return client


def access_log_count(db, case: Case) -> int:
    return db.scalar(select(func.count()).select_from(CaseAccessLog).where(CaseAccessLog.case_id == case.id)) or 0


# --- the checks ----------------------------------------------------------------------------------


def background_exports(app, db, username: str) -> None:
    """The user's ledger exports made by the background job (XLSX and PDF), for 我的导出 to list and serve."""
    from app.services.exports import jobs as exports
    from app.services.exports.ledger import LedgerFilter
    from app.services.organisation.roles import holds_permission

    owner = user(db, username)
    if not holds_permission(owner, "can_read", "Export"):
        return
    with config_override(app, EXPORT_INLINE_MAX_ROWS=0):
        for kind in ("xlsx", "pdf"):
            exports.request_ledger_export(db, owner, kind, LedgerFilter())
    run_outbox(db, "build_export")


@pytest.mark.parametrize("username", MASKED_READERS)
def test_no_answer_shows_the_full_id_number_or_phone_to_a_masked_reader(app, db, seeded_case, username):
    background_exports(app, db, username)
    client = signed_in(app, username)
    found, scanned = [], 0
    for request in get_requests(db, app, seeded_case, username):
        response = client.get(request.url)
        scanned += 1
        if response.status_code == 200:
            found += [f"{request.url} ({request.endpoint}): {value}" for value in leaks(response.data)]
    for kind in ("xlsx", "pdf"):
        response = client.post(f"/ledgerview/export/{kind}", headers={"X-CSRFToken": _csrf(client)})
        if response.status_code == 200:
            found += [f"POST /ledgerview/export/{kind}: {value}" for value in leaks(response.data)]
    assert scanned > 100
    assert found == [], "\n".join(found)


def _csrf(client) -> str:
    """The CSRF token of the ledger screen (empty for a user who may not read the ledger)."""
    from tests.conftest import CSRF

    match = CSRF.search(client.get("/ledgerview/list/").get_data(as_text=True))
    return match.group(1) if match else ""


def test_the_scanner_reads_pdf_zip_and_html():
    """The scanner would see the data where it hides: in a PDF's text, inside a ZIP, in escaped HTML."""
    assert leaks(pdf_with_text(f"ID {ID_NUMBER}")) == [ID_NUMBER]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("a.pdf", pdf_with_text(f"TEL {PHONE}"))
    assert leaks(packed.getvalue()) == [PHONE]
    assert leaks(f"<td>{PHONE[:3]}&#32;{PHONE[3:]}</td>".encode()) == [PHONE]


FULL_VIEWS = [
    ("/cases/{case}/", "page"),
    ("/api/v1/case/{case}", "api"),
    ("/cases/{case}/notice/acceptance", "notice"),
    ("/api/v1/case/{case}/notice/acceptance", "notice"),
    ("/cases/{case}/materials/{material}/scan", "scan"),
    ("/api/v1/case/{case}/materials/{material}/scan", "scan"),
    ("/cases/{case}/scan-versions/{version}", "scan"),
    ("/cases/{case}/results/{document}", "result"),
    ("/api/v1/case/{case}/results/{document}", "result"),
    ("/cases/{case}/archive", "archive"),
    ("/api/v1/case/{case}/archive", "archive"),
]


def _full_view_url(template: str, case: Case) -> str:
    material = next(m for m in case.materials if m.scan_key)
    return template.format(case=case.id, material=material.id, document=case.result_documents[0].id,
                           version=material.versions[0].id)


@pytest.mark.parametrize("username", SIDE_USERS)
def test_every_full_view_by_a_side_of_the_case_is_in_the_access_log(app, db, seeded_case, username):
    client = signed_in(app, username)
    for template, kind in FULL_VIEWS:
        url = _full_view_url(template, seeded_case)
        before = access_log_count(db, seeded_case)
        response = client.get(url)
        assert response.status_code == 200, url
        entries = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == seeded_case.id)
                             .order_by(CaseAccessLog.id.desc())).all()
        assert len(entries) == before + 1, url
        assert (entries[0].username, entries[0].kind) == (username, kind), url
        if kind != "api":  # the scanner does see the data where it is shown in full
            assert leaks(response.data), url


@pytest.mark.parametrize("username", MASKED_READERS)
def test_a_masked_reader_gets_no_personal_document(app, db, seeded_case, username):
    """Notices, scans, result documents and archive packages are full views: 403 (in scope) for the
    case's readers who see masks, and nothing is logged as seen."""
    client = signed_in(app, username)
    before = access_log_count(db, seeded_case)
    codes = {template: client.get(_full_view_url(template, seeded_case)).status_code
             for template, _ in FULL_VIEWS[2:]}
    assert set(codes.values()) == {403}, codes
    assert access_log_count(db, seeded_case) == before


def test_a_ledger_export_is_logged_for_the_cases_it_shows_in_full(app, db, seeded_case):
    """The window's own ledger rows carry full phones: the export is in the access log, one entry per
    case; a county administrator's export carries masks and logs nothing as seen."""
    clerk = signed_in(app, "lz_window")
    response = clerk.post("/ledgerview/export/xlsx", headers={"X-CSRFToken": _csrf(clerk)})
    assert response.status_code == 200 and PHONE in answer_text(response.data)
    entries = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == seeded_case.id,
                                                     CaseAccessLog.kind == "export")).all()
    assert [(e.username, e.channel) for e in entries] == [("lz_window", "web")]
    assert entries[0].detail.endswith(".xlsx")
    supervisor = signed_in(app, "lz_admin")
    before = access_log_count(db, seeded_case)
    response = supervisor.post("/ledgerview/export/xlsx", headers={"X-CSRFToken": _csrf(supervisor)})
    assert response.status_code == 200 and leaks(response.data) == []
    assert access_log_count(db, seeded_case) == before


# --- 查看个人信息: a supervisor's logged disclosure ------------------------------------------------


def test_a_supervisor_sees_the_personal_data_after_giving_a_reason(app, db, seeded_case):
    client = signed_in(app, "city_super")
    notice = f"/api/v1/case/{seeded_case.id}/notice/acceptance"
    assert client.get(notice).status_code == 403
    refused = client.post(f"/api/v1/case/{seeded_case.id}/disclosure", json={"reason": " "})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "reason"
    granted = client.post(f"/api/v1/case/{seeded_case.id}/disclosure", json={"reason": "12345投诉 第2026-0042号"})
    assert granted.status_code == 201 and granted.get_json()["result"]["valid_until"]
    response = client.get(notice)
    assert response.status_code == 200 and PHONE in answer_text(response.data)
    assert client.get(f"/api/v1/case/{seeded_case.id}").get_json()["result"]["applicant_id_number"] == ID_NUMBER
    entries = db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == seeded_case.id,
                                                     CaseAccessLog.username == "city_super")
                         .order_by(CaseAccessLog.id)).all()
    assert [e.kind for e in entries] == ["disclosure", "notice", "api"]
    assert {e.reason for e in entries} == {"12345投诉 第2026-0042号"}


def test_a_disclosure_ends_after_the_configured_time(app, db, seeded_case):
    from datetime import timedelta

    client = signed_in(app, "city_super")
    client.post(f"/api/v1/case/{seeded_case.id}/disclosure", json={"reason": "12345投诉 第2026-0042号"})
    entry = db.scalars(select(CaseAccessLog).where(CaseAccessLog.kind == "disclosure")).one()
    entry.valid_until = entry.at - timedelta(seconds=1)
    db.commit()
    assert client.get(f"/api/v1/case/{seeded_case.id}/notice/acceptance").status_code == 403


@pytest.mark.parametrize("username", ["admin", "lz_admin", "city_hrss"])
def test_only_the_city_supervisor_may_ask_for_a_disclosure(app, db, seeded_case, username):
    client = signed_in(app, username)
    response = client.post(f"/api/v1/case/{seeded_case.id}/disclosure", json={"reason": "12345投诉 第2026-0042号"})
    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(CaseAccessLog).where(CaseAccessLog.kind == "disclosure")) == 0


def test_a_disclosure_of_a_case_out_of_scope_is_not_found(app, db, seeded_case):
    client = signed_in(app, "city_super")
    assert client.post("/api/v1/case/987654/disclosure", json={"reason": "12345投诉 第2026-0042号"}).status_code == 404


def test_the_case_page_offers_the_disclosure_with_a_reason(app, db, seeded_case):
    from tests.conftest import CSRF

    client = signed_in(app, "city_super")
    page = client.get(f"/cases/{seeded_case.id}/").get_data(as_text=True)
    assert "case-disclosure-form" in page and ID_NUMBER not in page
    token = CSRF.search(page).group(1)
    client.post(f"/cases/{seeded_case.id}/disclosure", data={"reason": "", "csrf_token": token})
    assert ID_NUMBER not in client.get(f"/cases/{seeded_case.id}/").get_data(as_text=True)
    response = client.post(f"/cases/{seeded_case.id}/disclosure", data={"reason": "12345投诉 第2026-0042号",
                                                                        "csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/cases/{seeded_case.id}/").get_data(as_text=True)
    assert ID_NUMBER in page and "12345投诉 第2026-0042号" in page and "case-disclosure-form" not in page


def test_the_scanner_reaches_the_conversation_and_the_transmittal_list_of_the_case(app, db, seeded_case):
    """The seeded case has a message with an attachment and a 移交清单: their routes answer (not 404 for
    want of a record), so the masked readers' scan above reads them too."""
    wanted = {"TransmittalView.pdf", "TransmittalView.receive", "CaseWorkView.message_file", "CaseApi.messages"}
    client = signed_in(app, "cx_window")
    answered: dict[str, set[int]] = {}
    for request in get_requests(db, app, seeded_case, "cx_window"):
        if request.endpoint in wanted:
            answered.setdefault(request.endpoint, set()).add(client.get(request.url).status_code)
    assert answered == {endpoint: {200} for endpoint in wanted}
