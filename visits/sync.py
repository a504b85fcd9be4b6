"""Applying operations: the one write path (DESIGN sections 5 and 7).

Every change made in the field arrives here as an operation `{op_id, type, base_version, data}`, whether it
came from a form on the visit page, from htmx, or from the offline outbox through `POST /api/sync`. The answer
is stored under `op_id` in the ledger (models.Operation) in the same transaction as the change, so a replay -- in
the same batch, a later batch, or from two requests at once -- gets the first answer back and changes nothing.

A batch, step by step (a form's single operation is a batch of one):
1. One transaction for the whole batch. On SQLite it takes the write lock first (`BEGIN IMMEDIATE`), so a
   concurrent request waits for this one to commit (busy timeout) instead of failing to upgrade a read lock. On
   PostgreSQL it takes a lock of the sender's own first (`pg_advisory_xact_lock(user id)`), so one person's
   batches (their phone and their laptop) are applied one after the other there too.
2. What the permission checks ask of the sender -- their memberships and those reviews -- is loaded once, and
   stays in the session for the whole batch (visits/operations/batch.py), as does every visit, note and team
   loaded by an earlier operation: the identity map is the batch's cache. A savepoint rolled back expires what it
   changed, so no operation sees another's undone work. The exception: the note, need or concern an operation
   changes is read afresh and locked (`SELECT ... FOR UPDATE`), so what it checks (a note's version, a need's
   status, a concern's steps) is what another request's change leaves once it commits -- a note saved from the
   same version on two devices at once is one new version and one conflict copy, never overwritten silently.
3. The answers the ledger already holds for the batch's op_ids are read in one query. An op_id must be a UUID:
   without one there is nothing to store the answer under, so that answer is not kept. An op_id answered before
   (in an earlier batch, or earlier in this one) is a replay: its stored answer, nothing applied.
Then for each new operation, in order, in its own savepoint:
4. The envelope and `data` are checked with the schemas (visits/schemas/operations.py).
5. The handler for the type (its entry in visits/operations/registry.py names both) asks visits/permissions.py
   and changes the models. If it refuses (`Refused`), the operation's savepoint is rolled back, so nothing it did
   is kept, and the refusal is stored (in a savepoint of its own) like any other answer.
6. The answer is INSERTed into the ledger and the savepoint released: the change and its answer are kept together
   or not at all. If the op_id is taken now, a concurrent request (PostgreSQL; on SQLite the lock rules it out)
   applied it first and has committed -- the INSERT waited for it: the savepoint is rolled back, undoing this
   request's go at it, and the first answer is read back as a replay.
7. Commit, once, after the last operation. Each operation's savepoint means one failing never loses the others.

What the ledger keeps must be something every database can hold: the type column holds the type only when it is
a registered one (else ""), and every text of a stored answer (a field name echoed from the operation's data, a
type nobody registered) has NUL and lone surrogates replaced (U+FFFD) -- PostgreSQL refuses both in text and
JSON, and no UTF-8 holds a surrogate. The answer given is the answer stored, so a replay reads the same.

An operation that fails in a way nobody foresaw (a bug, a value no schema caught) is answered `rejected` and
stored so, rather than failing the request: otherwise it would fail every sync of that device's outbox, and the
changes queued behind it would never arrive. So is an operation that could not even be read as JSON (nested too
deep, visits/operations/wire.py). Only a database that cannot be reached, a concurrent create that fails twice, or
a deadlock every time fails the request (5xx): then the whole batch's transaction is rolled back, nothing of it is
kept, and the client sends the same batch again -- each operation is still applied exactly once, because none of
it was.

On PostgreSQL two different operations may create the same note, need or concern at once: the second's INSERT
waits for the first's transaction and then fails (IntegrityError). Its savepoint is rolled back (only this
operation: the batch's others stay as they are) and it is applied once more, now that the other is visible.

Two people's batches can still deadlock on PostgreSQL (each holds a row the other wants; one person's cannot,
step 1): PostgreSQL ends one transaction, and that batch is applied again from the start after a short random
wait, at most DEADLOCK_ATTEMPTS times in all, then the request fails (5xx) and the phone sends it again later.
What the other committed is then seen as it is.

Answers: `{"op_id", "type", "status": "applied" | "conflict" | "rejected" | "forbidden", ...}` with `errors`
(field -> messages) when rejected; a replay answers the stored result with `status: "duplicate"` and
`first_status`. A replay by someone else than the first sender is `forbidden`: the first answer is theirs.
`forbidden` says nothing more, except to a member of a closed review: then `errors` says the review is closed
(visits/operations/refusals.py), so their phone can show why the change will never be saved.
"""
from __future__ import annotations

import random
import re
import time
import uuid
from typing import Any, Optional

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from . import audit
from .extensions import db
from .models import Operation, User
from .operations.batch import begin_batch
from .operations.contract import IncomingOperation, Refused, UnreadableOperation
from .operations.registry import OPERATION_TYPES, operation_type
from .schemas.base import flatten_errors
from .schemas.operations import OperationIn

STORED_STATUSES = ("applied", "conflict", "rejected", "forbidden")
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
DEADLOCK_ATTEMPTS = 4  # a batch ended by a deadlock this many times fails the request (5xx): the phone sends it again
# What no database column or JSON document holds: NUL, and halves of a surrogate pair standing alone.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# How much of a type nobody registered the answer repeats (the ledger's column keeps none of it).
_TYPE_ECHO = 40
# At most this many fields' messages in one answer: an operation of 10,000 unknown fields is told of these.
MAX_FIELDS_IN_ANSWER = 20


def apply_batch(user: User, ops: list) -> list[dict]:
    """The batch in one transaction, each operation in its own savepoint; the answers in the same order.
    Commits before it answers; rolls the whole batch back (and raises) only when the database fails."""
    if not ops:
        return []  # nothing to apply: no transaction, and on SQLite no write lock to wait for
    for attempt in range(1, DEADLOCK_ATTEMPTS):
        try:
            return _apply_all(user, ops)
        except OperationalError as error:
            # PostgreSQL broke a deadlock by ending this transaction: two people's batches each held a row the
            # other wanted. Nothing of it was kept; the other has committed or will, so the batch is applied again
            # -- after a short random wait, so the two do not meet again at the same moment.
            if getattr(error.orig, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
        time.sleep(random.uniform(0.01, 0.05) * 2 ** attempt)
    return _apply_all(user, ops)


def _apply_all(user: User, ops: list) -> list[dict]:
    user_id = begin_batch(user)
    batch = _Batch(user, user_id, ops)
    try:
        answers = [batch.apply(op) for op in ops]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return answers


def apply_operation(user: User, op: Any) -> dict:
    """Apply one operation once, whoever calls and however often (a batch of one). Commits before it answers."""
    return apply_batch(user, [op])[0]


class _Batch:
    """What applying one batch keeps between its operations: the answers already in the ledger for its op_ids
    (read in one query), those given so far, and one instance of each schema (made in this request's language)."""

    def __init__(self, user: User, user_id: int, ops: list):
        self.user, self.user_id = user, user_id
        self.schemas: dict = {}
        op_ids = {op_id for op_id in map(_op_id, ops) if op_id is not None}
        # On SQLite the batch holds the write lock, so this is the whole truth; on PostgreSQL a concurrent request
        # may still be applying one of them: its ledger INSERT (below) waits for it, then fails on the key.
        self.stored: dict[str, tuple[int, dict]] = {
            row.op_id: (row.user_id, row.result) for row in db.session.execute(
                select(Operation.op_id, Operation.user_id, Operation.result).where(Operation.op_id.in_(op_ids)))
        } if op_ids else {}

    def apply(self, op: Any) -> dict:
        op_id = _op_id(op)
        op_type = _sent_type(op)
        if op_id is None:
            return _storable({"op_id": None, "type": op_type, "status": "rejected",
                              "errors": {"op_id": [_("Every change needs an op_id: a UUID made on the device.")]}})
        if op_id in self.stored:
            return _replay_of(op_id, op_type, self.user_id, *self.stored[op_id])
        result = self._apply_new(op, op_id, op_type)
        if not isinstance(result, _Replayed):
            self.stored[op_id] = (self.user_id, result)  # the same op_id later in this batch is its duplicate
        return result

    def _apply_new(self, op: Any, op_id: str, op_type: Optional[str], *, retry: bool = True) -> dict:
        savepoint = db.session.begin_nested()
        try:
            result = _storable(_decide(self.user, op_id, op_type, op, self.schemas))
            db.session.flush()  # the handler's writes: a failure here is the operation's, not the ledger's
        except Refused as refusal:
            savepoint.rollback()  # nothing the handler did is kept; the refusal is stored like any other answer
            return _store_refusal(self.user, op_id, self.user_id, op_type, refusal)
        except IntegrityError:
            savepoint.rollback()
            if retry:
                # Two different operations created the same note, need or concern at once (PostgreSQL): undo
                # this one (its savepoint only) and apply it again, now that the other is visible.
                return self._apply_new(op, op_id, op_type, retry=False)
            # The same again: not a race but this operation's own fault, which must not block the outbox.
            return _unforeseen(op_id, self.user_id, op_type)
        except (OperationalError, InterfaceError):
            raise  # the database is unreachable: not this operation's fault, and worth another try (whole batch)
        except Exception:
            savepoint.rollback()  # whatever state the failure left, only the answer is kept
            return _unforeseen(op_id, self.user_id, op_type)
        try:
            db.session.execute(insert(Operation).values(op_id=op_id, user_id=self.user_id, type=_ledger_type(op_type),
                                                        result=result))
        except IntegrityError:
            # A concurrent request (PostgreSQL) stored this op_id first and has committed: its answer stands, and
            # what this one did is undone with the savepoint.
            savepoint.rollback()
            return _replay(op_id, self.user_id, op_type)
        savepoint.commit()
        return result


def _ledger_type(op_type: Optional[str]) -> str:
    """The type column holds a registered type or nothing: never text a database may refuse."""
    return op_type if op_type in OPERATION_TYPES else ""


def _store(op_id: str, user_id: int, op_type: Optional[str], result: dict, *, then=None) -> dict:
    """Keep `result` as the answer to `op_id` (its first savepoint was rolled back), with whatever `then` adds."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Operation).values(op_id=op_id, user_id=user_id, type=_ledger_type(op_type),
                                                        result=result))
            if then is not None:
                then()
    except IntegrityError:
        # A concurrent request (PostgreSQL) stored this op_id first and has committed: its answer stands.
        return _replay(op_id, user_id, op_type)
    return result


def _store_refusal(user: User, op_id: str, user_id: int, op_type: Optional[str], refusal: Refused) -> dict:
    result = {"op_id": op_id, "type": op_type, "status": refusal.status}
    if refusal.errors:
        result["errors"] = refusal.errors
    assert refusal.status in STORED_STATUSES

    def audited() -> None:
        if refusal.status == "forbidden":
            # Refused writes are worth knowing about too; the review is not named, as it may not be theirs.
            audit.record(user, "forbidden", "operation", op_id, None, type=op_type)

    return _store(op_id, user_id, op_type, _storable(result), then=audited)


def _unforeseen(op_id: str, user_id: int, op_type: Optional[str]) -> dict:
    """`rejected`, stored, for an operation that failed in a way nobody foresaw (its savepoint already undone)."""
    current_app.logger.exception("Operation %s (%s) failed; answered rejected", op_id,
                                 op_type if op_type in OPERATION_TYPES else "?")
    return _store(op_id, user_id, op_type, _storable({
        "op_id": op_id, "type": op_type, "status": "rejected", "errors": {"_schema": [
            _("This change could not be saved because of a problem on the server. It stays on this device: "
              "please tell the review's support team.")]}}))


def _op_id(op: Any) -> Optional[str]:
    if isinstance(op, UnreadableOperation):
        candidate = op.op_id
    elif isinstance(op, dict):
        candidate = op.get("op_id")
    else:
        return None
    if not isinstance(candidate, str):
        return None
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        return None


def _sent_type(op: Any) -> Optional[str]:
    """The type the operation names, as far as an answer may repeat it."""
    sent = op.type if isinstance(op, UnreadableOperation) else op.get("type") if isinstance(op, dict) else None
    return sent[:_TYPE_ECHO] if isinstance(sent, str) else None


def _storable(value: Any) -> Any:
    """`value` with every text (keys too) holdable by any database and any UTF-8: NUL and lone surrogates become
    U+FFFD."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(key) if isinstance(key, str) else key: _storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(item) for item in value]
    return value


def _replay(op_id: str, user_id: int, op_type: Optional[str]) -> dict:
    stored = db.session.execute(select(Operation.user_id, Operation.result).where(Operation.op_id == op_id)).one()
    return _replay_of(op_id, op_type, user_id, stored.user_id, stored.result)


class _Replayed(dict):
    """An answer read back from the ledger rather than given now."""


def _replay_of(op_id: str, op_type: Optional[str], user_id: int, first_user_id: int, first: dict) -> dict:
    """The answer to an op_id already answered: the first answer, marked a duplicate -- to its sender only."""
    if first_user_id != user_id:
        return _Replayed(_storable({"op_id": op_id, "type": op_type, "status": "forbidden"}))
    return _Replayed({**first, "status": "duplicate", "first_status": first["status"]})


def _bounded(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """At most MAX_FIELDS_IN_ANSWER fields' messages, and how many more there were."""
    if len(errors) <= MAX_FIELDS_IN_ANSWER:
        return errors
    kept = dict(list(errors.items())[:MAX_FIELDS_IN_ANSWER])
    more = len(errors) - MAX_FIELDS_IN_ANSWER
    kept.setdefault("_schema", []).append(_("And %(count)s more fields with a problem.", count=more))
    return kept


def _decide(user: User, op_id: str, op_type: Optional[str], op: Any, schemas: dict) -> dict:
    """Validate, then let the type's handler act; the answer to store. A handler's refusal (`Refused`) is raised
    on: the caller undoes the operation's savepoint and stores the refusal."""
    if isinstance(op, UnreadableOperation):
        return {"op_id": op_id, "type": op_type, "status": "rejected", "errors": {"_schema": [
            _("This change could not be read: it is nested too deeply or holds a number too large.")]}}
    try:
        envelope = _schema(schemas, OperationIn).load(op)
        entry = operation_type(envelope["type"])
        data = _schema(schemas, entry.data).load(envelope["data"])
    except ValidationError as error:
        return {"op_id": op_id, "type": op_type, "status": "rejected",
                "errors": _bounded(flatten_errors(error.messages))}
    incoming = IncomingOperation(op_id, envelope["type"], envelope["base_version"], data)
    answer = entry.handler(user, incoming)
    assert answer["status"] in STORED_STATUSES
    return {"op_id": op_id, "type": incoming.type, **answer}


def _schema(schemas: dict, schema_class: type) -> Any:
    if schema_class not in schemas:
        schemas[schema_class] = schema_class()
    return schemas[schema_class]
