"""补充信息 as a resource of its own (issue 15 API parity): /api/v1/matter_field/ with the page's record rules,
permission and scope: the administrator for every matter, the city department for its line's only."""

from __future__ import annotations

from app.models.catalog import MatterField
from tests import factories

URL = "/api/v1/matter_field/"


def test_the_admin_adds_edits_and_deletes_a_field_with_every_problem_at_once(api, db):
    hrss = factories.matter(db, "KYTB-HRSS-001")
    admin = api("admin")
    refused = admin.post(URL, json={"matter": hrss.id, "label": "", "key": "Last Employer", "kind": "choice"})
    assert refused.status_code == 422, refused.get_json()
    assert {"key", "label", "choices"} <= {p["field"] for p in refused.get_json()["errors"]}
    assert db.query(MatterField).filter_by(matter_id=hrss.id).count() == 0

    added = admin.post(URL, json={"matter": hrss.id, "label": "最后就业单位", "key": "last_employer", "kind": "text",
                                  "required": True})
    assert added.status_code == 201, added.get_json()
    pk = added.get_json()["id"]
    item = db.get(MatterField, pk)
    assert (item.key, item.required, item.seq) == ("last_employer", True, 1)  # the same seq as the page gives

    clash = admin.post(URL, json={"matter": hrss.id, "label": "另一项", "key": "last_employer", "kind": "text"})
    assert clash.status_code == 422
    assert [p["field"] for p in clash.get_json()["errors"]] == ["key"]

    shown = admin.get(f"{URL}{pk}")
    assert shown.status_code == 200
    assert shown.get_json()["result"]["label"] == "最后就业单位"
    changed = admin.put(f"{URL}{pk}", json={"label": "最后就业单位名称"})
    assert changed.status_code == 200, changed.get_json()
    db.refresh(item)
    assert item.label == "最后就业单位名称"
    listed = admin.get(URL).get_json()
    assert pk in [row["id"] for row in listed["result"]]
    assert admin.delete(f"{URL}{pk}").status_code == 200
    assert admin.get(f"{URL}{pk}").status_code == 404


def test_the_city_department_writes_for_its_line_only_and_a_clerk_only_reads(api, db):
    hrss, police = factories.matter(db, "KYTB-HRSS-001"), factories.matter(db, "KYTB-POL-001")
    city = api("city_hrss")
    own = city.post(URL, json={"matter": hrss.id, "label": "最后就业单位", "key": "last_employer", "kind": "text"})
    assert own.status_code == 201, own.get_json()
    other = city.post(URL, json={"matter": police.id, "label": "某项", "key": "x", "kind": "text"})
    assert other.status_code in (404, 422), other.get_json()  # another line's matter: out of its write scope
    assert db.query(MatterField).filter_by(matter_id=police.id).count() == 0

    foreign = api("admin").post(URL, json={"matter": police.id, "label": "某项", "key": "x", "kind": "text"})
    assert foreign.status_code == 201
    assert city.put(f"{URL}{foreign.get_json()['id']}", json={"label": "改"}).status_code == 404

    clerk = api("lz_window")
    assert clerk.get(URL).status_code == 200
    assert clerk.post(URL, json={"matter": hrss.id, "label": "某项", "key": "y", "kind": "text"}).status_code == 403
    assert clerk.delete(f"{URL}{own.get_json()['id']}").status_code == 403
