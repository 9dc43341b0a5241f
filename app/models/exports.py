"""Background exports (the work ledger as XLSX or PDF) and archive packages: their jobs and files."""

from __future__ import annotations
