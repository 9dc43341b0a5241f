"""The headless REST API (JWT from /api/v1/security/login), scoped exactly like the views."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register_apis(appbuilder: AppBuilder) -> None:
    from app.api.catalog import HandlingTypeApi, MatterApi
    from app.api.org import CenterApi, DepartmentApi, RegionApi

    for api in (RegionApi, CenterApi, DepartmentApi, HandlingTypeApi, MatterApi):
        appbuilder.add_api(api)
