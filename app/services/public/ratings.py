"""What the public answers say of a case's rating (好差评): read only, no personal data. The rating itself is
taken by ``app.services.ratings.rating.rate_case``; this module stays below it so the progress answer can read a
rating without the public services importing the case services (which import the progress link)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.workflow import Status
from app.labels import RATING_LEVEL_LABELS
from app.models.base import LOCAL_ZONE
from app.models.case import Case
from app.models.rating import Rating

#: the case statuses in which the applicant may rate: the result has reached them
RATABLE = frozenset({Status.DELIVERED.value, Status.ARCHIVED.value})


def moment(value: datetime) -> str:
    return value.replace(tzinfo=LOCAL_ZONE).isoformat()


def public_rating(rating: Rating | None) -> dict[str, Any] | None:
    """A rating as the public answer shows it (the applicant's own words; no personal data)."""
    if rating is None:
        return None
    return {"level": rating.level, "label": str(RATING_LEVEL_LABELS[rating.level]), "tags": list(rating.tags),
            "comment": rating.comment, "at": moment(rating.rated_at)}


def rating_of(session: Session, case_id: int) -> Rating | None:
    return session.scalars(select(Rating).where(Rating.case_id == case_id)).first()


def rating_summary(session: Session, case: Case) -> dict[str, Any]:
    """What the progress answer says of the rating of a case: ``{open, given, rating}``."""
    rating = rating_of(session, case.id)
    return {"open": case.status in RATABLE, "given": rating is not None, "rating": public_rating(rating)}
