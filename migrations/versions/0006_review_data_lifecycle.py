"""a review's data from draft to erasure (DESIGN section 11): places, people and cases marked no longer used; a
case's carer and a status set by hand; a cancelled visit's reason; closing and purging a review; consent withdrawn

Revision ID: 6b1d0c0e0006
Revises: 5a1c0c0e0005
Create Date: 2026-12-05 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '6b1d0c0e0006'
down_revision = '5a1c0c0e0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_by_hand', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('status_set_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_set_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_cases_carer_id', 'participants', ['carer_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_cases_status_set_by_id', 'users', ['status_set_by_id'], ['id'],
                                    ondelete='SET NULL')

    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_withdrawn', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawn_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(), nullable=True))
    # A review closed before this migration counts its retention period from now.
    op.execute(sa.text("UPDATE reviews SET closed_at = CURRENT_TIMESTAMP WHERE status = 'closed'"))

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('consent_withdrawn_at')
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_column('consent_withdrawn')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_status_set_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_cases_carer_id', type_='foreignkey')
        for column in ('retired_at', 'status_set_at', 'status_set_by_id', 'status_by_hand', 'carer_id'):
            batch_op.drop_column(column)
