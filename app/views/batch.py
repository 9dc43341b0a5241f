"""Batch work at the window: 今日寄件 (the parcels of the day, sent in one go), 移交清单 (the lists, their
PDFs) and 整包签收 (an incoming list or waybill signed for at once).

Thin: each page reads its form and calls one service of ``app.services.cases.batch``; the service puts
every id through the scope rule (one outside it: 404, nothing done) and takes each case's step in its own
transaction. Every refused row is shown at once with its case; the others are done.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, request, send_file
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.adapters import storage
from app.domain.privacy import mask_id_number
from app.errors import Refused
from app.labels import BOOKING_STATUSES, SHIPMENT_DIRECTIONS, STATUS_LABELS, label
from app.platform.fab import current_reach
from app.services.cases.batch import (
    BatchOutcome,
    ParcelInput,
    SignInput,
    book_parcels,
    courier_books,
    get_transmittal,
    incoming_by_waybill,
    incoming_of_transmittal,
    parcels_of_the_day,
    send_parcels,
    sign_parcels,
    transmittals_of,
)
from app.views.base import answers_service_errors, flash_problems


def _session():
    return current_app.appbuilder.session


def _user():
    return current_app.appbuilder.sm.current_user


def _helpers() -> dict[str, Any]:
    return {"direction_label": lambda v: label(SHIPMENT_DIRECTIONS, v), "mask_id": mask_id_number,
            "status_label": lambda v: label(STATUS_LABELS, v), "booking_label": lambda v: label(BOOKING_STATUSES, v)}


def _report(outcome: BatchOutcome, done_message: Any) -> None:
    """Every row at once: how many were done, and each refused row with every reason."""
    if outcome.done:
        flash(str(done_message) % {"n": len(outcome.done)}, "success")
    for failure in outcome.failed:
        for problem in failure.problems:
            flash(f"{failure.label}：{problem.message}", "danger")


def _failures_by_case(outcome: BatchOutcome | None) -> dict[int, list[str]]:
    if outcome is None:
        return {}
    return {f.case_id: [str(p.message) for p in f.problems] for f in outcome.failed}


class ParcelBatchView(BaseView):
    """今日寄件: the parcels waiting to leave the user's window, ticked and sent in one go."""

    route_base = "/batch"
    class_permission_name = "Case"
    method_permission_name = {"parcels": "dispatch"}
    menu_permission = "can_dispatch"
    default_view = "parcels"

    @expose("/parcels/", methods=["GET", "POST"])
    @has_access
    @answers_service_errors
    def parcels(self):
        outcome, form = None, request.form
        if request.method == "POST":
            try:
                outcome = self._book(form) if form.get("action") == "book" else self._send(form)
            except Refused as error:
                flash_problems(error.problems)
        status = 422 if outcome is not None and outcome.failed and not outcome.done else 200
        return self.render_template(
            "batch/parcels.html", title=_l("Parcels of the day"), parcels=parcels_of_the_day(_session(), _user()),
            outcome=outcome, failures=_failures_by_case(outcome), form=form, courier_books=courier_books(),
            **_helpers()), status

    @staticmethod
    def _send(form) -> BatchOutcome:
        rows = [ParcelInput(case_id, form.get(f"waybill-{case_id}", ""), form.get(f"carrier-{case_id}", ""))
                for case_id in form.getlist("rowid")]
        outcome = send_parcels(_session(), _user(), rows, sent_on=form.get("sent_on", ""))
        _report(outcome, _l("Parcels sent: %(n)s."))
        return outcome

    @staticmethod
    def _book(form) -> BatchOutcome:
        """预约揽收: the ticked parcels not booked yet are booked with the courier (the job's answer comes
        later: the waybill is on the page once the courier gave it)."""
        outcome = book_parcels(_session(), _user(), form.getlist("rowid"))
        _report(outcome, _l("Bookings queued with the courier: %(n)s."))
        for row in outcome.already_booked:
            for problem in row.problems:
                flash(f"{row.label}：{problem.message}", "info")
        return outcome


class TransmittalView(BaseView):
    """移交清单: the lists the user's windows sent or receive, their PDFs, and signing for a whole list."""

    route_base = "/transmittals"
    class_permission_name = "Case"
    method_permission_name = {"lists": "receive", "pdf": "receive", "receive": "receive", "incoming": "receive"}
    menu_permission = "can_receive"
    default_view = "lists"

    @expose("/")
    @has_access
    @answers_service_errors
    def lists(self):
        centers = current_reach().center_ids
        return self.render_template("batch/transmittals.html", title=_l("Transmittal lists"),
                                    transmittals=transmittals_of(_session(), _user()), my_centers=centers)

    @expose("/<int:transmittal_id>/pdf")
    @has_access
    @answers_service_errors
    def pdf(self, transmittal_id: int):
        transmittal = get_transmittal(_session(), _user(), transmittal_id)
        path = storage.path_of(transmittal.file_key)
        return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=transmittal.file_name)

    @expose("/<int:transmittal_id>/receive", methods=["GET", "POST"])
    @has_access
    @answers_service_errors
    def receive(self, transmittal_id: int):
        outcome = self._sign(transmittal_id) if request.method == "POST" else None
        transmittal, rows = incoming_of_transmittal(_session(), _user(), transmittal_id)
        return self._render(rows, outcome, transmittal=transmittal, waybill="")

    @expose("/incoming", methods=["GET", "POST"])
    @has_access
    @answers_service_errors
    def incoming(self):
        """A parcel without a list of ours (an outside window's, or one sent case by case): by its waybill."""
        waybill = (request.values.get("waybill") or "").strip()
        outcome = self._sign(None) if request.method == "POST" else None
        return self._render(incoming_by_waybill(_session(), _user(), waybill), outcome, transmittal=None,
                            waybill=waybill)

    def _sign(self, transmittal_id: int | None) -> BatchOutcome | None:
        form = request.form
        rows = [SignInput(case_id, tuple(int(seq) for seq in form.getlist(f"material-{case_id}") if seq.isdigit()))
                for case_id in form.getlist("sign")]
        try:
            outcome = sign_parcels(_session(), _user(), rows, transmittal_id=transmittal_id,
                                   received_on=form.get("received_on", ""))
        except Refused as error:
            flash_problems(error.problems)
            return None
        _report(outcome, _l("Cases signed for: %(n)s."))
        return outcome

    def _render(self, rows: list[Any], outcome: BatchOutcome | None, *, transmittal: Any, waybill: str):
        status = 422 if outcome is not None and outcome.failed and not outcome.done else 200
        title = _l("Sign for a parcel")
        return self.render_template("batch/receive.html", title=title, rows=rows, transmittal=transmittal,
                                    waybill=waybill, failures=_failures_by_case(outcome), **_helpers()), status


def register_views(appbuilder: AppBuilder) -> None:
    """Adds the batch pages to the 办件 menu."""
    appbuilder.add_view(ParcelBatchView, "Parcels of the day", label=_l("Parcels of the day"), icon="fa-cubes",
                        category="Cases")
    appbuilder.add_view(TransmittalView, "Transmittal lists", label=_l("Transmittal lists"),
                        icon="fa-list-ol", category="Cases")
