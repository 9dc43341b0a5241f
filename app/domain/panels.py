"""What a module outside the dashboard adds to it: a panel of counts, each linking to the scoped list of what
it counts. The supervision orders and the reconciliation findings each build one; the dashboard shows the
panels it is given in order, and knows nothing else of them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PanelRow:
    label: str
    count: int
    #: the scoped list of what is counted (a URL path with its query); empty when there is nothing to list
    url: str = ""
    #: "red", "yellow" or "" (how the count is coloured)
    level: str = ""


@dataclass(frozen=True)
class Panel:
    key: str  # a stable id for tests and anchors, e.g. "supervision", "reconciliation"
    title: str
    rows: tuple[PanelRow, ...] = field(default_factory=tuple)
