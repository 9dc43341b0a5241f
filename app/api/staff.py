"""Staff accounts through the REST API (issue 15, API parity): /api/v1/staff/ does what the page 用户管理
(StaffUserView, ScopedResetPasswordView) does, with the same permissions (User: read/write; own info:
userinfo) and exactly its rules, through the same services:

* scope: a county administrator sees its county's staff and manages its clerks and officers only; another
  county's user, an administrator and itself are as if missing (404) — so nobody raises its own rights;
* roles: a county administrator gives the roles of a county's staff only (422 otherwise), an administrator any;
* passwords: the password rules (422, every rule broken at once, with the account's other problems); a new
  password is stored hashed and ends the user's sessions and tokens; no answer ever carries a password hash;
* ``POST /{pk}/password`` resets a password, ``POST /{pk}/unlock`` clears failed sign-ins (清除登录失败),
  ``GET /me`` the caller's own account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from flask import current_app, g
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from app.api.case_openapi import in_path, json_content, obj
from app.api.declared import json_object, responses_of
from app.errors import ProblemCollector, ValidationFailed
from app.models.org import Department, ServiceCenter
from app.models.staff import StaffUser
from app.platform.fab import (
    API_PERMISSIONS,
    AppModelRestApi,
    ScopedInterface,
    answers_service_errors,
    current_reach,
)
from app.services.organisation import accounts
from app.services.organisation import staff as staff_rules

_ACCOUNT = ["id", "username", "last_name", "first_name", "display_name", "email", "phone", "active",
            "roles.id", "roles.name", "region.id", "region.name", "center.id", "center.name", "department.id",
            "department.name"]
_OK = json_content(obj(id={"type": "integer"}, message={"type": "string"}))


def _session() -> Any:
    return current_app.appbuilder.session


_REL_FIELDS = {
    "roles": [["name", FilterInFunction, lambda: staff_rules.assignable_role_names(_session(), current_reach())]],
    "center": [["id", FilterInFunction,
                lambda: staff_rules.ids_in_write_scope(_session(), ServiceCenter, current_reach())]],
    "department": [["id", FilterInFunction,
                    lambda: staff_rules.ids_in_write_scope(_session(), Department, current_reach())]],
    "region": [["id", FilterInFunction, lambda: staff_rules.county_ids_in_scope(_session(), current_reach())]],
}


class StaffApi(AppModelRestApi):
    """/api/v1/staff/: staff accounts, within the caller's scope."""

    resource_name = "staff"
    class_permission_name = "User"
    datamodel = ScopedInterface(StaffUser)
    list_columns = _ACCOUNT
    show_columns = [*_ACCOUNT, "login_count", "fail_login_count", "last_login", "created_on", "changed_on"]
    add_columns = ["username", "last_name", "first_name", "display_name", "email", "phone", "active", "roles",
                   "region", "center", "department", "password"]
    edit_columns = [c for c in add_columns if c != "password"]
    search_columns = ["username", "display_name", "email", "active", "roles", "center", "department", "region"]
    order_columns = ["username", "last_name", "email"]
    base_order = ("username", "asc")
    add_query_rel_fields = edit_query_rel_fields = search_query_rel_fields = _REL_FIELDS
    description_columns = {
        "password": _l("At least 10 characters with three of: upper-case, lower-case, digits, symbols."),
        "roles": _l("A county administrator gives window clerk and department officer roles only."),
    }
    method_permission_name: ClassVar[dict[str, str]] = {
        **API_PERMISSIONS, "me": "userinfo", "set_password": "write", "unlock": "write"}
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "me": {"get": {
            "summary": "The caller's own account (the page's 个人信息)",
            "responses": responses_of({"200": {"description": "The account", "content": json_content(obj(
                id={"type": "integer"}, result={"type": "object"}))}}, "401", "403"),
        }},
        "set_password": {"post": {
            "summary": "Resets a staff user's password (the password rules; every session and token of the user "
                       "ends)",
            "parameters": [in_path("pk")],
            "requestBody": {"required": True, "content": json_content({
                "type": "object", "required": ["password"], "properties": {"password": {
                    "type": "string", "format": "password", "writeOnly": True,
                    "description": "at least 10 characters with three of: upper-case, lower-case, digits, "
                                   "symbols"}}})},
            "responses": responses_of({"200": {"description": "The password changed", "content": _OK}},
                                      "400", "401", "403", "404", "422"),
        }},
        "unlock": {"post": {
            "summary": "Lets the user sign in again at once from any address (清除登录失败)",
            "parameters": [in_path("pk")],
            "responses": responses_of({"200": {"description": "The failed sign-ins cleared", "content": _OK}},
                                      "401", "403", "404"),
        }},
    }

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        # FAB answers a POST with the record as loaded: the password (then its hash) is read, never answered.
        self.add_model_schema.dump_fields.pop("password", None)

    def pre_add(self, item: StaffUser) -> None:
        """The password rules with the account's own (every problem at once); then the password is hashed."""
        problems = ProblemCollector()
        staff_rules.new_password_problems(problems, item.password)
        if problems:
            staff_rules.staff_rules(_session(), item, current_reach(), problems)
            _session().rollback()
            raise ValidationFailed(problems.problems)
        config = current_app.config
        item.password = generate_password_hash(item.password, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                               salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))

    def pre_update(self, item: StaffUser) -> None:
        item.changed_on = datetime.now()
        item.changed_by_fk = g.user.id

    @expose("/me", methods=["GET"])
    @protect()
    @safe
    @permission_name("me")
    @answers_service_errors
    def me(self) -> Any:
        """The caller's own account"""
        user = _session().get(StaffUser, g.user.id)
        return self.response(200, id=user.id, result=self.show_model_schema.dump(user))

    @expose("/<int:pk>/password", methods=["POST"])
    @protect()
    @safe
    @permission_name("set_password")
    @answers_service_errors
    def set_password(self, pk: int) -> Any:
        """Resets a staff user's password"""
        body = json_object()
        user = accounts.user_to_manage(_session(), pk, current_reach())
        password = body.get("password")
        accounts.check_new_password(password)
        current_app.appbuilder.sm.reset_password(user.id, password)
        return self.response(200, id=user.id, message="password changed")

    @expose("/<int:pk>/unlock", methods=["POST"])
    @protect()
    @safe
    @permission_name("unlock")
    @answers_service_errors
    def unlock(self, pk: int) -> Any:
        """Clears the user's failed sign-ins"""
        user = accounts.user_to_manage(_session(), pk, current_reach())
        accounts.clear_failed_logins(_session(), [user], current_reach())
        _session().commit()
        return self.response(200, id=user.id, message="failed sign-ins cleared")
