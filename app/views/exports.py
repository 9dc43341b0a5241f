"""Exports of the ledger and archive packages."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register_views(appbuilder: AppBuilder) -> None:
    """Adds this module's views and menu entries."""
