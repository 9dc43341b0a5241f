"""The headless REST API (JWT from /api/v1/security/login), scoped exactly like the views."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_appbuilder import AppBuilder


def register_apis(appbuilder: AppBuilder) -> None:
    from app.api.cases import CaseApi
    from app.api.catalog import HandlingTypeApi, MatterApi
    from app.api.menu import AppMenuApi
    from app.api.org import CenterApi, DepartmentApi, RegionApi
    from app.api.public import register_public_apis
    from app.api.reports import ReportApi
    from app.api.stand_ins import StandInApi

    for api in (AppMenuApi, RegionApi, CenterApi, DepartmentApi, HandlingTypeApi, MatterApi, CaseApi, StandInApi,
                ReportApi):
        appbuilder.add_api(api)
    from app.api.supervision import SupervisionOrderApi

    appbuilder.add_api(SupervisionOrderApi)
    register_public_apis(appbuilder)
    _answer_bad_tokens_with_401(appbuilder)
    from app.platform.api_comfort import install_api_comfort

    install_api_comfort(current_app)


def _answer_bad_tokens_with_401(appbuilder: AppBuilder) -> None:
    """A malformed or tampered token is no valid token: 401, as a missing or expired one (Flask-JWT-Extended
    answers 422 by default)."""
    jwt_manager = appbuilder.sm.jwt_manager
    if jwt_manager is not None:
        jwt_manager.invalid_token_loader(lambda reason: (jsonify(msg=reason), 401))
