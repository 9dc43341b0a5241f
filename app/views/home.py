"""The landing page: who you are, where you work, and what is in your scope."""

from __future__ import annotations

from flask import current_app, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.models.catalog import HandlingType, Matter, MatterStatus
from app.models.org import Department, ServiceCenter
from app.models.staff import StaffUser
from app.scope import criterion
from app.views.base import current_reach
from app.views.labels import ROLE_LABELS

# (model, permission resource, list endpoint, label, icon, extra criterion)
TILES = [
    (ServiceCenter, "Center", "CenterView.list", _l("Service centers and windows"), "fa-building", None),
    (Department, "Department", "DepartmentView.list", _l("Approving departments"), "fa-sitemap", None),
    (StaffUser, "User", "StaffUserView.list", _l("Users"), "fa-user", None),
    (Matter, "Matter", "MatterView.list", _l("Published matters"), "fa-list-alt", Matter.status == MatterStatus.PUBLISHED),
]


class HomeView(IndexView):
    index_template = "index.html"

    @expose("/")
    def index(self):
        sm = current_app.appbuilder.sm
        me = sm.current_user
        if me is None:
            return self.render_template("index_public.html", appbuilder=self.appbuilder)
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            me=me,
            roles=[ROLE_LABELS.get(r.name, r.name) for r in me.roles],
            place=me.center or me.department or me.region or "",
            tiles=self._tiles(),
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
