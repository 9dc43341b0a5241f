"""Helpers of the rating tests: the token an applicant holds, a delivered case, a rated one."""

from __future__ import annotations

from datetime import datetime

from tests import factories


def token_of(case) -> str:
    """The case's public token (``Case.public_token``: the QR code and the SMS link)."""
    return case.public_token


def rated_case(db, level: int = 2, *, tags=("cold",), comment: str = "窗口人员态度生硬", at: datetime | None = None):
    """A case of 利州区's window for 苍溪县 delivered and rated ``level``; returns (case, rating)."""
    from app.services.ratings.rating import rate_case

    case = factories.delivered_case(db)
    rating = rate_case(db, token_of(case), level, list(tags), comment, at=at)
    return case, rating
