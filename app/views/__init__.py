"""Registers the generated views and their menu (labels in Chinese by default)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l


def register_views(appbuilder: AppBuilder) -> None:
    from app.views.access_log import AccessLogView
    from app.views.calendar import CalendarTransferView, WorkCalendarDayView, WorkCalendarYearView
    from app.views.cases import CaseRegisterView, CaseView, CaseWorkView
    from app.views.catalog import (
        GuideView,
        HandlingTypeView,
        MaterialRequirementView,
        MatterFieldView,
        MatterReviewView,
        MatterView,
    )
    from app.views.catalog_transfer import CatalogTransferView
    from app.views.ledger import LedgerView
    from app.views.org import BusinessLineView, CenterView, DepartmentView, RegionView

    cases, cases_label = "Cases", _l("Cases")
    appbuilder.add_view(CaseWorkView, "Work queue", label=_l("Work queue"), icon="fa-inbox", category=cases,
                        category_label=cases_label, category_icon="fa-folder-open")
    appbuilder.add_view(CaseRegisterView, "Register a case", label=_l("Register a case"), icon="fa-plus-square",
                        category=cases)
    appbuilder.add_view(CaseView, "All cases", label=_l("All cases"), icon="fa-list", category=cases)
    appbuilder.add_view(LedgerView, "Work ledger", label=_l("Work ledger"), icon="fa-book", category=cases)
    appbuilder.add_view(AccessLogView, "Personal data access log", label=_l("Personal data access log"),
                        icon="fa-eye", category=cases)

    org, org_label = "Organisation", _l("Organisation")
    appbuilder.add_view(CenterView, "Service centers", label=_l("Service centers and windows"), icon="fa-building",
                        category=org, category_label=org_label, category_icon="fa-sitemap")
    appbuilder.add_view(DepartmentView, "Departments", label=_l("Approving departments"), icon="fa-university",
                        category=org)
    appbuilder.add_view(RegionView, "Regions", label=_l("Regions"), icon="fa-map-marker", category=org)
    appbuilder.add_view(BusinessLineView, "Lines of business", label=_l("Lines of business"), icon="fa-tags",
                        category=org)

    cat, cat_label = "Catalog", _l("Catalog")  # short: the navbar fits at 1,400 px in English too
    appbuilder.add_view(MatterView, "Matters", label=_l("Matters"), icon="fa-list-alt", category=cat,
                        category_label=cat_label, category_icon="fa-book")
    appbuilder.add_view(MatterReviewView, "Review points", label=_l("Review points of my line"), icon="fa-check-square-o",
                        category=cat)
    appbuilder.add_view(HandlingTypeView, "Handling types", label=_l("Handling types"), icon="fa-exchange",
                        category=cat)
    appbuilder.add_view(MaterialRequirementView, "Materials", label=_l("Required materials"), icon="fa-file-text-o",
                        category=cat)
    appbuilder.add_view(MatterFieldView, "Extra fields", label=_l("Extra information asked"), icon="fa-pencil-square-o",
                        category=cat)
    appbuilder.add_view(GuideView, "Guides", label=_l("Published guides"), icon="fa-history", category=cat)
    appbuilder.add_view(CatalogTransferView, "Catalog import and export", label=_l("Import and export"),
                        icon="fa-file-excel-o", category=cat)
    from app.views.portal import ArticleView

    appbuilder.add_view(ArticleView, "Articles", label=_l("News and policy (portal)"), icon="fa-newspaper-o",
                        category=cat)

    cal, cal_label = "Calendar", _l("Calendar")
    appbuilder.add_view(WorkCalendarDayView, "Calendar days", label=_l("Holidays and working weekends"),
                        icon="fa-calendar", category=cal, category_label=cal_label, category_icon="fa-calendar")
    appbuilder.add_view(WorkCalendarYearView, "Calendar years", label=_l("Years, import and export"),
                        icon="fa-calendar-check-o", category=cal)
    appbuilder.add_view_no_menu(CalendarTransferView)

    from app.views import audit, batch, courier, exports, notify, ratings, stand_ins

    for module in (exports, courier, batch, notify, stand_ins, ratings, audit):
        module.register_views(appbuilder)

    from app.views import dashboard
    from app.views import reconciliation as reconciliation_views  # 对账发现 (issue 14)

    reconciliation_views.register_views(appbuilder)
    dashboard.register_views(appbuilder)
    from app.views import supervision

    supervision.register_views(appbuilder)
    from app.views import webhooks as webhook_views  # 订阅方 and 投递记录 (issue 15)

    webhook_views.register_views(appbuilder)
