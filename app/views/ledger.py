"""工作登记台账 (附件3): each window's work ledger. Rows are written by the services as cases move; only
备注 (remarks) is edited by hand, and the records rule refuses any other change.

The list offers 导出XLSX / 导出PDF with the filters the screen shows: ``screen_filter`` reads the
search form's filters from the address (``_flt_<n>_<column>``) into a ``LedgerFilter``, so the file
holds exactly the rows of the screen. Small exports download at once; large ones become a background
job under 我的导出 (app.views.exports)."""

from __future__ import annotations

import io
import re
from typing import Any, Mapping
from urllib.parse import urlencode

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from app.domain.privacy import mask_phone
from app.errors import NotFound, ServiceError
from app.labels import STATUS_LABELS
from app.models.case import LedgerEntry
from app.platform.fab import VIEW_PERMISSIONS, ScopedInterface, current_reach
from app.services.exports import jobs as exports
from app.services.exports.ledger import LedgerFilter, supplementary_text
from app.views.base import EDIT_ONLY_ROUTES, AppModelView, flash_problems

FILTER_ARG = re.compile(r"^_flt_(\d+)_(.+)$")

LEDGER_LABELS = {
    "entry_date": _l("Date"),
    "case_number": _l("Case number"),
    "case_status": _l("Outcome"),
    "applicant_name": _l("Applicant"),
    "applicant_phone": _l("Contact phone"),
    "handling_type_name": _l("Handling type"),
    "region_name": _l("Region of the other end"),
    "matter_name": _l("Matter name"),
    "handler_name": _l("Handler"),
    "remarks": _l("Remarks"),
    "center": _l("Window"),
    # 补充信息: the case's extra form fields (FORM-FIELDS.md), masked as the phone is
    "case": _l("Extra information"),
}

#: the columns of 附件3, in its order, with the case number and what became of the case (a declined case
#: is work the window did too) added as in the exports
LEDGER_COLUMNS = ["entry_date", "case_number", "applicant_name", "applicant_phone", "handling_type_name",
                  "region_name", "matter_name", "handler_name", "case_status", "remarks"]


def filter_args(args: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The search form's filters of a ledger screen address, as (name, value) pairs in order."""
    return [(key, value) for key in sorted(args) if FILTER_ARG.match(key) for value in args.getlist(key)]


def screen_filter(search_filters: Mapping[str, list[Any]], args: Mapping[str, Any]) -> LedgerFilter:
    """The ledger screen's filters (``_flt_<index>_<column>=value``; the index picks the column's
    operator in the search form) as a ``LedgerFilter``. Filters the screen ignores are ignored here;
    unreadable ones raise ValidationFailed with every problem."""
    found = []
    for key in sorted(args):
        match = FILTER_ARG.match(key)
        if not match:
            continue
        index, column = int(match.group(1)), match.group(2)
        operators = search_filters.get(column) or []
        if index >= len(operators):
            continue  # the screen does not apply it either
        found.append((column, operators[index].arg_name, args.getlist(key)))
    return LedgerFilter.from_screen(found)


class LedgerView(AppModelView):
    datamodel = ScopedInterface(LedgerEntry)
    class_permission_name = "Ledger"
    method_permission_name = {**VIEW_PERMISSIONS, "export": "read"}
    list_template = "ledger/list.html"
    # Rows are never typed in nor deleted: those routes do not exist.
    exclude_route_methods = EDIT_ONLY_ROUTES
    list_title = _l("Work ledger")
    show_title = _l("Work ledger row")
    edit_title = _l("Edit the remarks of a ledger row")
    label_columns = LEDGER_LABELS
    list_columns = LEDGER_COLUMNS + ["center"]
    show_columns = LEDGER_COLUMNS + ["case", "center"]
    add_columns = edit_columns = ["remarks"]
    search_columns = ["entry_date", "handling_type_name", "matter_name", "center", "applicant_name"]
    search_form_query_rel_fields = {"center": [["external", FilterEqual, False]]}
    base_order = ("entry_date", "desc")
    # 编号 is the case's (a property): not a column of the row to order by
    order_columns = [c for c in LEDGER_COLUMNS if c != "case_number"]
    formatters_columns = {"applicant_phone": mask_phone, "case": supplementary_text,
                          "case_status": lambda status: STATUS_LABELS.get(status, status)}
    description_columns = {"remarks": _l("Only the remarks are typed by hand; the other columns follow the case.")}

    def _list_columns_for_user(self) -> list[str]:
        """A window sees its own ledger; whoever reads several windows' ledgers gets the window column."""
        reach = current_reach()
        several = reach.everything or bool(reach.county_paths) or len(reach.center_ids) > 1
        return LEDGER_COLUMNS + ["case"] + (["center"] if several else [])

    def _get_list_widget(self, filters: Any, actions: Any = None, order_column: str = "", order_direction: str = "",
                         page: Any = None, page_size: Any = None, widgets: Any = None, **kwargs: Any):
        # FAB's own, with the columns chosen per user (a class attribute would be shared by all requests).
        widgets = widgets or {}
        actions = actions or self.actions
        page_size = page_size or self.page_size
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined_filters = filters.get_joined_filters(self._base_filters)
        count, rows = self.datamodel.query(joined_filters, order_column, order_direction, page=page, page_size=page_size)
        columns = self._list_columns_for_user()
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns, include_columns=columns,
            value_columns=self.datamodel.get_values(rows, columns), order_columns=self.order_columns,
            formatters_columns=self.formatters_columns, page=page, page_size=page_size, count=count,
            pks=[self._serialize_pk_if_composite(pk) for pk in self.datamodel.get_keys(rows)], actions=actions,
            filters=filters, modelview_name=self.__class__.__name__, **kwargs,
        )
        return widgets

    # --- exports -----------------------------------------------------------------------------------

    def render_template(self, template: str, **kwargs: Any):
        if template == self.list_template:
            query = urlencode(filter_args(request.args))
            suffix = f"?{query}" if query else ""
            kwargs.setdefault("export_urls", {kind: url_for("LedgerView.export", kind=kind) + suffix
                                              for kind in ("xlsx", "pdf")})
            kwargs.setdefault("may_export", current_app.appbuilder.sm.has_access("can_read", "Export"))
            kwargs.setdefault("export_limits", {"inline": exports.inline_limit(exports.ExportKind.XLSX),
                                                "pdf_inline": exports.inline_limit(exports.ExportKind.PDF),
                                                "pdf_max": exports.setting("EXPORT_PDF_MAX_ROWS")})
        return super().render_template(template, **kwargs)

    @expose("/export/<kind>", methods=["POST"])
    @has_access
    def export(self, kind: str):
        """导出XLSX / 导出PDF with the screen's filters (in the address): the file, or a job under 我的导出."""
        if kind not in ("xlsx", "pdf"):
            abort(404)
        query = urlencode(filter_args(request.args))
        back = url_for("LedgerView.list") + (f"?{query}" if query else "")
        if not current_app.appbuilder.sm.has_access("can_read", "Export"):
            abort(403)
        user = current_app.appbuilder.sm.current_user
        try:
            flt = screen_filter(self._filters.get_search_filters(), request.args)
            result = exports.request_ledger_export(self.datamodel.session, user, kind, flt,
                                                   address=request.remote_addr or "")
        except NotFound:
            abort(404)
        except ServiceError as error:
            flash_problems(error.problems)
            return redirect(back)
        if isinstance(result, exports.ExportFile):
            return send_file(io.BytesIO(result.data), mimetype=result.content_type, as_attachment=True,
                             download_name=result.name, max_age=0)
        flash(str(_l("%(rows)s rows: the export is being prepared in the background. Download it from My exports "
                     "when it is ready.", rows=result.total_rows)), "info")
        return redirect(url_for("ExportJobView.list"))
