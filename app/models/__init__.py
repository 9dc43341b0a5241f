"""All models, imported here so that FAB's metadata (and Alembic) sees every table."""

from app.models.case import (
    ApplicantKind,
    Case,
    CaseAccessLog,
    CaseDocument,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    Correction,
    CorrectionItem,
    DeliveryMethod,
    IdType,
    LedgerEntry,
    Notification,
    OutboxMessage,
    ResultDocument,
    ResultKind,
    Shipment,
    ShipmentDirection,
)
from app.models.calendar import CalendarSource, WorkCalendarDay, WorkCalendarYear
from app.models.catalog import (
    Guide,
    HandlingType,
    ImmutableRecord,
    MaterialForm,
    MaterialRequirement,
    Matter,
    MatterStatus,
)
from app.models.org import BusinessLine, CenterKind, Department, Region, RegionLevel, ServiceCenter
from app.models.staff import LoginThrottle, StaffUser
from app.models import clock, conversation, courier, exports, notify, portal, precheck, rating, supervision, transmittal  # noqa: F401  (each declares its own tables)
from app.models.system import Heartbeat, IdempotencyKey
from app.models import reconciliation  # noqa: F401,E402  (对账发现, issue 14)
from app.models import supervision  # noqa: F401,E402  (督办单)
from app.models import webhook  # noqa: F401,E402  (webhooks, issue 15)

__all__ = [
    "ApplicantKind",
    "Case",
    "CaseAccessLog",
    "CaseDocument",
    "CaseEvent",
    "CaseMaterial",
    "CaseNumberSequence",
    "Correction",
    "CorrectionItem",
    "DeliveryMethod",
    "IdType",
    "LedgerEntry",
    "LoginThrottle",
    "Notification",
    "OutboxMessage",
    "ResultDocument",
    "ResultKind",
    "Shipment",
    "ShipmentDirection",
    "BusinessLine",
    "CalendarSource",
    "CenterKind",
    "Department",
    "Guide",
    "HandlingType",
    "Heartbeat",
    "IdempotencyKey",
    "ImmutableRecord",
    "MaterialForm",
    "MaterialRequirement",
    "Matter",
    "MatterStatus",
    "Region",
    "RegionLevel",
    "ServiceCenter",
    "StaffUser",
    "WorkCalendarDay",
    "WorkCalendarYear",
]
