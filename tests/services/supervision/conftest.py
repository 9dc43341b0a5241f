"""The mail fixtures of the reminder tests (a real SMTP server on 127.0.0.1)."""

from tests.services.notifications.conftest import mail_on, smtp  # noqa: F401
