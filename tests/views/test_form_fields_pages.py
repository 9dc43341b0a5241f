"""补充信息 on the pages: the registration form asks the chosen matter's extra fields (the options endpoint
gives them to the script), refuses a missing required value with every other problem, and the case page
shows the values."""

from __future__ import annotations

import re

from app.models.case import Case
from app.models.catalog import MatterField
from app.platform import records
from app.scope import SYSTEM
from app.services.catalog import matters as catalog
from tests import factories
from tests.conftest import csrf_token
from tests.views.test_case_pages import _registration_form


def with_fields(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    records.save(db, MatterField(matter=matter, key="move_to", label="迁入地址", kind="address", required=True,
                                 help="写到门牌号"), SYSTEM)
    records.save(db, MatterField(matter=matter, key="reason", label="迁移原因", kind="choice",
                                 choices="投靠\n务工"), SYSTEM)
    records.save(db, MatterField(matter=matter, key="contact", label="紧急联系电话", kind="phone"), SYSTEM)
    catalog.publish_matter(db, matter, SYSTEM)
    return matter


def test_the_options_give_the_chosen_matters_fields(client, login, db):
    matter = with_fields(db)
    login("lz_window")
    offered = client.get(f"/cases/register/options?matter_id={matter.id}").get_json()
    assert [f["key"] for f in offered["form_fields"]] == ["move_to", "reason", "contact"]
    assert client.get("/cases/register/options").get_json()["form_fields"] == []


def test_the_form_refuses_a_missing_value_with_the_others_and_keeps_what_was_typed(client, login, db):
    matter = with_fields(db)
    login("lz_window")
    token = csrf_token(client, "/cases/register")
    answer = client.post("/cases/register", data=_registration_form(
        db, csrf_token=token, applicant_phone="12", **{"form_values.reason": "旅游", "form_values.contact": ""}))
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert re.search(r'form-group has-error field-applicant_phone"', page)
    assert re.search(r'extra-field has-error" data-key="move_to"', page)
    assert re.search(r'extra-field has-error" data-key="reason"', page)
    assert "写到门牌号" in page and 'name="form_values.move_to"' in page

    answer = client.post("/cases/register", data=_registration_form(
        db, csrf_token=token, **{"form_values.move_to": "四川省广元市昭化区元坝镇1号", "form_values.reason": "务工",
                                 "form_values.contact": "13908125678"}))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    case_id = int(re.search(r"/cases/(\d+)/$", answer.headers["Location"]).group(1))
    case = db.get(Case, case_id)
    assert case.form_values == {"move_to": "四川省广元市昭化区元坝镇1号", "reason": "务工", "contact": "13908125678"}
    assert case.guide_id == matter.current_guide_id
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<tr class="extra-value"><th>迁入地址</th><td>四川省广元市昭化区元坝镇1号</td></tr>', page)
    assert "13908125678" in page  # the registering window sees the full data
    client.get("/logout/")
    login("city_super")  # masked for those who see the applicant's masked
    page = client.get(f"/cases/{case_id}/").get_data(as_text=True)
    assert "139****5678" in page and "13908125678" not in page
