"""事件流 and webhooks (issue 15 item 2): the feed's commit-ordered position of each case event, the subscribers
and the delivery log.

Revision ID: 0035_webhooks
Revises: 0034_report_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035_webhooks"
down_revision = "0034_report_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_event") as batch:
        batch.add_column(sa.Column("feed_seq", sa.Integer(), nullable=True))
    # events written before: all committed, numbered in id order
    op.execute("UPDATE case_event SET feed_seq = id")
    op.create_index("ix_case_event_feed_seq", "case_event", ["feed_seq"], unique=True)
    op.create_table(
        "webhook_subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("account_fk", sa.Integer(), nullable=False),
        sa.Column("actions", sa.String(length=1024), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_fk"], ["ab_user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_webhook_subscriber_account_fk", "webhook_subscriber", ["account_fk"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("last_attempt_on", sa.DateTime(), nullable=True),
        sa.Column("delivered_on", sa.DateTime(), nullable=True),
        sa.Column("next_retry_on", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["subscriber_id"], ["webhook_subscriber.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["case_event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["outbox_message.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscriber_id", "event_id", name="uq_webhook_delivery"),
    )
    for column in ("subscriber_id", "event_id", "message_id", "status"):
        op.create_index(f"ix_webhook_delivery_{column}", "webhook_delivery", [column])


def downgrade() -> None:
    for column in ("status", "message_id", "event_id", "subscriber_id"):
        op.drop_index(f"ix_webhook_delivery_{column}", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_subscriber_account_fk", table_name="webhook_subscriber")
    op.drop_table("webhook_subscriber")
    op.drop_index("ix_case_event_feed_seq", table_name="case_event")
    with op.batch_alter_table("case_event") as batch:
        batch.drop_column("feed_seq")
