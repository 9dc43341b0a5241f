"""the case conversation (沟通记录) and stand-ins (代办)

``case_message``: messages between a case's windows and its department, with @mentions and an attachment;
``case_message_notice``: each message as it reaches one user (我的提醒, read or unread);
``stand_in``: a user on leave and the colleague who works their cases for a date range.

Revision ID: 0017_conversation
Revises: 0018_batch
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_conversation"
down_revision = "0018_batch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_fk", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=128), nullable=False),
        sa.Column("author_place", sa.String(length=128), nullable=False),
        sa.Column("author_side", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentioned_sides", sa.JSON(), nullable=False),
        sa.Column("mentioned_user_ids", sa.JSON(), nullable=False),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("file_key", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("file_content_type", sa.String(length=64), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reply_to_id"], ["case_message.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_message_case_id", "case_message", ["case_id"])
    op.create_table(
        "case_message_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mentioned", sa.Boolean(), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("read_on", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["case_message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "user_id", name="uq_case_message_notice"),
    )
    op.create_index("ix_case_message_notice_user_open", "case_message_notice", ["user_id", "read_on"])
    op.create_table(
        "stand_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("absent_user_id", sa.Integer(), nullable=False),
        sa.Column("stand_in_user_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["absent_user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["stand_in_user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stand_in_absent_user_id", "stand_in", ["absent_user_id"])
    op.create_index("ix_stand_in_stand_in_user_id", "stand_in", ["stand_in_user_id"])


def downgrade() -> None:
    op.drop_index("ix_stand_in_stand_in_user_id", table_name="stand_in")
    op.drop_index("ix_stand_in_absent_user_id", table_name="stand_in")
    op.drop_table("stand_in")
    op.drop_index("ix_case_message_notice_user_open", table_name="case_message_notice")
    op.drop_table("case_message_notice")
    op.drop_index("ix_case_message_case_id", table_name="case_message")
    op.drop_table("case_message")
