"""A batch is applied in one transaction, each operation in its own savepoint (issue 12, item 11), and still
exactly once: a database that fails mid-batch leaves nothing of it, and the batch sent again is applied whole;
the sender's memberships are read once per batch, not once per operation; two phones sending overlapping batches
at the same moment -- on SQLite and on PostgreSQL -- each get every operation applied once, including two
different operations creating the same note (PostgreSQL's IntegrityError, retried in the operation's savepoint
without losing or repeating the batch's other operations)."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from visits import sync
from visits.extensions import db
from visits.models import AuditEvent, Note, NoteRevision, Operation
from visits.operations import registry

from ..support import factories as f
from ..support.clients import signed_in
from ..support.factories import count
from ..support.sync import post_batch, send, token, two_devices
from ..support.world import field_team_world


def notes(team, how_many: int, label: str = "Note") -> list[dict]:
    return [f.operation("note.save", note_id=f.new_id(), visit_id=team.home_visit.id, kind="home_visit",
                        body=f"{label} {n}.") for n in range(how_many)]


@contextmanager
def statements():
    """Every SQL statement sent while inside, in order."""
    sent: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


@contextmanager
def commits():
    """How many transactions were committed while inside."""
    done = [0]

    def count_commit(conn):
        done[0] += 1

    event.listen(db.engine, "commit", count_commit)
    try:
        yield done
    finally:
        event.remove(db.engine, "commit", count_commit)


def test_a_batch_of_forty_notes_commits_as_often_as_a_batch_of_one(team, app):
    reviewer = signed_in(app, team.reviewer)
    csrf = token(reviewer)
    committed = {}
    for size in (1, 40):
        with commits() as done:
            response = reviewer.http.post("/api/sync", json={"ops": notes(team, size)}, headers={"X-CSRFToken": csrf})
        assert [a["status"] for a in response.get_json()["results"]] == ["applied"] * size
        committed[size] = done[0]
    assert committed[40] == committed[1] <= 2
    assert count(Note) == 41


def test_the_senders_memberships_are_read_once_per_batch_not_once_per_operation(team, app):
    reviewer = signed_in(app, team.reviewer)
    csrf = token(reviewer)
    ops = notes(team, 30)
    with statements() as sent:
        response = reviewer.http.post("/api/sync", json={"ops": ops}, headers={"X-CSRFToken": csrf})
    assert [a["status"] for a in response.get_json()["results"]] == ["applied"] * 30
    memberships = [s for s in sent if s.startswith("SELECT") and "FROM memberships" in s]
    visits = [s for s in sent if s.startswith("SELECT") and "FROM visits" in s]
    assert len(memberships) <= 2 and len(visits) <= 2, (len(memberships), len(visits))
    # What a new note costs, whatever the batch's size: its ledger row (insert, answer), the look-up of its id,
    # the note, its revision, its audit event, and the savepoint around them.
    per_operation = [s for s in sent if s.split()[0] in ("INSERT", "UPDATE", "SAVEPOINT", "RELEASE")]
    assert len(per_operation) <= 7 * 30, len(per_operation)


def test_a_database_failing_mid_batch_keeps_nothing_and_the_batch_sent_again_is_applied_once(team, app,
                                                                                            monkeypatch):
    reviewer = signed_in(app, team.reviewer)
    ops = notes(team, 5, "Kept once")
    entry = registry.OPERATION_TYPES["note.save"]
    calls = {"n": 0}

    def dies_on_the_fourth(user, op):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OperationalError("INSERT INTO notes", {}, Exception("server closed the connection"))
        return entry.handler(user, op)

    monkeypatch.setitem(registry.OPERATION_TYPES, "note.save", registry.OperationType(
        **{**entry.__dict__, "handler": dies_on_the_fourth}))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = post_batch(reviewer, ops)
    assert response.status_code >= 500
    # Nothing half-applied: the three before the failure went with it.
    assert (count(Note), count(Operation), count(NoteRevision), count(AuditEvent, AuditEvent.action == "note.save")) \
        == (0, 0, 0, 0)

    answers = send(reviewer, *ops)  # the outbox kept them all and sends them again
    assert [a["status"] for a in answers] == ["applied"] * 5
    assert count(Note) == 5 and count(NoteRevision) == 5 and count(Operation) == 5
    assert count(AuditEvent, AuditEvent.action == "note.save") == 5


def test_a_refused_operation_mid_batch_keeps_its_refusal_and_the_others_their_changes(team, app):
    outsider_visit = f.gen_visit(team.other_review, team=[], kind="staff_interview")
    db.session.commit()
    ops = notes(team, 2, "Before")
    ops.append(f.operation("note.save", note_id=f.new_id(), visit_id=outsider_visit.id, kind="general", body="No."))
    ops += notes(team, 2, "After")
    answers = send(signed_in(app, team.reviewer), *ops)
    assert [a["status"] for a in answers] == ["applied", "applied", "forbidden", "applied", "applied"]
    assert count(Note) == 4 and count(Operation) == 5
    assert count(AuditEvent, AuditEvent.action == "forbidden") == 1
    assert db.session.get(Operation, ops[2]["op_id"]).result["status"] == "forbidden"


def overlapping_batches_at_once(app, team, slow_monkeypatch=None):
    """Two phones of the same person send batches sharing operations (the same note written on both, plus each
    its own), at the same moment. Each operation must be applied once, whatever order the two requests take."""
    devices = two_devices(app, team.reviewer)
    db.session.commit()
    shared = notes(team, 6, "Shared")
    same_note = f.new_id()
    # Two different operations creating the same note (the phone and the laptop): one creates it, the other
    # finds it (the same text: applied, no new version).
    create_a = f.operation("note.save", note_id=same_note, visit_id=team.home_visit.id, kind="home_visit",
                           body="Written on both.")
    create_b = {**create_a, "op_id": f.new_id()}
    own = [notes(team, 3, "Phone"), notes(team, 3, "Laptop")]
    batches = [own[0][:1] + [create_a] + shared + own[0][1:], own[1][:1] + [create_b] + shared[::-1] + own[1][1:]]
    start = threading.Barrier(2)
    responses: list = [None, None]

    def sync_from(index: int) -> None:
        client, csrf = devices[index]
        start.wait()
        responses[index] = client.http.post("/api/sync", json={"ops": batches[index]}, headers={"X-CSRFToken": csrf})

    threads = [threading.Thread(target=sync_from, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [200, 200], [r.get_data(as_text=True)[:300] for r in responses]
    answers = [{a["op_id"]: a for a in r.get_json()["results"]} for r in responses]
    for op in shared:
        assert sorted(answers[i][op["op_id"]]["status"] for i in range(2)) == ["applied", "duplicate"]
    for index in range(2):
        assert all(answers[index][op["op_id"]]["status"] == "applied" for op in own[index])
    assert answers[0][create_a["op_id"]]["status"] == "applied"
    assert answers[1][create_b["op_id"]]["status"] == "applied"
    db.session.expire_all()
    assert count(Note) == 6 + 6 + 1
    assert count(NoteRevision) == 6 + 6 + 1
    assert count(Operation) == 6 + 6 + 2
    assert count(AuditEvent, AuditEvent.action == "note.save") == 6 + 6 + 1


@pytest.mark.parametrize("slow", [False, True], ids=["as_fast_as_it_goes", "each_operation_slow"])
def test_two_phones_sending_overlapping_batches_at_once_apply_each_operation_once(team, app, monkeypatch, slow):
    if slow:
        decide = sync._decide
        monkeypatch.setattr(sync, "_decide", lambda *args: (time.sleep(0.05), decide(*args))[1])
    overlapping_batches_at_once(app, team)


@pytest.mark.postgres
@pytest.mark.parametrize("slow", [False, True], ids=["as_fast_as_it_goes", "each_operation_slow"])
def test_two_phones_sending_overlapping_batches_at_once_apply_each_operation_once_on_postgres(pg_app, monkeypatch,
                                                                                              slow):
    if slow:
        # Both requests look the shared note up before either has committed: the second insert waits, fails on
        # the key, and is applied again in its own savepoint.
        decide = sync._decide
        monkeypatch.setattr(sync, "_decide", lambda *args: (time.sleep(0.05), decide(*args))[1])
    overlapping_batches_at_once(pg_app, field_team_world())
