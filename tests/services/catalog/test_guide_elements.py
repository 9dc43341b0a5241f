"""The 办事指南 elements of a matter (实施机关, 设定依据, 办理流程, 到现场次数, 常见问题): checked all at once, carried
into the guide only when set (a guide published before them keeps its content and checksum), through the XLSX
sheet and the matter API."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import ValidationFailed
from app.models.catalog import Matter, MatterStatus
from app.platform import records
from app.scope import SYSTEM
from app.services.catalog import matters as catalog
from app.services.catalog import transfer as catalog_transfer
from tests import factories
from tests.services.catalog.test_catalog_transfer import HEADER_ROW, _edit, _row_of, _without_columns

ELEMENTS = ("实施机关", "设定依据", "办理流程", "到现场次数", "常见问题")
FAQ = "问：要本人到场吗？\n答：可以委托他人办理。\n\n问：收费吗？\n答：不收费。"


def test_a_guide_carries_the_elements_only_when_they_are_set(db):
    matter = factories.make_matter(db)
    plain = catalog.publish_matter(db, matter, SYSTEM)
    assert not {"authority", "legal_basis", "process_steps", "visits", "faq"} & set(plain.content)

    matter.authority, matter.legal_basis, matter.visits, matter.faq = "某某局", "《某某法》第一条", 0, FAQ
    matter.process_steps = "申请\n受理\n审核\n办结\n送达"
    guide = catalog.publish_matter(db, matter, SYSTEM)

    assert guide.version == 2
    assert {k: guide.content[k] for k in ("authority", "legal_basis", "process_steps", "visits", "faq")} == {
        "authority": "某某局", "legal_basis": "《某某法》第一条", "process_steps": "申请\n受理\n审核\n办结\n送达",
        "visits": 0, "faq": FAQ}


def test_no_published_guide_changes_because_the_fields_exist(db):
    published = db.scalars(select(Matter).where(Matter.status == MatterStatus.PUBLISHED)).all()
    assert published and not any(catalog.has_unpublished_changes(m) for m in published)


def test_every_bad_element_is_reported_at_once(db):
    matter = factories.make_matter(db)
    matter.authority, matter.visits = "局" * 256, 10
    matter.faq = "问：只有问题\n\n问：好的？\n答：好的。\n\n答：只有回答"
    try:
        records.save(db, matter, SYSTEM)
    except ValidationFailed as refused:
        problems = refused.problems
    else:
        raise AssertionError("saved")
    assert sorted(p.field for p in problems) == ["authority", "faq", "faq", "visits"]
    assert ["1" in str(p.message) for p in problems if p.field == "faq"] == [True, False]


def test_the_elements_are_exported_and_an_edited_sheet_sets_them(db):
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    sheet = load_workbook(BytesIO(exported)).worksheets[0]
    columns = {c.value: c.column for c in sheet[HEADER_ROW]}
    row = _row_of(exported, "KYTB-MI-002")
    assert "《中华人民共和国社会保险法》第二十九条" in sheet.cell(row, columns["设定依据"]).value
    assert sheet.cell(row, columns["到现场次数"]).value == 0
    assert catalog_transfer.import_catalog(db, exported, SYSTEM).new_versions == 0

    rows = [r for r in range(row, row + 10) if sheet.cell(r, 1).value == "KYTB-MI-002"]
    edits = {(r, "到现场次数"): 1 for r in rows} | {(r, "常见问题"): FAQ for r in rows}
    result = catalog_transfer.import_catalog(db, _edit(exported, edits), SYSTEM)

    assert result.updated == ["KYTB-MI-002"] and result.new_versions == 1
    db.expire_all()
    guide = factories.matter(db, "KYTB-MI-002").current_guide
    assert "visits" not in guide.content and guide.content["faq"] == FAQ


def test_an_older_file_without_the_columns_keeps_the_elements_of_the_matters_it_names(db):
    old = _without_columns(catalog_transfer.export_catalog(db, SYSTEM), ELEMENTS)

    result = catalog_transfer.import_catalog(db, old, SYSTEM)

    assert result.new_versions == 0
    db.expire_all()
    matter = factories.matter(db, "KYTB-MI-002")
    assert matter.visits == 0 and matter.authority and matter.faq.startswith("问：")


def test_the_matter_api_shows_and_edits_the_elements_and_refuses_every_bad_one_at_once(api, db):
    admin = api("admin")
    matter = factories.matter(db, "KYTB-HRSS-003")
    shown = admin.get(f"/api/v1/matter/{matter.id}").get_json()["result"]
    assert shown["visits"] == 1 and shown["authority"] and shown["faq"].startswith("问：")

    refused = admin.put(f"/api/v1/matter/{matter.id}", json={"visits": 12, "faq": "问：没有回答"})
    assert refused.status_code == 422, refused.get_json()
    assert {e["field"] for e in refused.get_json()["errors"]} == {"visits", "faq"}

    saved = admin.put(f"/api/v1/matter/{matter.id}", json={"visits": 0, "legal_basis": "《失业保险条例》第十四条"})
    assert saved.status_code == 200, saved.get_json()
    db.expire_all()
    matter = factories.matter(db, "KYTB-HRSS-003")
    assert (matter.visits, matter.legal_basis) == (0, "《失业保险条例》第十四条")
