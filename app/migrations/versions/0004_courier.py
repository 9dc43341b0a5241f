"""courier: bookings and tracking of shipments

Revision ID: 0004_courier
Revises: 0003
Create Date: 2026-11-26 19:53:31.693631
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004_courier"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "courier_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=128), nullable=False),
        sa.Column("recorded_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shipment_id", "at", "code", name="uq_courier_event"),
    )
    with op.batch_alter_table("courier_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courier_event_shipment_id"), ["shipment_id"], unique=False)

    # Existing rows get the defaults (server defaults, so NOT NULL columns can be added to a filled table).
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("provider", sa.String(length=16), nullable=False, server_default="manual"))
        batch_op.add_column(sa.Column("booking_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("booking_status", sa.String(length=16), nullable=False, server_default="planned"))
        batch_op.add_column(sa.Column("booked_on", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("booking_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("booking_error", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("booking_warning", sa.String(length=8), nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("tracking_status", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("courier_delivered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_tracked_on", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("tracking_error", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_shipment_booking_status"), ["booking_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipment_booking_warning"), ["booking_warning"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipment_last_tracked_on"), ["last_tracked_on"], unique=False)
        batch_op.create_unique_constraint("uq_shipment_booking_key", ["booking_key"])
        batch_op.create_unique_constraint("uq_shipment_outbox", ["outbox_id"])
        batch_op.create_foreign_key("fk_shipment_outbox_id", "outbox_message", ["outbox_id"], ["id"],
                                    ondelete="SET NULL")

    # A parcel whose waybill the clerk already typed was booked at the courier's terminal.
    op.execute("UPDATE shipment SET booking_status = 'booked' WHERE waybill_number <> ''")


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_constraint("fk_shipment_outbox_id", type_="foreignkey")
        batch_op.drop_constraint("uq_shipment_outbox", type_="unique")
        batch_op.drop_constraint("uq_shipment_booking_key", type_="unique")
        batch_op.drop_index(batch_op.f("ix_shipment_last_tracked_on"))
        batch_op.drop_index(batch_op.f("ix_shipment_booking_warning"))
        batch_op.drop_index(batch_op.f("ix_shipment_booking_status"))
        batch_op.drop_column("tracking_error")
        batch_op.drop_column("last_tracked_on")
        batch_op.drop_column("courier_delivered_at")
        batch_op.drop_column("tracking_status")
        batch_op.drop_column("booking_warning")
        batch_op.drop_column("booking_error")
        batch_op.drop_column("booking_attempts")
        batch_op.drop_column("booked_on")
        batch_op.drop_column("booking_status")
        batch_op.drop_column("booking_key")
        batch_op.drop_column("provider")
        batch_op.drop_column("outbox_id")

    with op.batch_alter_table("courier_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courier_event_shipment_id"))
    op.drop_table("courier_event")
