"""Scans of received materials and result documents: checked by content, stored under generated keys
outside every static folder, the original name kept in the database, read only through the scope.

Content rules: at most 20 MB; a PDF must parse strictly (pypdf), start with ``%PDF-`` and carry no active
content (script, actions, launch, embedded files: ``storage.pdf_problems``); a JPEG or PNG must decode
(Pillow) and is re-encoded, so whatever was appended to the image is dropped, but only after its header showed
no more pixels than UPLOAD_MAX_MEGAPIXELS (a small file can decode to hundreds of MB).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from app.adapters import storage
from app.domain.privacy import AccessKind
from app.domain.workflow import FROZEN_STATUSES, Side
from app.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from app.models.base import now
from app.models.case import Case, CaseMaterial, MaterialVersion, ResultDocument
from app.models.staff import StaffUser
from app.scope import reach_of
from app.services.cases.access import Viewer, get_case, open_full_view, sides_of
from app.services.cases.history import add_event

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    name: str


def check_file(field: str, filename: str, data: bytes) -> CheckedFile:
    """The file as it will be stored (images re-encoded), or every reason it is refused."""
    name = Path(filename or "file").name[:255] or "file"
    problems: list[Problem] = []
    if not data:
        problems.append(Problem(field, _l("The file %(name)s is empty.", name=name)))
    elif len(data) > MAX_BYTES:
        problems.append(Problem(field, _l("The file %(name)s is larger than %(mb)d MB.", name=name, mb=MAX_BYTES // 2**20)))
    content_type = storage.sniff(data) if data else None
    if data and len(data) <= MAX_BYTES:
        if content_type is None:
            problems.append(Problem(field, _l("The file %(name)s is not a PDF, JPEG or PNG file.", name=name)))
        elif content_type == "application/pdf":
            problems.extend(storage.pdf_problems(field, name, data))
        else:
            problems.extend(_image_size_problems(field, name, data))
            data = None if problems else _reencoded(data, content_type)
            if data is None and not problems:
                problems.append(Problem(field, _l("The file %(name)s is a damaged image.", name=name)))
    if problems:
        raise ValidationFailed(problems)
    return CheckedFile(data=data, content_type=content_type, name=name)


def _image_size_problems(field: str, name: str, data: bytes) -> list[Problem]:
    """Refuses an image whose header announces more pixels than the setting allows, before any decoding
    (opening reads the header only). A header Pillow cannot read is left to the decoding that follows."""
    limit = float(current_app.config["UPLOAD_MAX_MEGAPIXELS"])
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return []
    if width * height <= limit * 1_000_000:
        return []
    return [Problem(field, _l("The image %(name)s is %(width)d × %(height)d pixels (%(pixels)s megapixels): at most "
                              "%(limit)s megapixels are accepted. Scan it at a lower resolution.", name=name,
                              width=width, height=height, pixels=f"{width * height / 1_000_000:.1f}",
                              limit=f"{limit:g}"))]


def _reencoded(data: bytes, content_type: str) -> bytes | None:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            if content_type == "image/jpeg":
                image.convert("RGB").save(out, format="JPEG", quality=92)
            else:
                image.save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _writable_case(session: Session, user: StaffUser, case_id: Any) -> Case:
    reach = reach_of(user)
    case = get_case(session, reach, case_id, write=True)
    if not sides_of(reach, case):
        raise Forbidden(_l("Only the windows and the department of the case add files to it."))
    if case.status in FROZEN_STATUSES:
        raise Conflict(_l("The case is closed: its files can no longer change."))
    return case


def attach_scan(session: Session, user: StaffUser, case_id: Any, material_id: Any, filename: str, data: bytes) -> CaseMaterial:
    """Stores the scan of a received material as its newest version (earlier scans stay its versions)."""
    case = _writable_case(session, user, case_id)
    material = next((m for m in case.materials if str(m.id) == str(material_id)), None)
    if material is None:
        raise NotFound()
    add_scan_version(material, check_file("file", filename, data), user)
    session.commit()
    return material


def supply_deferred(session: Session, user: StaffUser, case_id: Any, material_id: Any, filename: str, data: bytes,
                    today: date | None = None) -> Case:
    """容缺: the applicant kept the written promise; the accepting window records the material supplied with
    its scan (a new version), the day it came, and the case's history says so."""
    case = _writable_case(session, user, case_id)
    material = next((m for m in case.materials if str(m.id) == str(material_id)), None)
    if material is None:
        raise NotFound()
    if not sides_of(reach_of(user), case) & {Side.ORIGIN_WINDOW}:
        raise Forbidden(_l("The window that accepted the case records what the applicant promised to supply."))
    if not material.awaiting_supply:
        raise Conflict(_l("%(name)s is not awaited: it was not deferred, or it was supplied already.",
                          name=material.name))
    checked = check_file("file", filename, data)
    add_scan_version(material, checked, user)
    material.received, material.supplied_on = True, today or date.today()
    add_event(session, case, "supply_deferred", case.status, user,
              data={"material": material.name, "deferred_until": material.deferred_until.isoformat(),
                    "supplied_on": material.supplied_on.isoformat(), "scan": checked.name})
    session.commit()
    return case


def add_scan_version(material: CaseMaterial, checked: CheckedFile, user: StaffUser,
                     correction_round: int | None = None) -> MaterialVersion:
    """Stores a checked scan as the material's next version and makes it the current scan; never commits
    (the caller's transaction does: a workflow step, or ``attach_scan``)."""
    if material.scan_key and not material.versions:
        # a scan from before versions were kept (or carried over when a draft's list was saved): it stays version 1
        material.versions.append(MaterialVersion(
            number=1, scan_key=material.scan_key, scan_name=material.scan_name or "",
            scan_sha256=material.scan_sha256 or "", scan_size=material.scan_size or 0, scan_content_type=material.scan_content_type or "",
            uploaded_on=material.scan_uploaded_on or now()))
    key, digest = storage.put(checked.data)
    uploaded_on = now()
    version = MaterialVersion(number=len(material.versions) + 1, correction_round=correction_round, scan_key=key,
                              scan_name=checked.name, scan_sha256=digest, scan_size=len(checked.data),
                              scan_content_type=checked.content_type, uploaded_on=uploaded_on,
                              uploaded_by_fk=user.id, uploaded_by_name=user.name)
    material.versions.append(version)
    material.scan_key, material.scan_name, material.scan_sha256 = key, checked.name, digest
    material.scan_size, material.scan_content_type = len(checked.data), checked.content_type
    material.scan_uploaded_on = uploaded_on
    return version


def add_result_document(session: Session, user: StaffUser, case_id: Any, filename: str, data: bytes) -> ResultDocument:
    case = _writable_case(session, user, case_id)
    if Side.DEPARTMENT not in sides_of(reach_of(user), case) and case.department_id is not None:
        raise Forbidden(_l("The department of the case adds the result documents."))
    document = keep_result_document(session, case, user, check_file("file", filename, data))
    session.commit()
    return document


def keep_result_document(session: Session, case: Case, user: StaffUser, checked: CheckedFile) -> ResultDocument:
    """Stores a checked result document of the case (the caller commits: the 办结 step stores those
    attached to its form in its own transaction)."""
    key, digest = storage.put(checked.data)
    document = ResultDocument(case=case, name=checked.name, file_key=key, sha256=digest, size=len(checked.data),
                              content_type=checked.content_type, uploaded_by_fk=user.id)
    session.add(document)
    return document


def scan_of(session: Session, viewer: Viewer, case_id: Any, material_id: Any) -> tuple[Path, str, str]:
    """(path, download name, content type) of a scan: NotFound outside the scope, Forbidden to a
    reader who sees masks (a scan is a full view), logged for the others."""
    case = get_case(session, viewer.reach, case_id)
    material = next((m for m in case.materials if str(m.id) == str(material_id)), None)
    if material is None or not material.scan_key:
        raise NotFound()
    path = storage.path_of(material.scan_key)
    open_full_view(session, viewer, case, AccessKind.SCAN, record=path.is_file())
    return path, material.scan_name, material.scan_content_type


def scan_version_of(session: Session, viewer: Viewer, case_id: Any, version_id: Any) -> tuple[Path, str, str]:
    """As ``scan_of``, for one version of a material's scan (an earlier one kept from a correction round)."""
    case = get_case(session, viewer.reach, case_id)
    version = next((v for m in case.materials for v in m.versions if str(v.id) == str(version_id)), None)
    if version is None:
        raise NotFound()
    path = storage.path_of(version.scan_key)
    open_full_view(session, viewer, case, AccessKind.SCAN, record=path.is_file())
    return path, version.scan_name, version.scan_content_type


def result_document_of(session: Session, viewer: Viewer, case_id: Any, document_id: Any) -> tuple[Path, str, str]:
    """As ``scan_of``, for a result document."""
    case = get_case(session, viewer.reach, case_id)
    document = next((d for d in case.result_documents if str(d.id) == str(document_id)), None)
    if document is None:
        raise NotFound()
    path = storage.path_of(document.file_key)
    open_full_view(session, viewer, case, AccessKind.RESULT, record=path.is_file())
    return path, document.name, document.content_type
