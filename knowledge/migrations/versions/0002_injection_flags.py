"""interactions.injection_flags: text addressed to an AI assistant, found at enrichment

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-14 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interactions') as batch_op:
        batch_op.add_column(sa.Column('injection_flags', sa.String(length=64), nullable=True))
    # Existing rows were enriched without the scan: the next enrichment pass redoes them.
    op.execute('UPDATE interactions SET enriched_at = NULL')


def downgrade() -> None:
    with op.batch_alter_table('interactions') as batch_op:
        batch_op.drop_column('injection_flags')
