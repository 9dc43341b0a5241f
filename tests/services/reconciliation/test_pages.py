"""对账发现 on the pages: the scoped findings list with its filters and the last run, and the work queue's
对账异常 section for the responsible side."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models.case import OutboxMessage
from app.scope import reach_of
from app.services import reconciliation
from tests import factories

MON, THU = date(2026, 3, 2), date(2026, 3, 5)


@pytest.fixture()
def found(db):
    case = factories.accepted_case(db, MON)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                    OutboxMessage.topic == "render_notice"))
    reconciliation.reconcile(db, THU, message.created_on + timedelta(days=1))
    return case


def test_the_supervisor_lists_the_findings_filtered_by_kind_with_links_to_the_cases(client, login, found):
    login("city_super")
    page = client.get("/reconciliation/?kind=not_dispatched&state=open").get_data(as_text=True)
    assert "对账发现" in page and "受理后未寄出" in page
    assert f'/cases/{found.id}/' in page and found.number in page
    assert "上次对账" in page  # the last run
    other = client.get("/reconciliation/?kind=not_delivered&state=open").get_data(as_text=True)
    assert found.number not in other
    system = client.get("/reconciliation/?kind=outbox_stale").get_data(as_text=True)
    assert "后台任务积压" in system and "render_notice:acceptance" in system


def test_a_county_administrator_sees_its_county_without_system_findings(client, login, found):
    login("cx_admin")
    page = client.get("/reconciliation/?state=all").get_data(as_text=True)
    assert found.number in page
    assert "render_notice:acceptance" not in page
    page = client.get("/reconciliation/?kind=outbox_stale").get_data(as_text=True)  # not a kind it can pick
    assert "render_notice:acceptance" not in page


def test_windows_follow_their_findings_in_the_queue_not_in_the_list(client, login, found):
    login("lz_window")
    queue = client.get("/cases/queue/").get_data(as_text=True)
    assert "对账异常" in queue and "reconciliation-row" in queue and found.number in queue
    assert client.get("/reconciliation/").status_code in (302, 403)
    client.get("/logout/")
    login("cx_window")  # sees the case, but the materials are not its to mail
    assert "reconciliation-row" not in client.get("/cases/queue/").get_data(as_text=True)


def test_the_daily_task_reconciles(db, found):
    from workers import reconciliation_tasks

    counts = reconciliation_tasks.reconcile.run()
    assert counts["found"]["not_dispatched"] >= 1 and counts["new"] == 0


def test_the_demo_case_overdue_for_dispatch_gives_a_finding(db):
    from app.services.reconciliation.demo import load_overdue_case

    case = load_overdue_case(db)
    assert case.status == "accepted" and case.dispatch_due < date.today()
    assert load_overdue_case(db) is None  # loaded once
    summary = reconciliation.reconcile(db)
    assert summary.found["not_dispatched"] >= 1
    assert case.id in [f.case_id for f in reconciliation.for_queue(db, reach_of(factories.user(db, "lz_window")))]
