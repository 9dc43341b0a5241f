"""the access log says what was seen and why

``kind`` (page, api, notice, scan, result, archive, export, search, disclosure), ``reason`` (the reason
given for a disclosure, carried by the views it allows), ``detail`` (a searched column with the masked
value, an export's file) and ``valid_until`` (the end of a disclosure). Searches concern no single case:
``case_id`` may be empty.

Revision ID: 0008_access_log
Revises: 0007_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_access_log"
down_revision = "0007_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_access_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="page"))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("detail", sa.String(length=255), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("valid_until", sa.DateTime(), nullable=True))
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_case_access_log_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_access_log_at"), ["at"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM case_access_log WHERE case_id IS NULL")
    with op.batch_alter_table("case_access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_access_log_at"))
        batch_op.drop_index(batch_op.f("ix_case_access_log_kind"))
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("valid_until")
        batch_op.drop_column("detail")
        batch_op.drop_column("reason")
        batch_op.drop_column("kind")
