"""好差评 and 整改: the applicant's rating of a delivered case, the rectification a poor one opens, its history

Issue 13 item 3: one rating per case (level 5 … 1, tags, comment, channel); a rating of 不满意 or below opens a
rectification for the accepting window's county, due in working days, with its call-back, measures, appeal
and the supervisor's decision; each command is a row of ``rectification_event``.

Revision ID: 0030_ratings
Revises: 0029_public_progress
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_ratings"
down_revision = "0029_public_progress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["center_id"], ["service_center.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["county_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", name="uq_rating_case"),
    )
    op.create_index("ix_rating_center_id", "rating", ["center_id"])
    op.create_index("ix_rating_county_id", "rating", ["county_id"])
    op.create_index("ix_rating_level", "rating", ["level"])
    op.create_index("ix_rating_rated_at", "rating", ["rated_at"])
    op.create_table(
        "rectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("warning_level", sa.String(length=8), nullable=False),
        sa.Column("callback_at", sa.DateTime(), nullable=True),
        sa.Column("callback_contact", sa.String(length=128), nullable=False),
        sa.Column("callback_note", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("appeal_reason", sa.Text(), nullable=False),
        sa.Column("appealed_at", sa.DateTime(), nullable=True),
        sa.Column("appeal_outcome", sa.String(length=16), nullable=False),
        sa.Column("appeal_note", sa.Text(), nullable=False),
        sa.Column("appeal_decided_at", sa.DateTime(), nullable=True),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["rating_id"], ["rating.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["center_id"], ["service_center.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["county_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_id", name="uq_rectification_rating"),
    )
    op.create_index("ix_rectification_case_id", "rectification", ["case_id"])
    op.create_index("ix_rectification_center_id", "rectification", ["center_id"])
    op.create_index("ix_rectification_county_id", "rectification", ["county_id"])
    op.create_index("ix_rectification_status", "rectification", ["status"])
    op.create_index("ix_rectification_warning_level", "rectification", ["warning_level"])
    op.create_table(
        "rectification_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_fk", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["rectification_id"], ["rectification.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_fk"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rectification_id", "seq", name="uq_rectification_event_seq"),
    )
    op.create_index("ix_rectification_event_rectification_id", "rectification_event", ["rectification_id"])


def downgrade() -> None:
    op.drop_index("ix_rectification_event_rectification_id", table_name="rectification_event")
    op.drop_table("rectification_event")
    for name in ("warning_level", "status", "county_id", "center_id", "case_id"):
        op.drop_index(f"ix_rectification_{name}", table_name="rectification")
    op.drop_table("rectification")
    for name in ("rated_at", "level", "county_id", "center_id"):
        op.drop_index(f"ix_rating_{name}", table_name="rating")
    op.drop_table("rating")
