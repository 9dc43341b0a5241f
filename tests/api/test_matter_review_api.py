"""审核 (我条线的审查要点) through the API (issue 15 API parity): /api/v1/matter_review/ for the city department,
with the page's permission (MatterReview), write scope (its line's matters) and rules (review points only)."""

from __future__ import annotations

from tests import factories

URL = "/api/v1/matter_review/"


def test_the_city_department_reads_and_changes_the_review_points_of_its_line(api, db):
    hrss, police = factories.matter(db, "KYTB-HRSS-001"), factories.matter(db, "KYTB-POL-001")
    city = api("city_hrss")
    listed = city.get(URL)
    assert listed.status_code == 200
    assert hrss.id in [row["id"] for row in listed.get_json()["result"]]
    shown = city.get(f"{URL}{hrss.id}")
    assert shown.status_code == 200 and "review_points" in shown.get_json()["result"]
    changed = city.put(f"{URL}{hrss.id}", json={"review_points": "核对身份证原件\n核对参保记录"})
    assert changed.status_code == 200, changed.get_json()
    db.refresh(hrss)
    assert hrss.review_points == "核对身份证原件\n核对参保记录"
    assert city.put(f"{URL}{police.id}", json={"review_points": "x"}).status_code == 404  # another line's
    refused = city.put(f"{URL}{hrss.id}", json={"name": "改名"})  # not a column of the review
    assert refused.status_code in (400, 422)
    db.refresh(hrss)
    assert hrss.name != "改名"


def test_only_the_city_department_reviews(api, db):
    hrss = factories.matter(db, "KYTB-HRSS-001")
    for user in ("admin", "lz_window", "city_super"):
        assert api(user).get(URL).status_code == 403, user
        assert api(user).put(f"{URL}{hrss.id}", json={"review_points": "x"}).status_code == 403, user
    assert api("city_hrss").post(URL, json={"review_points": "x"}).status_code in (404, 405)
    assert api("city_hrss").delete(f"{URL}{hrss.id}").status_code in (404, 405)
