"""Side effects through the transactional outbox: written with the step or not at all, published once
(again only when stale), carried out once — the notice rendered and stored, the SMS recorded, the
parcel on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.models.base import now
from app.models.case import CaseDocument, Notification, OutboxMessage, Shipment
from app.platform import outbox
from app.services.cases.take_step import take_step
from tests import factories


def _messages(db, case):
    return db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id)).all()


def test_a_refused_step_writes_no_outbox_row(db):
    case = factories.make_case(db, received=False)
    with pytest.raises(ValidationFailed):
        take_step(db, factories.user(db, "lz_window"), case.id, "accept", {})
    assert _messages(db, case) == []


def test_accepting_queues_the_notice_the_sms_and_the_parcel(db):
    case = factories.accepted_case(db)
    assert {(m.topic, m.key) for m in _messages(db, case)} == {
        ("render_notice", "acceptance"), ("notify_applicant", "accepted"), ("book_parcel", "materials")}


def _seconds(app, name: str) -> timedelta:
    return timedelta(seconds=app.config[name])


def test_the_relay_publishes_each_row_once_and_a_row_waiting_in_the_queue_is_not_sent_again(app, db):
    case = factories.accepted_case(db)
    ids = {m.id for m in _messages(db, case)}
    sent: list[int] = []
    first = outbox.publish_pending(db, sent.append)
    assert set(first) >= ids
    assert outbox.publish_pending(db, sent.append) == []
    # long past the stale limit, but no worker has taken a row published after them: still in the queue
    later = outbox.publish_pending(db, sent.append, at=now() + _seconds(app, "OUTBOX_STALE_SECONDS") * 10)
    assert not set(later) & ids


def test_rows_the_queue_has_passed_without_a_worker_taking_them_are_sent_again(app, db):
    case = factories.accepted_case(db)
    ids = {m.id for m in _messages(db, case)}
    later = now()
    outbox.publish_pending(db, lambda _id: None, at=later - _seconds(app, "OUTBOX_STALE_SECONDS") - timedelta(seconds=5))
    probes = set(outbox.publish_pending(db, lambda _id: None, at=later)) - ids  # asks the queue how far it got
    assert probes and all(db.get(OutboxMessage, i).topic == outbox.QUEUE_MARK for i in probes)
    for probe in probes:  # a worker took the probe, published after the case's rows: they were lost
        outbox.run_message(db, probe)
    settled = later + outbox.QUEUE_GRACE + timedelta(seconds=3)
    assert set(outbox.publish_pending(db, lambda _id: None, at=settled)) >= ids
    assert not set(outbox.publish_pending(db, lambda _id: None, at=settled)) & ids  # once


def test_rows_published_before_the_broker_lost_its_queues_are_sent_again_at_once_and_once(app, db):
    case = factories.accepted_case(db)
    ids = {m.id for m in _messages(db, case)}
    published_at = now()
    outbox.publish_pending(db, lambda _id: None, at=published_at)
    restarted = published_at + timedelta(seconds=2)  # well within the stale limit: no probe, no waiting
    mark: dict[str, object] = {}

    def broker_mark(at):  # a broker that restarted empty: the first relay after it leaves the mark
        return mark.setdefault("since", at)

    assert set(outbox.publish_pending(db, lambda _id: None, at=restarted, queues_lost_before=broker_mark)) >= ids
    later = restarted + timedelta(seconds=5)
    assert not set(outbox.publish_pending(db, lambda _id: None, at=later, queues_lost_before=broker_mark)) & ids


def test_rows_published_after_the_broker_restarted_are_left_in_its_queue(app, db):
    case = factories.accepted_case(db)
    ids = {m.id for m in _messages(db, case)}
    restarted = now()
    outbox.publish_pending(db, lambda _id: None, at=restarted + timedelta(seconds=1),
                           queues_lost_before=lambda at: restarted)
    later = restarted + timedelta(seconds=10)
    assert not set(outbox.publish_pending(db, lambda _id: None, at=later,
                                          queues_lost_before=lambda at: restarted)) & ids


def test_probe_rows_are_removed_after_a_day_and_no_other_row_is(app, db):
    case = factories.accepted_case(db)
    written = now()
    outbox.publish_pending(db, lambda _id: None, at=written - _seconds(app, "OUTBOX_STALE_SECONDS") * 2)
    [probe] = [i for i in outbox.publish_pending(db, lambda _id: None, at=written)
               if db.get(OutboxMessage, i).topic == outbox.QUEUE_MARK]
    assert outbox.purge_probes(db, at=written + timedelta(hours=1)) == 0  # still a mark
    db.get(OutboxMessage, probe).created_on = written - timedelta(days=2)
    db.commit()
    assert outbox.purge_probes(db, at=written) == 1
    assert db.get(OutboxMessage, probe) is None
    assert len(_messages(db, case)) == 3  # the case's own rows stay


def test_rows_held_by_a_live_worker_are_not_sent_again_until_the_held_limit(app, db):
    case = factories.accepted_case(db)
    outbox.publish_pending(db, lambda _id: None)
    message = _messages(db, case)[0]
    message.started_on, message.held_by = now(), "worker-1@host/task-1"  # a worker runs it
    db.commit()
    held = _seconds(app, "OUTBOX_HELD_SECONDS")
    assert held > _seconds(app, "OUTBOX_STALE_SECONDS")
    assert message.id not in outbox.publish_pending(db, lambda _id: None, at=now() + held - timedelta(seconds=2))
    assert outbox.run_message(db, message.id) is False  # a second delivery leaves it to its worker
    assert message.id in outbox.publish_pending(db, lambda _id: None, at=now() + held + timedelta(seconds=2))


def test_a_row_waiting_for_its_retry_is_left_to_it(app, db):
    message = OutboxMessage(topic=FAILING, key="", payload={})
    db.add(message)
    db.commit()
    outbox.publish_pending(db, lambda _id: None)
    with pytest.raises(RuntimeError):
        outbox.run_message(db, message.id, retry_in=600)
    stale = _seconds(app, "OUTBOX_STALE_SECONDS")
    assert message.id not in outbox.publish_pending(db, lambda _id: None, at=now() + timedelta(seconds=590) + stale)
    assert message.id in outbox.publish_pending(db, lambda _id: None, at=now() + timedelta(seconds=602) + stale)


FAILING = "test_always_fails"


@outbox.handles(FAILING)
def _always_fails(session, message):
    session.commit()  # as the booking does: its own progress is saved before the outside world answers
    raise RuntimeError("the outside world is down")


def test_a_failed_attempt_is_counted_once(db):
    message = OutboxMessage(topic=FAILING, key="", payload={})
    db.add(message)
    db.commit()
    for attempt in (1, 2, 3):
        with pytest.raises(RuntimeError):
            outbox.run_message(db, message.id)
        db.expire_all()
        assert db.get(OutboxMessage, message.id).attempts == attempt
    assert "the outside world is down" in db.get(OutboxMessage, message.id).last_error


def test_a_successful_attempt_is_counted_once(db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    assert [m.attempts for m in _messages(db, case)] == [1, 1, 1]


def test_the_relay_records_before_it_sends_and_a_failed_send_leaves_the_row_unpublished(db):
    case = factories.accepted_case(db)
    ids = sorted(m.id for m in _messages(db, case))
    seen_published: list[bool] = []

    def send(message_id: int) -> None:
        seen_published.append(db.get(OutboxMessage, message_id).published_on is not None)
        if message_id == ids[1]:
            raise ConnectionError("broker away")

    with pytest.raises(ConnectionError):
        outbox.publish_pending(db, send)
    db.expire_all()
    assert seen_published and all(seen_published)  # recorded before it was sent
    states = {m.id: m.published_on is not None for m in _messages(db, case)}
    assert states == {ids[0]: True, ids[1]: False, ids[2]: False}


def test_the_backlog_counts_only_rows_not_done(db):
    factories.accepted_case(db)
    unfinished, _oldest = outbox.backlog(db)
    factories.run_outbox(db)  # done without the relay (as after a relay killed before its mark)
    assert outbox.backlog(db) == (0, None) and unfinished >= 3


def test_each_message_is_carried_out_once(db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    assert all(m.done_on is not None for m in _messages(db, case))
    assert [outbox.run_message(db, m.id) for m in _messages(db, case)] == [False, False, False]
    assert db.scalar(select(func.count()).select_from(CaseDocument).where(CaseDocument.case_id == case.id)) == 1
    sms = db.scalars(select(Notification).where(Notification.case_id == case.id)).all()
    assert len(sms) == 1 and sms[0].status == "sent" and case.number in sms[0].body
    assert sms[0].recipient == case.applicant_phone


def test_the_acceptance_notice_is_stored_with_its_checksum_and_renders_the_same_again(db):
    import hashlib

    from app.adapters import storage
    from app.services.cases.notices import render_case_notice

    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    document = db.scalar(select(CaseDocument).where(CaseDocument.case_id == case.id))
    data = storage.path_of(document.file_key).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == document.sha256
    assert render_case_notice(db, case.id, "acceptance").id == document.id


def test_the_parcel_is_on_record_after_acceptance_and_dispatch_fills_in_that_same_parcel(db):
    case = factories.accepted_case(db)
    factories.run_outbox(db, case_id=case.id)
    parcels = db.scalars(select(Shipment).where(Shipment.case_id == case.id)).all()
    assert len(parcels) == 1 and parcels[0].sent_on is None and parcels[0].to_center_id == case.home_center_id
    take_step(db, factories.user(db, "lz_window"), case.id, "dispatch", {"waybill_number": "1180123456789"})
    parcels = db.scalars(select(Shipment).where(Shipment.case_id == case.id)).all()
    assert len(parcels) == 1 and parcels[0].waybill_number == "1180123456789" and parcels[0].sent_on


def test_a_correction_notice_is_rendered_per_round(db):
    case = factories.accepted_case(db)
    case = factories.run_steps(db, case, [
        ("lz_window", "dispatch", {"waybill_number": "1"}), ("cx_window", "receive", {}), ("cx_window", "forward", {}),
        ("cx_hrss", "request_correction", {"items": [{"name": "户口簿", "reason": "不清晰"}]}),
    ])
    case = factories.run_steps(db, factories.supplement(db, case), [
        ("cx_hrss", "request_correction", {"items": [{"name": "照片", "reason": "非白底"}]}),
    ])
    factories.run_outbox(db, case_id=case.id)
    refs = db.scalars(select(CaseDocument.ref).where(CaseDocument.case_id == case.id, CaseDocument.kind == "correction")).all()
    assert sorted(refs) == ["1", "2"]


def test_the_figures_count_rows_held_stuck_and_waiting_for_a_retry(app, db):
    before = outbox.figures(db)
    case = factories.accepted_case(db)
    outbox.publish_pending(db, lambda _id: None)
    running, stuck, failed = _messages(db, case)
    long_ago = now() - _seconds(app, "OUTBOX_HELD_SECONDS") - timedelta(seconds=5)
    running.started_on, running.held_by = now(), "worker-1@host/task-1"
    stuck.started_on, stuck.held_by = long_ago, "worker-2@host/task-2"  # its worker died
    failed.started_on, failed.retry_on, failed.last_error = now(), now() + timedelta(minutes=1), "Timeout: …"
    db.commit()
    after = outbox.figures(db)
    assert (after.unfinished - before.unfinished, after.unpublished - before.unpublished) == (3, 0)
    assert (after.held - before.held, after.stuck - before.stuck) == (2, 1)
    assert (after.waiting_retry - before.waiting_retry, after.failing - before.failing) == (1, 1)
    assert after.oldest_held_age >= _seconds(app, "OUTBOX_HELD_SECONDS").total_seconds()
