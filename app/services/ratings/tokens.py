"""From the token the applicant holds (the QR code on the notice, the SMS link) to the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.case import Case

#: longer than any token or case number: refused without a query
TOKEN_MAX_CHARS = 64


def case_for_token(session: Session, token: Any) -> Case | None:
    """The case whose public token (``Case.public_token``, printed as the QR code) is ``token``; None for
    anything else."""
    if not isinstance(token, str) or not token.strip() or len(token) > TOKEN_MAX_CHARS:
        return None
    return session.scalars(select(Case).where(Case.public_token == token.strip())).first()
