"""A batch is applied in one transaction, each operation in its own savepoint (issue 12, item 11), and still
exactly once: a database that fails mid-batch leaves nothing of it, and the batch sent again is applied whole;
the sender's memberships are read once per batch, not once per operation; two phones sending overlapping batches
at the same moment -- on SQLite and on PostgreSQL -- each get every operation applied once, including two
different operations creating the same note (PostgreSQL's IntegrityError, retried in the operation's savepoint
without losing or repeating the batch's other operations). On PostgreSQL one person's batches wait for each other
(never a deadlock between their phone and laptop), a batch ended by a deadlock is applied again a few times at
most, and a note saved from the same version on two devices at once keeps both texts (one version, one conflict)."""
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
    responses = sent_at_once(devices, batches)
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
        slow_operations(monkeypatch)
    overlapping_batches_at_once(app, team)


@pytest.mark.postgres
@pytest.mark.parametrize("slow", [False, True], ids=["as_fast_as_it_goes", "each_operation_slow"])
def test_two_phones_sending_overlapping_batches_at_once_apply_each_operation_once_on_postgres(pg_app, monkeypatch,
                                                                                              slow):
    if slow:
        # Both requests look the shared note up before either has committed: the second insert waits, fails on
        # the key, and is applied again in its own savepoint.
        slow_operations(monkeypatch)
    ran = counting_batches(monkeypatch)
    overlapping_batches_at_once(pg_app, field_team_world())
    assert ran["times"] == 2  # one person's batches wait for each other: neither is ended by a deadlock


def sent_at_once(devices, batches) -> list:
    """Each device sends its batch at the same moment (a barrier between two threads); both must be answered 200."""
    start = threading.Barrier(len(devices))
    responses: list = [None] * len(devices)

    def sync_from(index: int) -> None:
        client, csrf = devices[index]
        start.wait()
        responses[index] = client.http.post("/api/sync", json={"ops": batches[index]}, headers={"X-CSRFToken": csrf})

    threads = [threading.Thread(target=sync_from, args=(i,)) for i in range(len(devices))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [200] * len(devices), [r.get_data(as_text=True)[:300]
                                                                        for r in responses]
    return responses


def slow_operations(monkeypatch) -> None:
    """Each operation takes 50 ms more, so two requests' operations interleave."""
    decide = sync._decide
    monkeypatch.setattr(sync, "_decide", lambda *args: (time.sleep(0.05), decide(*args))[1])


def counting_batches(monkeypatch) -> dict:
    """How many times a batch was applied from the start (more than once only when the database asked for it)."""
    ran = {"times": 0}
    apply_all = sync._apply_all

    def counted(user, ops):
        ran["times"] += 1
        return apply_all(user, ops)

    monkeypatch.setattr(sync, "_apply_all", counted)
    return ran


@pytest.mark.postgres
def test_one_persons_two_batches_at_once_are_applied_one_after_the_other_on_postgres(pg_app, monkeypatch):
    # The phone and the laptop send the same six new notes in opposite orders, slowly: each would hold an op_id
    # the other wants, a deadlock every time. One person's batches wait for each other instead, so each runs once.
    ran = counting_batches(monkeypatch)
    slow_operations(monkeypatch)
    team = field_team_world()
    devices = two_devices(pg_app, team.reviewer)
    db.session.commit()
    shared = notes(team, 6, "Shared")
    batches = [shared, shared[::-1]]
    responses = sent_at_once(devices, batches)
    statuses = sorted(a["status"] for r in responses for a in r.get_json()["results"])
    assert statuses == ["applied"] * 6 + ["duplicate"] * 6
    assert ran["times"] == 2
    db.session.expire_all()
    assert count(Note) == count(NoteRevision) == count(Operation) == 6
    assert count(AuditEvent, AuditEvent.action == "note.save") == 6


class _Deadlock(Exception):
    sqlstate = sync.DEADLOCK_DETECTED


def test_a_batch_ended_by_a_deadlock_is_applied_again_a_few_times_then_fails(team, app, monkeypatch):
    # Two different people's batches can still deadlock on PostgreSQL (rows both change): the one ended is applied
    # again, a few times at most, after a short random wait, so the two do not meet again at the same moment.
    reviewer = signed_in(app, team.reviewer)
    waits: list[float] = []
    monkeypatch.setattr(sync.time, "sleep", waits.append)
    apply_all = sync._apply_all
    ran = {"times": 0, "deadlocks": 2}

    def deadlocked_at_first(user, ops):
        ran["times"] += 1
        if ran["times"] <= ran["deadlocks"]:
            raise OperationalError("UPDATE notes", {}, _Deadlock("deadlock detected"))
        return apply_all(user, ops)

    monkeypatch.setattr(sync, "_apply_all", deadlocked_at_first)
    ops = notes(team, 3, "Kept once")
    assert [a["status"] for a in send(reviewer, *ops)] == ["applied"] * 3
    assert ran["times"] == 3 and len(waits) == 2 and all(0 < wait <= 1 for wait in waits)
    assert count(Note) == 3 and count(Operation) == 3

    ran.update(times=0, deadlocks=100)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = post_batch(reviewer, notes(team, 2, "Never"))
    assert response.status_code >= 500
    assert ran["times"] == sync.DEADLOCK_ATTEMPTS
    assert count(Note) == 3


@pytest.mark.postgres
def test_a_note_saved_from_the_same_version_on_two_devices_at_once_keeps_both_texts_on_postgres(pg_app,
                                                                                                monkeypatch):
    # The phone's batch saves the note from version 1; before it commits, the laptop saves it from version 1 too.
    # The laptop must wait for the phone's save, then find version 2: its text kept as a conflict, never written
    # over the phone's.
    team = field_team_world()
    note = f.gen_note(team.home_visit, team.reviewer, body="First text.")
    db.session.commit()
    note_id, visit_id, kind = note.id, team.home_visit.id, note.kind.value
    (phone, phone_csrf), (laptop, laptop_csrf) = two_devices(pg_app, team.reviewer)

    def save(body: str) -> dict:
        return f.operation("note.save", base_version=1, note_id=note_id, visit_id=visit_id, kind=kind,
                           body=body)

    laptop_answer: dict = {}
    laptop_sync = threading.Thread(target=lambda: laptop_answer.update(response=laptop.http.post(
        "/api/sync", json={"ops": [save("Laptop text.")]}, headers={"X-CSRFToken": laptop_csrf})))
    apply = sync._Batch.apply

    def laptop_saves_meanwhile(batch, op):
        answer = apply(batch, op)
        if not laptop_sync.is_alive() and "response" not in laptop_answer:
            laptop_sync.start()
            time.sleep(0.5)  # long enough for the laptop to read the note and try to write it
        return answer

    monkeypatch.setattr(sync._Batch, "apply", laptop_saves_meanwhile)
    phone_answers = phone.http.post("/api/sync", json={"ops": [save("Phone text.")]},
                                    headers={"X-CSRFToken": phone_csrf}).get_json()["results"]
    laptop_sync.join(timeout=30)
    (laptop_answer,) = laptop_answer["response"].get_json()["results"]
    assert [a["status"] for a in phone_answers] == ["applied"] and phone_answers[0]["version"] == 2
    assert laptop_answer["status"] == "conflict" and laptop_answer["server_body"] == "Phone text."
    db.session.expire_all()
    saved = db.session.get(Note, note_id)
    assert (saved.version, saved.body, saved.in_conflict) == (2, "Phone text.", True)
    revisions = sorted((r.version or 0, r.body, r.is_conflict) for r in saved.revisions)
    assert revisions == [(0, "Laptop text.", True), (1, "First text.", False), (2, "Phone text.", False)]
