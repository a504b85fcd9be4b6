"""alerts that reach people (DESIGN section 13): Web Push subscriptions per device, alert events and their
deliveries (one per event, step and recipient, claimed before sending so several job runners send each once), the
lone-worker ladder's settings per review and its out-of-hours email, a person's duress code (hashed), visit changes
for programme notices, and when each person last looked at their itinerary

Revision ID: 9e4a2f100009
Revises: 8d3f1e0f0008
Create Date: 2026-12-05 10:13:17.996426

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e4a2f100009'
down_revision = '8d3f1e0f0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('itinerary_seen',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'review_id')
    )
    op.create_table('push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('login_session_id', sa.Integer(), nullable=True),
    sa.Column('endpoint', sa.String(length=1024), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['login_session_id'], ['login_sessions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('endpoint')
    )
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscriptions_login_session_id'), ['login_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_subscriptions_user_id'), ['user_id'], unique=False)

    op.create_table('visit_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('team_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_changes_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_changes_visit_id'), ['visit_id'], unique=False)

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('overdue', 'duress', 'concern', 'programme', name='alert_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('concern_id', sa.String(length=36), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_events_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_events_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_events_visit_id'), ['visit_id'], unique=False)

    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['alert_events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'step', 'recipient', name='one_delivery_per_step_and_recipient')
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_deliveries_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_grace_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alert_team_minutes', sa.Integer(), nullable=False, server_default='10'))
        batch_op.add_column(sa.Column('alert_out_of_hours_minutes', sa.Integer(), nullable=False, server_default='20'))
        batch_op.add_column(sa.Column('out_of_hours_email', sa.String(length=254), nullable=False, server_default=''))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duress_code_hash', sa.String(length=255), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('duress_code_hash')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('out_of_hours_email')
        batch_op.drop_column('alert_out_of_hours_minutes')
        batch_op.drop_column('alert_team_minutes')
        batch_op.drop_column('alert_grace_minutes')

    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_deliveries_event_id'))

    op.drop_table('alert_deliveries')
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_events_visit_id'))
        batch_op.drop_index(batch_op.f('ix_alert_events_review_id'))
        batch_op.drop_index(batch_op.f('ix_alert_events_concern_id'))

    op.drop_table('alert_events')
    with op.batch_alter_table('visit_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_changes_visit_id'))
        batch_op.drop_index(batch_op.f('ix_visit_changes_review_id'))

    op.drop_table('visit_changes')
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_user_id'))
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_login_session_id'))

    op.drop_table('push_subscriptions')
    op.drop_table('itinerary_seen')
