"""Password rules for database accounts (FAB calls this when FAB_PASSWORD_COMPLEXITY_ENABLED is on)."""

from __future__ import annotations

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _

from app.services.organisation.passwords import MIN_LENGTH, password_problems

__all__ = ["MIN_LENGTH", "password_problems", "validate_password_complexity"]


def validate_password_complexity(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise PasswordComplexityValidationError(_("The password needs %(rules)s.", rules="; ".join(problems)))
