"""延期 cap per matter: the working days all extensions of a case of the matter may add

Issue 12 item 1: Art. 42 of the Administrative Licensing Law allows ten working days "unless a law or
regulation says otherwise"; a matter whose own law says otherwise carries its cap in ``max_extension_days``
(0: no extension at all). Empty means the general rule (the setting EXTENSION_MAX_WORKING_DAYS).

Revision ID: 0027_extension_cap
Revises: 0026_precheck
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_extension_cap"
down_revision = "0026_precheck"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_extension_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_column("max_extension_days")
