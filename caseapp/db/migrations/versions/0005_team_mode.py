"""team mode: who changed parties, contacts and identifiers; identifier versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _actor(object_type: str, order: str, action: str | None = None) -> str:
    """The actor of the first or last audit entry about a row (existing rows get their
    authors from the audit log, where it has them)."""
    action_filter = f" AND a.action = '{action}'" if action else ""
    return (
        f"COALESCE((SELECT a.actor FROM audit_entry a WHERE a.object_type = '{object_type}'"
        f" AND a.object_id = CAST({object_type}.id AS VARCHAR(64)){action_filter}"
        f" ORDER BY a.case_id, a.seq {order} LIMIT 1), '')")


def upgrade() -> None:
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=100), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_by', sa.String(length=100), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))

    op.execute(f"UPDATE party SET created_by = {_actor('party', 'ASC', 'party.add')}, "
               f"updated_by = {_actor('party', 'DESC')}")
    op.execute(f"UPDATE contact SET updated_by = {_actor('contact', 'DESC')}")
    op.execute("UPDATE contact SET updated_by = created_by WHERE updated_by = ''")
    op.execute(f"UPDATE identifier SET created_by = {_actor('identifier', 'ASC')}, "
               f"updated_by = {_actor('identifier', 'DESC')}, updated_at = created_at")

    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('updated_by')
        batch_op.drop_column('created_by')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('updated_by')
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_column('updated_by')
        batch_op.drop_column('created_by')
