"""campaigns: step-mail sequences, enrolments, messages (drafts), delivery events, runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=200), nullable=False, unique=True),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=True),
        sa.Column('created_at', TZ, server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        'campaign_enrolments',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('campaign_id', sa.Integer(), sa.ForeignKey('campaigns.id'), nullable=False),
        sa.Column('customer_id', sa.Integer(), sa.ForeignKey('customers.id'), nullable=False),
        sa.Column('entered_at', TZ, nullable=False),
        sa.Column('holdout', sa.Boolean(), nullable=False),
        sa.Column('exited_at', TZ, nullable=True),
        sa.Column('exit_reason', sa.String(length=32), nullable=True),
        sa.UniqueConstraint('campaign_id', 'customer_id'),
    )
    op.create_index('ix_campaign_enrolments_campaign_id', 'campaign_enrolments', ['campaign_id'])
    op.create_index('ix_campaign_enrolments_customer_id', 'campaign_enrolments', ['customer_id'])
    op.create_table(
        'campaign_messages',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('campaign_id', sa.Integer(), sa.ForeignKey('campaigns.id'), nullable=False),
        sa.Column('step_index', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), sa.ForeignKey('customers.id'), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('skip_reason', sa.String(length=32), nullable=True),
        sa.Column('email', sa.String(length=320), nullable=True),
        sa.Column('name', sa.String(length=255), nullable=True),
        sa.Column('subject', sa.String(length=500), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('citations', sa.JSON(), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('offer', sa.JSON(), nullable=True),
        sa.Column('model', sa.String(length=255), nullable=True),
        sa.Column('output_id', sa.String(length=64), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('scheduled_at', TZ, nullable=False),
        sa.Column('created_at', TZ, server_default=sa.func.now(), nullable=False),
        sa.Column('drafted_at', TZ, nullable=True),
        sa.Column('reviewed_by', sa.String(length=100), nullable=True),
        sa.Column('exported_at', TZ, nullable=True),
        sa.Column('interaction_id', sa.Integer(), nullable=True),
        sa.UniqueConstraint('campaign_id', 'step_index', 'customer_id'),
    )
    for col in ('campaign_id', 'customer_id', 'status', 'exported_at'):
        op.create_index(f'ix_campaign_messages_{col}', 'campaign_messages', [col])
    op.create_table(
        'campaign_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'message_id', sa.Integer(), sa.ForeignKey('campaign_messages.id'), nullable=False
        ),
        sa.Column('event', sa.String(length=16), nullable=False),
        sa.Column('occurred_at', TZ, nullable=False),
        sa.UniqueConstraint('message_id', 'event'),
    )
    op.create_index('ix_campaign_events_message_id', 'campaign_events', ['message_id'])
    op.create_table(
        'campaign_runs',
        sa.Column('id', sa.String(length=32), primary_key=True),
        sa.Column('campaign_id', sa.Integer(), sa.ForeignKey('campaigns.id'), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('clock', TZ, nullable=False),
        sa.Column('code_only', sa.Boolean(), nullable=False),
        *(
            sa.Column(n, sa.Integer(), nullable=False)
            for n in ('entered', 'exited', 'queued', 'skipped', 'total', 'done', 'failed')
        ),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('started_by', sa.String(length=100), nullable=True),
        sa.Column('started_at', TZ, nullable=False),
        sa.Column('finished_at', TZ, nullable=True),
    )
    op.create_index('ix_campaign_runs_campaign_id', 'campaign_runs', ['campaign_id'])


def downgrade() -> None:
    for table in (
        'campaign_runs', 'campaign_events', 'campaign_messages', 'campaign_enrolments', 'campaigns'
    ):
        op.drop_table(table)
