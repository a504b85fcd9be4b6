"""visits: expected head count of a group meeting (the guide's 8-12, before everyone is booked in)

Revision ID: a2681f33c2d3
Revises: 3203eec3517a
Create Date: 2026-12-02 01:36:50.284942

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2681f33c2d3'
down_revision = '3203eec3517a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_count', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('visit_expected_count_positive',
                                         'expected_count IS NULL OR expected_count > 0')


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_constraint('visit_expected_count_positive', type_='check')
        batch_op.drop_column('expected_count')
