"""办件查询: each case gets an unguessable public token for the applicant's progress page

Issue 13: the acceptance notice prints a QR code of ``{PUBLIC_URL}/p/<token>`` and the SMS carry the same
link, so the applicant sees the progress without typing the number and the phone. New cases get the token at
registration; the cases already on record get one here (``secrets.token_urlsafe``, made in Python, one per
row), before the column becomes required and unique.

Revision ID: 0029_public_progress
Revises: 0028_guide_elements
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0029_public_progress"
down_revision = "0028_guide_elements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_token", sa.String(length=43), nullable=True))
    connection = op.get_bind()
    case = sa.table("case", sa.column("id", sa.Integer), sa.column("public_token", sa.String))
    ids = connection.execute(sa.select(case.c.id).where(case.c.public_token.is_(None))).scalars().all()
    for case_id in ids:
        connection.execute(sa.update(case).where(case.c.id == case_id)
                           .values(public_token=secrets.token_urlsafe(16)))
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.alter_column("public_token", existing_type=sa.String(length=43), nullable=False)
        batch_op.create_unique_constraint("uq_case_public_token", ["public_token"])


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint("uq_case_public_token", type_="unique")
        batch_op.drop_column("public_token")
