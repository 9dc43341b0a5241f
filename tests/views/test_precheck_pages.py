"""The department's 预审 tab: the cases whose scans wait for its pre-check, the one due soonest first, with
when it must answer."""

from __future__ import annotations

from app.services.cases.work_queue import precheck_queue
from tests import factories
from tests.services.cases.test_precheck import _in_precheck, _supplied


def test_the_pre_check_tab_lists_the_departments_waiting_cases_with_their_answer_time(client, login, db):
    first, second = _in_precheck(db), _in_precheck(db)
    officer = factories.user(db, "cx_hrss")
    queued = precheck_queue(db, officer)
    assert [item.case.id for item in queued][:2] == [first.id, second.id]  # soonest due first
    login("cx_hrss")
    page = client.get("/cases/queue/?tab=precheck").get_data(as_text=True)
    assert 'id="tab-precheck"' in page and f'data-precheck-case="{first.id}"' in page
    due = first.precheck_rounds[0].due_at.strftime("%Y-%m-%d %H:%M")
    assert due in page and "pass_precheck" in page and "request_precheck_correction" in page


def test_a_window_clerk_has_no_pre_check_tab_and_follows_the_case_meanwhile(client, login, db):
    case = _in_precheck(db)
    login("lz_window")
    page = client.get("/cases/queue/").get_data(as_text=True)
    assert "queue-tab-precheck" not in page
    assert f'data-tracking-case="{case.id}"' in page


def test_the_case_page_shows_each_pre_check_round_with_its_answer_and_the_items_asked(client, login, db):
    case = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                          items=[{"material": 2, "reason": "证明未盖单位公章"}])
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    assert 'id="prechecks"' in page and "precheck-corrections" in page
    assert "证明未盖单位公章" in page and factories.user(db, "cx_hrss").name in page
    assert case.precheck_rounds[0].due_at.strftime("%Y-%m-%d %H:%M") in page


def test_a_case_never_pre_checked_has_no_pre_check_panel(client, login, db):
    case = factories.accepted_case(db)
    login("lz_window")
    assert 'id="prechecks"' not in client.get(f"/cases/{case.id}/").get_data(as_text=True)


def test_the_history_names_the_files_supplied_for_a_pre_check_not_a_raw_mapping(client, login, db):
    case = factories.step(db, "cx_hrss", _in_precheck(db), "request_precheck_correction",
                          items=[{"material": 2, "reason": "证明未盖单位公章"}])
    case = factories.step(db, "lz_window", case, "supply_precheck", **_supplied(case))
    login("lz_window")
    page = client.get(f"/cases/{case.id}/").get_data(as_text=True)
    supplied_name = case.precheck_rounds[0].items[0]["name"] + ".pdf"
    assert supplied_name in page and "{&#39;1&#39;" not in page and "{'1'" not in page
