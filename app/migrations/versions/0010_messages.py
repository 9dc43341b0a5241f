"""messages the retries gave up on are parked, not dropped

Until now a message whose attempts ran out stayed ``failed`` with no next attempt and was never tried
again (issue 10, defect 1). Such messages become ``parked``: listed under 发送失败的消息 with
重新发送, and counted by the health check. No column changes (``status`` is a string).

Revision ID: 0010_messages
Revises: 0009_outbox
"""

from __future__ import annotations

from alembic import op

revision = "0010_messages"
down_revision = "0009_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE notification SET status = 'parked' WHERE status = 'failed' AND next_attempt_on IS NULL")


def downgrade() -> None:
    op.execute("UPDATE notification SET status = 'failed' WHERE status = 'parked'")
