"""移交清单: transmittal lists of the parcels a window sends in one batch, one per destination window

Revision ID: 0018_batch
Revises: 0013_intake
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_batch"
down_revision = "0013_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transmittal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("from_center_id", sa.Integer(), nullable=False),
        sa.Column("to_center_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=128), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("file_key", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by_name", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["from_center_id"], ["service_center.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["to_center_id"], ["service_center.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", name="uq_transmittal_number"),
    )
    with op.batch_alter_table("transmittal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transmittal_from_center_id"), ["from_center_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transmittal_to_center_id"), ["to_center_id"], unique=False)
    op.create_table(
        "transmittal_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transmittal_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("received_materials", sa.JSON(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipment.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["transmittal_id"], ["transmittal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("transmittal_id", "seq", name="uq_transmittal_item_seq"),
    )
    with op.batch_alter_table("transmittal_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transmittal_item_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transmittal_item_transmittal_id"), ["transmittal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("transmittal_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transmittal_item_transmittal_id"))
        batch_op.drop_index(batch_op.f("ix_transmittal_item_case_id"))
    op.drop_table("transmittal_item")
    with op.batch_alter_table("transmittal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transmittal_to_center_id"))
        batch_op.drop_index(batch_op.f("ix_transmittal_from_center_id"))
    op.drop_table("transmittal")
