"""the outbox knows which worker holds a row and when its retry is due

``started_on`` (a worker took the row since its last publication), ``held_by`` (the worker and task whose
attempt runs now, "" once it ended) and ``retry_on`` (a failed attempt's retry is due then): the relay
publishes again only rows no worker holds (issue 10, defect 3).

Revision ID: 0009_outbox
Revises: 0008_access_log
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_outbox"
down_revision = "0008_access_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("held_by", sa.String(length=128), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("retry_on", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("retry_on")
        batch_op.drop_column("held_by")
        batch_op.drop_column("started_on")
