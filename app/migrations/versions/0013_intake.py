"""an inbound case names who accepted it at the outside window; organisations keep a hotline apart

Issue 11: a case an outside window accepted and mailed to us records that window's clerk as on its
notice (``case.counterpart_accepted_by``), so our receipt never names our clerk as the one who accepted it.
Applicants' and recipients' phones are now a mobile or a fixed line; a center or department that publishes
a service hotline (12345) keeps it in ``hotline``, apart from its phone.

Revision ID: 0013_intake
Revises: 0012_outbox_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_intake"
down_revision = "0012_outbox_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(sa.Column("counterpart_accepted_by", sa.String(length=64), nullable=False,
                                      server_default=""))
    for table in ("service_center", "department"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("hotline", sa.String(length=16), nullable=False, server_default=""))


def downgrade() -> None:
    for table in ("department", "service_center"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("hotline")
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("counterpart_accepted_by")
