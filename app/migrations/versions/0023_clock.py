"""the legal clock: special procedures and extensions

Issue 12: a case's clock is stopped by a correction (its own dates) or a special procedure (特别程序,
Administrative Licensing Law Art. 45) and lengthened by an approved extension (延期, Art. 42). Each special
procedure and extension is a ``clock_segment`` row with its reason, who asked and who decided.

Revision ID: 0023_clock
Revises: 0020_declined_ledger
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_clock"
down_revision = "0020_declined_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("requested_by_fk", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=128), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_fk", sa.Integer(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=128), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "seq", name="uq_clock_segment_seq"),
    )
    op.create_index("ix_clock_segment_case_id", "clock_segment", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_clock_segment_case_id", table_name="clock_segment")
    op.drop_table("clock_segment")
