"""The published catalog as the public sees it: handling types (and, in the guide slice, matters with their
guides and the windows that accept them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models.catalog import HandlingType


def public_handling_types(session: Session) -> list[dict[str, Any]]:
    """The active handling types in their order, with the regions each covers (or nationwide)."""
    types = session.scalars(
        select(HandlingType).where(HandlingType.active.is_(True))
        .order_by(HandlingType.sort_order, HandlingType.code).options(selectinload(HandlingType.regions))
    )
    return [{"code": t.code, "name": t.name, "name_en": t.name_en, "description": t.description,
             "nationwide": t.nationwide, "regions": sorted(r.name for r in t.regions)} for t in types]
