"""Staff accounts through the REST API (issue 15, API parity): /api/v1/staff/ with exactly the page's rules — a
county administrator manages the clerks and officers of its county only (another county's user, an administrator
and itself are as if missing: 404), gives only the roles a county gives, passwords follow the password rules,
and no answer ever carries a password hash."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.models.staff import StaffUser
from tests import factories

STRONG = "Kytb-Passw0rd-2026"


def _role(db, name: str) -> int:
    return db.scalar(select(Role.id).where(Role.name == name))


def _new_clerk(db, **changes) -> dict:
    clerk = factories.user(db, "lz_window")
    return {"username": "lz_window_new", "first_name": "新", "last_name": "王", "email": "lz_window_new@example.cn",
            "active": True, "roles": [_role(db, "WindowClerk")], "center": clerk.center_id, "password": STRONG,
            **changes}


def _no_password_anywhere(value) -> bool:
    if isinstance(value, dict):
        return "password" not in value and all(_no_password_anywhere(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_password_anywhere(v) for v in value)
    return not (isinstance(value, str) and value.startswith(("scrypt:", "pbkdf2:")))


def test_a_county_administrator_lists_its_countys_staff_only_and_no_password(api, db):
    answer = api("lz_admin").get("/api/v1/staff/?q=(page_size:100)")
    assert answer.status_code == 200
    names = {row["username"] for row in answer.json["result"]}
    assert "lz_window" in names and "cx_window" not in names and "admin" not in names
    assert _no_password_anywhere(answer.json["result"])
    one = api("lz_admin").get(f"/api/v1/staff/{factories.user(db, 'lz_window').id}")
    assert one.status_code == 200 and _no_password_anywhere(one.json["result"])


def test_another_countys_user_is_as_if_missing(api, db):
    other = factories.user(db, "cx_window")
    caller = api("lz_admin")
    assert caller.get(f"/api/v1/staff/{other.id}").status_code == 404
    assert caller.put(f"/api/v1/staff/{other.id}", json={"display_name": "改"}).status_code == 404
    assert caller.delete(f"/api/v1/staff/{other.id}").status_code == 404
    assert caller.post(f"/api/v1/staff/{other.id}/password", json={"password": STRONG}).status_code == 404
    assert caller.post(f"/api/v1/staff/{other.id}/unlock").status_code == 404
    db.expire_all()
    assert factories.user(db, "cx_window").display_name != "改"


def test_a_county_administrator_cannot_raise_its_own_roles(api, db):
    me = factories.user(db, "lz_admin")
    answer = api("lz_admin").put(f"/api/v1/staff/{me.id}", json={"roles": [_role(db, "Admin")]})
    assert answer.status_code == 404
    db.expire_all()
    assert {r.name for r in factories.user(db, "lz_admin").roles} == {"CountyAdmin"}


def test_a_county_administrator_cannot_create_an_administrator(api, db):
    answer = api("lz_admin").post("/api/v1/staff/", json=_new_clerk(db, roles=[_role(db, "Admin")]))
    assert answer.status_code == 422
    assert "roles" in {e["field"] for e in answer.json["errors"]}
    assert db.scalar(select(StaffUser).where(StaffUser.username == "lz_window_new")) is None


def test_a_county_administrator_cannot_give_a_user_another_countys_center(api, db):
    answer = api("lz_admin").post("/api/v1/staff/", json=_new_clerk(
        db, center=factories.user(db, "cx_window").center_id))
    assert answer.status_code == 422
    assert db.scalar(select(StaffUser).where(StaffUser.username == "lz_window_new")) is None


def test_a_county_administrator_adds_a_clerk_with_a_hashed_password(api, db):
    answer = api("lz_admin").post("/api/v1/staff/", json=_new_clerk(db))
    assert answer.status_code == 201, answer.json
    assert _no_password_anywhere(answer.json)
    created = db.scalar(select(StaffUser).where(StaffUser.username == "lz_window_new"))
    assert check_password_hash(created.password, STRONG)
    assert created.region_id == factories.user(db, "lz_window").region_id


def test_every_problem_of_a_new_user_at_once(api, db):
    answer = api("lz_admin").post("/api/v1/staff/", json=_new_clerk(db, password="short", roles=[_role(db, "Approver")],
                                                                     center=None))
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json["errors"]}
    assert {"password", "roles"} <= fields
    assert db.scalar(select(StaffUser).where(StaffUser.username == "lz_window_new")) is None


def test_the_users_list_is_for_administrators_only_and_each_user_reads_its_own_info(api, db):
    caller = api("lz_window")
    assert caller.get("/api/v1/staff/").status_code == 403
    assert caller.post("/api/v1/staff/", json=_new_clerk(db)).status_code == 403
    me = caller.get("/api/v1/staff/me")
    assert me.status_code == 200 and me.json["result"]["username"] == "lz_window"
    assert _no_password_anywhere(me.json)


def test_resetting_a_password_follows_the_rules_and_the_scope(api, db):
    clerk = factories.user(db, "lz_window")
    caller = api("lz_admin")
    weak = caller.post(f"/api/v1/staff/{clerk.id}/password", json={"password": "abc"})
    assert weak.status_code == 422 and weak.json["errors"][0]["field"] == "password"
    assert caller.post(f"/api/v1/staff/{clerk.id}/password", json={}).status_code == 422
    assert caller.post(f"/api/v1/staff/{clerk.id}/password", json=[]).status_code == 400
    done = caller.post(f"/api/v1/staff/{clerk.id}/password", json={"password": STRONG})
    assert done.status_code == 200 and _no_password_anywhere(done.json)
    db.expire_all()
    assert check_password_hash(factories.user(db, "lz_window").password, STRONG)
    assert api("lz_hrss").post(f"/api/v1/staff/{clerk.id}/password", json={"password": STRONG}).status_code == 403


def test_unlock_clears_the_failed_sign_ins(api, db):
    clerk = factories.user(db, "lz_window")
    clerk.fail_login_count = 5
    db.commit()
    answer = api("lz_admin").post(f"/api/v1/staff/{clerk.id}/unlock")
    assert answer.status_code == 200
    db.expire_all()
    assert factories.user(db, "lz_window").fail_login_count == 0
