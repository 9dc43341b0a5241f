"""The event feed: every case event in order from a stable cursor, within the cases' scope; on PostgreSQL an
event whose transaction commits later than a younger one (a smaller id, visible later) is not skipped."""

from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.scope import SYSTEM, reach_of
from app.services.cases.history import add_event
from app.services.events.feed import number_events, parse_request, read_feed
from tests import factories
from tests.services.supervision import other_county_case


def everything_after(db, reach, cursor, limit=1000):
    page = read_feed(db, reach, cursor, limit)
    return page.events, page.next


def test_events_in_order_and_a_stored_cursor_misses_nothing(db):
    _, cursor = everything_after(db, SYSTEM, 0)
    case = factories.accepted_case(db)
    events, after_accept = everything_after(db, SYSTEM, cursor)
    assert [(e["case_id"], e["action"]) for e in events] == [(case.id, e.action)
                                                             for e in sorted(case.events, key=lambda e: e.seq)]
    assert [e["cursor"] for e in events] == sorted(e["cursor"] for e in events) and after_accept == events[-1]["cursor"]
    assert everything_after(db, SYSTEM, after_accept) == ([], after_accept)
    factories.step(db, "lz_window", case, "dispatch", waybill_number="EMS1234567890CN")
    events, _ = everything_after(db, SYSTEM, after_accept)
    assert [e["action"] for e in events] == ["dispatch"]
    assert set(events[0]) == {"cursor", "event_id", "case_id", "case_number", "seq", "action", "from_status",
                              "to_status", "at", "actor_name", "actor_place"}


def test_pages_of_a_limit_follow_each_other(db):
    _, cursor = everything_after(db, SYSTEM, 0)
    case = factories.accepted_case(db)
    seen = []
    while True:
        page = read_feed(db, SYSTEM, cursor, 1)
        seen += [e["event_id"] for e in page.events]
        cursor = page.next
        if not page.more:
            break
    assert seen == [e.id for e in sorted(case.events, key=lambda e: e.seq)]


def test_another_countys_events_are_not_in_the_feed(db):
    start = read_feed(db, SYSTEM, 0, 1).next  # numbers everything there is
    _, start = everything_after(db, SYSTEM, start)
    theirs = other_county_case(db)  # 苍溪 → 旺苍
    ours = factories.accepted_case(db)  # 利州 → 苍溪
    lz_admin = reach_of(factories.user(db, "lz_admin"))
    cx_admin = reach_of(factories.user(db, "cx_admin"))
    assert {e["case_id"] for e in everything_after(db, lz_admin, start)[0]} == {ours.id}
    assert {e["case_id"] for e in everything_after(db, cx_admin, start)[0]} == {ours.id, theirs.id}


def test_the_cursor_and_limit_are_checked_together():
    with pytest.raises(ValidationFailed) as refused:
        parse_request("-1", "0", 500)
    assert [p.field for p in refused.value.problems] == ["after", "limit"]
    assert parse_request(None, None, 500) == (0, 100)
    assert parse_request("42", "500", 500) == (42, 500)
    with pytest.raises(ValidationFailed):
        parse_request("1e3", "501", 500)


def test_an_event_committed_after_a_younger_one_is_not_skipped(postgresql_app):
    """Two sessions: A writes an event (smaller id) and commits last; B writes one (larger id) and commits
    first. A client that read the feed between the commits and stored its cursor still gets A's event."""
    from sqlalchemy.orm import Session

    from app.extensions import db
    from app.models.case import Case

    with postgresql_app.app_context():
        case_a, case_b = factories.accepted_case(db.session).id, factories.accepted_case(db.session).id
        db.session.remove()
        engine = db.engine
        reader, first, second = Session(engine), Session(engine), Session(engine)
        try:
            cursor = read_feed(reader, SYSTEM, 0, 100000).next
            reader.commit()
            early = add_event(first, first.get(Case, case_a), "nudge", "accepted", None, note="A")
            first.flush()  # its id is taken now; the row is not visible before A commits
            late = add_event(second, second.get(Case, case_b), "nudge", "accepted", None, note="B")
            second.flush()
            assert early.id < late.id
            second.commit()

            page = read_feed(reader, SYSTEM, cursor, 100)
            reader.commit()
            assert [e["event_id"] for e in page.events] == [late.id]
            cursor = page.next

            first.commit()
            page = read_feed(reader, SYSTEM, cursor, 100)
            assert [e["event_id"] for e in page.events] == [early.id]  # not skipped though its id is smaller
            assert page.events[0]["cursor"] > cursor
            assert number_events(reader) == 0
        finally:
            for session in (reader, first, second):
                session.close()
