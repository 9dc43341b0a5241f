"""归档: the archive package of a case (notice §三: the window archives the acceptance materials, the
circulation, issuance and delivery records; the department all materials).

* ``archive_problems(case)`` lists everything that keeps a case from being archived, all at once (the
  step's guard): each received material without a scan, each notice not rendered yet, a result
  without result documents when the department is in the system, a mailed result without a waybill,
  a parcel sent without a waybill, a stored file gone from the storage, a window's ledger row missing.
* Archiving freezes the case (read-only) and queues ``build_archive_package`` through the outbox;
  ``build_archive`` writes one ZIP per case — ``notices/*.pdf``, ``scans/<seq>-<name>``,
  ``results/<name>``, ``conversation/attachments/<id>-<name>`` with ``conversation.json`` and a transcript
  ``conversation.txt``, ``history.json``, ``shipments.json``, ``corrections.json``, ``case.json`` (the full
  record: the package is for the archive) and ``manifest.json`` (every other file with its size and
  SHA-256, the case number, the time) — checking every file against the checksum recorded when it
  was stored, and keeps it as a ``CaseDocument`` (kind ``archive_package``) with the ZIP's SHA-256.
  Built once: a retried or duplicated job returns the stored package.
* ``verify_archive(session, case)`` recomputes the ZIP's checksum and every manifest entry's and
  compares them with what was stored: any change to the package shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters import storage
from app.domain.workflow import Status
from app.errors import NotFound, Problem
from app.labels import NOTICE_LABELS, RESULT_LABELS, SHIPMENT_DIRECTIONS
from app.models.base import LOCAL_ZONE, now
from app.models.case import Case, CaseDocument, CaseMaterial, LedgerEntry, ShipmentDirection
from app.models.conversation import CaseMessage
from app.platform import outbox
from app.scope import Reach
from app.services.cases import notices as documents
from app.services.cases.access import get_case

log = logging.getLogger(__name__)

KIND = "archive_package"
FORMAT = "kytb-archive/1"
MANIFEST = "manifest.json"
GENERATOR = "广元市政务服务“跨域通办”管理系统"
#: already compressed: stored as they are
_STORED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".zip")


class ArchiveIncomplete(RuntimeError):
    """The package cannot be built (a file is gone or changed since it was stored)."""


# --- what archiving needs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFacts:
    """What the checklists of many cases read from other tables, fetched for all of them at once (the
    待归档 tab checks every delivered case: two statements in all, not two per case)."""

    documents: dict[int, dict[tuple[str, str], CaseDocument]]
    ledger_windows: dict[int, set[int]]
    #: the conversation's messages with an attachment
    attachments: dict[int, list[CaseMessage]]


def archive_facts(session: Session, case_ids: Iterable[int]) -> ArchiveFacts:
    ids = sorted(set(case_ids))
    stored: dict[int, dict[tuple[str, str], CaseDocument]] = {case_id: {} for case_id in ids}
    ledger: dict[int, set[int]] = {case_id: set() for case_id in ids}
    attachments: dict[int, list[CaseMessage]] = {case_id: [] for case_id in ids}
    if ids:
        for document in session.scalars(select(CaseDocument).where(CaseDocument.case_id.in_(ids))
                                         .order_by(CaseDocument.created_on)):
            stored[document.case_id][(document.kind, document.ref)] = document
        for case_id, center_id in session.execute(select(LedgerEntry.case_id, LedgerEntry.center_id)
                                                  .where(LedgerEntry.case_id.in_(ids))):
            ledger[case_id].add(center_id)
        for message in session.scalars(select(CaseMessage).where(CaseMessage.case_id.in_(ids),
                                                                 CaseMessage.file_key.is_not(None))
                                       .order_by(CaseMessage.id)):
            attachments[message.case_id].append(message)
    return ArchiveFacts(stored, ledger, attachments)


def _missing_file(key: str | None) -> bool:
    try:
        return not key or not storage.path_of(key).is_file()
    except ValueError:
        return True


@dataclass(frozen=True)
class ChecklistItem:
    """One thing the archive of a case needs (归档清单), done or not; when not, the problem says why."""

    section: str  # materials, notices, result, shipments, delivery, ledger, conversation
    label: Any
    problem: Problem | None = None
    #: the received material whose scan is missing: uploaded in place from the checklist
    material_id: int | None = None
    detail: Any = ""

    @property
    def done(self) -> bool:
        return self.problem is None


def missing_scans(case: Case) -> list[CaseMaterial]:
    """The received materials that have no scan yet, in their order (the archive needs every one)."""
    return [m for m in sorted(case.materials, key=lambda m: m.seq) if m.received and not m.scan_key]


def archive_checklist(session: Session, case: Case, facts: ArchiveFacts | None = None) -> list[ChecklistItem]:
    """Everything archiving needs (notice §三(五): the acceptance materials, circulation, issuance and
    delivery records), each item done or with the problem that keeps the case from being archived.
    ``facts``: what a list of cases fetched for all of them at once."""
    facts = facts or archive_facts(session, [case.id])
    return [*_material_items(case), *_notice_items(case, facts.documents[case.id]), *_result_items(case),
            *_shipment_items(case), *_delivery_and_ledger_items(case, facts.ledger_windows[case.id]),
            *_conversation_items(facts.attachments[case.id])]


def archive_problems(session: Session, case: Case, facts: ArchiveFacts | None = None) -> list[Problem]:
    """Every reason the case cannot be archived yet, each naming its item (empty: it can be)."""
    return [item.problem for item in archive_checklist(session, case, facts) if item.problem is not None]


def _material_items(case: Case) -> list[ChecklistItem]:
    items = []
    for m in sorted(case.materials, key=lambda m: m.seq):
        if not m.received:
            continue
        problem = None
        if not m.scan_key:
            problem = Problem(f"materials[{m.seq}]", _l(
                "Received material %(seq)s “%(name)s” has no scan: upload it before archiving.",
                seq=m.seq, name=m.name))
        elif _missing_file(m.scan_key):
            problem = Problem(f"materials[{m.seq}]", _l(
                "The stored scan of material %(seq)s “%(name)s” is missing from the file storage.", seq=m.seq,
                name=m.name))
        items.append(ChecklistItem("materials", f"{m.seq}. {m.name}", problem, material_id=m.id,
                                   detail=m.scan_name or ""))
    return items


def _notice_items(case: Case, stored: dict[tuple[str, str], CaseDocument]) -> list[ChecklistItem]:
    items = []
    for kind in documents.NOTICE_KINDS:
        for ref in documents.applicable(case, kind):
            document = stored.get((kind, ref))
            problem = None
            if document is None:
                problem = Problem("notices", _notice_pending(kind, documents.ordinal(case, kind, ref)))
            elif _missing_file(document.file_key):
                problem = Problem("notices", _l("The stored file of %(name)s is missing from the file storage.",
                                                name=document.file_name))
            name = NOTICE_LABELS[kind] if not ref else _l("%(notice)s, round %(round)s", notice=NOTICE_LABELS[kind],
                                                           round=documents.ordinal(case, kind, ref))
            items.append(ChecklistItem("notices", name, problem, detail=document.file_name if document else ""))
    return items


def _result_items(case: Case) -> list[ChecklistItem]:
    items = [ChecklistItem("result", _l("Result of the department"),
                           None if case.result else Problem("result", _l("No result of the department is recorded.")),
                           detail=RESULT_LABELS.get(case.result or "", ""))]
    if case.department_id is not None and not case.result_documents:
        items.append(ChecklistItem("result", _l("Result documents"), Problem("result_documents", _l(
            "%(department)s has not uploaded the result documents (批准文书、证照、决定书 …).",
            department=case.department.name if case.department else case.department_name))))
    for document in case.result_documents:
        problem = None
        if _missing_file(document.file_key):
            problem = Problem("result_documents", _l(
                "The stored file of the result document %(name)s is missing from the file storage.",
                name=document.name))
        items.append(ChecklistItem("result", document.name, problem))
    return items


def _shipment_items(case: Case) -> list[ChecklistItem]:
    # an inbound case's parcel is on record from the day our window signed for it (an outside window sent it)
    dispatched = any(s.direction == ShipmentDirection.MATERIALS and (s.sent_on or s.received_on)
                     for s in case.shipments)
    items = [] if dispatched else [ChecklistItem("shipments", SHIPMENT_DIRECTIONS[ShipmentDirection.MATERIALS], Problem(
        "shipments", _l("The dispatch of the application materials is not on record.")))]
    for shipment in case.shipments:
        on = shipment.sent_on or shipment.received_on
        if not on:
            continue
        problem = None
        if not (shipment.waybill_number or "").strip():
            problem = Problem("shipments", _l("The parcel sent on %(date)s has no waybill number.",
                                              date=on.isoformat()))
        items.append(ChecklistItem("shipments", SHIPMENT_DIRECTIONS.get(shipment.direction, shipment.direction),
                                   problem, detail=f"{shipment.waybill_number} · {on.isoformat()}"))
    if case.delivery_method == "mail" and not any(
            s.direction == ShipmentDirection.RESULT and (s.waybill_number or "").strip() for s in case.shipments):
        items.append(ChecklistItem("shipments", SHIPMENT_DIRECTIONS[ShipmentDirection.RESULT], Problem(
            "shipments", _l("The result was mailed, but no waybill number of its parcel is recorded."))))
    return items


def _conversation_items(attachments: list[CaseMessage]) -> list[ChecklistItem]:
    """An attachment of the conversation gone from the file storage (the package keeps every one)."""
    return [ChecklistItem("conversation", message.file_name, Problem("conversation", _l(
        "The stored file of the conversation's attachment %(name)s is missing from the file storage.",
        name=message.file_name))) for message in attachments if message.file_key and _missing_file(message.file_key)]


def _delivery_and_ledger_items(case: Case, ledger: set[int]) -> list[ChecklistItem]:
    items = [ChecklistItem("delivery", _l("Delivery of the result"),
                           None if case.delivered_on else Problem(
                               "delivered_on", _l("The delivery of the result is not recorded.")),
                           detail=case.delivered_on.isoformat() if case.delivered_on else "")]
    for window in (case.origin_center, case.home_center):
        if window is not None and not window.external:
            problem = None if window.id in ledger else Problem("ledger", _l(
                "The work ledger of %(window)s has no row for this case.", window=window.name))
            items.append(ChecklistItem("ledger", _l("Work ledger of %(window)s", window=window.name), problem))
    return items


def _notice_pending(kind: str, ref: str) -> Any:
    if kind == "correction":
        return _l("The correction notice of round %(round)s has not been rendered yet: wait a moment and try again.",
                  round=ref)
    if kind == "rejection":
        return _l("The notice of decline has not been rendered yet: wait a moment and try again.")
    if kind == "receipt":
        return _l("The receipt of materials has not been rendered yet: wait a moment and try again.")
    if kind == "deferral":
        return _l("The deferred-material promise has not been rendered yet: wait a moment and try again.")
    if kind == "special_procedure":
        return _l("The notice of special procedure %(n)s has not been rendered yet: wait a moment and try again.",
                  n=ref)
    if kind == "extension":
        return _l("The notice of extension %(n)s has not been rendered yet: wait a moment and try again.", n=ref)
    return _l("The acceptance notice has not been rendered yet: wait a moment and try again.")


# --- the package ---------------------------------------------------------------------------------------


def stored_package(session: Session, case_id: int) -> CaseDocument | None:
    return documents.stored_document(session, case_id, KIND)


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name that is one path part: no separators, no control characters, not too long."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "_", Path(name.replace("\\", "/")).name).strip(" .")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:100] + dot + suffix[:15]) if dot and len(suffix) <= 15 else name[:120]
    return name or fallback


def _unique(path: str, taken: set[str]) -> str:
    if path not in taken:
        taken.add(path)
        return path
    folder, _, name = path.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    for n in range(2, 10_000):
        candidate = f"{folder}/{stem}-{n}{dot}{suffix}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise ArchiveIncomplete(f"too many files named {path}")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _columns(item: Any, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of a record, as JSON-ready values (new columns appear without changing this)."""
    skipped = set(skip)
    return {c.key: _plain(getattr(item, c.key)) for c in type(item).__table__.columns if c.key not in skipped}


def _center(center: Any) -> dict[str, Any] | None:
    if center is None:
        return None
    region = getattr(center, "region", None)
    return {"id": center.id, "code": center.code, "name": center.name, "external": center.external,
            "region": region.full_name if region is not None else ""}


@dataclass
class _Writer:
    """Adds files to the ZIP and remembers each one's size and SHA-256 for the manifest."""

    zip: zipfile.ZipFile
    stamp: tuple[int, ...]
    entries: list[dict[str, Any]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def _info(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_STORED if path.lower().endswith(_STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, path: str, data: bytes, kind: str) -> None:
        path = _unique(path, self.taken)
        self.zip.writestr(self._info(path), data)
        self.entries.append({"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                             "kind": kind})

    def add_json(self, path: str, data: Any, kind: str) -> None:
        self.add_bytes(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n", kind)

    def add_stored(self, path: str, key: str, expected_sha256: str | None, kind: str) -> str:
        """Copies a stored file in, checking it against the checksum recorded when it was stored."""
        path = _unique(path, self.taken)
        digest, size = hashlib.sha256(), 0
        with storage.path_of(key).open("rb") as source, self.zip.open(self._info(path), "w") as target:
            while chunk := source.read(storage.CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        if expected_sha256 and digest.hexdigest() != expected_sha256:
            raise ArchiveIncomplete(f"{path}: the stored file changed since it was stored (sha256 "
                                    f"{digest.hexdigest()}, recorded {expected_sha256})")
        self.entries.append({"path": path, "size": size, "sha256": digest.hexdigest(), "kind": kind})
        return path


def build_archive(session: Session, case_id: int, *, at: datetime | None = None) -> CaseDocument:
    """Builds and stores the archive package of an archived case, once; returns its document."""
    existing = stored_package(session, case_id)
    if existing is not None:
        return existing
    case = session.get(Case, case_id)
    if case is None or case.status != Status.ARCHIVED:
        raise NotFound()
    problems = [p for p in archive_problems(session, case) if p.field != "ledger"]
    if problems:
        raise ArchiveIncomplete("; ".join(str(p.message) for p in problems))
    created = at or now()
    tmp = storage.temporary_file("archive-")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as package:
            writer = _Writer(package, created.timetuple()[:6])
            files = _add_files(session, case, writer)
            _add_conversation(session, case, writer)
            writer.add_json("history.json", _history(case), "history")
            writer.add_json("shipments.json", _shipments(case), "shipments")
            writer.add_json("corrections.json", _corrections(case), "corrections")
            writer.add_json("case.json", _case_record(session, case, files), "case")
            manifest = {
                "format": FORMAT, "generator": GENERATOR, "case_id": case.id, "case_number": case.number,
                "created_on": created.isoformat(), "algorithm": "sha256", "files": writer.entries,
            }
            package.writestr(writer._info(MANIFEST),
                             json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        key, digest, size = storage.store_file(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    values = {"case_id": case.id, "case_version": case.version, "file_name": f"{case.number or case.id}-归档包.zip"}
    label = case.label
    session.commit()  # ends the reading before the write (SQLite cannot turn an old read into a write)
    document = CaseDocument(kind=KIND, ref="", file_key=key, content_type="application/zip", sha256=digest,
                            size=size, missing_glyphs=[], created_on=created, **values)
    stored = documents.keep_first(session, document)
    if stored is document:
        log.info("archive package of case %s stored: %d files, %d bytes, sha256 %s", label,
                 len(writer.entries), size, digest)
    return stored


@outbox.handles("build_archive_package")
def build_archive_message(session: Session, message: Any) -> CaseDocument:
    """The outbox handler of topic ``build_archive_package`` (queued by the archive step)."""
    return build_archive(session, message.case_id)


def _add_files(session: Session, case: Case, writer: _Writer) -> dict[str, Any]:
    """The notices, the scans and the result documents; returns where each went, for case.json."""
    placed: dict[str, Any] = {"notices": [], "scans": {}, "versions": {}, "results": {}}
    for document in documents.documents_of(session, case):
        if document.kind not in documents.NOTICE_KINDS:
            continue
        path = writer.add_stored(f"notices/{safe_name(document.file_name, document.kind + '.pdf')}",
                                 document.file_key, document.sha256, "notice")
        placed["notices"].append({"kind": document.kind, "ref": document.ref, "path": path,
                                  "created_on": _plain(document.created_on)})
    for material in sorted(case.materials, key=lambda m: m.seq):
        if material.scan_key:
            name = safe_name(material.scan_name or "", f"scan{_suffix(material.scan_content_type)}")
            placed["scans"][material.id] = writer.add_stored(f"scans/{material.seq:02d}-{name}", material.scan_key,
                                                             material.scan_sha256, "scan")
        for version in material.versions[:-1]:  # the earlier scans, kept since a correction replaced them
            name = safe_name(version.scan_name, f"scan{_suffix(version.scan_content_type)}")
            placed["versions"][version.id] = writer.add_stored(
                f"scans/versions/{material.seq:02d}-v{version.number}-{name}", version.scan_key, version.scan_sha256,
                "scan")
    for document in case.result_documents:
        name = safe_name(document.name, f"result{_suffix(document.content_type)}")
        placed["results"][document.id] = writer.add_stored(f"results/{name}", document.file_key, document.sha256,
                                                           "result")
    return placed


def _add_conversation(session: Session, case: Case, writer: _Writer) -> None:
    """沟通记录: each message's attachment in ``conversation/attachments/<message id>-<name>``, the messages
    as ``conversation.json`` (full record) and as a transcript to read, ``conversation.txt``."""
    messages = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)
                               .order_by(CaseMessage.created_on, CaseMessage.id)).all()
    if not messages:
        return
    records, lines = [], [f"{case.number or case.id} 沟通记录", ""]
    for message in messages:
        record = _columns(message, skip=("case_id", "file_key"))
        record["file"] = None
        if message.file_key:
            name = safe_name(message.file_name or "", f"attachment{_suffix(message.file_content_type)}")
            record["file"] = writer.add_stored(f"conversation/attachments/{message.id:04d}-{name}", message.file_key,
                                               message.file_sha256, "conversation")
        records.append(record)
        place = f"（{message.author_place}）" if message.author_place else ""
        lines.append(f"[{message.created_on:%Y-%m-%d %H:%M}] #{message.id} {message.author_name}{place}"
                     + (f" 回复 #{message.reply_to_id}" if message.reply_to_id else ""))
        lines.extend(f"    {line}" for line in message.body.splitlines())
        if record["file"]:
            lines.append(f"    附件：{message.file_name}（{record['file']}）")
        lines.append("")
    writer.add_json("conversation.json", records, "conversation")
    writer.add_bytes("conversation.txt", "\n".join(lines).encode("utf-8"), "conversation")


def _suffix(content_type: str | None) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(content_type or "", "")


def _history(case: Case) -> list[dict[str, Any]]:
    # feed_seq: the event feed's position, given when an integration reads it (docs/WEBHOOKS.md): not the record
    return [_columns(e, skip=("case_id", "feed_seq")) for e in sorted(case.events, key=lambda e: e.seq)]


def _shipments(case: Case) -> list[dict[str, Any]]:
    out = []
    for s in case.shipments:
        record = _columns(s, skip=("case_id",))
        record["from_center"] = _center(s.from_center)
        record["to_center"] = _center(s.to_center)
        out.append(record)
    return out


def _corrections(case: Case) -> list[dict[str, Any]]:
    out = []
    for c in case.corrections:
        record = _columns(c, skip=("case_id",))
        record["items"] = [_columns(i, skip=("correction_id",)) for i in c.items]
        out.append(record)
    return out


def _case_record(session: Session, case: Case, placed: dict[str, Any]) -> dict[str, Any]:
    record = _columns(case, skip=("public_token",))  # the applicant's key to the progress page stays out
    record["matter"] = {"id": case.matter.id, "code": case.matter.code, "name": case.matter.name}
    record["guide"] = {"id": case.guide.id, "version": case.guide.version, "sha256": case.guide.sha256,
                       "content": _plain(case.guide.content)}
    record["handling_type"] = {"id": case.handling_type.id, "code": case.handling_type.code,
                               "name": case.handling_type.name}
    record["origin_center"] = _center(case.origin_center)
    record["home_center"] = _center(case.home_center)
    record["department"] = (None if case.department is None else
                            {"id": case.department.id, "name": case.department.name, "line": case.department.line})
    materials = []
    for m in sorted(case.materials, key=lambda m: m.seq):
        item = _columns(m, skip=("case_id", "scan_key"))
        item["file"] = placed["scans"].get(m.id)
        item["versions"] = [dict(_columns(v, skip=("material_id", "scan_key")), file=placed["versions"].get(v.id) or (
            item["file"] if v.scan_key == m.scan_key else None)) for v in m.versions]
        materials.append(item)
    record["materials"] = materials
    results = []
    for d in case.result_documents:
        item = _columns(d, skip=("case_id", "file_key"))
        item["file"] = placed["results"].get(d.id)
        results.append(item)
    record["result_documents"] = results
    record["notices"] = placed["notices"]
    ledger = session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id).order_by(LedgerEntry.id))
    record["ledger"] = [dict(_columns(e, skip=("case_id",)), center=e.center.name) for e in ledger]
    return record


# --- reading and checking ----------------------------------------------------------------------------


def package_for(session: Session, reach: Reach, case_id: Any) -> tuple[Case, documents.StoredDocument]:
    """The package of a case within the reach; NotFound when the case is out of scope or not archived."""
    case = get_case(session, reach, case_id)
    if case.status != Status.ARCHIVED:
        raise NotFound()
    return case, documents.StoredDocument(stored_package(session, case.id))


@dataclass(frozen=True)
class ArchiveCheck:
    valid: bool
    case_number: str
    sha256: str  # the package as it is now
    stored_sha256: str  # as recorded when it was built
    files: int  # manifest entries checked
    problems: tuple[str, ...] = ()
    checked_on: datetime = field(default_factory=now)

    def as_dict(self) -> dict[str, Any]:
        # the moment with its zone, as every answer of the API gives moments
        return {"valid": self.valid, "case_number": self.case_number, "sha256": self.sha256,
                "stored_sha256": self.stored_sha256, "files": self.files, "problems": list(self.problems),
                "checked_on": self.checked_on.replace(tzinfo=LOCAL_ZONE).isoformat()}


def verify_archive(session: Session, case: Case) -> ArchiveCheck:
    """Recomputes the package's checksum and each manifest entry's, and compares them with what was
    recorded. NotFound when the case has no package (yet)."""
    document = stored_package(session, case.id)
    if document is None:
        raise NotFound()
    problems: list[str] = []
    path = storage.path_of(document.file_key)
    if not path.is_file():
        problems.append(str(_l("The package file is missing from the file storage.")))
        return ArchiveCheck(False, case.number or "", "", document.sha256, 0, tuple(problems))
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(storage.CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != document.sha256:
        problems.append(str(_l("The package's checksum differs from the one recorded when it was built.")))
    checked = 0
    try:
        with zipfile.ZipFile(path) as package:
            manifest = json.loads(package.read(MANIFEST).decode("utf-8"))
            names = {i.filename for i in package.infolist() if not i.is_dir()} - {MANIFEST}
            listed = set()
            if manifest.get("case_number") != case.number:
                problems.append(str(_l("The manifest names case %(number)s.", number=manifest.get("case_number"))))
            for entry in manifest.get("files", []):
                name = entry.get("path", "")
                listed.add(name)
                checked += 1
                if name not in names:
                    problems.append(str(_l("%(path)s is listed in the manifest but missing.", path=name)))
                    continue
                sha, size = hashlib.sha256(), 0
                with package.open(name) as member:
                    while chunk := member.read(storage.CHUNK):
                        sha.update(chunk)
                        size += len(chunk)
                if sha.hexdigest() != entry.get("sha256") or size != entry.get("size"):
                    problems.append(str(_l("%(path)s differs from its manifest entry.", path=name)))
            for extra in sorted(names - listed):
                problems.append(str(_l("%(path)s is in the package but not in the manifest.", path=extra)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zipfile.LargeZipFile) as error:
        log.warning("archive package of case %s cannot be read: %s", case.label, error)
        problems.append(str(_l("The package cannot be read as a ZIP file with a manifest.")))
    result = ArchiveCheck(not problems, case.number or "", digest.hexdigest(), document.sha256, checked,
                          tuple(problems))
    log.info("archive package of case %s verified: %s", case.label, "valid" if result.valid else problems)
    return result


def verify_case_archive(session: Session, reach: Reach, case_id: Any) -> ArchiveCheck | None:
    """The check of a case's package within the reach; None while the package is being built."""
    case, state = package_for(session, reach, case_id)
    if state.pending:
        return None
    return verify_archive(session, case)
