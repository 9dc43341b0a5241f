"""the supplement as an exchange: material versions, supplied correction items, the supplement signed for

Every scan of a received material is kept as a version (``material_version``): a correction round adds one
and never overwrites the first. A correction item names the material it asks for (``material_seq``) and
records whether it was supplied with which scan (``supplied``, ``version_id``). A correction records when the
home window signed for the supplied items and when the department had them (``supplement_received_on``,
``forwarded_on``): the pause of the clock ends then.

Existing scans become version 1 of their material; a correction already supplied counts as handed on the
day it was supplied (as the clock counted it before).

Revision ID: 0014_supplement
Revises: 0017_conversation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_supplement"
down_revision = "0017_conversation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "material_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("correction_round", sa.Integer(), nullable=True),
        sa.Column("scan_key", sa.String(length=64), nullable=False),
        sa.Column("scan_name", sa.String(length=255), nullable=False),
        sa.Column("scan_sha256", sa.String(length=64), nullable=False),
        sa.Column("scan_size", sa.Integer(), nullable=False),
        sa.Column("scan_content_type", sa.String(length=64), nullable=False),
        sa.Column("uploaded_on", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_fk", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["material_id"], ["case_material.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("material_id", "number", name="uq_material_version_number"),
    )
    op.create_index(op.f("ix_material_version_material_id"), "material_version", ["material_id"], unique=False)
    with op.batch_alter_table("correction_item") as batch_op:
        batch_op.add_column(sa.Column("material_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("supplied", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_correction_item_version", "material_version", ["version_id"], ["id"],
                                    ondelete="SET NULL")
    with op.batch_alter_table("correction") as batch_op:
        batch_op.add_column(sa.Column("supplement_received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("forwarded_on", sa.Date(), nullable=True))
    # the scans already stored are the first version of their material
    op.execute(
        "INSERT INTO material_version (material_id, number, scan_key, scan_name, scan_sha256, scan_size, "
        "scan_content_type, uploaded_on, uploaded_by_name) "
        "SELECT id, 1, scan_key, COALESCE(scan_name, ''), COALESCE(scan_sha256, ''), COALESCE(scan_size, 0), "
        "COALESCE(scan_content_type, ''), COALESCE(scan_uploaded_on, CURRENT_TIMESTAMP), '' "
        "FROM case_material WHERE scan_key IS NOT NULL"
    )
    # a supplement recorded before this change ended the pause the day it was recorded
    op.execute("UPDATE correction SET forwarded_on = supplied_on WHERE supplied_on IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("correction") as batch_op:
        batch_op.drop_column("forwarded_on")
        batch_op.drop_column("supplement_received_on")
    with op.batch_alter_table("correction_item") as batch_op:
        batch_op.drop_constraint("fk_correction_item_version", type_="foreignkey")
        batch_op.drop_column("version_id")
        batch_op.drop_column("supplied")
        batch_op.drop_column("material_seq")
    op.drop_index(op.f("ix_material_version_material_id"), table_name="material_version")
    op.drop_table("material_version")
