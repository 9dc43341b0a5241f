"""each outbox row carries the key its job asks a provider with

A job that puts a parcel or an SMS on record made a new key when it ran. A backup taken while the job was
pending, restored after the job had run, ran it again under another key: the courier booked the parcel a
second time and the gateway sent the SMS twice. The key now comes from the outbox row, which the backup
holds: ``kytb-shipment-<key>`` and ``kytb-<key>``.

Existing rows get a new UUID-based key each.

Revision ID: 0012_outbox_keys
Revises: 0011_keys
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012_outbox_keys"
down_revision = "0011_keys"
branch_labels = None
depends_on = None

_outbox = sa.table("outbox_message", sa.column("id", sa.Integer), sa.column("idempotency_key", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    for message_id in conn.scalars(sa.select(_outbox.c.id)).all():
        conn.execute(_outbox.update().where(_outbox.c.id == message_id).values(idempotency_key=uuid.uuid4().hex))
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.alter_column("idempotency_key", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("idempotency_key")
