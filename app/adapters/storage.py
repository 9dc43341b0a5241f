"""Stored files (sample forms now; scans, notices and archive packages later).

Files live under ``STORAGE_DIR`` (outside every static folder) by a generated key; the original name
is kept in the database only. A path is always built from a key we generated, never from user input.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import Problem, ValidationFailed

#: files are read and hashed in pieces of this size (exports and archive packages run to gigabytes)
CHUNK = 1024 * 1024
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


def path_of(key: str) -> Path:
    if not KEY.match(key or ""):
        raise ValueError("not a storage key")
    return _root() / key


def put(data: bytes) -> tuple[str, str]:
    """Stores bytes under a new random key; returns (key, sha256)."""
    token = secrets.token_hex(16)
    key = f"{token[:2]}/{token}"
    path = path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
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
    if problems:
        raise ValidationFailed(problems)
    return content_type or ""


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
    directory = _root() / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=directory)
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
    os.replace(path, path_of(key))
    return key, digest, size
