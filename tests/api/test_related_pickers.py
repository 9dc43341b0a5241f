"""The related pickers of the REST API's `_info` list only what the user may read, and no field says the
translation catalogue's header (issue 9, defect 10)."""

from __future__ import annotations

import pytest

from app.demo.data import USERS

RESOURCES_WITH_INFO = ("region", "center", "department", "handling_type", "matter")
CATALOGUE_HEADER = "Project-Id-Version"


def _picker(info: dict, columns: str, field: str) -> dict:
    return next(f for f in info[columns] if f["name"] == field)


def _readable_ids(client, resource: str) -> set[int]:
    response = client.get(f"/api/v1/{resource}/?q=(page_size:100)")
    if response.status_code in (401, 403):
        return set()
    assert response.status_code == 200
    return {row["id"] for row in response.get_json()["result"]}


@pytest.mark.parametrize("username", ["lz_hrss", "city_hrss"])
def test_department_info_lists_no_center_to_a_user_who_cannot_read_centers(api, username):
    client = api(username)
    assert client.get("/api/v1/center/").status_code == 403
    info = client.get("/api/v1/department/_info").get_json()
    for columns in ("add_columns", "edit_columns"):
        picker = _picker(info, columns, "center")
        assert picker["values"] == [] and picker["count"] == 0


@pytest.mark.parametrize("username", ["admin", "lz_admin", "city_super"])
def test_the_center_picker_lists_the_centers_the_user_may_read(api, username):
    client = api(username)
    info = client.get("/api/v1/department/_info?q=(add_columns:(center:(page_size:100)))").get_json()
    listed = {value["id"] for value in _picker(info, "add_columns", "center")["values"]}
    assert listed == _readable_ids(client, "center")


def test_a_county_administrator_is_not_offered_another_countys_centers(api, db):
    from tests import factories

    other_county = factories.center(db, "cx_center")
    info = api("lz_admin").get("/api/v1/department/_info?q=(add_columns:(center:(page_size:100)))").get_json()
    assert other_county.id not in {value["id"] for value in _picker(info, "add_columns", "center")["values"]}


@pytest.mark.parametrize("username", [user["username"] for user in USERS])
def test_no_info_field_says_the_translation_catalogue_header(api, username):
    client = api(username)
    for resource in RESOURCES_WITH_INFO:
        response = client.get(f"/api/v1/{resource}/_info")
        if response.status_code == 403:
            continue
        assert response.status_code == 200
        assert CATALOGUE_HEADER not in response.get_data(as_text=True), resource
