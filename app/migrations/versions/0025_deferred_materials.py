"""容缺受理: a material a matter allows to be deferred, and the promise on the case

Issue 12: a window may accept with a non-key material missing when its requirement in the catalog is
``deferrable`` (可容缺), against the applicant's written promise (承诺书) to supply it by a date. The case's
material keeps that date, the signed promise and the day it was supplied.

Revision ID: 0025_deferred_materials
Revises: 0023_clock
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_deferred_materials"
down_revision = "0023_clock"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("material_requirement") as batch:
        batch.add_column(sa.Column("deferrable", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("case_material") as batch:
        batch.add_column(sa.Column("deferred_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("promise_signed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("supplied_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_material") as batch:
        batch.drop_column("supplied_on")
        batch.drop_column("promise_signed")
        batch.drop_column("deferred_until")
    with op.batch_alter_table("material_requirement") as batch:
        batch.drop_column("deferrable")
