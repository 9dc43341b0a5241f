"""A restore onto the same courier and SMS accounts: the restored database hands out the same row ids
again, and the courier and the gateway remember every key they saw before. New parcels and new messages
must be booked and sent as new ones, never matched to another case's order or another phone's message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from app.models.case import Case, Notification
from tests import factories
from tests.conftest import instance_of_its_own
from tests.fakes.ems import KEY, SECRET, FakeEms
from tests.fakes.messaging import SmsGateway


@pytest.fixture()
def providers() -> Iterator[tuple[FakeEms, SmsGateway]]:
    ems, gateway = FakeEms().start(), SmsGateway().start()
    yield ems, gateway
    ems.stop()
    gateway.stop()


@contextmanager
def fresh_instance(app, tmp_path: Path, name: str, ems: FakeEms, gateway: SmsGateway, *,
                   set_up: bool = True) -> Iterator:
    """An installation of its own as a restore starts it: migrated and loaded with the demo, so its ids
    start where the first installation's started (or empty, to restore into); its courier and gateway
    are the shared fakes."""
    from app.extensions import db

    with instance_of_its_own(app, tmp_path, name, set_up=set_up, COURIER_PROVIDER="http", COURIER_BASE_URL=ems.url,
                             COURIER_KEY=KEY, COURIER_SECRET=SECRET, COURIER_TIMEOUT_SECONDS=2.0, **gateway.config()):
        yield db.session


def _accept_and_run_jobs(session, **applicant) -> tuple:
    case = factories.accepted_case(session, **applicant)
    for topic in ("book_parcel", "notify_applicant"):
        factories.run_outbox(session, topic, case.id)
    [shipment] = factories.shipments_of(session, case)
    sms = session.scalar(select(Notification).where(Notification.case_id == case.id, Notification.channel == "sms"))
    return case, shipment, sms


def test_a_restored_instance_books_new_parcels_and_sends_new_messages(app, tmp_path, providers):
    ems, gateway = providers
    with fresh_instance(app, tmp_path, "before", ems, gateway) as session:
        first_case, first_parcel, first_sms = _accept_and_run_jobs(session)
        first = (first_case.number, first_parcel.id, first_parcel.waybill_number, first_sms.id, first_sms.body)
    with fresh_instance(app, tmp_path, "restored", ems, gateway) as session:
        _, parcel, sms = _accept_and_run_jobs(
            session, applicant_name="王建国", applicant_phone="13800138000", home="wc_center",
            department_key="wc_hrss")
        assert (parcel.id, sms.id) == (first[1], first[3])  # the restore hands out the same ids again

        assert parcel.booking_status == "booked" and parcel.waybill_number != first[2]
        assert len(ems.orders) == len(ems.by_key) == 2
        order = ems.orders[parcel.waybill_number]
        assert order["idempotency_key"] == parcel.booking_key and order["receiver"]["name"] == "旺苍县政务服务中心"
        assert ems.orders[first[2]]["receiver"]["name"] == "苍溪县政务服务中心"  # the first case's order is its own

        assert sms.status == "sent" and "王建国" in sms.body
        assert len(gateway.deliveries) == 2  # a new message, not the first one's id answered again
        delivered = {m["phone"]: m for m in gateway.deliveries}
        restored = delivered["13800138000"]
        assert restored["text"] == sms.body and sms.provider_ref == gateway.message_id_of(restored["request_id"])
        assert delivered[factories.APPLICANT["applicant_phone"]]["text"] == first[4]


def _shipped_and_told(session, case_id: int) -> tuple:
    """The case's jobs run: its parcel and its SMS as the courier and the gateway answered them."""
    for topic in ("book_parcel", "notify_applicant"):
        factories.run_outbox(session, topic, case_id)
    shipments = [s for s in factories.shipments_of(session, session.get(Case, case_id)) if s.waybill_number]
    sms = session.scalars(select(Notification).where(Notification.case_id == case_id,
                                                     Notification.channel == "sms")).all()
    return [(s.waybill_number, s.booking_key) for s in shipments], [(m.request_id, m.status) for m in sms]


def test_jobs_pending_in_a_backup_and_done_before_the_restore_are_not_done_twice_after_it(app, tmp_path, providers):
    ems, gateway = providers
    backup = tmp_path / "backup"
    with fresh_instance(app, tmp_path, "origin", ems, gateway) as session:
        case_id = factories.accepted_case(session).id  # its parcel and SMS jobs pending …
        session.commit()
        result = current_app.test_cli_runner().invoke(args=["backup", str(backup)])  # … in the backup
        assert result.exit_code == 0, result.output
        before = _shipped_and_told(session, case_id)  # done after the backup: the courier and gateway saw them
    assert len(ems.orders) == 1 and len(gateway.deliveries) == 1
    with fresh_instance(app, tmp_path, "restored", ems, gateway, set_up=False) as session:
        result = current_app.test_cli_runner().invoke(args=["restore", str(backup)])
        assert result.exit_code == 0, result.output
        after = _shipped_and_told(session, case_id)  # the restored outbox runs them again …
    assert after == before  # … with the same keys: the courier's order and the gateway's message, once
    assert len(ems.orders) == 1 and len(gateway.deliveries) == 1
