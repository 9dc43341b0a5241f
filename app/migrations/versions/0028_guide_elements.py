"""办事指南 elements a matter lacked: 实施机关/主管部门, 设定依据, 办理流程, 到现场次数, 常见问题

Issue 13: the public guide carries every element a 办事指南 must (authority, legal basis, process steps one a
line, visits to the window 0–9, FAQ as "问：…" / "答：…" blocks). Existing matters take the defaults (empty
text, one visit), which their published guides already meant: no guide changes.

Revision ID: 0028_guide_elements
Revises: 0027_extension_cap
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_guide_elements"
down_revision = "0027_extension_cap"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authority", sa.String(length=255), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("legal_basis", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("process_steps", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("visits", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("faq", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_column("faq")
        batch_op.drop_column("visits")
        batch_op.drop_column("process_steps")
        batch_op.drop_column("legal_basis")
        batch_op.drop_column("authority")
