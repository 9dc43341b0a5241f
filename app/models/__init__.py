"""All models, imported here so that FAB's metadata (and Alembic) sees every table."""

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
from app.models.staff import StaffUser
from app.models.system import Heartbeat

__all__ = [
    "BusinessLine",
    "CalendarSource",
    "CenterKind",
    "Department",
    "Guide",
    "HandlingType",
    "Heartbeat",
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
