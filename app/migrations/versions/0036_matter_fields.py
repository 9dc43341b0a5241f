"""补充信息: per-matter form fields (issue 15 item 3) and the values a case holds for them

A matter lists extra fields (text, number, date, choice, yes/no, ID number, phone, address) with their
rules; publishing freezes them into the guide (``content["fields"]``); a case keeps its values in
``form_values`` (JSON keyed by field key, ``{}`` for every case registered before).

Revision ID: 0036_matter_fields
Revises: 0035_webhooks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036_matter_fields"
down_revision = "0035_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matter_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("help", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("min_length", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("pattern", sa.String(length=255), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.Column("changed_by_fk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["matter_id"], ["matter.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["changed_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("matter_id", "key", name="uq_matter_field_key"),
    )
    op.create_index("ix_matter_field_matter_id", "matter_field", ["matter_id"])
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_values", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("form_values")
    op.drop_index("ix_matter_field_matter_id", table_name="matter_field")
    op.drop_table("matter_field")
