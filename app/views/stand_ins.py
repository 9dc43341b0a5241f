"""我的代理 (stand-ins): a clerk or officer on leave names a colleague of the same window or department and
role for a date range; an administrator manages everybody's. Every problem of a stand-in is shown at once.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.errors import Refused
from app.models.staff import StaffUser
from app.platform.fab import current_reach
from app.services.organisation import stand_ins
from app.views.base import answers_service_errors


def _user() -> StaffUser:
    return current_app.appbuilder.sm.current_user


class StandInView(BaseView):
    """我的代理: one's own stand-ins (away, or standing in), the form to name one; everybody's for the admin."""

    route_base = "/stand-ins"
    class_permission_name = "StandIn"
    method_permission_name = {"list": "read", "add": "write", "end": "write"}
    default_view = "list"

    def _render(self, values: dict | None = None, problems: list | None = None, status: int = 200):
        session, user = self.appbuilder.session, _user()
        manage_all = stand_ins.may_manage_all(current_reach())
        people = (session.query(StaffUser).filter(StaffUser.active.is_(True)).order_by(StaffUser.id).all()
                  if manage_all else stand_ins.colleagues(session, user))
        page = self.render_template(
            "stand_ins/list.html", records=stand_ins.stand_ins_seen_by(session, user), me=user,
            manage_all=manage_all, people=[p for p in people if stand_ins.working_role(p)] if manage_all else people,
            values=values or {"starts_on": date.today().isoformat(), "ends_on": date.today().isoformat()},
            problems=problems or [], today=date.today(), title=_l("My stand-ins"))
        return page, status

    @expose("/")
    @has_access
    def list(self):
        return self._render()

    @expose("/add", methods=["POST"])
    @has_access
    @answers_service_errors
    def add(self):
        values = {name: request.form.get(name, "") for name in
                  ("absent_user_id", "stand_in_user_id", "starts_on", "ends_on", "note")}
        try:
            record = stand_ins.save_stand_in(self.appbuilder.session, _user(), values)
        except Refused as error:
            return self._render(values, error.problems, 422)
        flash(str(_l("%(name)s stands in for %(absent)s from %(start)s to %(end)s.", name=record.stand_in_user.name,
                     absent=record.absent_user.name, start=record.starts_on.isoformat(),
                     end=record.ends_on.isoformat())), "success")
        return redirect(url_for("StandInView.list"))

    @expose("/<int:stand_in_id>/end", methods=["POST"])
    @has_access
    @answers_service_errors
    def end(self, stand_in_id: int):
        stand_ins.delete_stand_in(self.appbuilder.session, _user(), stand_in_id)
        flash(str(_l("The stand-in was removed.")), "success")
        return redirect(url_for("StandInView.list"))


def register_views(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(StandInView, "My stand-ins", label=_l("My stand-ins"), icon="fa-user-plus", category="Cases",
                        category_label=_l("Cases"))
