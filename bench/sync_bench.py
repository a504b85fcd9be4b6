"""Sync against the physical limit (issue 12, item 11): what one note.save costs when a phone's batch of 1, 10, 100
or 200 of them is applied, beside the floor for the same work -- the same four rows (ledger, note, revision, audit
event) bulk-inserted in one transaction -- measured side by side in one run, on SQLite and, when
tests/support/postgres.py can start one, PostgreSQL.

The batch is applied as POST /api/sync applies it (visits.sync.apply_batch, in a request context), without the
HTTP round trip, so the figure is the write path's own. The target: a 200-operation batch within 50 times the
bulk insert, per operation. The cost per operation stays flat as the batch grows: it grows linearly.

bench/run.py calls `figures(database_url)` for each database and `lines(figures)` to print them; alone:
`.venv/bin/python bench/sync_bench.py` (both databases) or `... --sqlite` (SQLite only).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert  # noqa: E402

from app import create_app  # noqa: E402
from visits.extensions import db  # noqa: E402

SIZES = (1, 10, 100, 200)
TARGET_RATIO = 50  # a 200-operation batch within 50 times the bulk insert, per operation
ROUNDS = 5  # each figure is the median of this many batches (fresh op ids and notes each time)


@contextmanager
def _bench_app(database_url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def _note_ops(visit_id: int, count: int) -> list[dict]:
    return [{"op_id": str(uuid.uuid4()), "type": "note.save", "base_version": None,
             "data": {"note_id": str(uuid.uuid4()), "visit_id": visit_id, "kind": "home_visit",
                      "body": f"Met Mrs Jones at home; she described the wait for her assessment ({n})."}}
            for n in range(count)]


def _bulk_insert(user_id: int, review_id: int, ops: list[dict]) -> None:
    """The floor: the rows one note.save leaves, written for the whole batch at once in one transaction."""
    from datetime import datetime, timezone

    from visits.models import AuditEvent, Note, NoteKind, NoteRevision, Operation

    now = datetime.now(timezone.utc)
    db.session.execute(insert(Operation), [
        {"op_id": op["op_id"], "user_id": user_id, "type": op["type"], "received_at": now,
         "result": {"op_id": op["op_id"], "type": op["type"], "status": "applied", "note_id": op["data"]["note_id"],
                    "version": 1}} for op in ops])
    db.session.execute(insert(Note), [
        {"id": op["data"]["note_id"], "visit_id": op["data"]["visit_id"], "author_id": user_id,
         "kind": NoteKind.home_visit, "body": op["data"]["body"], "prompts": {}, "version": 1, "in_conflict": False,
         "consent_withdrawn": False, "created_at": now, "updated_at": now} for op in ops])
    db.session.execute(insert(NoteRevision), [
        {"note_id": op["data"]["note_id"], "version": 1, "base_version": None, "body": op["data"]["body"],
         "prompts": {}, "saved_by_id": user_id, "saved_at": now, "op_id": op["op_id"], "is_conflict": False,
         "resolved": False} for op in ops])
    db.session.execute(insert(AuditEvent), [
        {"review_id": review_id, "user_id": user_id, "action": "note.save", "subject_type": "note",
         "subject_id": op["data"]["note_id"], "at": now, "remote_addr": "127.0.0.1",
         "detail": {"op_id": op["op_id"], "version": 1, "themes": []}} for op in ops])
    db.session.commit()


def _clear() -> None:
    from visits.models import AuditEvent, Note, NoteRevision, Operation

    for model in (AuditEvent, NoteRevision, Note, Operation):
        db.session.execute(delete(model))
    db.session.commit()


def figures(database_url: str, sizes: tuple[int, ...] = SIZES, rounds: int = ROUNDS) -> dict:
    """{"database", "sizes": {size: {"sync_ms_per_op", "bulk_ms_per_op", "ratio", "statuses"}}} for one database."""
    from tests.support.world import field_team_world
    from visits import sync
    from visits.models import User

    with _bench_app(database_url) as app:
        team = field_team_world()
        user_id, review_id, visit_id = team.reviewer.id, team.review.id, team.home_visit.id
        dialect = db.engine.dialect.name
        results: dict = {}
        for size in sizes:
            sync_samples, bulk_samples, statuses = [], [], set()
            for _ in range(rounds):
                _clear()
                ops = _note_ops(visit_id, size)
                with app.test_request_context("/api/sync", method="POST", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
                    user = db.session.get(User, user_id)
                    started = time.perf_counter()
                    answers = sync.apply_batch(user, ops)
                    sync_samples.append((time.perf_counter() - started) / size)
                statuses |= {answer["status"] for answer in answers}
                _clear()
                ops = _note_ops(visit_id, size)
                started = time.perf_counter()
                _bulk_insert(user_id, review_id, ops)
                bulk_samples.append((time.perf_counter() - started) / size)
            sync_ms, bulk_ms = statistics.median(sync_samples) * 1000, statistics.median(bulk_samples) * 1000
            results[size] = {"sync_ms_per_op": sync_ms, "bulk_ms_per_op": bulk_ms, "ratio": sync_ms / bulk_ms,
                             "statuses": sorted(statuses)}
        return {"database": dialect, "sizes": results}


def lines(measured: dict) -> list[str]:
    """The figures of one database as printable lines (a Markdown table)."""
    out = [f"sync of note.save batches on {measured['database']} (median of {ROUNDS}; per operation; "
           f"target: 200 within {TARGET_RATIO}x the bulk insert)",
           "| batch | whole batch ms | sync ms/op | bulk insert ms/op | ratio | answers |",
           "|---:|---:|---:|---:|---:|---|"]
    for size, row in measured["sizes"].items():
        mark = ""
        if size == max(measured["sizes"]):
            mark = " (target met)" if row["ratio"] <= TARGET_RATIO else " (target MISSED)"
        out.append(f"| {size} | {row['sync_ms_per_op'] * size:.1f} | {row['sync_ms_per_op']:.3f} | "
                   f"{row['bulk_ms_per_op']:.3f} | {row['ratio']:.0f}x{mark} | {', '.join(row['statuses'])} |")
    return out


def all_figures(postgres: bool = True) -> list[dict]:
    """SQLite, then PostgreSQL when a throwaway server can be started here."""
    measured = []
    with tempfile.TemporaryDirectory() as folder:
        measured.append(figures(f"sqlite:///{folder}/sync-bench.sqlite"))
    if postgres:
        from tests.support.postgres import throwaway_postgres

        with throwaway_postgres() as url:
            if url is not None:
                measured.append(figures(url))
    return measured


def main(argv: Optional[list[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    for measured in all_figures(postgres="--sqlite" not in argv):
        print("\n".join(lines(measured)))
        print()


if __name__ == "__main__":
    main()
