"""``flask backup`` / ``flask restore``: a backup restored into an empty installation has every case, every
stored file with its checksum, and the outbox as it was (done rows done, pending ones with their keys)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from app.adapters import storage
from app.extensions import db
from app.models.case import (
    Case,
    CaseDocument,
    CaseMaterial,
    Notification,
    OutboxMessage,
    ResultDocument,
    Shipment,
)
from tests import factories
from tests.conftest import instance_of_its_own


def _state(session) -> dict:
    """What must come back: cases, the stored files each row names (with its checksum), the outbox and keys."""
    files = {(m.scan_key, m.scan_sha256) for m in session.scalars(select(CaseMaterial)) if m.scan_key}
    files |= {(d.file_key, d.sha256) for d in session.scalars(select(CaseDocument))}
    files |= {(d.file_key, d.sha256) for d in session.scalars(select(ResultDocument))}
    return {
        "cases": {c.id: (c.number, c.status, c.version) for c in session.scalars(select(Case))},
        "files": files,
        "outbox": {m.id: (m.topic, m.key, m.done_on) for m in session.scalars(select(OutboxMessage))},
        "booking_keys": set(session.scalars(select(Shipment.booking_key))),
        "request_ids": set(session.scalars(select(Notification.request_id))),
    }


def _stored_checksum(key: str) -> str:
    return hashlib.sha256(storage.path_of(key).read_bytes()).hexdigest()


@pytest.fixture()
def backed_up(app, tmp_path, request) -> tuple[Path, dict]:
    """An installation with two archived cases (scans, notices, results, packages) and one just accepted
    (its jobs pending), backed up with ``flask backup`` (and the options the test names, if any)."""
    directory, options = tmp_path / "backup", getattr(request, "param", [])
    with instance_of_its_own(app, tmp_path, "origin") as origin:
        for _ in range(2):
            factories.archived_case(db.session)
        pending = factories.accepted_case(db.session)
        factories.run_outbox(db.session, "notify_applicant", pending.id)  # sent: must never be sent again
        state = _state(db.session)
        db.session.commit()
        result = origin.test_cli_runner().invoke(args=["backup", str(directory), *options])
        assert result.exit_code == 0, result.output
    assert any(done is None for _, _, done in state["outbox"].values())
    assert any(done is not None for _, _, done in state["outbox"].values())
    assert len(state["files"]) >= 10
    return directory, state


@pytest.mark.parametrize("backed_up", [[], ["--portable"]], indirect=True, ids=["native", "portable"])
def test_a_backup_restored_into_an_empty_instance_has_every_case_file_and_checksum(app, tmp_path, backed_up):
    directory, before = backed_up
    with instance_of_its_own(app, tmp_path, "restored", set_up=False) as restored:
        result = restored.test_cli_runner().invoke(args=["restore", str(directory)])
        assert result.exit_code == 0, result.output
        after = _state(db.session)
        assert after == before  # every case; every file row; done rows done, pending rows with their keys
        assert all(_stored_checksum(key) == sha256 for key, sha256 in after["files"])
        assert Path(current_app.config["STORAGE_DIR"]).is_dir()

        again = restored.test_cli_runner().invoke(args=["restore", str(directory)])
        assert again.exit_code != 0 and "not empty" in again.output and "--force" in again.output


def test_a_damaged_backup_is_refused_before_anything_is_touched(app, tmp_path, backed_up):
    directory, before = backed_up
    scan_key = min(before["files"])[0]
    (directory / "files" / scan_key).write_bytes(b"%PDF-1.4 not the scan")
    with instance_of_its_own(app, tmp_path, "restored", set_up=False) as restored:
        result = restored.test_cli_runner().invoke(args=["restore", str(directory)])
        assert result.exit_code != 0 and "damaged" in result.output and scan_key in result.output
        assert not [p for p in Path(current_app.config["STORAGE_DIR"]).rglob("*") if p.is_file()]
