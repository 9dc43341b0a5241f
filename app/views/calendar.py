"""The work calendar: exception days, known years, import and export of a year."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import current_app, flash, redirect, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.errors import ServiceError
from app.models.calendar import WorkCalendarDay, WorkCalendarYear
from app.services import calendar as calendar_service
from app.views.base import AppModelView, BulkDeleteMixin, FileImportMixin, flash_problems
from app.platform.fab import ScopedInterface, current_reach
from app.labels import CALENDAR_SOURCES, label
from app.web import forget_calendar_warning

WEEKDAYS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")]

CALENDAR_LABELS = {
    "day": _l("Date"),
    "weekday": _l("Weekday"),
    "is_working": _l("Working day"),
    "name": _l("Holiday"),
    "source": _l("Source"),
    "changed_on": _l("Changed on"),
    "year": _l("Year"),
    "note": _l("Note"),
    "loaded_on": _l("Loaded on"),
}


class WorkCalendarDayView(BulkDeleteMixin, AppModelView):
    datamodel = ScopedInterface(WorkCalendarDay)
    class_permission_name = "WorkCalendar"
    list_title = _l("Work calendar")
    show_title = _l("Calendar day")
    add_title = _l("Add holiday or working weekend day")
    edit_title = _l("Edit calendar day")
    label_columns = CALENDAR_LABELS
    list_columns = ["day", "weekday", "is_working", "name", "source"]
    show_columns = ["day", "is_working", "name", "source", "changed_on"]
    add_columns = edit_columns = ["day", "is_working", "name"]
    search_columns = ["day", "is_working", "name", "source"]
    base_order = ("day", "desc")
    description_columns = {
        "is_working": _l("Ticked: a working weekend day (调休). Not ticked: a holiday on a weekday."),
    }
    formatters_columns = {"source": lambda v: label(CALENDAR_SOURCES, v), "weekday": lambda v: str(WEEKDAYS[v])}

    def pre_add(self, item: WorkCalendarDay) -> None:
        item.is_working = bool(item.is_working)

    pre_update = pre_add


class WorkCalendarYearView(AppModelView):
    datamodel = ScopedInterface(WorkCalendarYear)
    class_permission_name = "WorkCalendarYear"
    list_title = _l("Years with an official arrangement")
    show_title = _l("Calendar year")
    label_columns = CALENDAR_LABELS
    base_permissions = ["can_read"]
    list_columns = ["year", "source", "note", "loaded_on"]
    show_columns = ["year", "source", "note", "loaded_on"]
    search_columns = ["year", "source"]
    base_order = ("year", "desc")
    formatters_columns = {"source": lambda v: label(CALENDAR_SOURCES, v)}
    list_template = "calendar/years.html"


class CalendarTransferView(FileImportMixin, BaseView):
    """Import a year (holiday-cn JSON or our XLSX) and export a year as XLSX."""

    route_base = "/calendar"
    class_permission_name = "WorkCalendar"
    method_permission_name = {"upload": "write", "export": "read"}
    default_view = "export"
    import_page = "WorkCalendarYearView.list"

    def import_file(self, filename: str, data: bytes):
        try:
            year, count = calendar_service.import_year_file(
                current_app.appbuilder.session, filename, data, current_reach()
            )
        except ServiceError as error:
            flash_problems(error.problems)
        else:
            forget_calendar_warning()
            flash(str(_l("Work calendar %(year)d imported: %(n)d holidays and working weekend days.", year=year, n=count)),
                  "success")
        return redirect(url_for(self.import_page))

    @expose("/export/<int:year>")
    @has_access
    def export(self, year: int = 0):
        year = year or date.today().year
        data = calendar_service.export_year_xlsx(current_app.appbuilder.session, year)
        return send_file(BytesIO(data), as_attachment=True, download_name=f"work-calendar-{year}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
