"""From the token the applicant holds (the QR code on the notice, the SMS link) to the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.case import Case

#: longer than any token or case number: refused without a query
TOKEN_MAX_CHARS = 64


def case_for_token(session: Session, token: Any) -> Case | None:
    """The case whose public token is ``token`` (``Case.public_token``, the progress slice's); until that
    column exists, the case number stands in for it. None for anything else."""
    if not isinstance(token, str) or not token.strip() or len(token) > TOKEN_MAX_CHARS:
        return None
    column = getattr(Case, "public_token", None)
    if column is None:
        column = Case.number
    return session.scalars(select(Case).where(column == token.strip())).first()
