"""归档: archiving refuses with everything that is missing, freezes the case, and leaves a ZIP whose manifest
lists every file with its SHA-256; the package's checksum is stored and verification finds any change.
Scoped like the case, on every download."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from app.adapters import storage
from app.errors import Conflict, ValidationFailed
from app.models.case import CaseDocument, OutboxMessage
from app.services.cases import archive
from app.services.cases import files as case_files
from app.services.cases.take_step import take_step
from tests import factories

API = "/api/v1/case/"


def _package(db, case) -> CaseDocument:
    return db.scalar(select(CaseDocument).where(CaseDocument.case_id == case.id,
                                                CaseDocument.kind == "archive_package"))


def _verified(db, case):
    """verify_archive, its problems worded for an English-speaking user."""
    from flask_babel import force_locale

    with force_locale("en"):
        return archive.verify_archive(db, case)


def _messages(problems) -> list[str]:
    """The messages as an English-speaking user reads them (the default language is Chinese)."""
    from flask_babel import force_locale

    with force_locale("en"):
        return [str(p.message) for p in problems]


# --- the guard -------------------------------------------------------------------------------------


def test_archiving_is_refused_with_the_full_list_of_what_is_missing(db):
    # nothing scanned but the item supplied in the correction, notices not rendered yet
    case = factories.delivered_case(db)
    with pytest.raises(ValidationFailed) as refused:
        take_step(db, factories.user(db, "lz_window"), case.id, "archive", {})
    messages = _messages(refused.value.problems)
    received = [m for m in case.materials if m.received and not m.scan_key]
    assert len(received) == len(case.materials) - 1
    for material in received:
        assert any(material.name in m and "no scan" in m for m in messages), material.name
    assert any("acceptance notice" in m for m in messages)
    assert any("correction notice of round 1" in m for m in messages)
    assert len(messages) == len(received) + 2  # the result document came with the completion
    db.refresh(case)
    assert case.status == "delivered" and _package(db, case) is None
    assert not db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                      OutboxMessage.topic == "build_archive_package")).all()


def test_one_missing_scan_is_named_and_the_rest_passes(db):
    case = factories.ready_to_archive(db, factories.delivered_case(db))
    material = case.materials[0]
    material.scan_key = None
    db.commit()
    with pytest.raises(ValidationFailed) as refused:
        take_step(db, factories.user(db, "lz_window"), case.id, "archive", {})
    assert _messages(refused.value.problems) == [
        f"Received material {material.seq} “{material.name}” has no scan: upload it before archiving."]
    assert refused.value.problems[0].field == f"materials[{material.seq}]"


def test_a_mailed_result_needs_its_waybill_and_stored_files_must_still_be_there(db):
    case = factories.ready_to_archive(db, factories.delivered_case(db))
    case.delivery_method = "mail"
    storage.path_of(case.result_documents[0].file_key).unlink()
    db.commit()
    problems = _messages(archive.archive_problems(db, case))
    assert any("mailed" in m and "waybill" in m for m in problems)
    assert any("办理结果.pdf" in m and "missing" in m for m in problems)


def test_the_archive_form_shows_every_problem_at_once(client, login, db):
    case = factories.delivered_case(db)
    login("lz_window")
    page = client.get(f"/cases/{case.id}/step/archive")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post(f"/cases/{case.id}/step/archive", data={"csrf_token": token, "version": case.version})
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert all(m.name in text for m in case.materials if m.received) and "受理(代收)通知书尚未生成" in text


# --- the package -----------------------------------------------------------------------------------


def test_archiving_freezes_the_case_and_queues_the_package(db):
    case = factories.archived_case(db, build=False)
    assert case.status == "archived" and case.archived_on
    assert _package(db, case) is None  # built by its job
    assert factories.run_outbox(db, "build_archive_package", case.id).done
    assert _package(db, case) is not None


def test_the_archive_manifest_matches_the_zip(db):
    case = factories.archived_case(db)
    document = _package(db, case)
    data = storage.path_of(document.file_key).read_bytes()
    assert hashlib.sha256(data).hexdigest() == document.sha256 and len(data) == document.size
    assert document.file_name == f"{case.number}-归档包.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        manifest = json.loads(package.read("manifest.json"))
        names = set(package.namelist()) - {"manifest.json"}
        assert {f["path"] for f in manifest["files"]} == names
        for entry in manifest["files"]:
            content = package.read(entry["path"])
            assert (len(content), hashlib.sha256(content).hexdigest()) == (entry["size"], entry["sha256"]), entry
        assert manifest["case_number"] == case.number and manifest["created_on"]

        notices = sorted(n for n in names if n.startswith("notices/"))
        assert len(notices) == 2 and all(n.endswith(".pdf") for n in notices)  # acceptance, correction round 1
        received = [m for m in case.materials if m.received]
        scans = sorted(n for n in names if n.startswith("scans/"))
        assert scans == sorted(f"scans/{m.seq:02d}-{m.name}.pdf" for m in received)
        assert package.read(scans[0]) == storage.path_of(received[0].scan_key).read_bytes()
        assert [n for n in names if n.startswith("results/")] == ["results/办理结果.pdf"]
        assert {"history.json", "shipments.json", "corrections.json", "case.json"} <= names

        history = json.loads(package.read("history.json"))
        assert [e["action"] for e in history][-2:] == ["deliver", "archive"]
        shipments = json.loads(package.read("shipments.json"))
        assert {s["waybill_number"] for s in shipments} >= {"EMS1234567890CN", "EMS1234567891CN"}
        corrections = json.loads(package.read("corrections.json"))
        assert corrections[0]["items"][0]["name"] == "户口簿"
        record = json.loads(package.read("case.json"))
        assert record["applicant_id_number"] == case.applicant_id_number  # full data: it is for the archive
        assert record["number"] == case.number and record["status"] == "archived"
        assert record["guide"]["content"]["name"] == case.guide.content["name"]
        assert {e["role"] for e in record["ledger"]} == {"origin", "home"}
        assert [m["file"] for m in record["materials"] if m["received"]] == [
            f"scans/{m.seq:02d}-{m.name}.pdf" for m in received]


def test_the_package_is_built_once(db):
    case = factories.archived_case(db)
    first = _package(db, case)
    again = archive.build_archive(db, case.id)
    assert again.id == first.id and again.sha256 == first.sha256


def test_the_archived_case_is_read_only(db, api):
    case = factories.archived_case(db)
    clerk, officer = factories.user(db, "lz_window"), factories.user(db, "cx_hrss")
    with pytest.raises(Conflict):
        case_files.attach_scan(db, clerk, case.id, case.materials[0].id, "x.pdf", factories.small_pdf())
    with pytest.raises(Conflict):
        case_files.add_result_document(db, officer, case.id, "y.pdf", factories.small_pdf())
    for name, user in (("withdraw", clerk), ("archive", clerk), ("deliver", clerk), ("request_correction", officer)):
        with pytest.raises(Conflict):
            take_step(db, user, case.id, name, {"reason": "申请人撤回", "items": [{"name": "a", "reason": "b"}]})
    client = api("lz_window")
    assert client.post(f"{API}{case.id}/withdraw", json={"reason": "x"}).status_code == 409
    upload = client.post(f"{API}{case.id}/materials/{case.materials[0].id}/scan",
                         data={"file": (io.BytesIO(factories.small_pdf()), "x.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 409
    detail = client.get(f"{API}{case.id}").get_json()["result"]
    assert detail["status"] == "archived" and detail["steps"] == []


# --- verification ------------------------------------------------------------------------------------


def test_verification_passes_for_the_stored_package(db):
    case = factories.archived_case(db)
    check = _verified(db, case)
    assert check.valid and check.problems == () and check.sha256 == check.stored_sha256 == _package(db, case).sha256
    assert check.files == len(json.loads(zipfile.ZipFile(storage.path_of(_package(db, case).file_key))
                                         .read("manifest.json"))["files"])


def test_verification_detects_a_tampered_package(db):
    case = factories.archived_case(db)
    path = storage.path_of(_package(db, case).file_key)
    original = path.read_bytes()

    # one file changed inside, the manifest left as it was
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "history.json":
                content = content.replace("archive".encode(), b"arch1ve")
            target.writestr(info, content)
    path.write_bytes(out.getvalue())
    check = _verified(db, case)
    assert not check.valid
    assert any("checksum" in p for p in check.problems) and any("history.json" in p for p in check.problems)

    # a file added, the manifest rewritten to match: the stored checksum still tells
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        extra = {"path": "scans/99-extra.pdf", "size": 4, "sha256": hashlib.sha256(b"%PDF").hexdigest()}
        manifest["files"].append(extra)
        for info in source.infolist():
            if info.filename != "manifest.json":
                target.writestr(info, source.read(info))
        target.writestr("scans/99-extra.pdf", b"%PDF")
        target.writestr("manifest.json", json.dumps(manifest))
    path.write_bytes(out.getvalue())
    check = _verified(db, case)
    assert not check.valid and check.problems == (
        "The package's checksum differs from the one recorded when it was built.",)

    path.write_bytes(original[:-10])  # truncated
    assert not _verified(db, case).valid
    path.write_bytes(original)
    assert _verified(db, case).valid


def test_verify_and_download_through_the_api(db, api):
    case = factories.archived_case(db, build=False)
    window = api("lz_window")
    assert window.get(f"{API}{case.id}/archive").status_code == 202
    assert window.get(f"{API}{case.id}/archive/verify").status_code == 202
    factories.run_outbox(db, "build_archive_package", case.id)
    document = _package(db, case)
    answer = window.get(f"{API}{case.id}/archive/verify")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["valid"] is True and body["stored_sha256"] == document.sha256 and body["problems"] == []
    download = window.get(f"{API}{case.id}/archive")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert hashlib.sha256(download.data).hexdigest() == document.sha256 == download.headers["X-Content-SHA256"]

    storage.path_of(document.file_key).write_bytes(download.data + b"tampered")
    body = window.get(f"{API}{case.id}/archive/verify").get_json()
    assert body["valid"] is False and body["problems"]


def test_the_case_page_offers_download_and_verification(client, login, db):
    case = factories.archived_case(db)
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert f"/cases/{case.id}/archive" in page and f"/cases/{case.id}/archive/verify" in page
    assert _package(db, case).sha256 in page
    answer = client.get(f"/cases/{case.id}/archive")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    verified = client.get(f"/cases/{case.id}/archive/verify", follow_redirects=True).get_data(as_text=True)
    assert "归档包完好" in verified


# --- scope on every download ---------------------------------------------------------------------------


def test_scope_on_every_download(client, login, db, api):
    case = factories.archived_case(db)
    web = [f"/cases/{case.id}/archive", f"/cases/{case.id}/archive/verify"]
    rest = [f"{API}{case.id}/archive", f"{API}{case.id}/archive/verify"]
    # out of scope (another county's department and window): 404, as for a missing case
    for outsider in ("lz_police", "cx_police"):
        login(outsider)
        for url in web:
            assert client.get(url).status_code == 404, (outsider, url)
        client.get("/logout/")
        for url in rest:
            assert api(outsider).get(url).status_code == 404, (outsider, url)
    # in scope, both windows and the department: package and check
    for insider in ("lz_window", "cx_window", "cx_hrss"):
        for url in rest:
            assert api(insider).get(url).status_code == 200, (insider, url)
    # supervisors read the case and may verify it, but not take the applicant's full data home
    for supervisor in ("city_super", "lz_admin"):
        assert api(supervisor).get(rest[1]).status_code == 200, supervisor
        assert api(supervisor).get(rest[0]).status_code == 403, supervisor
    # a case that is not archived has no package
    other = factories.delivered_case(db)
    assert api("lz_window").get(f"{API}{other.id}/archive").status_code == 404
    assert api("lz_window").get(f"{API}{other.id}/archive/verify").status_code == 404
    # a missing id
    assert api("lz_window").get(f"{API}999999/archive").status_code == 404


# --- the archive checklist (issue 11, defect 6) -------------------------------------------------------


def test_the_checklist_lists_each_material_notice_result_and_shipment_done_or_not(db):
    case = factories.delivered_case(db)
    checklist = archive.archive_checklist(db, case)
    sections = [item.section for item in checklist]
    assert sections == sorted(sections, key=["materials", "notices", "result", "shipments", "delivery",
                                             "ledger"].index)
    materials = [item for item in checklist if item.section == "materials"]
    assert [item.material_id for item in materials] == [m.id for m in case.materials if m.received]
    # only 户口簿 is scanned: supplied with its scan in the correction (a material of its own)
    assert [item.material_id for item in materials if item.done] == [case.materials[-1].id]
    assert case.materials[-1].name == "户口簿"
    notices = [item for item in checklist if item.section == "notices"]
    assert len(notices) == 2 and not any(item.done for item in notices)  # acceptance, correction round 1
    result = [item for item in checklist if item.section == "result"]
    assert [item.done for item in result] == [True, True] and result[1].label == "办理结果.pdf"
    shipments = [item for item in checklist if item.section == "shipments"]
    # materials, supplement and the result sent back to the window, waybills on record
    assert len(shipments) == 3 and all(item.done for item in shipments)
    assert [p.message for p in archive.archive_problems(db, case)] == [
        item.problem.message for item in checklist if not item.done]


def test_the_checklist_is_complete_once_everything_is_there(db):
    case = factories.ready_to_archive(db, factories.delivered_case(db))
    assert all(item.done for item in archive.archive_checklist(db, case))


def test_missing_scans_lists_every_received_material_without_one(db):
    case = factories.make_case(db)
    received = [m for m in case.materials if m.received]
    assert archive.missing_scans(case) == received
    case_files.attach_scan(db, factories.user(db, "lz_window"), case.id, received[0].id, "a.pdf",
                           factories.small_pdf())
    assert archive.missing_scans(case) == received[1:]


def test_the_archive_keeps_every_version_of_a_material_supplied_in_a_correction(db):
    case = factories.at_the_department(db)
    form = case.materials[1]
    case_files.attach_scan(db, factories.user(db, "lz_window"), case.id, form.id, "登记表-初次.pdf", factories.small_pdf())
    case = factories.step(db, "cx_hrss", case, "request_correction", items=[{"material": form.seq, "reason": "缺少签字"}])
    case = factories.supplement(db, case)
    case = factories.deliver_result(db, factories.step(db, "cx_hrss", case, "complete", **factories.completion()))
    case = factories.run_steps(db, factories.ready_to_archive(db, case), [("lz_window", "archive", {})])
    factories.run_outbox(db, "build_archive_package", case.id)
    data = storage.path_of(_package(db, case).file_key).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.read("scans/versions/02-v1-登记表-初次.pdf") == factories.small_pdf()
        record = json.loads(package.read("case.json"))
    versions = next(m for m in record["materials"] if m["seq"] == form.seq)["versions"]
    assert [(v["number"], v["correction_round"], v["file"]) for v in versions] == [
        (1, None, "scans/versions/02-v1-登记表-初次.pdf"), (2, 1, "scans/02-社会保障卡申领登记表.pdf")]


def test_the_package_keeps_the_conversation_with_its_attachments_and_a_transcript(db):
    from app.services.cases.conversation import post_message

    case = factories.ready_to_archive(db, factories.delivered_case(db))
    clerk = factories.user(db, "lz_window")
    first = post_message(db, clerk, case.id, "请核对户口簿复印件", upload=("户口簿.pdf", factories.small_pdf()))
    post_message(db, factories.user(db, "cx_window"), case.id, "已核对，无误", reply_to=first.id)
    factories.run_steps(db, case, [("lz_window", "archive", {})])
    factories.run_outbox(db, "build_archive_package", case.id)
    data = storage.path_of(_package(db, case).file_key).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        attachment = f"conversation/attachments/{first.id:04d}-户口簿.pdf"
        assert attachment in names and package.read(attachment) == storage.path_of(first.file_key).read_bytes()
        messages = json.loads(package.read("conversation.json"))
        assert [m["body"] for m in messages] == ["请核对户口簿复印件", "已核对，无误"]
        assert messages[0]["file"] == attachment and messages[1]["reply_to_id"] == first.id
        transcript = package.read("conversation.txt").decode("utf-8")
        assert "请核对户口簿复印件" in transcript and "已核对，无误" in transcript and "户口簿.pdf" in transcript
        assert clerk.name in transcript
        manifest = json.loads(package.read("manifest.json"))
        assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}


def test_an_attachment_of_the_conversation_gone_from_the_storage_keeps_the_case_from_being_archived(db):
    from app.services.cases.conversation import post_message

    case = factories.ready_to_archive(db, factories.delivered_case(db))
    message = post_message(db, factories.user(db, "lz_window"), case.id, "附件见此",
                           upload=("说明.pdf", factories.small_pdf() + b"%gone"))
    storage.path_of(message.file_key).unlink()
    problems = _messages(archive.archive_problems(db, case))
    assert any("说明.pdf" in m and "missing" in m for m in problems)


def test_the_notices_of_a_special_procedure_and_an_approved_extension_are_archived_with_the_case(db):
    case = factories.at_the_department(db)
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", procedure="appraisal", expected_days="3",
                          reason="需委托鉴定机构鉴定。")
    case = factories.step(db, "cx_hrss", case, "end_special_procedure", outcome="鉴定完毕。")
    case = factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需专家论证。")
    case = factories.step(db, "cx_hrss_head", case, "refuse_extension", reason="可在原时限内办结。")
    case = factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需补充现场勘验。")
    case = factories.step(db, "cx_hrss_head", case, "approve_extension")
    case = factories.step(db, "cx_hrss", case, "complete", **factories.completion())
    case = factories.deliver_result(db, case)
    messages = _messages(archive.archive_problems(db, case))
    assert "The notice of special procedure 1 has not been rendered yet: wait a moment and try again." in messages
    assert "The notice of extension 1 has not been rendered yet: wait a moment and try again." in messages
    notices = [item for item in archive.archive_checklist(db, case) if item.section == "notices"]
    assert len(notices) == 3  # acceptance, the special procedure, the approved extension (not the refused one)

    case = factories.ready_to_archive(db, case)
    assert all(item.done for item in archive.archive_checklist(db, case))
    case = factories.step(db, "lz_window", case, "archive")
    assert factories.run_outbox(db, "build_archive_package", case.id).done
    with zipfile.ZipFile(io.BytesIO(storage.path_of(_package(db, case).file_key).read_bytes())) as package:
        names = [n for n in package.namelist() if n.startswith("notices/")]
    assert any(n.endswith("特别程序告知书（第1次）.pdf") for n in names), names
    assert any(n.endswith("延期办理告知书（第1次）.pdf") for n in names), names


def test_the_deferral_notice_of_a_case_accepted_with_a_deferred_material_is_archived_with_it(db):
    monday = factories.date(2026, 3, 2)
    case = factories.accepted_with_deferral(db, on=monday, until="2026-03-06")
    case = factories.run_steps(db, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
                                          ("cx_window", "receive", {}), ("cx_window", "forward", {})], monday)
    photo = next(m for m in case.materials if m.deferred_until is not None)
    case = case_files.supply_deferred(db, factories.user(db, "lz_window"), case.id, photo.id, "照片.png",
                                      factories.small_png(), today=factories.date(2026, 3, 5))
    case = factories.step(db, "cx_hrss", case, "complete", **factories.completion())
    case = factories.deliver_result(db, case)
    messages = _messages(archive.archive_problems(db, case))
    assert "The deferred-material promise has not been rendered yet: wait a moment and try again." in messages
    notices = [item for item in archive.archive_checklist(db, case) if item.section == "notices"]
    assert len(notices) == 2  # acceptance, the deferral

    case = factories.ready_to_archive(db, case)
    assert all(item.done for item in archive.archive_checklist(db, case))
    case = factories.step(db, "lz_window", case, "archive")
    assert factories.run_outbox(db, "build_archive_package", case.id).done
    with zipfile.ZipFile(io.BytesIO(storage.path_of(_package(db, case).file_key).read_bytes())) as package:
        names = [n for n in package.namelist() if n.startswith("notices/")]
    assert any(n.endswith("容缺受理告知承诺书.pdf") for n in names), names
