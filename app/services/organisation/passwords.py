"""The password rules for database accounts: one place, read by FAB's complexity check (app.security.passwords)
and by the API's staff accounts."""

from __future__ import annotations

import string

from flask_babel import gettext as _

MIN_LENGTH = 10


def password_problems(password: str) -> list[str]:
    """Every rule the password breaks, so the user learns them all at once."""
    password = password or ""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("at least %(n)d characters", n=MIN_LENGTH))
    classes = [
        any(c in string.ascii_uppercase for c in password),
        any(c in string.ascii_lowercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        problems.append(_("at least three of: upper-case letters, lower-case letters, digits, symbols"))
    if password and len(set(password)) < 4:
        problems.append(_("at least four different characters"))
    return problems
