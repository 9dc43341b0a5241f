"""One way through the steps: every row of the transition table has its function, its words in zh and
en, and a handler for each job it queues; ``take_step`` checks the role itself; ``available_steps`` is
the one answer the work queue, the case page and the API give."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.domain.workflow import TRANSITIONS, Effect
from app.errors import Forbidden, NotFound
from app.labels import STEP_HELP, TRANSITION_LABELS
from app.models.case import Case
from app.platform.outbox import HANDLERS
from app.services.cases.steps import STEP_FUNCTIONS
from app.services.cases.take_step import available_steps, take_step
from app.services.cases.work_queue import work_queue
from tests import factories


def test_every_transition_has_its_step_function():
    assert set(STEP_FUNCTIONS) == set(TRANSITIONS)
    for name, function in STEP_FUNCTIONS.items():
        assert function.__name__ == name  # found by its name, as the table names it


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_every_transition_has_a_label_and_help_in_chinese_and_english(app, name):
    with app.test_request_context():
        for table in (TRANSITION_LABELS, STEP_HELP):
            with force_locale("en"):
                english = str(table[name])
            with force_locale("zh"):
                chinese = str(table[name])
            assert english and chinese and english != chinese
            assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese


def test_every_job_the_table_queues_has_a_handler(app):
    topics = {Effect.parse(text).topic for t in TRANSITIONS.values() for text in t.effects}
    assert topics <= set(HANDLERS), topics - set(HANDLERS)


def test_an_unknown_step_is_not_found(db):
    case = factories.make_case(db)
    with pytest.raises(NotFound):
        take_step(db, factories.user(db, "lz_window"), case.id, "approve_everything", {})


def test_the_step_command_checks_the_role_permission_itself(db):
    """The clerk stands on the right side, but its role has lost can_accept: the command refuses
    (no page or API is needed to stop it), and nothing changes."""
    clerk = factories.user(db, "lz_window")
    case = factories.make_case(db)
    for role in clerk.roles:
        role.permissions = [pv for pv in role.permissions
                            if not (pv.permission.name == "can_accept" and pv.view_menu.name == "Case")]
    db.flush()
    assert "accept" not in [t.name for t in available_steps(case, clerk)]
    with pytest.raises(Forbidden) as refused:
        take_step(db, clerk, case.id, "accept", factories.verify_all(case))
    assert "accept" in str(refused.value) or "受理" in str(refused.value)
    assert db.get(Case, case.id).status == "draft"


def test_the_queue_the_case_page_and_the_api_offer_the_same_steps(db, client, login, api):
    case = factories.make_case(db)
    clerk = factories.user(db, "lz_window")
    offered = [t.name for t in available_steps(case, clerk)]
    assert offered == ["accept", "reject", "withdraw"]
    queued = next(item for item in work_queue(db, clerk) if item.case.id == case.id)
    assert [t.name for t in queued.steps] == offered
    detail = api("lz_window").get(f"/api/v1/case/{case.id}").get_json()["result"]
    assert [s["name"] for s in detail["steps"]] == offered
    page = login("lz_window").get(f"/cases/{case.id}/").get_data(as_text=True)
    for name in offered:
        assert f"/cases/{case.id}/step/{name}" in page
    assert f"/cases/{case.id}/step/dispatch" not in page


def test_a_step_writes_its_history_ledger_and_declared_jobs_in_one_transaction(db):
    from app.models.case import LedgerEntry, OutboxMessage

    case = factories.make_case(db)
    take_step(db, factories.user(db, "lz_window"), case.id, "accept", factories.verify_all(case))
    jobs = {(m.topic, m.key) for m in db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))}
    declared = TRANSITIONS["accept"].effects_for(delivery_by_mail=False, inbound=False)
    assert jobs == {(effect.topic, effect.key) for effect in declared}
    assert ("render_notice", "acceptance") in jobs and ("render_notice", "receipt") not in jobs
    assert [e.action for e in case.events][-1] == "accept"
    assert db.scalar(select(LedgerEntry).where(LedgerEntry.case_id == case.id, LedgerEntry.role == "origin"))
