"""补充信息 (issue 15 item 3): a matter's extra fields are defined in the browser, frozen into the guide
when published, asked at registration with every other problem, and kept on the case."""

from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.models.catalog import MatterField
from app.platform import records
from app.scope import SYSTEM, reach_of
from app.services.cases.registration import register_case, update_draft
from app.services.catalog import matters as catalog
from tests import factories
from tests.conftest import csrf_token

MATTER = "KYTB-HRSS-001"


def add_field(db, matter, **values):
    item = MatterField(matter=matter, **({"key": "move_to", "label": "迁入地址", "kind": "address",
                                          "required": True} | values))
    return records.save(db, item, SYSTEM)


def with_fields(db, code=MATTER):
    matter = factories.matter(db, code)
    add_field(db, matter)
    add_field(db, matter, key="months", label="缴费月数", kind="number", required=False, min_value=1, max_value=600)
    catalog.publish_matter(db, matter, SYSTEM)
    return matter


def problems_of(error):
    return {p.field: str(p.message) for p in error.problems}


def test_publishing_freezes_the_fields_and_a_case_keeps_its_version(db):
    matter = with_fields(db)
    assert [f["key"] for f in matter.current_guide.content["fields"]] == ["move_to", "months"]
    case = factories.make_case(db, form_values={"move_to": "利州区嘉陵路1号", "months": "24"})
    assert case.form_values == {"move_to": "利州区嘉陵路1号", "months": 24}
    matter.fields[0].label = "新地址"
    matter.fields[0].required = False
    records.save(db, matter.fields[0], SYSTEM)
    # not published yet: a new registration still asks the published version's required field
    with pytest.raises(ValidationFailed):
        factories.make_case(db)
    catalog.publish_matter(db, matter, SYSTEM)
    assert matter.current_guide.version > case.guide.version
    assert case.guide.content["fields"][0]["label"] == "迁入地址"
    assert factories.make_case(db).form_values == {}


def test_a_missing_required_value_is_listed_with_every_other_problem(db):
    with_fields(db)
    with pytest.raises(ValidationFailed) as refused:
        register_case(db, factories.user(db, "lz_window"),
                      factories.case_data(db, applicant_phone="123", form_values={"months": "0", "colour": "红"}))
    found = problems_of(refused.value)
    assert set(found) == {"applicant_phone", "form_values.move_to", "form_values.months", "form_values.colour"}
    assert "迁入地址" in found["form_values.move_to"]


def test_a_draft_keeps_its_values_and_checks_a_change_against_its_own_guide(db):
    matter = with_fields(db)
    clerk = factories.user(db, "lz_window")
    case = factories.make_case(db, form_values={"move_to": "利州区嘉陵路1号"})
    case = update_draft(db, clerk, case.id, {"remarks": "补充说明"})
    assert case.form_values == {"move_to": "利州区嘉陵路1号"}
    add_field(db, matter, key="reason", label="迁移原因", kind="choice", choices="投靠\n务工", required=True)
    catalog.publish_matter(db, matter, SYSTEM)
    case = update_draft(db, clerk, case.id, {"form_values": {"move_to": "利州区嘉陵路2号", "months": 3}})
    assert case.form_values == {"move_to": "利州区嘉陵路2号", "months": 3}  # its guide has no 迁移原因
    with pytest.raises(ValidationFailed) as refused:
        update_draft(db, clerk, case.id, {"form_values": {}})
    assert set(problems_of(refused.value)) == {"form_values.move_to"}


def test_bad_definitions_are_refused_with_every_problem(db):
    matter = factories.matter(db, MATTER)
    add_field(db, matter)
    with pytest.raises(ValidationFailed) as refused:
        add_field(db, matter, key="move_to", label="", kind="choice", min_length=9, max_length=2)
    db.rollback()
    assert set(problems_of(refused.value)) == {"key", "label", "choices", "max_length"}


def test_admin_adds_a_field_in_the_browser_and_the_city_department_only_for_its_line(client, login, db):
    hrss, police = factories.matter(db, MATTER), factories.matter(db, "KYTB-POL-001")
    login("admin")
    token = csrf_token(client, "/matterfieldview/add")
    answer = client.post("/matterfieldview/add", data={
        "matter": hrss.id, "label": "", "key": "Last Employer", "kind": "choice", "csrf_token": token})
    assert answer.status_code == 200  # shown again with the problems
    assert db.query(MatterField).filter_by(matter_id=hrss.id).count() == 0
    answer = client.post("/matterfieldview/add", data={
        "matter": hrss.id, "label": "最后就业单位", "key": "last_employer", "kind": "text", "required": "y",
        "csrf_token": token})
    assert answer.status_code == 302
    item = db.query(MatterField).filter_by(matter_id=hrss.id).one()
    assert (item.key, item.required, item.seq) == ("last_employer", True, 1)
    client.get("/logout/")
    login("city_hrss")
    token = csrf_token(client, f"/matterfieldview/edit/{item.id}")
    answer = client.post(f"/matterfieldview/edit/{item.id}", data={
        "matter": hrss.id, "label": "最后就业单位名称", "key": "last_employer", "kind": "text", "seq": 1,
        "csrf_token": token})
    assert answer.status_code == 302
    db.refresh(item)
    assert item.label == "最后就业单位名称"
    with pytest.raises(Exception):  # out of its line's scope
        records.save(db, MatterField(matter=police, key="x", label="某项", kind="text"),
                     reach_of(factories.user(db, "city_hrss")))
    db.rollback()
