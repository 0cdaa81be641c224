"""audiences: saved audience conditions, and the customer metrics they filter on

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-20 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('customer_metrics',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_count', sa.Integer(), nullable=False),
    sa.Column('total_spent', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('first_order_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_order_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recency_days', sa.Integer(), nullable=True),
    sa.Column('r_score', sa.Integer(), nullable=True),
    sa.Column('f_score', sa.Integer(), nullable=True),
    sa.Column('m_score', sa.Integer(), nullable=True),
    sa.Column('segment', sa.String(length=16), nullable=False),
    sa.Column('ltv', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('favourite_category', sa.String(length=100), nullable=True),
    sa.Column('favourite_taste', sa.String(length=100), nullable=True),
    sa.Column('favourite_brand', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id')
    )
    with op.batch_alter_table('customer_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_metrics_segment'), ['segment'], unique=False)

    op.create_table('customer_metrics_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audiences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('condition', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('audiences')
    op.drop_table('customer_metrics_state')
    with op.batch_alter_table('customer_metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_metrics_segment'))
    op.drop_table('customer_metrics')
