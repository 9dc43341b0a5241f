"""Backup and restore of one installation: the database and the file store (``STORAGE_DIR``: scans,
notices, result documents, packages, exports, reports), taken together and checked by SHA-256.

A backup directory holds

- ``database.sqlite3`` (SQLite, the online backup API: a consistent copy of a live database),
  ``database.dump`` (PostgreSQL, ``pg_dump --format=custom`` when it is on PATH) or ``database.json``
  (PostgreSQL without the client tools: a portable dump read in one repeatable-read transaction);
- ``files/``: the file store, key by key;
- ``manifest.json``: what it is, and the SHA-256 and size of the database file and of every file.

Consistency: the database is copied first, then the files. A file is always stored before the row that
names it is committed, and stored files are never changed (only removed when no row names them), so every
file the database copy names is in the file copy; files stored meanwhile come along unnamed and harmless.

Restore refuses a target that is not empty (a database with tables, or stored files) unless forced,
verifies every checksum before it touches anything and again after copying the files. The database comes
back as it was: outbox rows that were done stay done, pending ones keep their keys (the courier's
idempotency key and the SMS request id are stored with their rows), so nothing is booked or sent twice.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_appbuilder import Model
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    LargeBinary,
    create_engine,
    inspect,
    make_url,
    text,
)
from sqlalchemy.engine import URL, Engine

from app.adapters import storage
from app.errors import Conflict, Problem, ValidationFailed

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FILES = "files"
FORMAT = 1
#: files of the store that are not stored files (pieces being written)
SKIPPED_DIRECTORIES = {"tmp"}


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    database: str  # sqlite / pg_dump / json
    files: int
    bytes: int


# --- checksums -----------------------------------------------------------------------------------------


def _stored_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] not in SKIPPED_DIRECTORIES
                  and not p.name.endswith(".part"))


def _entry(path: Path) -> dict[str, Any]:
    digest, size = storage.file_sha256(path)
    return {"sha256": digest, "size": size}


# --- the database --------------------------------------------------------------------------------------


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def database_method(url: URL, portable: bool = False) -> str:
    """How this database is copied: ``sqlite``, ``pg_dump`` (when on PATH) or the portable ``json``."""
    if url.get_backend_name() == "sqlite":
        return "json" if portable else "sqlite"
    if not portable and shutil.which("pg_dump") and shutil.which("pg_restore"):
        return "pg_dump"
    return "json"


DATABASE_FILES = {"sqlite": "database.sqlite3", "pg_dump": "database.dump", "json": "database.json"}


def _sqlite_copy(source: str, target: str) -> None:
    """SQLite's online backup: a consistent copy even while others write."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _alembic_revisions(conn: Connection) -> list[str]:
    if not inspect(conn).has_table("alembic_version"):
        return []
    return list(conn.scalars(text("SELECT version_num FROM alembic_version")))


def _dump_json(engine: Engine, target: Path) -> None:
    """Every table of the models, row by row, read in one repeatable-read transaction."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin(), target.open("w", encoding="utf-8") as out:
        json.dump({"alembic_version": _alembic_revisions(conn)}, out, ensure_ascii=False)
        out.write("\n")
        for table in Model.metadata.sorted_tables:
            for row in conn.execute(table.select()).mappings():
                json.dump({"table": table.name, "row": {k: _plain(v) for k, v in row.items()}}, out, ensure_ascii=False)
                out.write("\n")


def _typed(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _load_json(engine: Engine, source: Path) -> None:
    """The tables of the models made anew, their rows inserted, the id sequences moved past them."""
    tables = {table.name: table for table in Model.metadata.sorted_tables}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    with source.open(encoding="utf-8") as lines:
        revisions = json.loads(next(lines))["alembic_version"]
        for line in lines:
            item = json.loads(line)
            table = tables[item["table"]]
            rows[table.name].append({k: _typed(table.c[k], v) for k, v in item["row"].items()})
    with engine.begin() as conn:
        Model.metadata.create_all(conn)
        foreign_keys = _drop_foreign_keys(conn)  # rows of tables that name each other go in any order
        for name, table in tables.items():
            if rows[name]:
                conn.execute(table.insert(), rows[name])
        for table, name, definition in foreign_keys:
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
        conn.execute(text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        for revision in revisions:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision})
        if engine.dialect.name == "postgresql":
            _move_sequences(conn, tables.values())


def _drop_foreign_keys(conn: Connection) -> list[tuple[str, str, str]]:
    """PostgreSQL: drops the foreign keys (checked again when they are added back); returns them."""
    if conn.dialect.name != "postgresql":
        return []  # SQLite does not enforce them here
    found = conn.execute(text(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()")).all()
    for table, name, _ in found:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    return [(table.strip('"'), name, definition) for table, name, definition in found]


def _move_sequences(conn: Connection, tables: Any) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
            if sequence:
                conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                                  "false)"), {"s": sequence})


def _dump_database(method: str, url: URL, target: Path) -> None:
    if method == "sqlite":
        _sqlite_copy(url.database, str(target))
    elif method == "pg_dump":
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), "--dbname", _libpq_url(url)],
                       check=True, capture_output=True)
    else:
        engine = create_engine(url)
        try:
            _dump_json(engine, target)
        finally:
            engine.dispose()


def _load_database(method: str, url: URL, source: Path) -> None:
    if method == "sqlite":
        if url.get_backend_name() != "sqlite":
            raise ValidationFailed(Problem("database", "an SQLite backup restores into SQLite only"))
        _sqlite_copy(str(source), url.database)
    elif method == "pg_dump":
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq_url(url), str(source)],
                       check=True, capture_output=True)
    else:
        engine = create_engine(url)
        try:
            _load_json(engine, source)
        finally:
            engine.dispose()


def _database_is_empty(url: URL) -> bool:
    """No table but the security tables Flask-AppBuilder creates when the app starts, and no user in them."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            if any(not name.startswith("ab_") for name in names):
                return False
            return "ab_user" not in names or not conn.scalar(text("SELECT COUNT(*) FROM ab_user"))
    finally:
        engine.dispose()


def _empty_database(url: URL) -> None:
    """Drops every table: the restored database replaces what is there."""
    if url.get_backend_name() == "sqlite":
        Path(url.database).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


# --- backup --------------------------------------------------------------------------------------------


def _release_connections() -> None:
    """The app's pooled connections are closed around a restore (they would see the old database)."""
    from app.extensions import db

    db.session.remove()
    for engine in db.engines.values():
        getattr(engine, "dispose", lambda: None)()


def take_backup(directory: Path, *, portable: bool = False) -> BackupSummary:
    """Copies the database, then the file store, into ``directory`` (new or empty), with the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise Conflict(f"{directory} is not empty: a backup goes into a new directory")
    storage.private_directory(directory)
    url = _url()
    method = database_method(url, portable)
    database_file = directory / DATABASE_FILES[method]
    _dump_database(method, url, database_file)
    storage.make_private(database_file)
    root = Path(current_app.config["STORAGE_DIR"])
    files: dict[str, dict[str, Any]] = {}
    for path in _stored_files(root):
        name = path.relative_to(root).as_posix()
        copy = directory / FILES / name
        storage.private_directory(copy.parent)
        shutil.copyfile(path, copy)
        files[name] = _entry(storage.make_private(copy))
    manifest = {"format": FORMAT, "created_on": datetime.now().isoformat(timespec="seconds"),
                "database": {"method": method, "file": database_file.name, **_entry(database_file)}, "files": files}
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    summary = BackupSummary(directory, method, len(files), sum(f["size"] for f in files.values()))
    log.info("backup in %s: database by %s, %d files (%d bytes)", directory, method, summary.files, summary.bytes)
    return summary


# --- restore -------------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise ValidationFailed(Problem("directory", f"{directory} holds no backup ({MANIFEST} is missing)"))
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(Problem("directory", f"unknown backup format {manifest.get('format')!r}"))
    return manifest


def verify(directory: Path, manifest: dict[str, Any] | None = None) -> list[str]:
    """Every file of the backup whose checksum or size is not the manifest's (empty: all intact)."""
    directory = Path(directory)
    manifest = manifest or read_manifest(directory)
    expected = {manifest["database"]["file"]: manifest["database"]}
    expected |= {f"{FILES}/{name}": entry for name, entry in manifest["files"].items()}
    wrong = []
    for name, entry in expected.items():
        path = directory / name
        if not path.is_file() or _entry(path) != {"sha256": entry["sha256"], "size": entry["size"]}:
            wrong.append(name)
    return wrong


def _restore_files(directory: Path, files: dict[str, Any], root: Path) -> list[str]:
    wrong = []
    for name, entry in files.items():
        target = root / name
        storage.private_directory(target.parent)
        shutil.copyfile(directory / FILES / name, target)
        if _entry(storage.make_private(target)) != {"sha256": entry["sha256"], "size": entry["size"]}:
            wrong.append(name)
    return wrong


def restore_backup(directory: Path, *, force: bool = False) -> BackupSummary:
    """Restores the backup in ``directory`` into this installation's database and file store. Refuses a
    target that is not empty unless ``force`` (then both are replaced), and a backup that is not intact."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    wrong = verify(directory, manifest)
    if wrong:
        raise ValidationFailed(Problem("directory", f"the backup is damaged: checksums differ for {', '.join(wrong[:20])}"))
    url, root = _url(), Path(current_app.config["STORAGE_DIR"])
    _release_connections()
    occupied = [what for what, empty in (("database", _database_is_empty(url)), ("file store", not _stored_files(root)))
                if not empty]
    if occupied and not force:
        raise Conflict(f"the target's {' and '.join(occupied)} is not empty: restore with --force to replace it")
    _empty_database(url)  # (an empty target may still hold the security tables of the app's start)
    if force:
        for path in _stored_files(root):
            path.unlink()
    method = manifest["database"]["method"]
    _load_database(method, url, directory / manifest["database"]["file"])
    wrong = _restore_files(directory, manifest["files"], root)
    _release_connections()
    if wrong:
        raise ValidationFailed(Problem("directory", f"files differ after copying: {', '.join(wrong[:20])}"))
    files = manifest["files"]
    log.info("restored %s: database by %s, %d files", directory, method, len(files))
    return BackupSummary(directory, method, len(files), sum(f["size"] for f in files.values()))
