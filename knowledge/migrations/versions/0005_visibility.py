"""visibility: customers.team, api_keys.user/teams, key ids on audit rows and chat turns

Audit rows also record reads now, which have no output: audit_log.output_id becomes nullable.
Existing audit rows and chat turns get the key id when exactly one key bears their actor name.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-04 21:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_KEY = (
    "(SELECT MIN(k.id) FROM api_keys k WHERE k.name = {table}.actor "
    "HAVING COUNT(*) = 1)"
)


def upgrade() -> None:
    with op.batch_alter_table('customers') as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_customers_team'), ['team'], unique=False)
    with op.batch_alter_table('api_keys') as batch_op:
        batch_op.add_column(sa.Column('user', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('teams', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.Integer(), nullable=True))
        batch_op.alter_column('output_id', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(batch_op.f('ix_audit_log_key_id'), ['key_id'], unique=False)
    with op.batch_alter_table('conversation_turns') as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.Integer(), nullable=True))
    for table in ('audit_log', 'conversation_turns'):
        op.execute(f'UPDATE {table} SET key_id = {_ONE_KEY.format(table=table)}')


def downgrade() -> None:
    with op.batch_alter_table('conversation_turns') as batch_op:
        batch_op.drop_column('key_id')
    op.execute('DELETE FROM audit_log WHERE output_id IS NULL')
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_key_id'))
        batch_op.alter_column('output_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('key_id')
    with op.batch_alter_table('api_keys') as batch_op:
        batch_op.drop_column('teams')
        batch_op.drop_column('user')
    with op.batch_alter_table('customers') as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_team'))
        batch_op.drop_column('team')
