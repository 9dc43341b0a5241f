"""Fixtures of the reminder, notification and report tests (helpers in ``support.py``)."""

from __future__ import annotations

import pytest

from tests.notify.support import SmtpServer, configured


@pytest.fixture()
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for this test."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture()
def mail_on(app, smtp):
    """Mail configured to the loopback SMTP server for this test."""
    with configured(app, **smtp.config, APP_URL="https://kytb.example.cn"):
        yield smtp
