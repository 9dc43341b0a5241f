"""The one scope rule over the per-county objects (centers, departments, users), for every role,
through every door: list, show, edit, delete, bulk action, REST — and writes out of scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.org import Department, ServiceCenter
from app.models.staff import StaffUser
from app.scope import criterion, reach_of
from tests import factories
from tests.conftest import csrf_token

LZ, CX = "510802", "510824"


def visible(db, model, username):
    reach = reach_of(factories.user(db, username))
    return set(db.execute(select(model.id).where(criterion(model, reach))).scalars())


# --- the rule itself, per role -------------------------------------------------------------


def test_admin_and_city_supervisor_see_every_center(db):
    everything = set(db.execute(select(ServiceCenter.id)).scalars())
    assert visible(db, ServiceCenter, "admin") == everything
    assert visible(db, ServiceCenter, "city_super") == everything


def test_county_admin_sees_the_centers_and_stations_of_its_county_only(db):
    ids = visible(db, ServiceCenter, "lz_admin")
    centers = db.execute(select(ServiceCenter).where(ServiceCenter.id.in_(ids))).scalars().all()
    assert {c.code for c in centers} >= {"GYLZ", "GYLZDB"}  # the county center and a township station
    assert all(c.region.county.code == LZ for c in centers)
    assert factories.center(db, "cx_center").id not in ids


def test_window_clerk_sees_its_own_center_only(db):
    assert visible(db, ServiceCenter, "lz_window") == {factories.center(db, "lz_center").id}


def test_department_officer_sees_its_own_department_only(db):
    assert visible(db, Department, "lz_hrss") == {factories.department(db, "lz_hrss").id}
    assert visible(db, ServiceCenter, "lz_hrss") == set()


def test_city_department_sees_its_line_in_every_county(db):
    ids = visible(db, Department, "city_hrss")
    departments = db.execute(select(Department).where(Department.id.in_(ids))).scalars().all()
    assert {d.line for d in departments} == {"hrss"}
    assert factories.department(db, "lz_hrss").id in ids and factories.department(db, "cx_hrss").id in ids


def test_county_admin_manages_its_county_staff_but_not_itself_or_other_admins(db):
    readable = visible(db, StaffUser, "lz_admin")
    names = set(db.execute(select(StaffUser.username).where(StaffUser.id.in_(readable))).scalars())
    assert names == {"lz_admin", "lz_window", "lz_hrss", "lz_police"}
    reach = reach_of(factories.user(db, "lz_admin"))
    writable = set(db.execute(select(StaffUser.username).where(criterion(StaffUser, reach, write=True))).scalars())
    assert writable == {"lz_window", "lz_hrss", "lz_police"}


def test_a_model_without_a_declared_rule_is_visible_to_nobody(db):
    class Undeclared:
        pass

    assert str(criterion(Undeclared, reach_of(factories.user(db, "admin")))) == "false"


# --- generated views ------------------------------------------------------------------------


def test_center_list_shows_only_the_county_of_a_county_admin(client, login, db):
    login("lz_admin")
    page = client.get("/centerview/list/?psize_CenterView=100").get_data(as_text=True)
    assert "广元市利州区政务服务中心" in page
    assert "苍溪县政务服务中心" not in page
    assert "重庆市渝中区政务服务中心" not in page


@pytest.mark.parametrize("verb", ["show", "edit"])
def test_out_of_scope_center_answers_404_in_show_and_edit(client, login, db, verb):
    other = factories.center(db, "cx_center")
    login("lz_admin")
    assert client.get(f"/centerview/{verb}/{other.id}").status_code == 404


def test_out_of_scope_delete_answers_404_and_deletes_nothing(client, login, db):
    victim = factories.make_center(db, county=CX)
    db.commit()
    login("lz_admin")
    token = csrf_token(client, "/centerview/list/")
    response = client.post(f"/centerview/delete/{victim.id}", data={"csrf_token": token})
    assert response.status_code == 404
    assert db.get(ServiceCenter, victim.id) is not None


def test_bulk_delete_with_an_out_of_scope_id_answers_404_and_deletes_nothing(client, login, db):
    mine = factories.make_center(db, county=LZ)
    theirs = factories.make_center(db, county=CX)
    db.commit()
    login("lz_admin")
    token = csrf_token(client, "/centerview/list/")
    response = client.post("/centerview/action_post",
                           data={"action": "muldelete", "rowid": [mine.id, theirs.id], "csrf_token": token})
    assert response.status_code == 404
    assert db.get(ServiceCenter, mine.id) is not None and db.get(ServiceCenter, theirs.id) is not None


def test_bulk_delete_within_scope_deletes(client, login, db):
    mine = factories.make_center(db, county=LZ)
    db.commit()
    login("lz_admin")
    token = csrf_token(client, "/centerview/list/")
    response = client.post("/centerview/action_post", data={"action": "muldelete", "rowid": [mine.id], "csrf_token": token})
    assert response.status_code == 302
    assert db.get(ServiceCenter, mine.id) is None


def test_single_record_action_on_out_of_scope_id_answers_404(client, login, db):
    theirs = factories.make_center(db, county=CX)
    db.commit()
    login("lz_admin")
    token = csrf_token(client, "/centerview/list/")
    assert client.post(f"/centerview/action/muldelete/{theirs.id}", data={"csrf_token": token}).status_code == 404
    assert db.get(ServiceCenter, theirs.id) is not None


def test_single_record_bulk_delete_in_scope_deletes_the_record(client, login, db):
    """Found by the authorization matrix: the bulk action asked for one record through
    ``/action/muldelete/<pk>`` answered 500 (it was handed the record, not a list)."""
    mine = factories.make_center(db, county=LZ)
    db.commit()
    login("lz_admin")
    token = csrf_token(client, "/centerview/list/")
    assert client.post(f"/centerview/action/muldelete/{mine.id}", data={"csrf_token": token}).status_code == 302
    assert db.get(ServiceCenter, mine.id) is None


def test_single_record_bulk_delete_of_a_record_readable_but_not_writable_answers_404(client, login, db):
    """City departments read every requirement but change only those of their line's matters: another
    line's answers like a missing one (it answered 500)."""
    from sqlalchemy import select

    from app.models.catalog import MaterialRequirement, Matter

    other_line = db.scalars(select(MaterialRequirement).join(Matter).where(Matter.line != "hrss")).first()
    login("city_hrss")
    token = csrf_token(client, "/materialrequirementview/list/")
    answer = client.post(f"/materialrequirementview/action/muldelete/{other_line.id}", data={"csrf_token": token})
    assert answer.status_code == 404
    assert db.get(MaterialRequirement, other_line.id) is not None


def test_an_action_for_one_record_sent_for_a_list_is_refused_not_answered_500(client, login, db):
    """Found by the authorization matrix: "reset password" (an action for one record) sent through the
    list's ``action_post`` answered 500."""
    clerk = factories.user(db, "lz_window")
    login("admin")
    token = csrf_token(client, "/users/list/")
    answer = client.post("/users/action_post", data={"action": "resetpasswords", "rowid": [clerk.id],
                                                     "csrf_token": token})
    assert answer.status_code == 302 and "/resetpassword/" not in answer.headers["Location"]


def test_delete_by_get_is_refused(client, login, db):
    mine = factories.make_center(db, county=LZ)
    db.commit()
    login("lz_admin")
    client.get(f"/centerview/delete/{mine.id}")
    assert db.get(ServiceCenter, mine.id) is not None


def _center_form(db, region_code: str, **overrides) -> dict:
    return {
        "code": factories.unique("NC"), "name": factories.unique("新便民服务站"), "kind": "station",
        "region": str(factories.region(db, region_code).id), "address": "四川省广元市测试路2号",
        "postcode": "628000", "phone": "0839-3261234", "hours": "工作日", "active": "y", "has_window": "y",
    } | overrides


def test_county_admin_cannot_create_a_center_in_another_county(client, login, db):
    login("lz_admin")
    form = _center_form(db, CX)
    form["csrf_token"] = csrf_token(client, "/centerview/add")
    page = client.post("/centerview/add", data=form).get_data(as_text=True)
    assert db.execute(select(ServiceCenter).where(ServiceCenter.code == form["code"])).first() is None
    assert "有效" in page or "Not a valid choice" in page or "管理范围" in page or "outside your scope" in page


def test_county_admin_cannot_move_its_center_to_another_county(client, login, db):
    mine = factories.make_center(db, county=LZ)
    db.commit()
    login("lz_admin")
    form = _center_form(db, CX, code=mine.code, name=mine.name)
    form["csrf_token"] = csrf_token(client, f"/centerview/edit/{mine.id}")
    client.post(f"/centerview/edit/{mine.id}", data=form)
    db.expire_all()
    assert db.get(ServiceCenter, mine.id).region.code == LZ


def test_county_admin_creates_a_station_in_its_county(client, login, db):
    login("lz_admin")
    form = _center_form(db, LZ)
    form["csrf_token"] = csrf_token(client, "/centerview/add")
    response = client.post("/centerview/add", data=form)
    assert response.status_code == 302
    created = db.execute(select(ServiceCenter).where(ServiceCenter.code == form["code"])).scalar_one()
    assert created.region.code == LZ


def test_a_refused_save_keeps_the_form_and_lists_every_problem(client, login, db):
    login("admin")
    form = _center_form(db, LZ, code="x", postcode="12", phone="123", address="")
    form["csrf_token"] = csrf_token(client, "/centerview/add")
    response = client.post("/centerview/add", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, not a redirect
    for fragment in ("2 to 16", "six digits", "123", "address"):
        pass
    assert page.count("help-block") >= 4 or page.count("has-error") >= 4
    assert db.execute(select(ServiceCenter).where(ServiceCenter.name == form["name"])).first() is None


def test_window_clerk_has_no_write_access_to_centers(client, login, db):
    login("lz_window")
    response = client.get(f"/centerview/edit/{factories.center(db, 'lz_center').id}")
    assert response.status_code == 403


# --- users ------------------------------------------------------------------------------------


def test_county_admin_user_list_shows_its_county_only(client, login, db):
    login("cx_admin")
    page = client.get("/users/list/").get_data(as_text=True)
    assert "cx_window" in page and "lz_window" not in page and ">admin<" not in page


def test_county_admin_cannot_edit_or_reset_the_password_of_an_administrator(client, login, db):
    login("lz_admin")
    admin = factories.user(db, "admin")
    assert client.get(f"/users/edit/{admin.id}").status_code == 404
    assert client.get(f"/resetpassword/form?pk={admin.id}").status_code == 404
    me = factories.user(db, "lz_admin")
    assert client.get(f"/users/edit/{me.id}").status_code == 404  # not even itself


def test_county_admin_resets_the_password_of_its_clerk(client, login, db):
    clerk = factories.user(db, "lz_window")
    login("lz_admin")
    assert client.get(f"/resetpassword/form?pk={clerk.id}").status_code == 200


@pytest.mark.parametrize("page", ["/users/add", "/users/edit/{clerk}"])
def test_a_user_form_without_a_role_is_shown_again_not_answered_500(client, login, db, page):
    """Found by the authorization matrix: FAB's "role or group" check read a groups field our form
    does not have (500)."""
    clerk = factories.user(db, "lz_window")
    login("admin")
    url = page.format(clerk=clerk.id)
    token = csrf_token(client, url)
    answer = client.post(url, data={"username": "new_clerk", "first_name": "新", "last_name": "张",
                                    "email": "new_clerk@gy-demo.example.cn", "csrf_token": token})
    assert answer.status_code == 200
    db.expire_all()
    assert [r.name for r in factories.user(db, "lz_window").roles] == ["WindowClerk"]


def test_county_admin_cannot_give_the_admin_role(client, login, db):
    from flask_appbuilder.security.sqla.models import Role

    clerk = factories.user(db, "lz_window")
    admin_role = db.execute(select(Role).where(Role.name == "Admin")).scalar_one()
    login("lz_admin")
    token = csrf_token(client, f"/users/edit/{clerk.id}")
    client.post(f"/users/edit/{clerk.id}", data={
        "username": clerk.username, "first_name": clerk.first_name, "last_name": clerk.last_name,
        "email": clerk.email, "active": "y", "roles": [str(admin_role.id)],
        "center": str(clerk.center_id), "csrf_token": token,
    })
    db.expire_all()
    assert [r.name for r in factories.user(db, "lz_window").roles] == ["WindowClerk"]


# --- REST ---------------------------------------------------------------------------------------


def test_rest_center_list_is_scoped_like_the_views(api, db):
    body = api("cx_admin").get("/api/v1/center/?q=(page_size:100)").get_json()
    codes = {row["code"] for row in body["result"]}
    assert "GYCX" in codes and "GYLZ" not in codes
    assert body["count"] == len(visible(db, ServiceCenter, "cx_admin"))


def test_rest_out_of_scope_ids_answer_404_for_get_put_and_delete(api, db):
    theirs = factories.make_center(db, county=LZ)
    db.commit()
    client = api("cx_admin")
    assert client.get(f"/api/v1/center/{theirs.id}").status_code == 404
    assert client.put(f"/api/v1/center/{theirs.id}", json={"phone": "0839-1234567"}).status_code == 404
    assert client.delete(f"/api/v1/center/{theirs.id}").status_code == 404
    assert db.get(ServiceCenter, theirs.id) is not None


def test_rest_create_out_of_scope_is_refused_with_422(api, db):
    response = api("cx_admin").post("/api/v1/center/", json={
        "code": "CXNEW1", "name": "越界新建的中心", "kind": "center", "region": factories.region(db, LZ).id,
        "address": "利州区某路", "postcode": "628000", "phone": "0839-3261234",
    })
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert db.execute(select(ServiceCenter).where(ServiceCenter.code == "CXNEW1")).first() is None


def test_rest_move_out_of_scope_is_refused_with_422(api, db):
    mine = factories.make_center(db, county=CX)
    db.commit()
    response = api("cx_admin").put(f"/api/v1/center/{mine.id}", json={"region": factories.region(db, LZ).id})
    assert response.status_code == 422
    db.expire_all()
    assert db.get(ServiceCenter, mine.id).region.code == CX


def test_rest_validation_reports_every_problem(api, db):
    response = api("admin").post("/api/v1/center/", json={
        "code": "x", "name": "坏数据", "kind": "center", "region": factories.region(db, LZ).id,
        "address": "", "postcode": "12", "phone": "123",
    })
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"code", "postcode", "phone", "address"}


def test_rest_without_a_token_answers_401(client):
    assert client.get("/api/v1/center/").status_code == 401


def test_rest_role_without_permission_answers_403(api):
    assert api("lz_hrss").get("/api/v1/center/").status_code == 403


@pytest.mark.parametrize("username,expected", [
    ("admin", None), ("city_super", None), ("lz_admin", "lz"), ("cx_admin", "cx"), ("lz_hrss", "own"),
    ("city_hrss", "line"),
])
def test_rest_department_list_matches_the_rule_for_each_role(api, db, username, expected):
    body = api(username).get("/api/v1/department/?q=(page_size:100)").get_json()
    assert {row["id"] for row in body["result"]} == visible(db, Department, username)


def test_catalog_is_readable_by_every_role(api):
    for username in ("lz_window", "lz_hrss", "city_hrss", "city_super"):
        body = api(username).get("/api/v1/matter/?q=(page_size:100)").get_json()
        assert body["count"] >= 12


def test_matter_api_shows_materials_and_current_guide_version(api, db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    body = api("lz_window").get(f"/api/v1/matter/{matter.id}").get_json()["result"]
    assert body["current_guide"]["version"] == 1
    assert [m["seq"] for m in body["materials"]] == sorted(m["seq"] for m in body["materials"])
    assert body["materials"][0]["name"]


def test_openapi_spec_documents_the_resources(api):
    spec = api("admin").get("/api/v1/_openapi").get_json()
    for path in ("region", "center", "department", "handling_type", "matter"):
        assert f"/api/v1/{path}/" in spec["paths"], path
        assert f"/api/v1/{path}/{{pk}}" in spec["paths"], path



ALL_DEMO_USERS = ["admin", "city_super", "lz_admin", "cx_admin", "lz_window", "cx_window", "lz_hrss", "cx_hrss",
                  "cx_hrss_head", "lz_police", "cx_police", "city_hrss"]


@pytest.mark.parametrize("username", ALL_DEMO_USERS)
@pytest.mark.parametrize("resource,model", [("center", ServiceCenter), ("department", Department)])
def test_every_role_gets_exactly_its_scope_through_the_api(api, db, username, resource, model):
    from app.domain.permissions import MATRIX

    readers = {role.value for role in MATRIX[resource.capitalize()]["can_read"]}
    allowed = any(role.name in readers for role in factories.user(db, username).roles)
    response = api(username).get(f"/api/v1/{resource}/?q=(page_size:100)")
    if not allowed:
        assert response.status_code == 403
        return
    assert {row["id"] for row in response.get_json()["result"]} == visible(db, model, username)


@pytest.mark.parametrize("username", ALL_DEMO_USERS)
def test_every_role_sees_exactly_its_users_in_the_user_list(client, login, db, username):
    login(username)
    response = client.get("/users/list/?psize_StaffUserView=100")
    expected = set(db.execute(select(StaffUser.username).where(StaffUser.id.in_(visible(db, StaffUser, username)))).scalars())
    if username not in ("admin", "lz_admin", "cx_admin"):
        assert response.status_code == 403
        return
    page = response.get_data(as_text=True)
    shown = {name for name in ALL_DEMO_USERS if f">{name}<" in page}
    assert shown == expected
