"""Generated documents of a case: each notice is rendered once (by a job the step queued through the
outbox), stored under a generated key with its SHA-256, and handed out only through the case's scope.

While a notice is still being prepared, asking for it answers "pending" (the API's 202), never an
error; asking for a notice the case cannot have (an acceptance notice of a declined case) is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters import storage
from app.documents import fonts
from app.documents.notices import (
    acceptance_context,
    correction_context,
    deferral_context,
    extension_context,
    notice_text,
    receipt_context,
    rejection_context,
    render_notice,
    special_procedure_context,
)
from app.domain.privacy import AccessKind
from app.errors import NotFound
from app.models.case import Case, CaseDocument, OutboxMessage
from app.models.clock import ClockSegment, ClockSegmentKind, ExtensionDecision
from app.platform import outbox
from app.services.calendar import load_calendar
from app.services.cases.access import Viewer, get_case, open_full_view
from app.services.cases.clock import clock_as_of
from app.services.catalog.fields import case_field_rows
from app.services.public.progress import progress_link

NOTICE_KINDS = ("acceptance", "receipt", "deferral", "correction", "rejection", "special_procedure", "extension")
FILE_NAMES = {"acceptance": "受理(代收)通知书", "receipt": "材料接收回执", "correction": "补正通知书",
              "rejection": "不予受理(代收)告知书", "special_procedure": "特别程序告知书", "extension": "延期办理告知书",
              "deferral": "容缺受理告知承诺书"}
#: the notices of the legal clock: one per ``ClockSegment`` of that kind, its ``seq`` the ref
CLOCK_NOTICES = {"special_procedure": ClockSegmentKind.SPECIAL_PROCEDURE, "extension": ClockSegmentKind.EXTENSION}


def _segments(case: Case, kind: str) -> list[ClockSegment]:
    """The segments of the case that have a notice of ``kind``: every special procedure, the approved
    extensions (a refused one changes nothing the applicant must be told in writing)."""
    return [s for s in case.clock_segments if s.kind == CLOCK_NOTICES[kind]
            and (kind != "extension" or s.decision == ExtensionDecision.APPROVED)]


def segment_of(case: Case, kind: str, ref: str) -> ClockSegment | None:
    """The special procedure or approved extension a notice (or message) of ``kind`` with ``ref`` is about."""
    return next((s for s in _segments(case, kind) if str(s.seq) == ref), None)


def ordinal(case: Case, kind: str, ref: str) -> str:
    """How the notice ``ref`` of ``kind`` is counted for people (第N次): a correction's round; the N-th special
    procedure or approved extension of the case (their refs number every segment of the case together)."""
    if kind not in CLOCK_NOTICES or not ref:
        return ref
    refs = applicable(case, kind)
    return str(refs.index(ref) + 1) if ref in refs else ref


def clock_figures(session: Session, case: Case, segment: ClockSegment) -> dict[str, Any]:
    """The due days a clock notice prints, as the clock read them the day of its segment (a special
    procedure: the day it began, the due day if it takes its expected length; an extension: the day it
    was approved, the due day without and with it)."""
    calendar = load_calendar(session)
    if segment.kind == ClockSegmentKind.SPECIAL_PROCEDURE:
        reading = clock_as_of(calendar, case, segment.started_on, upto_seq=segment.seq)
        return {"expected_due": reading.expected_due if reading else None}
    day = segment.decided_on or segment.started_on
    before = clock_as_of(calendar, case, day, upto_seq=segment.seq, with_extension=False)
    after = clock_as_of(calendar, case, day, upto_seq=segment.seq)
    return {"due_before": before.due.due if before else None, "new_due": after.due.due if after else None}


def _context(session: Session, case: Case, kind: str, ref: str) -> Any:
    if kind in CLOCK_NOTICES:
        segment = segment_of(case, kind, ref)
        figures = clock_figures(session, case, segment)
        if kind == "special_procedure":
            return special_procedure_context(case, segment, figures["expected_due"])
        return extension_context(case, segment, figures["due_before"], figures["new_due"])
    if kind == "acceptance":  # its QR code leads the applicant to the progress page (办件查询)
        return acceptance_context(case, progress_link(case), case_field_rows(case.guide.content, case.form_values))
    if kind == "receipt":
        return receipt_context(case)
    if kind == "rejection":
        return rejection_context(case)
    if kind == "deferral":
        return deferral_context(case)
    correction = next(c for c in case.corrections if str(c.round) == ref)
    return correction_context(case, correction)


def applicable(case: Case, kind: str) -> list[str]:
    """The refs of ``kind`` this case has (or will have once rendered): [] when it can have none."""
    inbound = case.origin_center.external
    if kind == "acceptance":  # issued by our window; an outside window's acceptance is never printed in its name
        return [""] if case.accepted_on and not inbound else []
    if kind == "receipt":  # what our window issues for the parcel of an inbound case
        return [""] if case.accepted_on and inbound else []
    if kind == "rejection":
        return [""] if case.status == "rejected" else []
    if kind == "deferral":  # 容缺受理: accepted with a material missing, against the applicant's promise
        return [""] if case.accepted_on and any(m.deferred_until is not None for m in case.materials) else []
    if kind == "correction":
        return [str(c.round) for c in case.corrections]
    if kind in CLOCK_NOTICES:
        return [str(s.seq) for s in _segments(case, kind)]
    return []


def render_case_notice(session: Session, case_id: int, kind: str, ref: str = "") -> CaseDocument:
    """Renders and stores a notice once; later calls (a retried or duplicated job) return the stored one."""
    existing = stored_document(session, case_id, kind, ref)
    if existing is not None:
        return existing
    case = session.get(Case, case_id)
    if case is None or ref not in applicable(case, kind):
        raise NotFound()
    context = _context(session, case, kind, ref)
    pdf = render_notice(kind, context)
    key, digest = storage.put(pdf)
    suffix = f"（第{ordinal(case, kind, ref)}次）" if ref else ""
    document = CaseDocument(case_id=case.id, kind=kind, ref=ref, case_version=case.version, file_key=key,
                            file_name=f"{case.number or case.id}-{FILE_NAMES[kind]}{suffix}.pdf",
                            content_type="application/pdf", sha256=digest, size=len(pdf),
                            missing_glyphs=fonts.missing_glyphs(notice_text(context)))
    return keep_first(session, document)


@outbox.handles("render_notice")
def render_notice_message(session: Session, message: OutboxMessage) -> CaseDocument:
    """The outbox handler of topic ``render_notice`` (queued by accept, also for its deferral, reject,
    request_correction, start_special_procedure and approve_extension)."""
    return render_case_notice(session, message.case_id, message.key, message.payload.get("ref", ""))


def stored_document(session: Session, case_id: int, kind: str, ref: str = "") -> CaseDocument | None:
    return session.scalar(select(CaseDocument).where(CaseDocument.case_id == case_id, CaseDocument.kind == kind,
                                                     CaseDocument.ref == ref))


def keep_first(session: Session, document: CaseDocument) -> CaseDocument:
    """Stores a rendered ``document`` unless another worker stored the same one (case, kind, ref) first:
    then ours is dropped, its file too, and theirs is returned."""
    case_id, kind, ref = document.case_id, document.kind, document.ref
    session.add(document)
    try:
        session.commit()
    except IntegrityError:  # another worker stored it meanwhile: keep theirs
        session.rollback()
        storage.remove(document.file_key)
        return stored_document(session, case_id, kind, ref)
    return document


@dataclass(frozen=True)
class StoredDocument:
    """A document of a case that a job renders (a notice, the archive package): the stored
    ``CaseDocument``, or ``pending`` while its job has not finished."""

    document: CaseDocument | None

    @property
    def pending(self) -> bool:
        return self.document is None

    @property
    def path(self) -> Path:
        return storage.path_of(self.document.file_key)


def notice_for(session: Session, viewer: Viewer, case_id: Any, kind: str, ref: str | None = None) -> StoredDocument:
    """The notice of a case within the viewer's reach; the newest correction (special procedure, extension)
    notice unless ``ref`` names one. A notice prints the applicant's phone and ID number: it is a full view (Forbidden to
    readers who see masks, logged when handed over)."""
    case = get_case(session, viewer.reach, case_id)
    refs = applicable(case, kind) if kind in NOTICE_KINDS else []
    if not refs:
        raise NotFound()
    ref = refs[-1] if ref is None else ref
    if ref not in refs:
        raise NotFound()
    state = StoredDocument(stored_document(session, case.id, kind, ref))
    open_full_view(session, viewer, case, AccessKind.NOTICE, record=not state.pending)
    return state


def documents_of(session: Session, case: Case) -> list[CaseDocument]:
    return list(session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)
                                .order_by(CaseDocument.created_on)))


def pending_notices(session: Session, case: Case) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                            OutboxMessage.topic == "render_notice",
                                                            OutboxMessage.done_on.is_(None))))
