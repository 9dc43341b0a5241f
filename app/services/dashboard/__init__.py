"""督导看板: the supervisors' dashboard (issue 14).

- ``cells``: what each figure counts (one criterion for the aggregate and for the case list it links to);
- ``filters``: the period and the other filters, every problem at once;
- ``figures``: the figures, from a few grouped aggregate SELECTs;
- ``extra_panels``: what other modules add (``app.domain.panels``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.scope import Reach
    from app.domain.panels import Panel


def extra_panels(session: Session, reach: Reach) -> list[Panel]:
    """The panels other modules add to the dashboard (督办, reconciliation), in order; each runs a fixed number of
    statements."""
    from app.services.reconciliation.dashboard import reconciliation_panel
    from app.services.supervision.dashboard import supervision_panel

    return [supervision_panel(session, reach), reconciliation_panel(session, reach)]
