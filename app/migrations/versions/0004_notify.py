"""notify: reminders and escalations, message templates, staff preferences, reports

And the delivery columns of notification. (Alembic logs the first paragraph when it runs a migration:
kept to one line, or its second line stands alone in the output.)

Revision ID: 0004_notify
Revises: 0003
Create Date: 2026-11-26 19:55:11.202168
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004_notify"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event', 'channel', 'language', name='uq_message_template')
    )
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('scope_key', sa.String(length=32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('xlsx_key', sa.String(length=64), nullable=False),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=False),
    sa.Column('xlsx_size', sa.Integer(), nullable=False),
    sa.Column('pdf_key', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_size', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('mailed_to', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'period_start', 'scope_key', name='uq_report_period')
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_region_id'), ['region_id'], unique=False)

    op.create_table('staff_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('mail_reminders', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('read_on', sa.DateTime(), nullable=True),
    sa.Column('resolved_on', sa.DateTime(), nullable=True),
    sa.Column('mail_status', sa.String(length=16), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'stage', 'level', 'user_id', 'kind', name='uq_reminder_once')
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_mail_status'), ['mail_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index('ix_reminder_user_open', ['user_id', 'read_on', 'resolved_on'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        # existing rows (SMS written before this revision) get the defaults
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default="zh"))
        batch_op.add_column(sa.Column('subject', sa.String(length=255), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_on', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f('ix_notification_next_attempt_on'), ['next_attempt_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key('fk_notification_user', 'ab_user', ['user_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_next_attempt_on'))
        batch_op.drop_column('provider_ref')
        batch_op.drop_column('attachments')
        batch_op.drop_column('next_attempt_on')
        batch_op.drop_column('user_id')
        batch_op.drop_column('subject')
        batch_op.drop_column('language')

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_user_open')
        batch_op.drop_index(batch_op.f('ix_reminder_notification_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_mail_status'))
        batch_op.drop_index(batch_op.f('ix_reminder_case_id'))

    op.drop_table('reminder')
    op.drop_table('staff_preference')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_region_id'))

    op.drop_table('report')
    op.drop_table('message_template')
