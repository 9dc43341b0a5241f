"""对账: the findings of the daily reconciliation of both ends, and its runs

Issue 14 item 3.

Revision ID: 0033_reconciliation
Revises: 0032_supervision
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033_reconciliation"
down_revision = "0032_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("open_subject", sa.String(length=64), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("county_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("first_found_on", sa.Date(), nullable=False),
        sa.Column("last_seen_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["center_id"], ["service_center.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["county_id"], ["region.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "open_subject", name="uq_reconciliation_finding_open"),
    )
    for column in ("kind", "is_open", "case_id", "center_id", "department_id", "county_id"):
        op.create_index(f"ix_reconciliation_finding_{column}", "reconciliation_finding", [column])
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reconciliation_run_ran_at", "reconciliation_run", ["ran_at"])


def downgrade() -> None:
    op.drop_index("ix_reconciliation_run_ran_at", table_name="reconciliation_run")
    op.drop_table("reconciliation_run")
    for column in ("kind", "is_open", "case_id", "center_id", "department_id", "county_id"):
        op.drop_index(f"ix_reconciliation_finding_{column}", table_name="reconciliation_finding")
    op.drop_table("reconciliation_finding")
