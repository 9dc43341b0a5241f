"""督办单: supervision orders and their replies

Issue 14 item 2: a city or county supervisor issues a 督办单 on a case for one responsible side (a window or the
department) with a reply deadline in working days; the side answers (反馈) once. 催办 is a case event.

Revision ID: 0032_supervision
Revises: 0031_articles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032_supervision"
down_revision = "0031_articles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervision_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_fk", sa.Integer(), nullable=True),
        sa.Column("issued_by_name", sa.String(length=128), nullable=False),
        sa.Column("issued_by_place", sa.String(length=255), nullable=False),
        sa.Column("issued_on", sa.DateTime(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("responsible_side", sa.String(length=16), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("reply_days", sa.Integer(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("warning_level", sa.String(length=8), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_by_fk", sa.Integer(), nullable=True),
        sa.Column("replied_by_name", sa.String(length=128), nullable=False),
        sa.Column("replied_by_place", sa.String(length=255), nullable=False),
        sa.Column("replied_on", sa.DateTime(), nullable=True),
        sa.Column("answered_late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["issued_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["replied_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["center_id"], ["service_center.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("case_id", "issued_by_fk", "issued_on", "center_id", "department_id", "region_id", "reply_due",
                   "status", "warning_level", "answered_late"):
        op.create_index(f"ix_supervision_order_{column}", "supervision_order", [column])


def downgrade() -> None:
    op.drop_table("supervision_order")
