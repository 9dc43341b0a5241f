"""Large exports of the work ledger, run in the background with progress; archive packages.

Both are queued through the outbox (topics ``build_export`` and ``build_archive_package``), whose runner
(``kytb.run_outbox_message``) calls the same services as these tasks, so a Redis restart costs a delay,
never a job. The tasks are the same work by name, for operators and retries:

    celery -A workers.celery_app call kytb.run_export --args='[42]'

Thin on purpose: each calls one idempotent service function and logs what it did.
"""

from __future__ import annotations

import logging

from flask import current_app

from app.services.cases import archive
from app.services.exports import jobs as exports
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="kytb.run_export", bind=True, acks_late=True, max_retries=8)
def run_export(self, job_id: int) -> str | None:
    """One export job, once (a job that is done is not run again); retried while another worker runs it."""
    try:
        job = exports.run_job(current_app.appbuilder.session, job_id)
    except exports.ExportBusy as busy:
        raise self.retry(exc=busy, countdown=60)
    except Exception as error:  # recorded on the job; try again later, doubling the wait
        log.warning("export job %s failed (attempt %s): %s", job_id, self.request.retries + 1, error)
        raise self.retry(exc=error, countdown=min(2 ** self.request.retries * 5, 600))
    return job.status if job is not None else None


@celery.task(name="kytb.build_archive", bind=True, acks_late=True, max_retries=8)
def build_archive(self, case_id: int) -> str:
    """The archive package of an archived case, once; returns its SHA-256."""
    try:
        document = archive.build_archive(current_app.appbuilder.session, case_id)
    except Exception as error:
        log.warning("archive package of case %s failed (attempt %s): %s", case_id, self.request.retries + 1, error)
        raise self.retry(exc=error, countdown=min(2 ** self.request.retries * 5, 600))
    return document.sha256


@celery.task(name="kytb.purge_exports")
def purge_exports() -> int:
    """Removes export files past their retention period (EXPORT_RETENTION_DAYS); safe to run twice."""
    removed = exports.purge_expired(current_app.appbuilder.session)
    log.info("expired export files removed: %d", removed)
    return removed
