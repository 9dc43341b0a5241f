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

PDF = factories.small_pdf()  # a sample form is parsed like a scan: a real PDF without active content


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


# --- issue 9, defect 1: a city department edits review points and sample forms, nothing else ------------


def test_a_city_department_cannot_add_or_delete_matters_through_the_review_points_view(client, login, db):
    from sqlalchemy import func, select

    from app.models.catalog import Matter

    draft = factories.make_matter(db, line="hrss")  # its own line, never published: deletable by an admin
    login("city_hrss")
    before = db.scalar(select(func.count()).select_from(Matter))
    token = csrf_token(client, f"/matterreviewview/edit/{draft.id}")
    added = client.post("/matterreviewview/add", data={
        "code": "EVIL-1", "name": "伪造事项", "line": "hrss", "status": "published", "legal_limit_days": "1",
        "promised_limit_days": "1", "csrf_token": token})
    deleted = client.post(f"/matterreviewview/delete/{draft.id}", data={"csrf_token": token})
    assert added.status_code in (403, 404, 405) and deleted.status_code in (403, 404, 405)
    assert db.scalar(select(func.count()).select_from(Matter)) == before
    assert db.get(Matter, draft.id) is not None


def test_a_city_department_changes_only_review_points_and_sample_forms_whatever_the_path(db):
    """The rule is the services', not the view's: any other change by a city department is refused."""
    from app.models.catalog import MaterialRequirement, Matter
    from app.platform import records

    city = reach_of(factories.user(db, "city_hrss"))
    matter = factories.make_matter(db, line="hrss")
    with pytest.raises(ValidationFailed):
        records.save(db, Matter(code="EVIL-2", name="伪造事项", line="hrss", legal_limit_days=1,
                                promised_limit_days=1, status="published"), city)
    matter.name = "改名"
    matter.review_points = "1. 核验原件。"
    with pytest.raises(ValidationFailed) as refused:
        records.save(db, matter, city)
    assert [p.field for p in refused.value.problems] == ["name"]
    db.refresh(matter)
    matter.review_points = "1. 核验原件。"
    assert records.save(db, matter, city).review_points == "1. 核验原件。"
    with pytest.raises(ValidationFailed):
        records.delete(db, matter, city)
    with pytest.raises(ValidationFailed):
        records.save(db, MaterialRequirement(matter=matter, name="新材料", copies=1, form="copy"), city)
    material = matter.materials[0]
    material.required = False
    with pytest.raises(ValidationFailed):
        records.save(db, material, city)
    db.refresh(material)
    with pytest.raises(ValidationFailed):
        records.delete(db, material, city)


def test_a_city_department_uploads_the_sample_form_of_its_lines_material_through_the_edit_form(client, login, db):
    material = factories.matter(db, "KYTB-HRSS-001").materials[1]
    login("city_hrss")
    token = csrf_token(client, f"/materialrequirementview/edit/{material.id}")
    unchanged = {"matter": str(material.matter_id), "seq": str(material.seq), "name": material.name,
                 "copies": str(material.copies), "form": material.form, "note": material.note or "",
                 "csrf_token": token}
    if material.required:
        unchanged["required"] = "y"
    if material.original_check:
        unchanged["original_check"] = "y"
    response = client.post(f"/materialrequirementview/edit/{material.id}", content_type="multipart/form-data",
                           data=unchanged | {"sample_file": (BytesIO(PDF), "样表.pdf")})
    assert response.status_code == 302
    db.refresh(material)
    assert material.sample_file_name == "样表.pdf"
    renamed = client.post(f"/materialrequirementview/edit/{material.id}", content_type="multipart/form-data",
                          data=unchanged | {"name": "改名"})
    assert renamed.status_code == 200 and "只能修改审核要点和样本样表" in renamed.get_data(as_text=True)
    db.refresh(material)
    assert material.name != "改名"


def test_a_guide_published_before_the_deferrable_flag_existed_has_no_unpublished_change(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    assert not catalog.has_unpublished_changes(matter)
    guide = matter.current_guide
    old_content = guide.content | {"materials": [{k: v for k, v in m.items() if k != "deferrable"}
                                                 for m in guide.content["materials"]]}
    guide.sha256 = catalog.content_sha256(old_content)  # as the publication before issue 12 stored it
    assert not catalog.has_unpublished_changes(matter)
    matter.materials[-1].deferrable = True  # marking one 可容缺 is a change to publish
    assert catalog.has_unpublished_changes(matter)
