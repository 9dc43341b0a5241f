"""outbox jobs named for what they do

dispatch_shipment → book_parcel, run_export → build_export, build_archive → build_archive_package (rows
written before the upgrade keep their handler).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RENAMED = {"dispatch_shipment": "book_parcel", "run_export": "build_export", "build_archive": "build_archive_package"}


def _rename(pairs: dict[str, str]) -> None:
    for old, new in pairs.items():
        op.execute(f"UPDATE outbox_message SET topic = '{new}' WHERE topic = '{old}'")


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})
