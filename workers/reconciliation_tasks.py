"""对账: the daily reconciliation of both ends (docs/RECONCILIATION.md)."""

from __future__ import annotations

import logging

from flask import current_app

from app.services import reconciliation
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="kytb.reconcile")
def reconcile() -> dict:
    """Brings the findings up to date (new ones, seen ones, resolved ones). Idempotent, and safe when two beats
    run it at once: runs are serialised by a lock and the open findings are unique."""
    summary = reconciliation.reconcile(current_app.appbuilder.session)
    log.info("%s", summary)
    return summary.as_counts()
