"""按需报表: reports on demand with their progress (issue 14 item 4)

A supervisor asks for a report of any period and scope; the request is built in the background and its
report joins the history as kind ``custom`` beside the weekly and monthly ones.

Revision ID: 0034_report_requests
Revises: 0033_reconciliation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034_report_requests"
down_revision = "0033_reconciliation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_fk", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("scope_key", sa.String(length=32), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("started_on", sa.DateTime(), nullable=True),
        sa.Column("finished_on", sa.DateTime(), nullable=True),
        sa.Column("updated_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_request_user_fk", "report_request", ["user_fk"])
    op.create_index("ix_report_request_region_id", "report_request", ["region_id"])
    op.create_index("ix_report_request_status", "report_request", ["status"])
    op.create_index("ix_report_request_open", "report_request", ["scope_key", "period_start", "period_end", "status"])


def downgrade() -> None:
    op.drop_index("ix_report_request_open", table_name="report_request")
    op.drop_index("ix_report_request_status", table_name="report_request")
    op.drop_index("ix_report_request_region_id", table_name="report_request")
    op.drop_index("ix_report_request_user_fk", table_name="report_request")
    op.drop_table("report_request")
