"""样表 upload through the API (issue 15 API parity): POST /api/v1/material_requirement/{pk}/sample, multipart
``file``, the page's checks (storage.attach_sample_form), permission and write scope."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.models.catalog import MaterialRequirement, Matter
from tests import factories


def _material_of(db, code):
    return db.scalars(select(MaterialRequirement).join(Matter).where(Matter.code == code)
                      .order_by(MaterialRequirement.id)).first()


def test_the_admin_uploads_a_sample_form_and_it_is_downloaded(api, db):
    material = _material_of(db, "KYTB-HRSS-001")
    admin = api("admin")
    url = f"/api/v1/material_requirement/{material.id}/sample"
    answer = admin.post(url, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(factories.small_pdf()), "样表.pdf")})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["result"]["sample_file_name"] == "样表.pdf"
    db.refresh(material)
    assert material.sample_file_name == "样表.pdf"
    downloaded = admin.get(url)
    assert downloaded.status_code == 200 and downloaded.data == factories.small_pdf()


def test_every_problem_of_the_file_at_once_and_no_file_is_422(api, db):
    material = _material_of(db, "KYTB-HRSS-001")
    url = f"/api/v1/material_requirement/{material.id}/sample"
    refused = api("admin").post(url, content_type="multipart/form-data",
                                data={"file": (io.BytesIO(b"plain text"), "fake.pdf")})
    assert refused.status_code == 422
    assert [p["field"] for p in refused.get_json()["errors"]] == ["sample_file"]
    nothing = api("admin").post(url, content_type="multipart/form-data", data={})
    assert nothing.status_code == 422


def test_the_city_department_uploads_for_its_line_only_and_a_clerk_may_not(api, db):
    own, other = _material_of(db, "KYTB-HRSS-001"), _material_of(db, "KYTB-POL-001")
    city = api("city_hrss")
    pdf = lambda: {"file": (io.BytesIO(factories.small_pdf()), "样表.pdf")}  # noqa: E731
    assert city.post(f"/api/v1/material_requirement/{own.id}/sample", content_type="multipart/form-data",
                     data=pdf()).status_code == 200
    assert city.post(f"/api/v1/material_requirement/{other.id}/sample", content_type="multipart/form-data",
                     data=pdf()).status_code == 404  # another line's material: out of its write scope
    assert api("lz_window").post(f"/api/v1/material_requirement/{own.id}/sample",
                                 content_type="multipart/form-data", data=pdf()).status_code == 403
    assert api("admin").post("/api/v1/material_requirement/999999/sample", content_type="multipart/form-data",
                             data=pdf()).status_code == 404
