"""Exports of the work ledger (附件3) as XLSX or PDF: small ones at once, large ones as a background job.

* ``request_ledger_export`` counts the rows the user's scope and filter select. Up to
  ``EXPORT_INLINE_MAX_ROWS`` (5,000) for XLSX and ``EXPORT_PDF_INLINE_MAX_ROWS`` (300) for PDF the file
  is made in the request; above, an :class:`ExportJob` is written together with its outbox row
  (topic ``build_export``) in one transaction, so a committed request always gets its job. A PDF holds at
  most ``EXPORT_PDF_MAX_ROWS`` (20,000) rows — about four minutes of rendering and up to 1,700 pages; larger
  ranges are refused with the advice to narrow them or take XLSX, which has no such limit.
* ``run_job`` carries a job out, once (the outbox handler and the Celery task ``kytb.run_export`` both
  call it): it claims the job, reads the rows with its owner's scope a batch at a time, writes the
  progress after every batch, stores the file under a storage key with its SHA-256, and marks the
  job done. A job that is done is never run again; a job another worker runs (progress younger than
  ``STALE_AFTER``) is left to it (``ExportBusy``, the caller retries later); one whose worker died is
  taken over.
* Jobs and their files are their owner's only: everyone else, administrators included, gets 404.
* ``purge_expired`` removes files older than ``EXPORT_RETENTION_DAYS`` (7): exports hold phone numbers.

The four limits are settings of config.py (environment variables of the same name).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.adapters import storage
from app.domain.workflow import Effect
from app.errors import NotFound, Problem, ValidationFailed
from app.models.base import now
from app.models.exports import ExportJob, ExportKind, ExportStatus
from app.models.staff import StaffUser
from app.platform import outbox
from app.scope import criterion, reach_of
from app.services.cases.access import Viewer, record_export
from app.services.exports import ledger as ledger_export
from app.services.exports.ledger import LedgerFilter

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    ExportKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportKind.PDF: "application/pdf",
}
#: a running job whose progress has not moved for this long lost its worker: another may take it over.
#: Not a setting: it follows from the code, not the installation. ``run_job`` writes the progress after every
#: batch of ``ledger.BATCH`` rows, at most about half a minute apart (a PDF batch), so five minutes without
#: progress means the worker is gone.
STALE_AFTER = timedelta(minutes=5)


def setting(name: str) -> int:
    """One of the four EXPORT_* limits (config.py holds them and their defaults)."""
    return int(current_app.config[name])


@dataclass(frozen=True)
class Subject:
    """What else than the work ledger a job may export (``ExportJob.subject``), declared by the service that
    makes it with ``register_subject``: ``write(session, reach, filter, out, on_progress) -> rows`` writes the
    file, ``logged(session, viewer, job)`` records in the access log that it was made."""

    write: Any
    logged: Any


#: subject -> how its file is made (the ledger's, the default, is ``_ledger_subject``)
SUBJECTS: dict[str, Subject] = {}


def register_subject(name: str, subject: Subject) -> Subject:
    SUBJECTS[name] = subject
    return subject


class ExportBusy(RuntimeError):
    """Another worker is running this job right now; ask again later."""


@dataclass(frozen=True)
class ExportFile:
    """An export made in the request."""

    name: str
    content_type: str
    data: bytes
    rows: int


def _kind(kind: str) -> ExportKind:
    try:
        return ExportKind(kind)
    except ValueError:
        raise NotFound() from None


def inline_limit(kind: ExportKind) -> int:
    if kind == ExportKind.PDF:
        return min(setting("EXPORT_PDF_INLINE_MAX_ROWS"), setting("EXPORT_INLINE_MAX_ROWS"))
    return setting("EXPORT_INLINE_MAX_ROWS")


def _pdf_too_large(rows: int) -> Problem:
    return Problem(None, _l("A PDF holds at most %(max)s rows and this selection has %(rows)s. Narrow the date "
                            "range or export XLSX, which has no such limit.", max=setting("EXPORT_PDF_MAX_ROWS"),
                            rows=rows))


def request_ledger_export(session: Session, user: StaffUser, kind: str, flt: LedgerFilter, *,
                          address: str = "", channel: str = "web") -> ExportFile | ExportJob:
    """The ledger of ``flt`` within the user's scope: the file itself when it is small, otherwise the
    job that will make it (committed with its outbox row). The cases whose rows the file carries with
    full phones are written to the access log when the file is made."""
    export_kind = _kind(kind)
    reach = reach_of(user)
    rows = ledger_export.count_rows(session, reach, flt)
    if export_kind == ExportKind.PDF and rows > setting("EXPORT_PDF_MAX_ROWS"):
        raise ValidationFailed([_pdf_too_large(rows)])
    name = ledger_export.export_file_name(export_kind.value, flt)
    if rows <= inline_limit(export_kind):
        full_cases: set[int] = set()
        if export_kind == ExportKind.PDF:
            data = ledger_export.ledger_pdf_bytes(session, reach, flt, full_cases)
        else:
            data = ledger_export.ledger_xlsx_bytes(session, reach, flt, full_cases)
        record_export(session, Viewer(user, reach, address, channel), full_cases, name)
        return ExportFile(name=name, content_type=CONTENT_TYPES[export_kind], data=data, rows=rows)
    job = ExportJob(user_fk=user.id, subject="ledger", kind=export_kind.value, filter=flt.to_dict(),
                    description=ledger_export.describe(session, flt), status=ExportStatus.QUEUED,
                    total_rows=rows, file_name=name, content_type=CONTENT_TYPES[export_kind])
    session.add(job)
    session.flush()
    outbox.queue(session, Effect("build_export", str(job.id)), None, job_id=job.id)
    session.commit()
    log.info("export job %s queued: %s %s, %d rows, for %s", job.id, job.subject, job.kind, rows, user.username)
    return job


def request_ledger_export_of(session: Session, user: StaffUser, values: Any, *,
                             address: str = "", channel: str = "api") -> ExportFile | ExportJob:
    """``request_ledger_export`` asked with fields (the REST API's body): ``kind`` (xlsx or pdf) and the
    filter of ``LedgerFilter.from_fields``; every problem of both at once."""
    problems: list[Problem] = []
    kind = values.get("kind")
    if kind not in [k.value for k in ExportKind]:
        problems.append(Problem("kind", _l("Choose xlsx or pdf.")))
    try:
        flt = LedgerFilter.from_fields(values)
    except ValidationFailed as error:
        problems.extend(error.problems)
    if problems:
        raise ValidationFailed(problems)
    return request_ledger_export(session, user, kind, flt, address=address, channel=channel)


# --- running a job ------------------------------------------------------------------------------------


def run_job(session: Session, job_id: int, *, at: datetime | None = None) -> ExportJob | None:
    """Carries the job out once; returns it (None when it no longer exists)."""
    job = session.get(ExportJob, job_id)
    if job is None:
        log.warning("export job %s no longer exists", job_id)
        return None
    if job.status in (ExportStatus.DONE, ExportStatus.EXPIRED):
        return job
    attempt = _claim(session, job, at or now())
    job = session.get(ExportJob, job_id)
    if attempt is None:
        if job.status in (ExportStatus.DONE, ExportStatus.EXPIRED):
            return job  # another worker finished it meanwhile
        raise ExportBusy(f"export job {job_id} is being run by another worker")
    owner = session.get(StaffUser, job.user_fk)
    if owner is None or not owner.is_active:
        _finish_failed(session, job_id, attempt, str(_l("The user of this export no longer exists or is inactive.")))
        return session.get(ExportJob, job_id)
    reach = reach_of(owner)
    if job.subject in SUBJECTS:
        return _run_subject(session, job, attempt, owner, reach, SUBJECTS[job.subject])
    flt = LedgerFilter.from_dict(job.filter)
    kind = ExportKind(job.kind)
    total = ledger_export.count_rows(session, reach, flt)
    _set(session, job_id, attempt, total_rows=total, progress_rows=0)
    if kind == ExportKind.PDF and total > setting("EXPORT_PDF_MAX_ROWS"):
        _finish_failed(session, job_id, attempt, str(_pdf_too_large(total).message))
        return session.get(ExportJob, job_id)
    return _run_subject(session, job, attempt, owner, reach, _ledger_subject(flt, kind))


def _ledger_subject(flt: LedgerFilter, kind: ExportKind) -> Subject:
    """The work ledger as a subject: XLSX in batches or PDF, and the cases shown in full logged as exported."""
    full_cases: set[int] = set()

    def write(session: Session, reach: Any, _filter: dict, out: Any, progress: Any) -> int:
        if kind == ExportKind.PDF:
            return ledger_export.write_ledger_pdf(session, reach, flt, out, on_progress=progress,
                                                  full_cases=full_cases)
        return ledger_export.write_ledger_xlsx_batched(session, reach, flt, out, on_progress=progress,
                                                       full_cases=full_cases)

    def logged(session: Session, viewer: Viewer, job: ExportJob) -> None:
        record_export(session, viewer, full_cases, job.file_name)

    return Subject(write=write, logged=logged)


def _run_subject(session: Session, job: ExportJob, attempt: int, owner: StaffUser, reach: Any,
                 subject: Subject) -> ExportJob | None:
    """Makes the job's file (claimed by ``run_job``): the progress after every batch, the file stored with its
    SHA-256, the job done and the export logged — unless another worker took the job over meanwhile."""
    job_id, file_name = job.id, job.file_name

    def progress(rows: int) -> None:
        try:
            _set(session, job_id, attempt, progress_rows=rows)
        except OperationalError as error:  # progress is for the eye: a busy database does not stop the job
            session.rollback()
            log.warning("export job %s: progress not written (%s)", job_id, error.orig)

    tmp = storage.temporary_file("export-")
    try:
        with tmp.open("wb") as out:
            rows = subject.write(session, reach, dict(job.filter), out, progress)
        key, digest, size = storage.store_file(tmp)
    except Exception as error:
        session.rollback()
        tmp.unlink(missing_ok=True)
        log.exception("export job %s failed", job_id)
        first_line = (str(error).strip().splitlines() or [""])[0]
        _finish_failed(session, job_id, attempt, f"{type(error).__name__}: {first_line}"[:500])
        raise
    _end_reading(session)
    finished = session.execute(
        update(ExportJob).where(ExportJob.id == job_id, ExportJob.attempts == attempt,
                                ExportJob.status == ExportStatus.RUNNING)
        .values(status=ExportStatus.DONE, file_key=key, sha256=digest, size=size, progress_rows=rows,
                total_rows=rows, finished_on=now(), updated_on=now(), error="")
    ).rowcount
    session.commit()
    if not finished:  # another worker took the job over meanwhile: keep its file
        storage.remove(key)
    else:
        subject.logged(session, Viewer(owner, reach, "", "job"), session.get(ExportJob, job_id))
    log.info("export job %s (%s) done: %d rows, %d bytes, %s", job_id, job.subject, rows, size, file_name)
    return session.get(ExportJob, job_id)


@outbox.handles("build_export")
def run_export_message(session: Session, message: Any) -> ExportJob | None:
    """The outbox handler of topic ``build_export`` (payload ``job_id``)."""
    return run_job(session, int(message.payload["job_id"]))


def _claim(session: Session, job: ExportJob, at: datetime) -> int | None:
    """Marks the job running for this worker; returns the attempt number that identifies the run, or
    None when the job is not to be run now (done, or running elsewhere)."""
    job_id, seen = job.id, job.attempts
    attempt = seen + 1
    _end_reading(session)
    claimed = session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.attempts == seen,
               or_(ExportJob.status.in_([ExportStatus.QUEUED, ExportStatus.FAILED]),
                   and_(ExportJob.status == ExportStatus.RUNNING, ExportJob.updated_on < at - STALE_AFTER)))
        .values(status=ExportStatus.RUNNING, attempts=attempt, started_on=at, updated_on=at, finished_on=None,
                progress_rows=0, error="")
    ).rowcount
    session.commit()
    return attempt if claimed else None


def _set(session: Session, job_id: int, attempt: int, **values: Any) -> None:
    _end_reading(session)
    session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.attempts == attempt)
                    .values(updated_on=now(), **values))
    session.commit()


def _end_reading(session: Session) -> None:
    """Ends the transaction a read opened before writing: SQLite (the embedded set-up) cannot turn a
    read transaction older than another process's commit into a write, and fails at once."""
    session.commit()


def _finish_failed(session: Session, job_id: int, attempt: int, message: str) -> None:
    _end_reading(session)
    session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.attempts == attempt)
                    .values(status=ExportStatus.FAILED, error=message, finished_on=now(), updated_on=now()))
    session.commit()


# --- the owner's jobs ----------------------------------------------------------------------------------


def _own(user: StaffUser):
    return and_(ExportJob.user_fk == user.id, criterion(ExportJob, reach_of(user)))


def jobs_of(session: Session, user: StaffUser, limit: int = 50) -> list[ExportJob]:
    return list(session.scalars(select(ExportJob).where(_own(user))
                                .order_by(ExportJob.created_on.desc(), ExportJob.id.desc()).limit(limit)))


def job_of(session: Session, user: StaffUser, job_id: Any) -> ExportJob:
    """The user's own job; NotFound for anyone else's, administrators' included."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    job = session.scalar(select(ExportJob).where(ExportJob.id == job_id, _own(user)))
    if job is None:
        raise NotFound()
    return job


def job_file(session: Session, user: StaffUser, job_id: Any) -> tuple[Path, str, str]:
    """(path, download name, content type) of the user's finished export; NotFound otherwise."""
    job = job_of(session, user, job_id)
    if job.status != ExportStatus.DONE or not job.file_key:
        raise NotFound()
    path = storage.path_of(job.file_key)
    if not path.is_file():
        raise NotFound()
    return path, job.file_name, job.content_type or CONTENT_TYPES[ExportKind(job.kind)]


def retry_job(session: Session, user: StaffUser, job_id: Any) -> ExportJob:
    """Queues a failed job of the user again (through the outbox, like the first time)."""
    job = job_of(session, user, job_id)
    if job.status != ExportStatus.FAILED:
        return job
    job.status, job.error, job.progress_rows, job.updated_on = ExportStatus.QUEUED, "", 0, now()
    outbox.queue(session, Effect("build_export", str(job.id)), None, job_id=job.id, retry=True)
    session.commit()
    return job


def purge_expired(session: Session, *, at: datetime | None = None, days: int | None = None) -> int:
    """Removes the files of exports finished more than ``days`` ago (EXPORT_RETENTION_DAYS)."""
    at = at or now()
    days = setting("EXPORT_RETENTION_DAYS") if days is None else days
    jobs = session.scalars(select(ExportJob).where(ExportJob.status == ExportStatus.DONE,
                                                   ExportJob.finished_on < at - timedelta(days=days))).all()
    for job in jobs:
        if job.file_key:
            storage.remove(job.file_key)
        job.status, job.file_key = ExportStatus.EXPIRED, None
    session.commit()
    if jobs:
        log.info("export files removed after %d days: %d", days, len(jobs))
    return len(jobs)
