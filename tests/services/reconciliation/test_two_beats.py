"""Two beats running the reconciliation at the same moment (threads, each with its own connection committing for
real, on PostgreSQL): each finding is written once, and the second run only sees what the first wrote."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from tests import factories
from tests.conftest import in_threads

MON, THU = date(2026, 3, 2), date(2026, 3, 5)
THREADS = 4


def test_runs_at_the_same_moment_write_each_finding_once(postgresql_app):
    from app.extensions import db
    from app.models.reconciliation import ReconciliationFinding, ReconciliationRun
    from app.services import reconciliation

    with postgresql_app.app_context():
        case_ids = [factories.accepted_case(db.session, MON).id for _ in range(3)]
        db.session.commit()
        db.session.remove()
    results = in_threads(postgresql_app, lambda session: reconciliation.reconcile(session, THU), THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.new for r in results)[:-1] == [0] * (THREADS - 1)  # one run opened them, the others saw them
    with postgresql_app.app_context():
        session = db.session
        rows = session.execute(select(ReconciliationFinding.kind, ReconciliationFinding.subject)
                               .where(ReconciliationFinding.is_open.is_(True))).all()
        assert set(Counter(rows).values()) == {1}
        assert {("not_dispatched", f"case:{case_id}") for case_id in case_ids} <= set(rows)
        assert len(session.scalars(select(ReconciliationRun)).all()) == THREADS
        session.remove()
