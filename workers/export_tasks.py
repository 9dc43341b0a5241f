"""Large exports of the work ledger, run in the background with progress."""

from __future__ import annotations
