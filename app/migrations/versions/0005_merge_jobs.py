"""merge the three branches of background jobs (courier, exports, notifications)

Revision ID: 0005
Revises: 0004_courier, 0004_exports, 0004_notify
"""

from __future__ import annotations

revision = "0005"
down_revision = ("0004_courier", "0004_exports", "0004_notify")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
