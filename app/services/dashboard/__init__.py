"""督导看板: the supervisors' dashboard (issue 14).

- ``cells``: what each figure counts (one criterion for the aggregate and for the case list it links to);
- ``filters``: the period and the other filters, every problem at once;
- ``figures``: the figures, from a few grouped aggregate SELECTs;
- ``panels``: what other modules add (``extra_panels``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.scope import Reach
    from app.services.dashboard.panels import Panel


def extra_panels(session: Session, reach: Reach) -> list[Panel]:
    """The panels other modules add to the dashboard (督办, reconciliation), in order; each runs a fixed number of
    statements. None yet: the integrator wires them in here."""
    return []
