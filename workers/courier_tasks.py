"""Courier jobs run by beat: tracking open shipments and the booking deadline.

Booking a parcel is not a beat job: the step that needs a parcel (accept, supplement, complete with
mail) queues the outbox job ``book_parcel`` in its own transaction, and ``kytb.run_outbox_message`` runs
``app.services.courier.booking.book_parcel``. The ``dispatch`` step books nothing: the clerk records
that the parcel left."""

from __future__ import annotations

import logging
from datetime import date

from flask import current_app

from app.services.courier import booking as shipments
from app.services.courier import tracking
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="kytb.track_shipments")
def track_shipments() -> dict:
    """Polls booked parcels still on their way and records new events once; then flags parcels of
    materials not booked by their deadline. Idempotent, and safe when two beats trigger it."""
    session = current_app.appbuilder.session
    run = tracking.track_open_shipments(session)
    log.info("courier tracking: %s", run)
    newly_red = shipments.refresh_booking_warnings(session, date.today())
    if newly_red:
        log.warning("courier: %d parcel(s) of materials not booked by their deadline: %s", len(newly_red),
                    [s.id for s in newly_red])
    return {"polled": run.polled, "new_events": run.new_events, "delivered": run.delivered,
            "failed": sorted(run.failed), "overdue_bookings": [s.id for s in newly_red]}
