"""Publishing matters: frozen guide versions, only when something changed; retiring; sample forms;
city departments maintain the review points of their own line only."""

from __future__ import annotations

from io import BytesIO

import pytest

from app.errors import NotFound, ValidationFailed
from app.models.catalog import Guide, ImmutableRecord
from app.scope import SYSTEM, reach_of
from app.services.catalog import matters as catalog
from tests import factories
from tests.conftest import csrf_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_publishing_freezes_a_version_and_unchanged_republishing_adds_none(db):
    matter = factories.make_matter(db)
    first = catalog.publish_matter(db, matter, SYSTEM)
    assert first.version == 1 and matter.status == "published"
    assert catalog.publish_matter(db, matter, SYSTEM) is None
    matter.materials[0].name = "改名后的材料"
    second = catalog.publish_matter(db, matter, SYSTEM)
    assert second.version == 2
    assert first.content["materials"][0]["name"] == "材料1"
    assert second.content["materials"][0]["name"] == "改名后的材料"


def test_a_published_guide_cannot_be_changed_or_deleted(db):
    guide = factories.matter(db, "KYTB-HRSS-001").current_guide
    guide.note = "悄悄修改"
    with pytest.raises(ImmutableRecord):
        db.flush()
    db.rollback()
    db.delete(db.get(Guide, guide.id))
    with pytest.raises(ImmutableRecord):
        db.flush()
    db.rollback()


def test_publishing_reports_every_missing_part_at_once(db):
    matter = factories.make_matter(db, materials=0, handling_types=[])
    matter.promised_limit_days, matter.legal_limit_days = 30, 20  # edited, not saved: publishing checks again
    with pytest.raises(ValidationFailed) as refused:
        catalog.publish_matter(db, matter, SYSTEM)
    assert {p.field for p in refused.value.problems} == {"promised_limit_days", "materials", "handling_types"}


def test_a_published_matter_is_retired_not_deleted(client, login, db):
    matter = factories.matter(db, "KYTB-MI-001")
    login("admin")
    token = csrf_token(client, "/matterview/list/")
    client.post(f"/matterview/delete/{matter.id}", data={"csrf_token": token})
    assert db.get(type(matter), matter.id) is not None
    catalog.retire_matter(db, matter, SYSTEM)
    assert matter.status == "retired" and matter.current_guide is not None


def test_city_department_edits_review_points_of_its_own_line_only(client, login, db):
    hrss = factories.matter(db, "KYTB-HRSS-001")
    police = factories.matter(db, "KYTB-POL-001")
    login("city_hrss")
    token = csrf_token(client, f"/matterreviewview/edit/{hrss.id}")
    response = client.post(f"/matterreviewview/edit/{hrss.id}",
                           data={"review_points": "1. 核验身份证原件。", "csrf_token": token})
    assert response.status_code == 302
    db.refresh(hrss)
    assert hrss.review_points == "1. 核验身份证原件。"
    assert client.get(f"/matterreviewview/edit/{police.id}").status_code == 404
    with pytest.raises(NotFound):
        catalog.publish_matter(db, police, reach_of(factories.user(db, "city_hrss")))


def test_a_sample_form_is_stored_outside_static_and_downloaded_through_the_scope(app, client, login, db):
    material = factories.matter(db, "KYTB-HRSS-001").materials[1]
    login("admin")
    token = csrf_token(client, f"/materialrequirementview/edit/{material.id}")
    form = {"matter": str(material.matter_id), "seq": str(material.seq), "name": material.name,
            "copies": str(material.copies), "form": material.form, "required": "y", "note": material.note,
            "csrf_token": token, "sample_file": (BytesIO(PDF), "社会保障卡申领登记表（样表）.pdf")}
    response = client.post(f"/materialrequirementview/edit/{material.id}", data=form,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.refresh(material)
    assert material.sample_file_name == "社会保障卡申领登记表（样表）.pdf"
    stored = app.config["STORAGE_DIR"] / material.sample_file_key
    assert stored.read_bytes() == PDF and "static" not in str(stored)
    client.get("/logout/")
    login("lz_window")
    download = client.get(f"/materialrequirementview/sample/{material.id}")
    assert download.status_code == 200 and download.data == PDF


def test_a_sample_form_that_is_not_pdf_jpeg_or_png_is_refused_by_content(client, login, db):
    material = factories.matter(db, "KYTB-HRSS-001").materials[0]
    login("admin")
    token = csrf_token(client, f"/materialrequirementview/edit/{material.id}")
    form = {"matter": str(material.matter_id), "seq": str(material.seq), "name": material.name,
            "copies": str(material.copies), "form": material.form, "required": "y", "csrf_token": token,
            "sample_file": (BytesIO(b"MZ\x90\x00 not a pdf"), "样表.pdf")}
    page = client.post(f"/materialrequirementview/edit/{material.id}", data=form,
                       content_type="multipart/form-data").get_data(as_text=True)
    db.refresh(material)
    assert material.sample_file_key is None
    assert "样表.pdf" in page
