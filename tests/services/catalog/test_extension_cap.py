"""延期上限 in the catalog: a matter whose own law caps extensions differently from Art. 42 carries its cap
(0: none) into its guide, the XLSX sheet and the API; a matter without one keeps its guide's content (and
checksum) and follows the general rule."""

from __future__ import annotations

from io import BytesIO

import pytest
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

CAP = "延期上限（工作日）"


def test_a_matter_with_its_own_cap_publishes_it_in_its_guide_and_one_without_keeps_its_guide(db):
    matter = factories.make_matter(db)
    plain = catalog.publish_matter(db, matter, SYSTEM)
    assert "max_extension_days" not in plain.content
    matter.max_extension_days = 0
    capped = catalog.publish_matter(db, matter, SYSTEM)
    assert capped.version == 2 and capped.content["max_extension_days"] == 0


def test_no_published_guide_changes_because_the_field_exists(db):
    published = db.scalars(select(Matter).where(Matter.status == MatterStatus.PUBLISHED)).all()
    assert published and not any(catalog.has_unpublished_changes(m) for m in published)


@pytest.mark.parametrize("days", [-1, 1000])
def test_a_cap_out_of_range_is_refused(db, days):
    matter = factories.make_matter(db)
    matter.max_extension_days = days
    with pytest.raises(ValidationFailed) as refused:
        records.save(db, matter, SYSTEM)
    assert [p.field for p in refused.value.problems] == ["max_extension_days"]


def test_the_cap_is_exported_and_an_edited_sheet_sets_and_clears_it(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    matter.max_extension_days = 5
    catalog.publish_matter(db, matter, SYSTEM)
    exported = catalog_transfer.export_catalog(db, SYSTEM)
    sheet = load_workbook(BytesIO(exported)).worksheets[0]
    column = next(c.column for c in sheet[HEADER_ROW] if c.value == CAP)
    row = _row_of(exported, "KYTB-HRSS-001")
    assert sheet.cell(row, column).value == 5
    assert catalog_transfer.import_catalog(db, exported, SYSTEM).new_versions == 0

    rows = [r for r in range(row, row + 10) if sheet.cell(r, 1).value == "KYTB-HRSS-001"]
    result = catalog_transfer.import_catalog(db, _edit(exported, {(r, CAP): None for r in rows}), SYSTEM)

    assert result.updated == ["KYTB-HRSS-001"]
    db.expire_all()
    matter = factories.matter(db, "KYTB-HRSS-001")
    assert matter.max_extension_days is None and "max_extension_days" not in matter.current_guide.content


def test_an_older_file_without_the_column_keeps_the_cap_of_the_matters_it_names(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    matter.max_extension_days = 0
    catalog.publish_matter(db, matter, SYSTEM)
    old = _without_columns(catalog_transfer.export_catalog(db, SYSTEM), (CAP,))

    result = catalog_transfer.import_catalog(db, old, SYSTEM)

    assert "KYTB-HRSS-001" in result.unchanged and result.new_versions == 0
    db.expire_all()
    assert factories.matter(db, "KYTB-HRSS-001").max_extension_days == 0


def test_the_matter_api_shows_and_edits_the_cap_and_the_pre_check(api, db):
    admin = api("admin")
    matter = factories.matter(db, "KYTB-HRSS-003")
    shown = admin.get(f"/api/v1/matter/{matter.id}").get_json()["result"]
    assert (shown["precheck"], shown["precheck_hours"], shown["max_extension_days"]) == (True, 4, None)

    refused = admin.put(f"/api/v1/matter/{matter.id}", json={"max_extension_days": -3, "precheck_hours": 0})
    assert refused.status_code == 422, refused.get_json()
    assert {e["field"] for e in refused.get_json()["errors"]} == {"max_extension_days", "precheck_hours"}
    db.expire_all()
    assert factories.matter(db, "KYTB-HRSS-003").max_extension_days is None

    saved = admin.put(f"/api/v1/matter/{matter.id}", json={"max_extension_days": 15, "precheck_hours": 8})
    assert saved.status_code == 200, saved.get_json()
    db.expire_all()
    matter = factories.matter(db, "KYTB-HRSS-003")
    assert (matter.max_extension_days, matter.precheck_hours) == (15, 8)
