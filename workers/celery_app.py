"""The Celery application. Broker and backend: Redis when REDIS_URL is set, otherwise Celery's
SQLAlchemy transport on an SQLite file (so ``make run`` needs nothing but Python)."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from kombu import Queue

import config
from app.domain.reporting import crontab_args

VISIBILITY_TIMEOUT = 3600  # seconds; longer than any task runs
#: every job (outbox rows, periodic checks, exports) waits in the jobs queue; the outbox relay and the
#: heartbeat have a queue of their own, so a long jobs queue delays neither (a worker consumes both)
JOBS_QUEUE, RELAY_QUEUE = "celery", "relay"


class AppTask(Task):
    """Runs each task inside the Flask app's context (one app per worker process)."""

    abstract = True
    _flask_app: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with flask_app().app_context():
            return super().__call__(*args, **kwargs)


def flask_app() -> Any:
    """The one Flask app of this process (worker or beat), made when first needed."""
    if AppTask._flask_app is None:
        from app.factory import create_app

        AppTask._flask_app = create_app()
    return AppTask._flask_app


celery = Celery("kytb", task_cls=AppTask, include=[
    "workers.tasks", "workers.courier_tasks", "workers.notification_tasks", "workers.export_tasks",
    "workers.portal_tasks", "workers.reconciliation_tasks",
])
celery.conf.update(
    broker_url=config.CELERY_BROKER_URL,
    task_default_queue=JOBS_QUEUE,
    # declared: a worker started without --queues consumes both
    task_queues=[Queue(JOBS_QUEUE), Queue(RELAY_QUEUE)],
    task_routes={"kytb.relay_outbox": {"queue": RELAY_QUEUE}, "kytb.heartbeat": {"queue": RELAY_QUEUE}},
    result_backend=config.CELERY_RESULT_BACKEND,
    timezone="Asia/Shanghai",
    enable_utc=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_consumer="workers.consumer:PromptConsumer",  # tries a lost broker every BROKER_RETRY_SECONDS
    beat_schedule_filename=config.CELERY_BEAT_SCHEDULE_FILE,
    # Celery's scheduler that also records beat's own heartbeat (workers/beat.py, read by GET /health)
    beat_scheduler="workers.beat:HeartbeatScheduler",
    beat_schedule={
        "heartbeat": {"task": "kytb.heartbeat", "schedule": config.HEARTBEAT_SECONDS},
        "calendar-coverage": {"task": "kytb.check_calendar_coverage", "schedule": 6 * 3600.0},
        # deadline checks (warning levels, reminders, escalations, reminder mail) every few minutes and
        # at the start of the working day; safe on any number of beats
        "check-deadlines": {"task": "kytb.check_deadlines", "schedule": config.DEADLINE_CHECK_SECONDS},
        "check-deadlines-morning": {"task": "kytb.check_deadlines", "schedule": crontab(hour=8, minute=30)},
        # SMS and mail that are due: first attempts of mail, every retry on the schedule each message keeps
        "send-messages": {"task": "kytb.send_messages", "schedule": config.NOTIFY_SEND_SECONDS},
        "track-shipments": {"task": "kytb.track_shipments", "schedule": config.TRACKING_SECONDS},
        # when: app.domain.reporting.REPORT_SCHEDULE (the report history tells from it when the next one comes)
        "weekly-report": {"task": "kytb.build_reports", "schedule": crontab(**crontab_args("weekly")),
                          "args": ("weekly",)},
        "monthly-report": {"task": "kytb.build_reports", "schedule": crontab(**crontab_args("monthly")),
                           "args": ("monthly",)},
        "outbox-relay": {"task": "kytb.relay_outbox", "schedule": config.OUTBOX_RELAY_SECONDS},
        # export files hold phone numbers: removed after EXPORT_RETENTION_DAYS
        "purge-exports": {"task": "kytb.purge_exports", "schedule": 3600.0},
        # 对账: the daily reconciliation of both ends, before the working day; safe on any number of beats
        "reconcile-daily": {"task": "kytb.reconcile", "schedule": crontab(hour=6, minute=30)},
    },
)
if config.REDIS_URL:
    # Redis redelivers unacknowledged tasks after the visibility timeout: set it alike everywhere.
    # (The SQLAlchemy transport passes these options to create_engine, which refuses them.)
    celery.conf.update(
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        visibility_timeout=VISIBILITY_TIMEOUT,
    )
