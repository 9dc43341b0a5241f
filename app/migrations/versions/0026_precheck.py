"""远程预审: a matter may be pre-checked; each pre-check round of a case

Issue 12 item 2: a matter marked ``precheck`` has the department look at the scans accepted on its behalf
before the parcel leaves, within ``precheck_hours`` working hours (4: half a working day). Each round of a
case is a ``precheck_round`` row: its due time, who answered and how (passed, corrections, timed_out), and
the items asked.

Revision ID: 0026_precheck
Revises: 0025_deferred_materials
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_precheck"
down_revision = "0025_deferred_materials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("precheck", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("precheck_hours", sa.Integer(), nullable=False, server_default="4"))
    op.create_table(
        "precheck_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_fk", sa.Integer(), nullable=True),
        sa.Column("answered_by_name", sa.String(length=128), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["answered_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "round", name="uq_precheck_round_round"),
    )
    op.create_index("ix_precheck_round_case_id", "precheck_round", ["case_id"])
    op.create_index("ix_precheck_round_due_at", "precheck_round", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_precheck_round_due_at", table_name="precheck_round")
    op.drop_index("ix_precheck_round_case_id", table_name="precheck_round")
    op.drop_table("precheck_round")
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_column("precheck_hours")
        batch_op.drop_column("precheck")
