"""Use cases: one function or command per use case, grouped by sub-domain (cases, catalog, organisation,
calendar, courier, notifications, exports). The only code that writes to the database.

Some modules declare, besides their use cases, the rules of the records they own
(``app.platform.records.rule_for``) and the jobs they carry out (``app.platform.outbox.handles``).
``load_use_cases`` imports every module of this package, so that all of them are declared at start-up
whichever page or task a process happens to serve first.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_use_cases() -> list[str]:
    """Imports every module of ``app.services``; returns their names."""
    names = sorted(info.name for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."))
    for name in names:
        importlib.import_module(name)
    return names
