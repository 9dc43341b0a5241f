"""keys that never repeat: each shipment's courier key and each message's request id are made with the row

Keys used to be derived from row ids (``kytb-shipment-<id>``, ``kytb-sms-<id>``); a restored database
hands the same ids out again, and the courier and the SMS gateway answered new parcels and messages with
the orders and messages of other cases. Now each row gets a UUID-based key when it is created.

Existing rows: a key a provider has already seen is kept (a shipment's stored ``booking_key``; the
``kytb-sms-<id>`` / ``kytb-<id>`` under which an attempted message went out), so a pending retry is still
recognised as the same order or message; every other row gets a new UUID key.

Revision ID: 0011_keys
Revises: 0010_messages
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0011_keys"
down_revision = "0010_messages"
branch_labels = None
depends_on = None

_shipment = sa.table("shipment", sa.column("id", sa.Integer), sa.column("booking_key", sa.String))
_notification = sa.table("notification", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                         sa.column("attempts", sa.Integer), sa.column("request_id", sa.String))


def _fill_booking_keys(conn: sa.Connection) -> None:
    ids = conn.scalars(sa.select(_shipment.c.id).where(_shipment.c.booking_key.is_(None))).all()
    for shipment_id in ids:
        conn.execute(_shipment.update().where(_shipment.c.id == shipment_id)
                     .values(booking_key=f"kytb-shipment-{uuid.uuid4().hex}"))


def _legacy_request_id(notification_id: int, channel: str) -> str:
    """The key an attempted message was sent under before this revision (SMS request id, mail Message-ID)."""
    return f"kytb-sms-{notification_id}" if channel == "sms" else f"kytb-{notification_id}"


def _fill_request_ids(conn: sa.Connection) -> None:
    rows = conn.execute(sa.select(_notification.c.id, _notification.c.channel, _notification.c.attempts)).all()
    for notification_id, channel, attempts in rows:
        key = _legacy_request_id(notification_id, channel) if attempts else f"kytb-{uuid.uuid4().hex}"
        conn.execute(_notification.update().where(_notification.c.id == notification_id).values(request_id=key))


def upgrade() -> None:
    conn = op.get_bind()
    _fill_booking_keys(conn)
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.alter_column("booking_key", existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
    _fill_request_ids(conn)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("request_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_notification_request_id", ["request_id"])


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notification_request_id", type_="unique")
        batch_op.drop_column("request_id")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.alter_column("booking_key", existing_type=sa.String(length=64), nullable=True)
