"""Fixtures of the courier tests: the fake EMS server and the app configured for it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.demo import builders
from app.models.case import OutboxMessage, Shipment
from app.platform import outbox
from app.services.cases.take_step import take_step
from tests.courier.fake_ems import KEY, SECRET, FakeEms


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_worker: starts real Celery worker processes (runs in CI as well)")


@pytest.fixture()
def ems():
    server = FakeEms().start()
    yield server
    server.stop()


@pytest.fixture()
def http_courier(app, ems, monkeypatch):
    """The app books and tracks through the fake server; the client gives up after 1 s."""
    for name, value in {"COURIER_PROVIDER": "http", "COURIER_BASE_URL": ems.url, "COURIER_KEY": KEY,
                        "COURIER_SECRET": SECRET, "COURIER_TIMEOUT_SECONDS": 1.0}.items():
        monkeypatch.setitem(app.config, name, value)
    return ems


def accept(db, today: date | None = None, clerk: str = "lz_window", **case_overrides):
    case = builders.make_case(db, clerk, today=today, **case_overrides)
    data = builders.verify_all(case)
    if case.origin_center.external:
        data["accepted_on"] = str(today or date.today())
    return take_step(db, builders.user(db, clerk), case.id, "accept", data, today=today)


def dispatch_message(db, case, key: str = "materials") -> OutboxMessage:
    return db.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                 OutboxMessage.topic == "book_parcel",
                                                 OutboxMessage.key == key))


def run_until_done(db, message_id: int, attempts: int = 10) -> list[str]:
    """What the Celery task does with retries: run the row until it succeeds; returns the errors."""
    errors = []
    for _ in range(attempts):
        try:
            outbox.run_message(db, message_id)
            return errors
        except Exception as error:  # noqa: BLE001 - recorded, then retried like the task does
            errors.append(type(error).__name__)
    raise AssertionError(f"still failing after {attempts} attempts: {errors}")


def shipments_of(db, case, direction: str = "materials") -> list[Shipment]:
    db.expire_all()
    return db.scalars(select(Shipment).where(Shipment.case_id == case.id, Shipment.direction == direction)
                      .order_by(Shipment.id)).all()
