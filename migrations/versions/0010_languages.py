"""Welsh and English (issue 13): each person's chosen language, and the language a note's conversation or a
feedback questionnaire was held in, with whether the Welsh active offer was made (kept on a note's conflict copy too)

Revision ID: a1c3e5f70010
Revises: 9e4a2f100009
Create Date: 2026-12-05 11:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70010'
down_revision = '9e4a2f100009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('active_offer', sa.Boolean(), nullable=True))
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_offer', sa.Boolean(), nullable=True))
    # What a conflict copy carried, so the merge does not lose it.
    with op.batch_alter_table('note_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('active_offer', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('note_revisions', schema=None) as batch_op:
        batch_op.drop_column('active_offer')
        batch_op.drop_column('language')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('active_offer')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_column('active_offer')
        batch_op.drop_column('language')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
