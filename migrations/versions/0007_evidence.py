"""evidence for the report (DESIGN section 12): themes and notes' themes, a concern's lifecycle (referred to whom,
or not referred and why; acknowledged; its outcome), the review's emergency and out-of-hours numbers, service
users' feedback with its questions and what was done about it

Revision ID: 7c2e0d0e0007
Revises: 6b1d0c0e0006
Create Date: 2026-12-05 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c2e0d0e0007'
down_revision = '6b1d0c0e0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'code', name='feedback_question_code_per_review')
    )
    with op.batch_alter_table('feedback_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_questions_review_id'), ['review_id'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'name', name='theme_name_per_review')
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_review_id'), ['review_id'], unique=False)

    op.create_table('feedback_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('visit_kind', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_actions_review_id'), ['review_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('supported_by', sa.Enum('none', 'advocate', 'interpreter', 'carer', 'other', name='supported_by', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('recorded_at_device', sa.DateTime(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_visit_id'), ['visit_id'], unique=False)

    op.create_table('note_themes',
    sa.Column('note_id', sa.String(length=36), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'theme_id')
    )
    with op.batch_alter_table('note_themes', schema=None) as batch_op:
        batch_op.create_index('note_themes_by_theme', ['theme_id', 'note_id'], unique=False)

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_to', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('not_referred_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('not_referred_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_referred_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('outcome_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_concerns_outcome_by_id', 'users', ['outcome_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_concerns_acknowledged_by_id', 'users', ['acknowledged_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_concerns_not_referred_by_id', 'users', ['not_referred_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency_number', sa.String(length=120), nullable=False, server_default='999'))
        batch_op.add_column(sa.Column('out_of_hours_number', sa.String(length=200), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('out_of_hours_number')
        batch_op.drop_column('emergency_number')

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        for name in ('fk_concerns_outcome_by_id', 'fk_concerns_acknowledged_by_id', 'fk_concerns_not_referred_by_id'):
            batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.drop_column('outcome_by_id')
        batch_op.drop_column('outcome_at')
        batch_op.drop_column('outcome')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('not_referred_reason')
        batch_op.drop_column('not_referred_by_id')
        batch_op.drop_column('not_referred_at')
        batch_op.drop_column('referred_to')

    with op.batch_alter_table('note_themes', schema=None) as batch_op:
        batch_op.drop_index('note_themes_by_theme')

    op.drop_table('note_themes')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_visit_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('feedback_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_actions_review_id'))

    op.drop_table('feedback_actions')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_review_id'))

    op.drop_table('themes')
    with op.batch_alter_table('feedback_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_questions_review_id'))

    op.drop_table('feedback_questions')
