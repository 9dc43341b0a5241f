"""How the findings of the reconciliation read: the kinds, what the responsible side does about each, and
one line of facts per finding (Chinese first, English through the language menu)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.reconciliation import FindingKind
from app.labels import NOTICE_LABELS, label

KIND_LABELS = {
    FindingKind.NOT_DISPATCHED: _l("Accepted, not dispatched"),
    FindingKind.NOT_SIGNED: _l("Dispatched, not signed for"),
    FindingKind.NOT_DELIVERED: _l("Completed, not delivered"),
    FindingKind.TRACKING_SILENT: _l("Courier tracking silent"),
    FindingKind.NOTICE_FAILED: _l("Notice failed to render"),
    FindingKind.OUTBOX_STALE: _l("Background job stuck"),
}

#: what the responsible side does about a finding (the queue's 对账异常 section says it)
ADVICE = {
    FindingKind.NOT_DISPATCHED: _l("Mail the materials today and record the dispatch with its waybill number."),
    FindingKind.NOT_SIGNED: _l("Ask the courier and the sending window where the parcel is; sign for it on the case "
                               "as soon as it arrives."),
    FindingKind.NOT_DELIVERED: _l("Deliver the result to the applicant (mail it or hand it over) and record the step."),
    FindingKind.TRACKING_SILENT: _l("The courier has reported nothing for days: ask the courier about the waybill; if "
                                    "the parcel has arrived, record its receipt."),
    FindingKind.NOTICE_FAILED: _l("The notice could not be generated: tell the system administrator (the job is "
                                  "tried again by itself)."),
    FindingKind.OUTBOX_STALE: _l("A background job has not finished: check the workers on the health page."),
}


def kind_label(value: Any) -> str:
    return label(KIND_LABELS, value)


def describe(kind: str, detail: dict) -> str:
    """The facts of a finding in one line."""
    d = detail or {}
    if kind in (FindingKind.NOT_DISPATCHED, FindingKind.NOT_DELIVERED):
        return _("Due on %(due)s, %(days)s working day(s) overdue", due=d.get("due", ""), days=d.get("days", ""))
    if kind == FindingKind.NOT_SIGNED:
        basis = (_("measured on %(n)s parcel(s)", n=d.get("samples", 0)) if d.get("measured")
                 else _("default, too few parcels measured"))
        return _("Sent on %(sent)s (waybill %(waybill)s), %(days)s working day(s) on the way on the route %(route)s; "
                 "usual at most %(threshold)s (%(basis)s)", sent=d.get("sent_on", ""),
                 waybill=d.get("waybill") or "-", days=d.get("days", ""), route=d.get("route", ""),
                 threshold=d.get("threshold", ""), basis=basis)
    if kind == FindingKind.TRACKING_SILENT:
        return _("Waybill %(waybill)s: nothing from the courier since %(last)s (%(days)s day(s))",
                 waybill=d.get("waybill") or "-", last=d.get("last", ""), days=d.get("days", ""))
    if kind == FindingKind.NOTICE_FAILED:
        return _("%(notice)s: %(attempts)s failed attempt(s), last error: %(error)s",
                 notice=label(NOTICE_LABELS, d.get("notice", "")), attempts=d.get("attempts", 0),
                 error=d.get("error", ""))
    if kind == FindingKind.OUTBOX_STALE:
        return _("Job %(job)s waiting since %(since)s, %(attempts)s attempt(s)", job=d.get("job", ""),
                 since=d.get("since", ""), attempts=d.get("attempts", 0))
    return ""
