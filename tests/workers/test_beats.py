"""Several beats at once: each (case, stage, level) is reminded — and mailed — once.

- threads, each with its own connection committing for real, run the whole deadline job at the same
  moment against PostgreSQL (a database of their own);
- two real ``celery beat`` processes and one worker (two processes) run it every second against the
  test's database and broker (PostgreSQL and Redis when configured, SQLite and the embedded broker
  otherwise), mailing to a real SMTP server on loopback.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import config_override, database_of_its_own, in_threads
from tests.fakes.messaging import SmtpServer
from tests.processes import CeleryProcess

ROOT = Path(__file__).resolve().parents[2]
THREADS = 4
MON, THU = date(2026, 3, 2), date(2026, 3, 5)


def _whole_job(session):
    from app.services.notifications import messages as notifications
    from app.services.notifications import reminders

    check = reminders.check_deadlines(session, THU)
    return check, reminders.queue_reminder_mail(session), notifications.send_due_mail(session)


def test_beats_running_the_job_at_the_same_moment_remind_and_mail_once(postgresql_app):
    from app.extensions import db
    from app.models.case import Notification
    from app.models.notify import Reminder

    smtp = SmtpServer().start()
    numbers = []
    try:
        with config_override(postgresql_app, **smtp.config):
            for _ in range(3):  # three rounds: each a new overdue case, all threads released together
                with postgresql_app.app_context():
                    numbers.append(factories.accepted_case(db.session, MON).number)
                    db.session.remove()
                results = in_threads(postgresql_app, _whole_job, THREADS)
                assert not [r for r in results if isinstance(r, Exception)], results
                assert sum(r[0].escalations for r in results) == 3  # written by one run, skipped by the others
                assert sum(r[1] for r in results) == 4  # one digest per user
    finally:
        smtp.stop()
    with postgresql_app.app_context():
        session = db.session
        per_key = session.execute(select(Reminder.case_id, Reminder.stage, Reminder.level, Reminder.user_id,
                                         Reminder.kind, func.count()).group_by(
            Reminder.case_id, Reminder.stage, Reminder.level, Reminder.user_id, Reminder.kind)).all()
        assert len(per_key) == 3 * 4 and {row[-1] for row in per_key} == {1}
        mails = session.scalars(select(Notification).where(Notification.event == "reminders")).all()
        assert len(mails) == 3 * 4 and {(m.status, m.attempts) for m in mails} == {("sent", 1)}
        session.remove()
    # every user got each case exactly once
    seen = Counter()
    for item in smtp.sink.messages:
        body = item["message"].get_content()
        for number in numbers:
            if number in body:
                seen[(item["to"][0], number)] += 1
    assert len(smtp.sink.messages) == 12 and set(seen.values()) == {1} and len(seen) == 12


# --- real processes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def system(app, tmp_path_factory):
    """A database of its own with the demo loaded and one overdue case; the environment of the
    worker and the beats (their own Redis database or broker file, every check each second)."""
    from app.cli import setup
    from app.extensions import db
    from app.factory import create_app

    tmp = tmp_path_factory.mktemp("beats")
    (tmp / "instance").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"APP_ENV": "test", "INSTANCE_DIR": str(tmp / "instance"), "STORAGE_DIR": str(tmp / "storage"),
            "PYTHONPATH": str(ROOT), "DEADLINE_CHECK_SECONDS": "1", "HEARTBEAT_SECONDS": "3600",
            "OUTBOX_RELAY_SECONDS": "3600", "TRACKING_SECONDS": "3600"}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]  # this test session's own Redis database

    def started(url: str):
        env["DATABASE_URL"] = url
        other = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": tmp / "storage"})
        with other.app_context():
            setup(with_demo=True)
            case = factories.accepted_case(db.session, MON)  # long overdue by now: red
            other.config["overdue_case"] = (case.id, case.number)
            db.session.remove()
        return other

    with database_of_its_own(app, "kytb_notify_beats", tmp / "beats.sqlite") as url:
        yield started(url.replace("postgresql+psycopg://", "postgresql://")), env, tmp


def test_two_beat_processes_and_a_worker_remind_and_mail_once(system):
    from sqlalchemy import create_engine, text

    app, env, tmp = system
    smtp = SmtpServer().start()
    env = env | {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_SENDER": "kytb@gy-demo.example.cn"}
    case_id, number = app.config["overdue_case"]
    name = uuid.uuid4().hex[:6]
    worker = CeleryProcess(["worker", "--loglevel", "INFO", "--concurrency", "2", "--hostname", f"beats-{name}@%h",
                      "--without-mingle", "--without-gossip"], env, tmp / "worker.log")
    beats = [CeleryProcess(["beat", "--loglevel", "INFO", "-s", str(tmp / f"schedule-{i}"),
                      "--pidfile", str(tmp / f"beat-{i}.pid")], env, tmp / f"beat-{i}.log") for i in (1, 2)]
    done = re.compile(r"Task kytb\.check_deadlines\[[^\]]+\] succeeded")
    try:
        deadline = time.monotonic() + 100
        while time.monotonic() < deadline and len(done.findall(worker.text())) < 8:
            time.sleep(1)
        time.sleep(2)
    finally:
        for process in (*beats, worker):
            process.stop()
        smtp.stop()
    log = worker.text()
    assert len(done.findall(log)) >= 8, log[-4000:]
    assert "kytb.check_deadlines" in beats[0].text() and "kytb.check_deadlines" in beats[1].text()
    assert not re.search(r"Task kytb\.check_deadlines\[[^\]]+\] raised", log), log[-4000:]

    engine = create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT u.username, r.kind, r.stage, r.level, r.mail_status FROM reminder r "
                                     "JOIN ab_user u ON u.id = r.user_id WHERE r.case_id = :id"), {"id": case_id}).all()
    finally:
        engine.dispose()
    assert sorted(row[:4] for row in rows) == sorted([
        ("city_super", "escalation", "dispatch", "red"), ("cx_admin", "escalation", "dispatch", "red"),
        ("lz_admin", "escalation", "dispatch", "red"), ("lz_window", "reminder", "dispatch", "red")])
    assert {row[4] for row in rows} == {"sent"}
    recipients = sorted(item["to"][0] for item in smtp.sink.messages)
    assert recipients == sorted(f"{u}@gy-demo.example.cn" for u in ("city_super", "cx_admin", "lz_admin", "lz_window"))
    assert all(number in item["message"].get_content() for item in smtp.sink.messages)
