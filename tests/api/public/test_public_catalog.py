"""The published catalog on the public API: the matters (searchable), each guide with every element a 办事指南
carries from its current published version, the sample forms to download, and the window directory. Drafts,
retired and unknown matters are not found; no answer names a person."""

from __future__ import annotations

import json
from urllib.parse import quote

from app.adapters import storage
from app.models.org import ServiceCenter
from app.scope import SYSTEM
from app.services.catalog import matters as catalog
from tests import factories

MATTERS = "/api/v1/public/matters"
PDF = factories.small_pdf()


def _guide(client, code: str):
    return client.get(f"{MATTERS}/{quote(code)}")


def test_the_published_matters_are_listed_by_code_with_their_limits_types_and_visits(client):
    answer = client.get(MATTERS)
    assert answer.status_code == 200
    body = answer.get_json()
    codes = [m["code"] for m in body["result"]]
    assert body["count"] == len(codes) and codes == sorted(codes) and "KYTB-HRSS-001" in codes
    card = next(m for m in body["result"] if m["code"] == "KYTB-HRSS-001")
    assert card["name"] == "社会保障卡申领" and card["line"] == "hrss" and card["line_name"]
    assert {"code": "kuasheng", "name": "跨省通办"} in card["handling_types"]
    assert (card["legal_limit_days"], card["promised_limit_days"], card["visits"]) == (20, 10, 1)


def test_matters_are_found_by_words_of_their_name_or_code_a_handling_type_and_a_line(client):
    def codes(**args):
        return [m["code"] for m in client.get(MATTERS, query_string=args).get_json()["result"]]

    assert codes(q="社会保障卡") == ["KYTB-HRSS-001"]
    assert codes(q="kytb-hrss-00 关系转移") == ["KYTB-HRSS-002"]  # every word must occur, case folded
    assert set(codes(line="police")) == {"KYTB-POL-001", "KYTB-POL-002", "KYTB-POL-003"}
    hangguang = codes(handling_type="hangguang")
    assert "KYTB-HRSS-001" in hangguang and "KYTB-HRSS-002" not in hangguang
    assert codes(q="公积金", line="police") == [] and codes(handling_type="nonsense") == []


def test_a_guide_carries_every_element_from_its_current_published_version(client, db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    published_name = matter.name
    matter.name = "正在修改、尚未发布的名称"  # the working copy: not public until published
    db.flush()

    answer = _guide(client, "KYTB-HRSS-001")

    assert answer.status_code == 200
    guide = answer.get_json()["result"]
    assert guide["name"] == published_name and guide["version"] == matter.current_guide.version
    assert guide["published_on"] == matter.current_guide.published_on.date().isoformat()
    assert guide["authority"] == "属地县（区）人力资源和社会保障局"
    assert "《中华人民共和国社会保险法》" in guide["legal_basis"]
    assert [step[:2] for step in guide["process_steps"]] == ["申请", "受理", "审核", "办结", "送达"]
    assert guide["visits"] == 1 and guide["acceptance_conditions"]
    assert guide["fee_note"] == "首次申领不收费；补领、换领按参保地规定执行"
    assert guide["consult_phone"] == "0839-3266012" and guide["complaint_phone"] == "12345"
    assert len(guide["faq"]) == 3 and guide["faq"][0]["question"].endswith("？") and guide["faq"][0]["answer"]
    first = guide["materials"][0]
    assert first == {"seq": 1, "name": "居民身份证", "copies": 1, "form": "copy", "form_label": "复印件",
                     "required": True, "original_check": True, "deferrable": False, "note": "核验原件，留存复印件",
                     "sample_url": None}
    assert "review_points" not in guide  # what the window checks is the staff's, not the guide's


def test_a_blank_fee_note_reads_no_fee(client, db):
    matter = factories.make_matter(db, fee_note="")
    catalog.publish_matter(db, matter, SYSTEM)

    guide = _guide(client, matter.code).get_json()["result"]

    assert guide["fee_note"] == "不收费"
    # a matter without the guide elements: their defaults
    assert (guide["authority"], guide["legal_basis"], guide["process_steps"], guide["faq"], guide["visits"]) == (
        "", "", [], [], 1)


def test_the_windows_of_a_guide_are_the_window_directory(client):
    guide = _guide(client, "KYTB-POL-001").get_json()["result"]
    directory = client.get("/api/v1/public/windows").get_json()["result"]
    assert guide["windows"] == directory and directory


def test_draft_retired_and_unknown_matters_are_not_found(client, db):
    draft = factories.make_matter(db)
    retired = factories.make_matter(db)
    catalog.publish_matter(db, retired, SYSTEM)
    catalog.retire_matter(db, retired, SYSTEM)

    for code in (draft.code, retired.code, "NO-SUCH-MATTER"):
        answer = _guide(client, code)
        assert answer.status_code == 404 and answer.get_json()["message"], code
        assert client.get(f"{MATTERS}/{code}/materials/1/sample").status_code == 404
    listed = [m["code"] for m in client.get(MATTERS).get_json()["result"]]
    assert draft.code not in listed and retired.code not in listed


def test_a_sample_form_downloads_as_an_attachment_with_its_stored_name(client, db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    form = next(m for m in matter.materials if m.seq == 2)
    storage.attach_sample_form(form, "社会保障卡申领登记表（样表）.pdf", PDF)
    catalog.publish_matter(db, matter, SYSTEM)

    material = _guide(client, "KYTB-HRSS-001").get_json()["result"]["materials"][1]
    assert material["sample_url"] == f"{MATTERS}/KYTB-HRSS-001/materials/2/sample"
    answer = client.get(material["sample_url"])

    assert answer.status_code == 200 and answer.data == PDF
    assert answer.mimetype == "application/pdf"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and quote("社会保障卡申领登记表（样表）.pdf") in disposition
    assert client.get(f"{MATTERS}/KYTB-HRSS-001/materials/1/sample").status_code == 404  # has none
    assert client.get(f"{MATTERS}/KYTB-HRSS-001/materials/99/sample").status_code == 404  # no such material


def test_the_published_sample_is_served_while_the_working_copy_has_another(client, db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    form = next(m for m in matter.materials if m.seq == 2)
    storage.attach_sample_form(form, "旧样表.pdf", PDF)
    catalog.publish_matter(db, matter, SYSTEM)
    storage.attach_sample_form(form, "新样表.pdf", PDF + b"\n% newer\n")  # not published yet
    db.flush()

    answer = client.get(f"{MATTERS}/KYTB-HRSS-001/materials/2/sample")

    assert answer.status_code == 200 and answer.data == PDF
    assert quote("社会保障卡申领登记表（样表）.pdf") in answer.headers["Content-Disposition"]


def test_the_window_directory_lists_active_windows_of_ours_with_the_types_offered_there(client, db):
    closed = factories.make_center(db, active=False)
    no_window = factories.make_center(db, has_window=False)
    windows = client.get("/api/v1/public/windows").get_json()["result"]

    codes = [w["code"] for w in windows]
    assert codes == sorted(codes) and "GYLZ" in codes
    assert closed.code not in codes and no_window.code not in codes
    external = {c.code for c in db.query(ServiceCenter).filter(ServiceCenter.external.is_(True))}
    assert external and not external & set(codes)
    lizhou = next(w for w in windows if w["code"] == "GYLZ")
    assert lizhou["name"] == "广元市利州区政务服务中心" and lizhou["region"] == "广元市利州区"
    assert lizhou["address"] and lizhou["hours"] and lizhou["phone"]
    offered = {t["code"] for t in lizhou["handling_types"]}
    assert {"kuasheng", "shengnei", "chuanyu", "hangguang"} <= offered  # 杭广通办 covers Guangyuan


def test_no_answer_names_a_person(client, db):
    case = factories.accepted_case(db)
    db.commit()
    answers = [client.get(url).get_json() for url in (
        MATTERS, f"{MATTERS}/{case.matter.code}", "/api/v1/public/windows", "/api/v1/public/handling_types")]
    text = json.dumps(answers, ensure_ascii=False)
    for personal in (case.applicant_name, case.applicant_phone, case.applicant_id_number, case.applicant_address,
                     case.number):
        assert personal not in text
    assert "lz_window" not in text and "username" not in text


def test_the_catalog_endpoints_are_documented(api):
    paths = api("admin").get("/api/v1/_openapi").get_json()["paths"]
    for path in ("/matters", "/matters/{code}", "/matters/{code}/materials/{seq}/sample", "/windows"):
        assert f"/api/v1/public{path}" in paths or f"/public{path}" in paths, path
    guide = paths.get("/api/v1/public/matters/{code}") or paths["/public/matters/{code}"]
    assert {"200", "404", "429"} <= set(guide["get"]["responses"])
