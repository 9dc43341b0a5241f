"""The health page tells operations whether the database and the broker answer, and how the outbox
and the workers are doing."""

from __future__ import annotations

from tests import factories


def test_health_reports_database_broker_outbox_and_worker(client, db):
    body = client.get("/health").get_json()
    assert body["database"]["ok"] is True
    assert set(body) >= {"database", "broker", "outbox", "worker", "ok"}


def test_the_outbox_backlog_counts_unfinished_side_effects(client, db):
    before = client.get("/health").get_json()["outbox"]["unfinished"]
    factories.accepted_case(db)
    body = client.get("/health").get_json()
    assert body["outbox"]["unfinished"] == before + 3
    assert body["outbox"]["oldest_unpublished_age_seconds"] is not None


def test_an_unreachable_broker_answers_503(app, db):
    configured = app.config["CELERY_BROKER_URL"]
    app.config["CELERY_BROKER_URL"] = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    try:
        response = app.test_client().get("/health")
    finally:
        app.config["CELERY_BROKER_URL"] = configured
    assert response.status_code == 503
    assert response.get_json()["broker"]["ok"] is False and response.get_json()["database"]["ok"] is True
