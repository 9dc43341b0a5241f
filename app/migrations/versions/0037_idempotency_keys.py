"""Idempotency-Key on the API's POSTs (issue 15 item 4): the key, the request it was used for and its answer

Revision ID: 0037_idempotency_keys
Revises: 0036_matter_fields
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037_idempotency_keys"
down_revision = "0036_matter_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),
    )
    op.create_index("ix_idempotency_key_created_on", "idempotency_key", ["created_on"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_key_created_on", table_name="idempotency_key")
    op.drop_table("idempotency_key")
