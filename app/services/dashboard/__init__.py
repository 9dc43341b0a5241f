"""督导看板: the supervisors' dashboard (issue 14).

- ``cells``: what each figure counts (one criterion for the aggregate and for the case list it links to);
- ``filters``: the period and the other filters, every problem at once;
- ``figures``: the figures, from a few grouped aggregate SELECTs;
- ``extra_panels``: what other modules add (``app.domain.panels``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.domain.panels import Panel
    from app.scope import Reach


def extra_panels(session: Session, reach: Reach) -> list[Panel]:
    """The panels other modules add to the dashboard (督办, reconciliation), in order; each runs a fixed number of
    statements."""
    from app.services.reconciliation.dashboard import reconciliation_panel
    from app.services.supervision.dashboard import supervision_panel

    return [supervision_panel(session, reach), reconciliation_panel(session, reach)]


def figures_asked(session: Session, reach: Reach, args: Any, today: Any) -> tuple[Any, Any, list[Any], Any]:
    """What the dashboard shows for the filters of a request (the page's and the REST API's): (names, filters,
    every problem with them, figures). The figures are those of the default filters when there are problems."""
    from app.services.dashboard.figures import dashboard, load_names
    from app.services.dashboard.filters import parse_filters

    names = load_names(session, reach)
    filters, problems = parse_filters(
        args, today, counties={c for c, _ in names.counties()}, windows={w for w, _ in names.windows()},
        departments={d for d, _ in names.department_choices}, lines=set(names.lines),
        handling_types=set(names.handling_types))
    return names, filters, problems, dashboard(session, reach, filters, today, names)
