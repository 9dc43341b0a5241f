"""Stored files hold personal data (scans, notices, exports, archive packages): they are written 0640 and
their directories 0750 whatever the umask, never readable by other users of the machine (issue 9, defect 8)."""

from __future__ import annotations

import os
import stat

import pytest

from app.adapters import storage
from tests.conftest import config_override


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def permissive_umask():
    previous = os.umask(0o022)  # what most services run with: 0644 files, 0755 directories
    yield
    os.umask(previous)


def test_a_stored_file_and_its_directories_are_private(app, tmp_path, permissive_umask):
    root = tmp_path / "storage"
    with config_override(app, STORAGE_DIR=root), app.app_context():
        key, _ = storage.put(b"%PDF-1.7 scan")
        path = storage.path_of(key)
        assert _mode(path) == 0o640
        assert _mode(path.parent) == 0o750 and _mode(root) == 0o750


def test_large_files_written_in_pieces_are_private_before_and_after_they_are_stored(app, tmp_path, permissive_umask):
    root = tmp_path / "storage"
    with config_override(app, STORAGE_DIR=root), app.app_context():
        tmp = storage.temporary_file("export-")
        tmp.write_bytes(b"PK archive")
        assert _mode(tmp) in (0o600, 0o640) and _mode(tmp.parent) == 0o750
        key, _, _ = storage.store_file(tmp)
        assert _mode(storage.path_of(key)) == 0o640


def test_the_instance_directory_is_private(app):
    assert _mode(app.instance_path) == 0o750
