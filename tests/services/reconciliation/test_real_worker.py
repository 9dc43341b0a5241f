"""The daily reconciliation through a real Celery worker: beat's entry names the task at 06:30, and a worker (a
process of its own, on a database and broker of its own) runs it and writes the finding of an overdue case."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from celery.schedules import crontab
from sqlalchemy import create_engine, text

from tests import factories
from tests.conftest import instance_of_its_own
from tests.processes import CeleryProcess

ROOT = Path(__file__).resolve().parents[3]
MON = date(2026, 3, 2)


def test_beat_schedules_the_reconciliation_every_morning():
    from workers.celery_app import celery

    entry = celery.conf.beat_schedule["reconcile-daily"]
    assert entry["task"] == "kytb.reconcile" and entry["schedule"] == crontab(hour=6, minute=30)


@pytest.mark.real_worker
def test_a_real_worker_runs_the_reconciliation(app, tmp_path):
    from app.extensions import db

    (tmp_path / "instance").mkdir()
    with instance_of_its_own(app, tmp_path, "reconcile_worker") as other:
        case = factories.accepted_case(db.session, MON)  # long overdue for dispatch by now
        db.session.commit()
        case_id, url = case.id, other.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env |= {"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path / "instance"), "STORAGE_DIR": str(tmp_path / "files"),
                "PYTHONPATH": str(ROOT), "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://")}
        worker = CeleryProcess(["worker", "--loglevel", "INFO", "--concurrency", "1", "--hostname",
                                f"rec-{uuid.uuid4().hex[:6]}@%h", "--without-mingle", "--without-gossip"],
                               env, tmp_path / "worker.log")
        done = re.compile(r"Task kytb\.reconcile\[[^\]]+\] succeeded")
        try:
            subprocess.run([str(Path(sys.executable).parent / "celery"), "-A", "workers.celery_app", "call",
                            "kytb.reconcile"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not done.search(worker.text()):
                time.sleep(1)
        finally:
            worker.stop()
        assert done.search(worker.text()), worker.text()[-4000:]
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT kind, is_open FROM reconciliation_finding WHERE case_id = :id"),
                                    {"id": case_id}).all()
                runs = conn.execute(text("SELECT count(*) FROM reconciliation_run")).scalar()
        finally:
            engine.dispose()
        assert [(kind, bool(is_open)) for kind, is_open in rows] == [("not_dispatched", True)] and runs >= 1
