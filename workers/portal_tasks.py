"""The applicant's static portal, rebuilt in the background.

Queued through the outbox (topic ``publish_portal``: a guide published or retired, an article saved), whose
runner (``kytb.run_outbox_message``) calls the same service; this task is the same work by name, for
operators:

    celery -A workers.celery_app call kytb.publish_portal
"""

from __future__ import annotations

import logging

from flask import current_app

from app.services.public import portal
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="kytb.publish_portal", bind=True, acks_late=True, max_retries=8)
def publish_portal(self) -> int:
    """The whole portal from what is published now, into PORTAL_DIR; returns the pages written."""
    try:
        built = portal.publish_portal(current_app.appbuilder.session)
    except Exception as error:
        log.warning("portal build failed (attempt %s): %s", self.request.retries + 1, error)
        raise self.retry(exc=error, countdown=min(2 ** self.request.retries * 5, 600))
    return built.pages
