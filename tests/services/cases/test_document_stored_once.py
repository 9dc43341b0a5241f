"""A rendered document is stored once: when another worker stored the same one first (same case, kind
and ref), ours is dropped with its file and theirs is what the job returns."""

from __future__ import annotations

from sqlalchemy import func, select

from app.adapters import storage
from tests import factories
from app.models.case import CaseDocument
from app.services.cases.notices import keep_first, render_case_notice
from app.services.cases.take_step import take_step


def test_a_document_stored_meanwhile_by_another_worker_is_kept_and_ours_dropped(db):
    case = factories.make_case(db)
    take_step(db, factories.user(db, "lz_window"), case.id, "accept", factories.verify_all(case))
    theirs = render_case_notice(db, case.id, "acceptance")
    key, digest = storage.put(b"%PDF-1.7 ours")
    ours = CaseDocument(case_id=case.id, kind="acceptance", ref="", case_version=case.version, file_key=key,
                        file_name="ours.pdf", content_type="application/pdf", sha256=digest, size=13,
                        missing_glyphs=[])

    assert keep_first(db, ours).id == theirs.id
    assert not storage.path_of(key).exists()
    count = select(func.count()).select_from(CaseDocument).where(CaseDocument.case_id == case.id)
    assert db.scalar(count) == 1
