"""The transaction a batch of operations is applied in (visits/sync.py), and what it loads once for all of them.

Every operation's permission check (visits/permissions.py) starts from the sender's memberships and the reviews
they belong to (`role_for`, `review_is_open`). Applied one transaction per operation, each commit expired them and
the next operation loaded them again; in one transaction they are loaded here, once, with the reviews, and the
session's identity map keeps them -- and every visit, team and note an operation loaded -- for the operations
after it. The decisions stay where they are; only what they read is shared. A savepoint rolled back expires what
it changed, so a refused or failed operation leaves nothing stale behind.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db

if TYPE_CHECKING:
    from ..models import User


def begin_batch(user: "User") -> int:
    """Start the batch's transaction (on SQLite, holding the write lock from its first statement; on PostgreSQL,
    waiting for the sender's other batch, if any) and load the sender's memberships and reviews into it; the
    sender's id."""
    from ..models import Membership, User

    user_id = user.id
    db.session.commit()  # whatever the request read so far ends here: the batch starts a transaction of its own
    if db.session.get_bind().dialect.name == "sqlite":
        # A deferred transaction that reads first could not later upgrade its read lock while another request
        # writes (SQLITE_BUSY, no waiting). Taking the write lock first makes a concurrent batch wait for this
        # one's commit instead -- and a replay of one of its operations then finds the answer stored.
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    elif db.session.get_bind().dialect.name == "postgresql":
        # One person's batches one after the other, as SQLite's write lock has them: their phone and laptop send
        # the same operations in any order, and two batches each holding an op_id the other wants would deadlock
        # every time they were applied again. Held until the batch's transaction ends.
        db.session.execute(select(func.pg_advisory_xact_lock(user_id)))
    db.session.execute(select(User).where(User.id == user_id)
                       .options(selectinload(User.memberships).joinedload(Membership.review))).scalar_one()
    return user_id
