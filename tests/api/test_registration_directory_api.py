"""The registration directory (/api/v1/registration_directory/): what a clerk's API client may register — the
matters and handling types, the home windows and departments that take a matter and a handling type, and the
fields required — from ``registration_options``, the authority the registration page's pickers ask as well.
Same scope (the clerk's own window), same refusals (an id not offered is 404, a role that registers nothing 403)."""

from __future__ import annotations

from tests import factories

URL = "/api/v1/registration_directory/"


def test_a_clerk_gets_the_matters_handling_types_windows_and_departments_she_may_register(api, db):
    answer = api("lz_window").get(URL)
    assert answer.status_code == 200
    directory = answer.get_json()
    matter = factories.matter(db, "KYTB-HRSS-001")
    assert matter.id in {m["id"] for m in directory["matters"]}
    assert {"id", "code", "name"} <= set(directory["matters"][0])
    assert {"id", "code", "name"} <= set(directory["handling_types"][0])
    assert [c["code"] for c in directory["origin_centers"]][0] == factories.center(db, "lz_center").code
    cangxi = next(c for c in directory["home_centers"] if c["id"] == factories.center(db, "cx_center").id)
    assert cangxi["external"] is False and cangxi["county"]["name"] == "苍溪县"
    assert {"address", "postcode", "phone", "hotline", "hours", "region"} <= set(cangxi)
    assert "applicant_name" in directory["required"]
    assert all({"id", "name", "region", "county"} <= set(d) for d in directory["departments"])


def test_the_directory_follows_the_matter_handling_type_and_home_window_as_the_page_does(api, client, login, db):
    matter = factories.matter(db, "KYTB-HRSS-003")
    cangxi = factories.center(db, "cx_center")
    directory = api("lz_window").get(f"{URL}?matter={matter.id}&home_center={cangxi.id}").get_json()
    assert {t["id"] for t in directory["handling_types"]} == {t.id for t in matter.handling_types}
    assert [d["name"] for d in directory["departments"]] == ["苍溪县人力资源和社会保障局"]
    assert "department_id" in directory["required"]
    login("lz_window")
    page = client.get(f"/cases/register/options?matter_id={matter.id}&home_center_id={cangxi.id}").get_json()
    assert [d["id"] for d in page["departments"]] == [d["id"] for d in directory["departments"]]
    assert [c["id"] for c in page["home_centers"]] == [c["id"] for c in directory["home_centers"]]
    assert page["required"] == directory["required"]


def test_an_id_not_offered_is_not_found_and_a_role_that_registers_nothing_is_refused(api, db):
    clerk = api("lz_window")
    assert clerk.get(f"{URL}?matter=999999").status_code == 404
    assert clerk.get(f"{URL}?handling_type=abc").status_code == 404
    other_window = factories.center(db, "cx_center")
    assert clerk.get(f"{URL}?origin_center={other_window.id}").status_code == 404  # not the clerk's own window
    assert api("cx_hrss").get(URL).status_code == 403
    assert api("city_super").get(URL).status_code == 403


def test_a_case_registered_with_values_from_the_directory_is_accepted(api, db):
    clerk = api("lz_window")
    matter = factories.matter(db, "KYTB-HRSS-001")
    first = clerk.get(f"{URL}?matter={matter.id}").get_json()
    handling_type = first["handling_types"][0]
    second = clerk.get(f"{URL}?matter={matter.id}&handling_type={handling_type['id']}").get_json()
    home = next(c for c in second["home_centers"] if not c["external"])
    third = clerk.get(f"{URL}?matter={matter.id}&handling_type={handling_type['id']}&home_center={home['id']}")
    department = third.get_json()["departments"][0]
    body = dict(factories.APPLICANT, matter_id=matter.id, handling_type_id=handling_type["id"],
                home_center_id=home["id"], department_id=department["id"])
    assert set(third.get_json()["required"]) <= set(body) | {"origin_center_id"}
    answer = clerk.post("/api/v1/case/", json=body)
    assert answer.status_code == 201, answer.get_json()


def test_a_department_the_directory_does_not_offer_is_refused_by_registration(api, db):
    clerk = api("lz_window")
    matter = factories.matter(db, "KYTB-HRSS-001")
    cangxi = factories.center(db, "cx_center")
    offered = clerk.get(f"{URL}?matter={matter.id}&home_center={cangxi.id}").get_json()["departments"]
    not_offered = factories.department(db, "lz_police")
    assert not_offered.id not in {d["id"] for d in offered}
    body = factories.case_data(db, department_key="lz_police")
    answer = clerk.post("/api/v1/case/", json=body)
    assert answer.status_code == 422
    assert "department_id" in {problem["field"] for problem in answer.get_json()["errors"]}


def test_the_directory_needs_a_token(client, db):
    assert client.get(URL).status_code == 401
