"""补充信息 through the API: the matter tells the fields a new case is asked, POST/PUT take `form_values`,
a missing or bad value is a 422 listing every problem with the others, the detail shows the values (an ID
number or phone among them masked for those who see the applicant's masked)."""

from __future__ import annotations

from app.models.catalog import MatterField
from app.platform import records
from app.scope import SYSTEM
from app.services.catalog import matters as catalog
from tests import factories

URL = "/api/v1/case/"


def with_fields(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    records.save(db, MatterField(matter=matter, key="move_to", label="迁入地址", kind="address", required=True), SYSTEM)
    records.save(db, MatterField(matter=matter, key="contact", label="紧急联系电话", kind="phone"), SYSTEM)
    catalog.publish_matter(db, matter, SYSTEM)
    return matter


def test_the_matter_tells_the_fields_and_a_case_is_registered_with_their_values(api, db):
    matter = with_fields(db)
    clerk = api("lz_window")
    shown = clerk.get(f"/api/v1/matter/{matter.id}").get_json()["result"]
    assert [(f["key"], f["kind"], f["required"]) for f in shown["form_fields"]] == [
        ("move_to", "address", True), ("contact", "phone", False)]

    refused = clerk.post(URL, json=factories.case_data(db, applicant_phone="12", form_values={"contact": "x"}))
    assert refused.status_code == 422
    fields = {p["field"]: p["message"] for p in refused.get_json()["errors"]}
    assert {"applicant_phone", "form_values.move_to", "form_values.contact"} <= set(fields)
    assert "迁入地址" in fields["form_values.move_to"]

    answer = clerk.post(URL, json=factories.case_data(
        db, form_values={"move_to": "广元市利州区嘉陵路1号", "contact": "13908125678"}))
    assert answer.status_code == 201, answer.get_json()
    case = answer.get_json()["result"]
    assert case["form_values"] == {"move_to": "广元市利州区嘉陵路1号", "contact": "139****5678"}  # masked answer
    assert [f["key"] for f in case["form_fields"]] == ["move_to", "contact"]
    full = clerk.get(f"{URL}{case['id']}").get_json()["result"]
    assert full["form_values"]["contact"] == "13908125678"

    changed = clerk.put(f"{URL}{case['id']}", json={"form_values": {"move_to": "广元市昭化区1号"},
                                                     "version": full["version"]})
    assert changed.status_code == 200, changed.get_json()
    assert clerk.get(f"{URL}{case['id']}").get_json()["result"]["form_values"] == {"move_to": "广元市昭化区1号"}
    bad = clerk.put(f"{URL}{case['id']}", json={"form_values": "迁入地址"})
    assert bad.status_code == 422
    assert [p["field"] for p in bad.get_json()["errors"]] == ["form_values"]
