"""User administration: FAB's user view, scoped to the county a county administrator manages."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, request
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.security.views import ResetPasswordView, UserDBModelView
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from app.errors import NotFound
from app.labels import role_names
from app.models.org import Department, ServiceCenter
from app.platform.fab import VIEW_PERMISSIONS, current_reach
from app.services.organisation import accounts
from app.services.organisation import staff as staff_rules
from app.views.base import BulkDeleteMixin, ScopedCrudMixin


def assignable_role_names() -> list[str]:
    """Administrators give any role; county administrators only those of their county's staff."""
    return staff_rules.assignable_role_names(current_app.appbuilder.session, current_reach())


def _ids_in_scope(model: type) -> list[int]:
    return staff_rules.ids_in_write_scope(current_app.appbuilder.session, model, current_reach())


def _county_ids_in_scope() -> list[int]:
    return staff_rules.county_ids_in_scope(current_app.appbuilder.session, current_reach())


_REL_FIELDS = {
    "roles": [["name", FilterInFunction, assignable_role_names]],
    "center": [["id", FilterInFunction, lambda: _ids_in_scope(ServiceCenter)]],
    "department": [["id", FilterInFunction, lambda: _ids_in_scope(Department)]],
    "region": [["id", FilterInFunction, _county_ids_in_scope]],
}


class StaffUserView(BulkDeleteMixin, ScopedCrudMixin, UserDBModelView):
    """用户管理. Same read/write permission names as our other resources."""

    class_permission_name = "User"
    method_permission_name = {
        **VIEW_PERMISSIONS,
        "resetpasswords": "write",
        "unlock": "write",
        "userinfo": "userinfo",
        "resetmypassword": "userinfo",
        "userinfoedit": "userinfo",
    }
    base_order = ("username", "asc")
    page_size = 25
    # FAB's own check ("a role or a group") reads a groups field this form does not have (a 500).
    validators_columns = {"roles": [DataRequired()]}

    label_columns = {
        **UserDBModelView.label_columns,
        "name": _l("Name"),
        "display_name": _l("Display name"),
        "first_name": _l("Given name"),
        "last_name": _l("Surname"),
        "phone": _l("Phone"),
        "region": _l("County/district"),
        "center": _l("Service center"),
        "department": _l("Approving department"),
    }
    description_columns = {
        **UserDBModelView.description_columns,
        "username": _l("Used to sign in; letters, digits and underscores."),
        "email": _l("Work e-mail; reminders and reports are sent here."),
        "active": _l("Untick to stop a user from signing in; users are deactivated, not deleted."),
        "password": _l("At least 10 characters with three of: upper-case, lower-case, digits, symbols."),
        "roles": _l("A county administrator gives window clerk and department officer roles only."),
        "region": _l("For county administrators; for others it follows from the center or department."),
        "center": _l("Window clerks: the service center whose cross-region window they staff."),
        "department": _l("Department officers and city departments: the department they work for."),
    }
    list_columns = ["username", "name", "roles", "region", "center", "department", "active"]
    search_columns = ["username", "display_name", "email", "active", "roles", "center", "department", "region"]
    add_columns = [
        "username", "last_name", "first_name", "display_name", "email", "phone", "active",
        "roles", "region", "center", "department", "password", "conf_password",
    ]
    edit_columns = [
        "username", "last_name", "first_name", "display_name", "email", "phone", "active",
        "roles", "region", "center", "department",
    ]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "name", "active", "roles", "login_count"]}),
        (_l("Place of work"), {"fields": ["region", "center", "department"]}),
        (_l("Personal Info"), {"fields": ["last_name", "first_name", "email", "phone"], "expanded": True}),
        (_l("Audit Info"), {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"]}),
    ]
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "name", "roles"]}),
        (_l("Place of work"), {"fields": ["region", "center", "department"]}),
        (_l("Personal Info"), {"fields": ["last_name", "first_name", "email", "phone"], "expanded": True}),
    ]
    formatters_columns = {"roles": role_names}
    add_form_query_rel_fields = _REL_FIELDS
    edit_form_query_rel_fields = _REL_FIELDS
    search_form_query_rel_fields = _REL_FIELDS

    @action("unlock", _l("Clear failed sign-ins"),
            _l("Let the selected users sign in again at once from any address?"), "fa-unlock", single=True)
    def unlock(self, items: Any):
        items = items if isinstance(items, list) else [items]
        count = accounts.clear_failed_logins(self.datamodel.session, items, current_reach())
        from flask import flash

        flash(str(_l("Failed sign-ins cleared for %(n)d user(s).", n=count)), "success")
        return redirect(self.get_redirect())


class ScopedResetPasswordView(ResetPasswordView):
    """An administrator resets another user's password: only for users within its write scope."""

    class_permission_name = "User"
    method_permission_name = {"this_form_get": "write", "this_form_post": "write"}

    def _target(self) -> Any:
        from flask import abort, current_app

        try:
            return accounts.user_to_manage(current_app.appbuilder.session, request.args.get("pk"), current_reach())
        except NotFound:
            abort(404)

    def form_get(self, form: Any) -> None:
        self._target()

    def form_post(self, form: Any) -> None:
        from flask import current_app, flash

        user = self._target()
        current_app.appbuilder.sm.reset_password(user.id, form.password.data)
        flash(str(_l("Password changed for %(user)s.", user=user.username)), "info")
