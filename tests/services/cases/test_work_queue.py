"""The work queue's tabs (issue 11, defect 6): 待办 what waits for the user's step, 跟踪中 what the user's
window sent and waits for the other side, 待归档 the delivered cases the window archives."""

from __future__ import annotations

from app.services.cases.work_queue import archive_queue, tracking_queue, work_queue
from tests import factories


def _ids(items) -> set[int]:
    return {item.case.id for item in items}


def test_a_parcel_sent_is_followed_by_the_sending_window_until_the_other_side_signs_for_it(db):
    case = factories.step(db, "lz_window", factories.accepted_case(db), "dispatch", waybill_number="EMS1")
    lz, cx = factories.user(db, "lz_window"), factories.user(db, "cx_window")
    assert case.id not in _ids(work_queue(db, lz)) and case.id in _ids(work_queue(db, cx))
    [item] = [i for i in tracking_queue(db, lz) if i.case.id == case.id]
    assert item.waiting_for == ["苍溪县政务服务中心"] and item.since is not None
    assert case.id not in _ids(tracking_queue(db, cx))


def test_a_case_at_the_department_is_followed_by_both_windows_and_not_by_the_department(db):
    case = factories.at_the_department(db)
    for clerk in ("lz_window", "cx_window"):
        [item] = [i for i in tracking_queue(db, factories.user(db, clerk)) if i.case.id == case.id]
        assert [str(name) for name in item.waiting_for] == [case.department.name]
    officer = factories.user(db, "cx_hrss")
    assert case.id in _ids(work_queue(db, officer)) and case.id not in _ids(tracking_queue(db, officer))


def test_a_correction_waits_for_the_applicant(db):
    case = factories.step(db, "cx_hrss", factories.at_the_department(db), "request_correction",
                          items=[{"name": "户口簿", "reason": "复印件不清晰"}])
    [item] = [i for i in tracking_queue(db, factories.user(db, "cx_window")) if i.case.id == case.id]
    assert item.waiting_for == [case.applicant_name]


def test_drafts_and_closed_cases_are_not_followed(db):
    draft = factories.make_case(db)
    delivered = factories.delivered_case(db)
    followed = _ids(tracking_queue(db, factories.user(db, "lz_window")))
    assert draft.id not in followed and delivered.id not in followed


def test_a_delivered_case_waits_in_the_windows_archive_tab_with_its_open_checklist(db):
    case = factories.delivered_case(db)  # nothing scanned, notices not rendered yet
    lz = factories.user(db, "lz_window")
    assert case.id not in _ids(work_queue(db, lz)) | _ids(tracking_queue(db, lz))
    [item] = [i for i in archive_queue(db, lz) if i.case.id == case.id]
    assert [t.name for t in item.steps] == ["archive"] and item.open_items > 0
    factories.ready_to_archive(db, case)
    [item] = [i for i in archive_queue(db, lz) if i.case.id == case.id]
    assert item.open_items == 0
    assert case.id not in _ids(archive_queue(db, factories.user(db, "cx_hrss")))  # the department does not archive here


def test_an_archived_case_leaves_the_archive_tab(db):
    case = factories.archived_case(db, build=False)
    assert case.id not in _ids(archive_queue(db, factories.user(db, "lz_window")))


def test_the_archive_tab_checks_every_case_in_as_many_queries_for_six_cases_as_for_two(db):
    from tests.conftest import count_statements

    lz = factories.user(db, "lz_window")
    for _ in range(2):
        factories.delivered_case(db)
    archive_queue(db, lz)  # warm what every call shares
    db.expire_all()
    two = count_statements(lambda: archive_queue(db, lz), savepoints=False)
    for _ in range(4):
        factories.delivered_case(db)
    db.expire_all()
    six = count_statements(lambda: archive_queue(db, lz), savepoints=False)
    assert len(archive_queue(db, lz)) >= 6
    assert six <= two, f"{two} statements for 2 delivered cases, {six} for 6"
