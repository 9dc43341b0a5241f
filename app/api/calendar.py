"""REST resources for the work calendar: /api/v1/work_calendar_day/ (the exception days: holidays on weekdays,
working weekend days) and /api/v1/work_calendar_year/ (the years with an official arrangement, read-only).
Same permissions as their pages (WorkCalendar, WorkCalendarYear); a day is checked by the calendar's record
rule (only exceptions are kept), every problem at once."""

from __future__ import annotations

from typing import Any

from app.models.calendar import WorkCalendarDay, WorkCalendarYear
from app.platform.fab import AppModelRestApi, ScopedInterface

READ_ONLY = {"get", "get_list", "info"}


class WorkCalendarDayApi(AppModelRestApi):
    resource_name = "work_calendar_day"
    class_permission_name = "WorkCalendar"
    datamodel = ScopedInterface(WorkCalendarDay)
    list_columns = ["id", "day", "weekday", "is_working", "name", "source", "changed_on"]
    show_columns = ["id", "day", "weekday", "is_working", "name", "source", "changed_on"]
    add_columns = edit_columns = ["day", "is_working", "name"]
    search_columns = ["day", "is_working", "name", "source"]
    order_columns = ["day", "name"]
    base_order = ("day", "desc")

    def pre_add(self, item: Any) -> None:
        item.is_working = bool(item.is_working)

    pre_update = pre_add


class WorkCalendarYearApi(AppModelRestApi):
    resource_name = "work_calendar_year"
    class_permission_name = "WorkCalendarYear"
    datamodel = ScopedInterface(WorkCalendarYear)
    include_route_methods = READ_ONLY
    list_columns = show_columns = ["id", "year", "source", "note", "loaded_on"]
    search_columns = ["year", "source"]
    order_columns = ["year"]
    base_order = ("year", "desc")
