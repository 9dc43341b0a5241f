"""The safety net of the logs (issue 9, defect 8): whatever a record says, from our code or a library's
(werkzeug's access log with a query string, an exception text), an 18-character ID number and an 11-digit
mobile number leave every handler that app/logs.py configured masked, as the pages mask them."""

from __future__ import annotations

import io
import logging

import pytest

from app.logs import configure_logging
from tests import factories

ID_NUMBER, ID_MASKED = factories.APPLICANT["applicant_id_number"], "110105********002X"
PHONE, PHONE_MASKED = factories.APPLICANT["applicant_phone"], "139****1234"


@pytest.fixture()
def log_output():
    """A handler on the root logger, as a process has before create_app configures the logs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    configure_logging("INFO")
    yield stream
    root.removeHandler(handler)
    configure_logging("WARNING")


def test_the_access_log_masks_id_numbers_and_phones_in_query_strings(log_output):
    logging.getLogger("werkzeug").info('127.0.0.1 - - "%s %s HTTP/1.1" %s -', "GET",
                                       f"/api/v1/case/?q=(filters:!((col:applicant_id_number,opr:eq,value:'{ID_NUMBER}')))"
                                       f"&phone={PHONE}", 200)
    line = log_output.getvalue()
    assert ID_MASKED in line and PHONE_MASKED in line
    assert ID_NUMBER not in line and PHONE not in line


def test_our_own_records_and_their_exceptions_are_masked(log_output):
    log = logging.getLogger("app.services.example")
    log.info("sms accepted to %s", PHONE)
    try:
        raise ValueError(f"gateway refused {PHONE} for {ID_NUMBER.lower()}")
    except ValueError:
        log.exception("delivery failed")
    text = log_output.getvalue()
    assert PHONE not in text and ID_NUMBER.lower() not in text
    assert text.count(PHONE_MASKED) == 2 and "110105********002x" in text


def test_numbers_that_are_not_personal_data_stay(log_output):
    logging.getLogger("app.services.example").info("case 5108022026000123 of 2026-03-02; waybill 1234567890123")
    assert "5108022026000123" in log_output.getvalue() and "1234567890123" in log_output.getvalue()
