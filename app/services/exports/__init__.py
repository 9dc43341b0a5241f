"""Exports of the work ledger (附件3): ``ledger`` — the rows of a filter as XLSX or PDF; ``jobs`` — small
ones at once, large ones as background jobs (``build_export``) with progress and retention."""
