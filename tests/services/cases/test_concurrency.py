"""Real concurrency on PostgreSQL (threads, each with its own connection, committing for real in a
database of their own): gap-free numbers when clerks accept at the same moment, and one winner when
two people take the same step on the same case."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest

from app.demo import builders
from app.errors import Conflict
from tests.conftest import in_threads, postgresql_database_beside

WORKERS = 8


@pytest.fixture(scope="module")
def pg_app(app):
    base = app.config["SQLALCHEMY_DATABASE_URI"]
    if not base.startswith("postgresql"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI runs the concurrency tests on PostgreSQL")
        pytest.skip("concurrency is proven on PostgreSQL (DATABASE_URL)")
    from app.cli import setup
    from app.factory import create_app

    with postgresql_database_beside(base, "kytb_concurrency") as url:
        other = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with other.app_context():
            setup(with_demo=True)
        yield other
        from app.extensions import db

        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_concurrent_accepts_get_unique_gap_free_numbers(pg_app):
    from app.extensions import db
    from app.models.case import Case
    from app.services.cases.take_step import take_step

    with pg_app.app_context():
        case_ids = [builders.make_case(db.session).id for _ in range(WORKERS)]
        db.session.remove()
    pending = iter(case_ids)
    lock = threading.Lock()

    def accept(session):
        with lock:
            case_id = next(pending)
        case = session.get(Case, case_id)
        return take_step(session, builders.user(session, "lz_window"), case_id, "accept",
                       {"verified": [m.seq for m in case.materials]}).number

    numbers = in_threads(pg_app, accept, WORKERS)
    assert all(isinstance(n, str) for n in numbers), numbers
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + WORKERS))
    assert all(n.startswith(f"GYLZ-{date.today().year}-") for n in numbers)


def test_two_people_taking_the_same_step_at_once_one_wins_the_other_gets_409(pg_app):
    from app.extensions import db
    from app.models.case import Case, CaseEvent
    from app.services.cases.take_step import take_step

    with pg_app.app_context():
        case = builders.make_case(db.session)
        case = take_step(db.session, builders.user(db.session, "lz_window"), case.id, "accept",
                       builders.verify_all(case))
        case_id = case.id
        db.session.remove()

    def dispatch(session):
        return take_step(session, builders.user(session, "lz_window"), case_id, "dispatch",
                       {"waybill_number": f"EMS{threading.get_ident()}"}).status

    results = in_threads(pg_app, dispatch, 2)
    assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str), results
    with pg_app.app_context():
        events = db.session.query(CaseEvent).filter_by(case_id=case_id, action="dispatch").count()
        shipments = len(db.session.get(Case, case_id).shipments)
        db.session.remove()
    assert events == 1 and shipments == 1
