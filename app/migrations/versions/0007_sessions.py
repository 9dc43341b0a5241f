"""sessions: a token generation per staff user, and failed sign-ins throttled instead of locked

A password change or a logout raises the generation, which revokes every token and session issued before.
Failed sign-ins are counted per account name and client address (login_throttle); the account lock
(ab_user.locked_until), which anyone could set on any known name, is gone.

Revision ID: 0007_sessions
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_sessions"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_column("locked_until")
    op.create_table(
        "login_throttle",
        sa.Column("account", sa.String(length=256), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("account", "address"),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.drop_column("token_generation")
