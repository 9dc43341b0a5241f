"""The landing page: who you are, where you work, and what is in your scope."""

from __future__ import annotations

from flask import current_app, redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.domain.roles import RoleName
from app.labels import ROLE_LABELS
from app.models.catalog import HandlingType, Matter, MatterStatus
from app.models.org import Department, ServiceCenter
from app.models.staff import StaffUser
from app.platform.fab import current_reach
from app.scope import criterion
from app.views.cases import WARNING_LABELS, open_case_counts

# (model, permission resource, list endpoint, label, icon, extra criterion)
TILES = [
    (ServiceCenter, "Center", "CenterView.list", _l("Service centers and windows"), "fa-building", None),
    (Department, "Department", "DepartmentView.list", _l("Approving departments"), "fa-sitemap", None),
    (StaffUser, "User", "StaffUserView.list", _l("Users"), "fa-user", None),
    (Matter, "Matter", "MatterView.list", _l("Published matters"), "fa-list-alt", Matter.status == MatterStatus.PUBLISHED),
]

#: roles that work cases step by step land on their work queue
QUEUE_ROLES = frozenset({RoleName.WINDOW_CLERK.value, RoleName.DEPARTMENT_OFFICER.value})
WARNING_STYLE = {"red": ("tile-red", "fa-exclamation-circle"), "yellow": ("tile-yellow", "fa-clock-o"),
                 "none": ("tile-green", "fa-check-circle-o")}


class HomeView(IndexView):
    index_template = "index.html"

    @expose("/")
    def index(self):
        sm = current_app.appbuilder.sm
        me = sm.current_user
        if me is None:
            return self.render_template("index_public.html", appbuilder=self.appbuilder)
        if {role.name for role in me.roles} & QUEUE_ROLES and sm.has_access("can_read", "Case"):
            return redirect(url_for("CaseWorkView.queue"))
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            me=me,
            roles=[ROLE_LABELS.get(r.name, r.name) for r in me.roles],
            place=me.center or me.department or me.region or "",
            tiles=self._tiles(),
            case_tiles=self._case_tiles(),
            dashboard_url=url_for("DashboardView.index") if sm.has_access("can_read", "Dashboard") else None,
            handling_types=current_app.appbuilder.session.execute(
                select(HandlingType).where(HandlingType.active.is_(True)).order_by(HandlingType.sort_order)
            ).scalars().all(),
        )

    def _tiles(self) -> list[dict]:
        sm = current_app.appbuilder.sm
        session = current_app.appbuilder.session
        reach = current_reach()
        tiles = []
        for model, resource, endpoint, label, icon, extra in TILES:
            if not sm.has_access("can_read", resource):
                continue
            query = select(func.count()).select_from(model).where(criterion(model, reach))
            if extra is not None:
                query = query.where(extra)
            tiles.append({"url": url_for(endpoint), "count": session.scalar(query), "label": label, "icon": icon})
        return tiles

    def _case_tiles(self) -> list[dict]:
        """Open cases in scope by deadline warning, each linking to the list of those cases."""
        if not current_app.appbuilder.sm.has_access("can_read", "Case"):
            return []
        counts = open_case_counts(current_app.appbuilder.session, current_reach())
        tiles = []
        for level in ("red", "yellow", "none"):
            css, icon = WARNING_STYLE[level]
            tiles.append({"count": counts[level], "label": WARNING_LABELS[level], "css": css, "icon": icon,
                          "url": url_for("CaseView.list", _flt_3_warning_level=level)})
        return tiles
