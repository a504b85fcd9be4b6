"""accounts: site administrators, invitation and reset tokens, two-factor (TOTP, recovery codes, passkeys);
review status draft -> fieldwork -> closed (DESIGN section 10)

Revision ID: 5a1c0c0e0005
Revises: a2681f33c2d3
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5a1c0c0e0005'
down_revision = 'a2681f33c2d3'
branch_labels = None
depends_on = None

_OLD_STATUS = sa.Enum('planning', 'active', 'closed', name='review_status', native_enum=False,
                      create_constraint=True, length=32)
_NEW_STATUS = sa.Enum('draft', 'fieldwork', 'closed', name='review_status', native_enum=False,
                      create_constraint=True, length=32)


def _rename_status(old_type, new_type, mapping):
    # The CHECK constraint names the allowed values: drop it (as a plain string column), rename, add it back.
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=old_type, type_=sa.String(32), existing_nullable=False)
    for old, new in mapping.items():
        op.execute(sa.text("UPDATE reviews SET status = :new WHERE status = :old").bindparams(old=old, new=new))
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(32), type_=new_type, existing_nullable=False)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    # Accounts made by the demo before this migration are the demo's.
    op.execute("UPDATE users SET is_demo = true WHERE email LIKE '%@demo.test'")

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_enrolment', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'reset', name='token_purpose', native_enum=False,
                                 create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('passkeys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=512), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('sign_count', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credential_id')
    )
    with op.batch_alter_table('passkeys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkeys_user_id'), ['user_id'], unique=False)

    _rename_status(_OLD_STATUS, _NEW_STATUS, {'planning': 'draft', 'active': 'fieldwork'})


def downgrade():
    _rename_status(_NEW_STATUS, _OLD_STATUS, {'draft': 'planning', 'fieldwork': 'active'})
    for table in ('passkeys', 'recovery_codes', 'account_tokens'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_user_id'))
        op.drop_table(table)
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('needs_enrolment')
    # An account still waiting for its invitation has no password, which the old schema cannot hold.
    op.execute("DELETE FROM users WHERE password_hash IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in ('totp_last_step', 'totp_enabled_at', 'totp_secret', 'last_sign_in_at', 'is_demo', 'is_admin'):
            batch_op.drop_column(column)
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)
