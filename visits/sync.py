"""Applying operations: the one write path (DESIGN sections 5 and 7).

Every change made in the field arrives here as an operation `{op_id, type, base_version, data}`, whether it
came from a form on the visit page, from htmx, or from the offline outbox through `POST /api/sync`. The answer
is stored under `op_id` in the ledger (models.Operation) in the same transaction as the change, so a replay -- in
the same batch, a later batch, or from two requests at once -- gets the first answer back and changes nothing.

One operation, step by step:
1. `op_id` must be a UUID: without one there is nothing to store the answer under, so that answer is not kept.
2. In a savepoint the ledger row is INSERTed *first*. If the op_id is taken, the insert fails on the primary
   key (after waiting for a concurrent request that holds it): a replay. Roll back, read the stored answer.
3. The envelope and `data` are checked with the schemas (visits/schemas/operations.py).
4. The handler for the type (its entry in visits/operations/registry.py names both) asks visits/permissions.py
   and changes the models inside a nested savepoint. If it refuses (`Refused`), nothing it did is kept, but the
   refusal is stored like any other answer.
5. Commit: one transaction per operation, so one failing never loses the others in its batch.

An operation that fails in a way nobody foresaw (a bug, a value no schema caught) is answered `rejected` and
stored so, rather than failing the request: otherwise it would fail every sync of that device's outbox, and the
changes queued behind it would never arrive. Only a database that cannot be reached fails the request (5xx), so
the client keeps the operation and tries again.

Answers: `{"op_id", "type", "status": "applied" | "conflict" | "rejected" | "forbidden", ...}` with `errors`
(field -> messages) when rejected; a replay answers the stored result with `status: "duplicate"` and
`first_status`. A replay by someone else than the first sender is `forbidden`: the first answer is theirs.
`forbidden` says nothing more, except to a member of a closed review: then `errors` says the review is closed
(visits/operations/refusals.py), so their phone can show why the change will never be saved.
"""
from __future__ import annotations

import uuid
from typing import Any, Optional

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from . import audit
from .extensions import db
from .models import Operation, User
from .operations.contract import IncomingOperation, Refused
from .operations.registry import operation_type
from .schemas.base import flatten_errors
from .schemas.operations import OperationIn

STORED_STATUSES = ("applied", "conflict", "rejected", "forbidden")


def apply_batch(user: User, ops: list) -> list[dict]:
    """Each operation on its own, in order; the answers in the same order."""
    return [apply_operation(user, op) for op in ops]


def apply_operation(user: User, op: Any, *, retry: bool = True) -> dict:
    """Apply one operation once, whoever calls and however often. Commits before it answers."""
    op_id = _op_id(op)
    op_type = op.get("type") if isinstance(op, dict) and isinstance(op.get("type"), str) else None
    if op_id is None:
        return {"op_id": None, "type": op_type, "status": "rejected",
                "errors": {"op_id": [_("Every change needs an op_id: a UUID made on the device.")]}}
    # Read before the savepoint: on SQLite the ledger INSERT must be the transaction's first statement, so a
    # concurrent replay waits for the lock (busy timeout) instead of failing to upgrade a read lock.
    user_id = user.id
    claim = db.session.begin_nested()
    try:
        db.session.execute(insert(Operation).values(op_id=op_id, user_id=user_id, type=(op_type or "")[:40],
                                                    result={"status": "pending"}))
    except IntegrityError:
        claim.rollback()
        return _replay(op_id, user_id, op_type)
    try:
        result = _decide(user, op_id, op_type, op)
    except IntegrityError:
        # Two different operations created the same note, need or concern at once (PostgreSQL): undo this one
        # entirely and apply it again, now that the other is visible.
        claim.rollback()
        db.session.rollback()
        if retry:
            return apply_operation(user, op, retry=False)
        raise
    except (OperationalError, InterfaceError):
        raise  # the database is unreachable: not this operation's fault, and worth another try
    except Exception:
        current_app.logger.exception("Operation %s (%s) failed; answered rejected", op_id, op_type)
        claim.rollback()  # whatever state the failure left, only the answer is kept
        result = {"op_id": op_id, "type": op_type, "status": "rejected",
                  "errors": {"_schema": [_("This change could not be saved because of a problem on the server. "
                                           "It stays on this device: please tell the review's support team.")]}}
        db.session.execute(insert(Operation).values(op_id=op_id, user_id=user_id, type=(op_type or "")[:40],
                                                    result=result))
        db.session.commit()
        return result
    db.session.execute(update(Operation).where(Operation.op_id == op_id).values(result=result))
    claim.commit()
    db.session.commit()
    return result


def _op_id(op: Any) -> Optional[str]:
    if not isinstance(op, dict) or not isinstance(op.get("op_id"), str):
        return None
    try:
        return str(uuid.UUID(op["op_id"]))
    except ValueError:
        return None


def _replay(op_id: str, user_id: int, op_type: Optional[str]) -> dict:
    stored = db.session.execute(select(Operation.user_id, Operation.result).where(Operation.op_id == op_id)).one()
    db.session.commit()  # ends the read: nothing was written
    if stored.user_id != user_id:
        return {"op_id": op_id, "type": op_type, "status": "forbidden"}
    first = stored.result
    return {**first, "status": "duplicate", "first_status": first["status"]}


def _decide(user: User, op_id: str, op_type: Optional[str], op: dict) -> dict:
    """Validate, then let the type's handler act; the answer to store."""
    try:
        envelope = OperationIn().load(op)
        entry = operation_type(envelope["type"])
        data = entry.data().load(envelope["data"])
    except ValidationError as error:
        return {"op_id": op_id, "type": op_type, "status": "rejected", "errors": flatten_errors(error.messages)}
    incoming = IncomingOperation(op_id, envelope["type"], envelope["base_version"], data)
    try:
        with db.session.begin_nested():
            answer = entry.handler(user, incoming)
    except Refused as refusal:
        if refusal.status == "forbidden":
            # Refused writes are worth knowing about too; the review is not named, as it may not be theirs.
            audit.record(user, "forbidden", "operation", op_id, None, type=incoming.type)
        answer = {"status": refusal.status}
        if refusal.errors:
            answer["errors"] = refusal.errors
    assert answer["status"] in STORED_STATUSES
    return {"op_id": op_id, "type": incoming.type, **answer}
