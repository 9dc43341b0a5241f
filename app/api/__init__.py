"""The headless REST API (JWT from /api/v1/security/login), scoped exactly like the views."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_appbuilder import AppBuilder


def register_apis(appbuilder: AppBuilder) -> None:
    from app.api.batch import ParcelBatchApi, TransmittalApi
    from app.api.calendar import WorkCalendarDayApi, WorkCalendarYearApi
    from app.api.cases import CaseApi
    from app.api.catalog import (
        GuideApi,
        HandlingTypeApi,
        MaterialRequirementApi,
        MatterApi,
        MatterFieldApi,
        MatterReviewApi,
    )
    from app.api.dashboard import DashboardApi
    from app.api.events import EventFeedApi
    from app.api.exports import ExportJobApi
    from app.api.ledger import LedgerApi
    from app.api.menu import AppMenuApi
    from app.api.messages import MessageTemplateApi, NotificationApi, ParkedMessageApi
    from app.api.openapi import register_openapi
    from app.api.org import BusinessLineApi, CenterApi, DepartmentApi, RegionApi
    from app.api.oversight import AccessLogApi, AuditApi, ReconciliationApi
    from app.api.portal import ArticleApi
    from app.api.public import register_public_apis
    from app.api.ratings import RatingApi, RectificationApi
    from app.api.registration_directory import RegistrationDirectoryApi
    from app.api.reminders import ReminderApi
    from app.api.reports import ReportApi
    from app.api.shipments import ShipmentApi
    from app.api.staff import StaffApi
    from app.api.stand_ins import StandInApi
    from app.api.supervision import SupervisionOrderApi
    from app.api.transfer import CalendarTransferApi, CatalogTransferApi
    from app.api.webhooks import WebhookDeliveryApi, WebhookSubscriberApi
    from app.api.work_queue import WorkQueueApi

    for api in (
        AppMenuApi,
        # organisation and catalog (the admin's configuration)
        RegionApi, CenterApi, DepartmentApi, BusinessLineApi, HandlingTypeApi, MatterApi, MaterialRequirementApi,
        MatterFieldApi, MatterReviewApi, GuideApi, WorkCalendarDayApi, WorkCalendarYearApi, ArticleApi,
        MessageTemplateApi, CatalogTransferApi, CalendarTransferApi, StaffApi,
        # the cases and the work around them
        CaseApi, WorkQueueApi, RegistrationDirectoryApi, EventFeedApi, WebhookSubscriberApi, WebhookDeliveryApi,
        StandInApi, LedgerApi, ExportJobApi, ReminderApi, ShipmentApi, ParcelBatchApi, TransmittalApi,
        NotificationApi, ParkedMessageApi,
        # oversight
        ReportApi, SupervisionOrderApi, RatingApi, RectificationApi, ReconciliationApi, AccessLogApi, AuditApi,
        DashboardApi,
    ):
        appbuilder.add_api(api)
    register_public_apis(appbuilder)
    register_openapi(appbuilder)
    _answer_bad_tokens_with_401(appbuilder)
    from app.platform.api_comfort import install_api_comfort

    install_api_comfort(current_app)


def _answer_bad_tokens_with_401(appbuilder: AppBuilder) -> None:
    """A malformed or tampered token is no valid token: 401, as a missing or expired one (Flask-JWT-Extended
    answers 422 by default)."""
    jwt_manager = appbuilder.sm.jwt_manager
    if jwt_manager is not None:
        jwt_manager.invalid_token_loader(lambda reason: (jsonify(msg=reason), 401))
