"""Stored files (sample forms, scans, result documents, notices, exports and archive packages).

Files live under ``STORAGE_DIR`` (outside every static folder) by a generated key; the original name
is kept in the database only. A path is always built from a key we generated, never from user input.
They hold personal data: files are written 0640 and directories 0750 (owner and the service's group, never
other users of the machine), whatever the process's umask.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from app.domain.upload_checks import active_pdf_content
from app.errors import Problem, ValidationFailed

#: files are read and hashed in pieces of this size (exports and archive packages run to gigabytes)
CHUNK = 1024 * 1024
#: modes of what we store: personal data, readable by the service's user and group only
FILE_MODE = 0o640
DIRECTORY_MODE = 0o750
KEY = re.compile(r"^[a-f0-9]{2}/[a-f0-9]{32}$")
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff(data: bytes) -> str | None:
    """The content type by the file's first bytes (never by its name), or None if not allowed."""
    for content_type, signatures in SIGNATURES.items():
        if any(data.startswith(sig) for sig in signatures):
            return content_type
    return None


def _root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def private_directory(path: Path) -> Path:
    """``path`` (and the parents it creates) as a directory of mode 0750; returns it."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        created.chmod(DIRECTORY_MODE)
    return path


def make_private(path: Path) -> Path:
    """A file we wrote, made readable by the service's user and group only; returns it."""
    path.chmod(FILE_MODE)
    return path


def path_of(key: str) -> Path:
    if not KEY.match(key or ""):
        raise ValueError("not a storage key")
    return _root() / key


def put(data: bytes) -> tuple[str, str]:
    """Stores bytes under a new random key; returns (key, sha256)."""
    token = secrets.token_hex(16)
    key = f"{token[:2]}/{token}"
    path = path_of(key)
    private_directory(path.parent)
    tmp = path.with_suffix(".part")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as f:
        f.write(data)
    make_private(tmp).replace(path)
    return key, hashlib.sha256(data).hexdigest()


def check_upload(field: str, filename: str, data: bytes, max_bytes: int) -> str:
    """The content type of an acceptable upload; every problem with it otherwise."""
    problems = []
    if not data:
        problems.append(Problem(field, _l("The file %(name)s is empty.", name=filename)))
    if len(data) > max_bytes:
        problems.append(Problem(field, _l("The file %(name)s is larger than %(mb)d MB.", name=filename,
                                          mb=max_bytes // (1024 * 1024))))
    content_type = sniff(data) if data else None
    if data and content_type is None:
        problems.append(Problem(field, _l("The file %(name)s is not a PDF, JPEG or PNG file.", name=filename)))
    if content_type == "application/pdf" and len(data) <= max_bytes:
        problems.extend(pdf_problems(field, filename, data))
    if problems:
        raise ValidationFailed(problems)
    return content_type or ""


def pdf_problems(field: str, name: str, data: bytes) -> list[Problem]:
    """Why a PDF is refused: it does not parse strictly (pypdf), has no page, or carries active content
    (script, actions, launch, embedded files) that would run in the reader of whoever opens it."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if len(reader.pages) < 1:
            raise ValueError("no page")
        active = active_pdf_content(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, IndexError, AssertionError, AttributeError,
            RecursionError):
        return [Problem(field, _l("The file %(name)s is a damaged PDF.", name=name))]
    if active:
        return [Problem(field, _l("The file %(name)s contains active content (%(what)s): scripts, actions and "
                                  "embedded files are not accepted. Print it to PDF again, or scan it.",
                                  name=name, what=", ".join(sorted(a.lstrip("/") for a in active))))]
    return []


def attach_sample_form(material, filename: str, data: bytes) -> None:
    """Stores a sample form (样本样表) for a required material; the caller's save commits it."""
    check_upload("sample_file", filename, data, current_app.config["SAMPLE_FILE_MAX_BYTES"])
    key, digest = put(data)
    material.sample_file_key = key
    material.sample_file_name = Path(filename).name[:255]
    material.sample_file_sha256 = digest


def remove(key: str) -> None:
    """Deletes a stored file that no record refers to (e.g. a duplicate render)."""
    path_of(key).unlink(missing_ok=True)


# --- large files written in pieces (exports, archive packages) ----------------------------------------


def temporary_file(prefix: str) -> Path:
    """A new file beside the storage (same file system, so storing it is a rename)."""
    directory = private_directory(_root() / "tmp")
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=directory)  # mode 0600
    os.close(handle)
    return Path(name)


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def store_file(path: Path) -> tuple[str, str, int]:
    """Moves a finished file into the storage under a new key; returns (key, sha256, size)."""
    digest, size = file_sha256(path)
    key, _ = put(b"")  # a fresh key, then the content by an atomic rename
    os.replace(make_private(path), path_of(key))
    return key, digest, size
