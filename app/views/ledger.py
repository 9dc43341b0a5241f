"""工作登记台账 (附件3): each window's work ledger. Rows are written by the services as cases move; only
备注 (remarks) is edited by hand, and the records rule refuses any other change."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from app.domain.privacy import mask_phone
from app.models.case import LedgerEntry
from app.views.base import AppModelView, ScopedInterface, current_reach

LEDGER_LABELS = {
    "entry_date": _l("Date"),
    "applicant_name": _l("Applicant"),
    "applicant_phone": _l("Contact phone"),
    "handling_type_name": _l("Handling type"),
    "region_name": _l("Region of the other end"),
    "matter_name": _l("Matter name"),
    "handler_name": _l("Handler"),
    "remarks": _l("Remarks"),
    "center": _l("Window"),
}

#: the columns of 附件3, in its order
LEDGER_COLUMNS = ["entry_date", "applicant_name", "applicant_phone", "handling_type_name", "region_name",
                  "matter_name", "handler_name", "remarks"]


class LedgerView(AppModelView):
    datamodel = ScopedInterface(LedgerEntry)
    class_permission_name = "Ledger"
    # Rows are never typed in nor deleted: those routes do not exist.
    exclude_route_methods = {"add", "delete", "action_post", "action", "download"}
    list_title = _l("Work ledger")
    show_title = _l("Work ledger row")
    edit_title = _l("Edit the remarks of a ledger row")
    label_columns = LEDGER_LABELS
    list_columns = LEDGER_COLUMNS + ["center"]
    show_columns = LEDGER_COLUMNS + ["center"]
    add_columns = edit_columns = ["remarks"]
    search_columns = ["entry_date", "handling_type_name", "matter_name", "center", "applicant_name"]
    search_form_query_rel_fields = {"center": [["external", FilterEqual, False]]}
    base_order = ("entry_date", "desc")
    formatters_columns = {"applicant_phone": mask_phone}
    description_columns = {"remarks": _l("Only the remarks are typed by hand; the other columns follow the case.")}

    def _list_columns_for_user(self) -> list[str]:
        """A window sees its own ledger; whoever reads several windows' ledgers gets the window column."""
        reach = current_reach()
        several = reach.everything or bool(reach.county_paths) or len(reach.center_ids) > 1
        return LEDGER_COLUMNS + (["center"] if several else [])

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
