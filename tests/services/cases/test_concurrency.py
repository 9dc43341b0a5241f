"""Real concurrency on PostgreSQL (threads, each with its own connection, committing for real in a
database of their own): gap-free numbers when clerks accept at the same moment, and one winner when
two people take the same step on the same case."""

from __future__ import annotations

import threading
from datetime import date

from app.errors import Conflict
from tests import factories
from tests.conftest import in_threads

WORKERS = 8


def test_concurrent_accepts_get_unique_gap_free_numbers(postgresql_app):
    from app.extensions import db
    from app.models.case import Case
    from app.services.cases.take_step import take_step

    with postgresql_app.app_context():
        case_ids = [factories.make_case(db.session).id for _ in range(WORKERS)]
        db.session.remove()
    pending = iter(case_ids)
    lock = threading.Lock()

    def accept(session):
        with lock:
            case_id = next(pending)
        case = session.get(Case, case_id)
        return take_step(session, factories.user(session, "lz_window"), case_id, "accept",
                       {"verified": [m.seq for m in case.materials]}).number

    numbers = in_threads(postgresql_app, accept, WORKERS)
    assert all(isinstance(n, str) for n in numbers), numbers
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + WORKERS))
    assert all(n.startswith(f"GYLZ-{date.today().year}-") for n in numbers)


def test_two_people_taking_the_same_step_at_once_one_wins_the_other_gets_409(postgresql_app):
    from app.extensions import db
    from app.models.case import Case, CaseEvent
    from app.services.cases.take_step import take_step

    with postgresql_app.app_context():
        case_id = factories.accepted_case(db.session).id
        db.session.remove()

    def dispatch(session):
        return take_step(session, factories.user(session, "lz_window"), case_id, "dispatch",
                       {"waybill_number": f"EMS{threading.get_ident()}"}).status

    results = in_threads(postgresql_app, dispatch, 2)
    assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str), results
    with postgresql_app.app_context():
        events = db.session.query(CaseEvent).filter_by(case_id=case_id, action="dispatch").count()
        shipments = len(db.session.get(Case, case_id).shipments)
        db.session.remove()
    assert events == 1 and shipments == 1


def test_two_clerks_making_lists_at_once_get_different_list_numbers(postgresql_app):
    """Two sessions send a parcel of the same window on the same day at once: each gets its 移交清单 with a
    number of its own (the unique number is drawn again when the other committed it first)."""
    from app.extensions import db
    from app.services.cases.batch import ParcelInput, send_parcels

    with postgresql_app.app_context():
        case_ids = [factories.accepted_case(db.session).id for _ in range(WORKERS)]
        db.session.remove()
    pending = iter(case_ids)
    lock = threading.Lock()

    def send(session):
        with lock:
            case_id = next(pending)
        outcome = send_parcels(session, factories.user(session, "lz_window"),
                               [ParcelInput(case_id, f"EMS5{case_id:012d}")])
        assert not outcome.failed, outcome.failed
        return outcome.transmittals[0].number

    numbers = in_threads(postgresql_app, send, WORKERS)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == WORKERS
