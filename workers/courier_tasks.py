"""Courier jobs: tracking open shipments (booking runs through the outbox)."""

from __future__ import annotations
