"""The property the outbox relies on: any list of valid operations, cut into batches any way and replayed any
number of times, ends in the same database as applying each operation once, in order."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from visits import sync
from visits.extensions import db
from visits.models import (
    Attendance, AuditEvent, CheckIn, Concern, Feedback, NeedFlag, Note, NoteRevision, Operation, Visit,
)

from visits.operations.registry import OPERATION_TYPES

from ..support import factories as f
from ..support.world import field_team_world

NOTE_IDS = ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"]
NEED_IDS = ["00000000-0000-4000-8000-0000000000c1", "00000000-0000-4000-8000-0000000000c2"]
CONCERN_IDS = ["00000000-0000-4000-8000-0000000000d1", "00000000-0000-4000-8000-0000000000d2"]
FEEDBACK_IDS = ["00000000-0000-4000-8000-0000000000e1", "00000000-0000-4000-8000-0000000000e2"]
SENDERS = ["reviewer", "lay", "lead", "link"]
START = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)
TIMES = [(START + timedelta(minutes=m)).isoformat() for m in (0, 20, 50)]
TEXTS = ["A", "B", "A and B", ""]

# Ids are fixed by the seed: the database is built afresh, the same way, for every run.
VISIT_ID, SERVICE_USER_ID, CARER_ID = 1, 1, 2


def data_for(op_type: str) -> st.SearchStrategy[dict]:
    return {
        "note.save": st.fixed_dictionaries({
            "note_id": st.sampled_from(NOTE_IDS), "visit_id": st.just(VISIT_ID), "kind": st.just("home_visit"),
            "body": st.sampled_from(TEXTS[:3])}),
        "attendance.set": st.fixed_dictionaries({
            "visit_id": st.just(VISIT_ID), "participant_id": st.sampled_from([SERVICE_USER_ID, CARER_ID]),
            "status": st.sampled_from(["attended", "late", "absent", "apologies"]),
            "at": st.sampled_from(TIMES)}),
        "visit.check_in": st.fixed_dictionaries({"visit_id": st.just(VISIT_ID), "at": st.sampled_from(TIMES),
                                                  "confirmed": st.just(True)}),
        "visit.check_out": st.fixed_dictionaries({"visit_id": st.just(VISIT_ID), "at": st.sampled_from(TIMES),
                                                   "confirmed": st.just(True)}),
        "need.set": st.fixed_dictionaries({
            "need_id": st.sampled_from(NEED_IDS), "participant_id": st.sampled_from([SERVICE_USER_ID, CARER_ID]),
            "type": st.sampled_from(["interpreting", "advocacy"])},
            optional={"status": st.sampled_from(["requested", "arranged", "confirmed", "unavailable"]),
                      "arrangement": st.sampled_from(TEXTS), "detail": st.sampled_from(TEXTS)}),
        "concern.raise": st.fixed_dictionaries({
            "concern_id": st.sampled_from(CONCERN_IDS), "visit_id": st.just(VISIT_ID),
            "category": st.sampled_from(["safeguarding", "health_and_safety"]),
            "rating": st.sampled_from(["red", "amber", "green"]), "text": st.sampled_from(TEXTS[:3])}),
        "concern.refer": st.fixed_dictionaries({
            "concern_id": st.sampled_from(CONCERN_IDS), "referral_text": st.sampled_from(TEXTS[:3])},
            optional={"referred_to": st.sampled_from(TEXTS)}),
        "concern.decide": st.fixed_dictionaries({
            "concern_id": st.sampled_from(CONCERN_IDS), "reason": st.sampled_from(TEXTS)}),
        "concern.acknowledge": st.fixed_dictionaries({"concern_id": st.sampled_from(CONCERN_IDS)}),
        "concern.outcome": st.fixed_dictionaries({
            "concern_id": st.sampled_from(CONCERN_IDS), "outcome": st.sampled_from(TEXTS)}),
        "visit.undo_check_out": st.fixed_dictionaries({"visit_id": st.just(VISIT_ID), "at": st.sampled_from(TIMES)}),
        "feedback.record": st.fixed_dictionaries({
            "feedback_id": st.sampled_from(FEEDBACK_IDS), "visit_id": st.just(VISIT_ID), "language": st.just("en"),
            "supported_by": st.sampled_from(["none", "carer"]), "consent": st.booleans(),
            "answers": st.fixed_dictionaries({"respect": st.sampled_from([1, 3, 5, "declined"])}),
            "comment": st.sampled_from(TEXTS)}),
    }[op_type]


@st.composite
def operations(draw) -> tuple[str, dict]:
    op_type = draw(st.sampled_from(tuple(OPERATION_TYPES)))
    base_version = draw(st.one_of(st.none(), st.integers(1, 4))) if op_type == "note.save" else None
    op = {"op_id": str(uuid.UUID(int=draw(st.integers(0, 2**122)))), "type": op_type,
          "base_version": base_version, "data": draw(data_for(op_type))}
    return draw(st.sampled_from(SENDERS)), op


def fresh_database() -> dict:
    db.session.remove()
    db.drop_all()
    db.create_all()
    team = field_team_world()
    db.session.add(Attendance(visit=team.home_visit, participant=f.gen_participant(team.review, "staff")))
    db.session.commit()
    assert (team.home_visit.id, team.service_user.id, team.carer.id) == (VISIT_ID, SERVICE_USER_ID, CARER_ID)
    return {"reviewer": team.reviewer, "lay": team.lay, "lead": team.lead, "link": team.link}


def state() -> dict:
    """Everything an operation can change, without the server's clock."""
    def rows(query, shape):
        return [shape(row) for row in db.session.scalars(query)]

    return {
        "notes": rows(select(Note).order_by(Note.id), lambda n: (
            n.id, n.author_id, n.body, n.prompts, n.version, n.in_conflict)),
        "revisions": rows(select(NoteRevision).order_by(NoteRevision.id), lambda r: (
            r.note_id, r.version, r.base_version, r.body, r.saved_by_id, r.op_id, r.is_conflict, r.resolved)),
        "attendance": rows(select(Attendance).order_by(Attendance.id), lambda a: (
            a.participant_id, a.status.value, a.recorded_by_id, a.recorded_at_device)),
        "checks": rows(select(CheckIn).order_by(CheckIn.id), lambda c: (
            c.user_id, c.checked_in_at, c.checked_out_at)),
        "visits": rows(select(Visit).order_by(Visit.id), lambda v: (v.id, v.status.value)),
        "needs": rows(select(NeedFlag).order_by(NeedFlag.id), lambda n: (
            n.id, n.participant_id, n.type.value, n.detail, n.status.value, n.arrangement, n.raised_by_id,
            n.arranged_by_id)),
        "concerns": rows(select(Concern).order_by(Concern.id), lambda c: (
            c.id, c.category.value, c.rating.value, c.text, c.raised_by_id, c.referred_by_id, c.referral_text,
            c.referred_at is None, c.referred_to, c.not_referred_by_id, c.not_referred_reason,
            c.not_referred_at is None, c.acknowledged_by_id, c.acknowledged_at is None, c.outcome, c.outcome_by_id,
            c.outcome_at is None)),
        "feedback": rows(select(Feedback).order_by(Feedback.id), lambda b: (
            b.id, b.visit_id, b.recorded_by_id, b.supported_by.value, b.consent, b.answers, b.comment)),
        "ledger": rows(select(Operation).order_by(Operation.op_id), lambda o: (
            o.op_id, o.user_id, o.type, o.result)),
        "audit": rows(select(AuditEvent).order_by(AuditEvent.id), lambda e: (
            e.user_id, e.action, e.subject_type, e.subject_id, e.detail)),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operations(), max_size=14, unique_by=lambda sent: sent[1]["op_id"]), delivery=st.data())
def test_any_batching_and_any_replay_ends_like_applying_each_operation_once(app, ops, delivery):
    with app.test_request_context("/api/sync", method="POST"):  # as in POST /api/sync (messages need a locale)
        check_delivery(ops, delivery)


def check_delivery(ops, delivery):
    people = fresh_database()
    answers_once = [sync.apply_operation(people[sender], op) for sender, op in ops]
    expected = state()

    people = fresh_database()
    cuts = sorted(delivery.draw(st.sets(st.integers(1, max(len(ops) - 1, 1)), max_size=4), label="cuts"))
    batches = [ops[start:end] for start, end in zip([0, *cuts], [*cuts, len(ops)]) if start < end]
    sent: list = []
    first_answers: dict = {}
    for batch in batches:
        # Earlier operations come round again (the answer was lost on the way back), before or after the new.
        replays = delivery.draw(st.lists(st.sampled_from(sent), max_size=3), label="replays") if sent else []
        for _ in range(delivery.draw(st.integers(1, 3), label="times sent")):
            for sender, op in replays + batch:
                answer = sync.apply_operation(people[sender], op)
                first_answers.setdefault(op["op_id"], answer)
        sent += batch
    for sender, op in delivery.draw(st.lists(st.sampled_from(ops), max_size=4), label="late replays") if ops else []:
        assert sync.apply_operation(people[sender], op)["status"] == "duplicate"

    assert state() == expected
    assert [first_answers[op["op_id"]] for _, op in ops] == answers_once


# --- The same, in batches (issue 12, item 11) ------------------------------------------------------------------
# A batch is one transaction with a savepoint per operation: any cut of the operations into batches (each batch one
# sender's phone), replays inside a batch and across batches, end as applying each operation once, in order.


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operations(), max_size=14, unique_by=lambda sent: sent[1]["op_id"]), delivery=st.data())
def test_any_cut_into_batches_with_replays_ends_like_applying_each_operation_once(app, ops, delivery):
    with app.test_request_context("/api/sync", method="POST"):
        people = fresh_database()
        answers_once = [sync.apply_operation(people[sender], op) for sender, op in ops]
        expected = state()

        people = fresh_database()
        # A phone's batch holds its own person's operations: cut where the sender changes, and anywhere else drawn.
        cuts = {n for n in range(1, len(ops)) if ops[n][0] != ops[n - 1][0]}
        cuts |= delivery.draw(st.sets(st.integers(1, max(len(ops) - 1, 1)), max_size=3), label="cuts")
        bounds = sorted(cut for cut in cuts if 0 < cut < len(ops))
        batches = [ops[start:end] for start, end in zip([0, *bounds], [*bounds, len(ops)]) if start < end]
        first_answers: dict = {}
        sent: list = []
        for batch in batches:
            sender = batch[0][0]
            # Within the batch, an operation may come twice (the outbox re-queued it), and earlier ones of the same
            # phone again (their answer was lost): each answered as a duplicate of its first answer.
            mine = [op for who, op in sent if who == sender]
            again = delivery.draw(st.lists(st.sampled_from(mine), max_size=2), label="earlier") if mine else []
            twice = delivery.draw(st.lists(st.sampled_from([op for _, op in batch]), max_size=2), label="twice")
            body = again + [op for _, op in batch] + twice
            answers = sync.apply_batch(people[sender], body)
            assert len(answers) == len(body)
            for op, answer in zip(body, answers):
                first_answers.setdefault(op["op_id"], answer)
            for op, answer in zip(twice, answers[len(body) - len(twice):]):
                assert answer["status"] == "duplicate"
            sent += batch

        assert state() == expected
        assert [first_answers[op["op_id"]] for _, op in ops] == answers_once
