"""Fixtures of the reminder, message and report tests: a real SMTP server, and mail configured to it."""

from __future__ import annotations

import pytest

from tests.conftest import config_override
from tests.fakes.messaging import SmtpServer


@pytest.fixture()
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for this test."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture()
def mail_on(app, smtp):
    """Mail configured to the loopback SMTP server for this test."""
    with config_override(app, **smtp.config, APP_URL="https://kytb.example.cn"):
        yield smtp
