"""One malformed operation never blocks a phone's outbox (issue 12, item 1): whatever one operation holds -- a lone
surrogate or NUL in its type, its data's keys or its text, numbers past any column, nesting past any parser -- it
is answered `rejected` on its own, stored so a replay gets the same answer, and every other operation of the batch
is applied once. On SQLite and on PostgreSQL (which refuses NUL and lone surrogates in text and JSON)."""
from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, Note, Operation

from ..support import factories as f
from ..support.clients import signed_in
from ..support.factories import count
from ..support.sync import token
from ..support.world import field_team_world

SURROGATE, NUL = "\ud800", "\x00"

# Each: (what a broken phone or a fuzzer sent, how it is written on the wire when JSON cannot say it). The op_id is
# filled in by the test.
MALFORMED = {
    "surrogate type": {"type": SURROGATE, "data": {}},
    "NUL type": {"type": NUL, "data": {}},
    "surrogate in a known type": {"type": "note.save" + SURROGATE, "data": {}},
    "NUL data key": {"type": "note.save", "data": {NUL: 1, "kind": "general"}},
    "surrogate data key": {"type": "note.save", "data": {SURROGATE: "x"}},
    "NUL in a note's text": {"type": "note.save", "data": {"note_id": "00000000-0000-4000-8000-000000000001",
                                                           "visit_id": 1, "kind": "home_visit", "body": "a" + NUL}},
    "surrogate prompt key": {"type": "note.save", "data": {"note_id": "00000000-0000-4000-8000-000000000002",
                                                           "visit_id": 1, "kind": "home_visit", "body": "b",
                                                           "prompts": {SURROGATE: "x", NUL: "y"}}},
    "nested junk in prompts": {"type": "note.save", "data": {"note_id": "00000000-0000-4000-8000-000000000003",
                                                             "visit_id": 1, "kind": "home_visit", "body": "c",
                                                             "prompts": {"a": {"b": [SURROGATE, NUL]}}}},
    "surrogate note id": {"type": "note.save", "data": {"note_id": SURROGATE, "visit_id": 1, "kind": "home_visit",
                                                        "body": "d"}},
    "huge visit id": {"type": "note.save", "data": {"note_id": "00000000-0000-4000-8000-000000000004",
                                                    "visit_id": 10**40, "kind": "home_visit", "body": "e"}},
    "huge base version": {"type": "note.save", "base_version": 10**40,
                          "data": {"note_id": "00000000-0000-4000-8000-000000000005", "visit_id": 1,
                                   "kind": "home_visit", "body": "f"}},
    "a type 10,000 long": {"type": "t" * 10_000, "data": {}},
    "data not an object": {"type": "note.save", "data": [SURROGATE]},
}


def wire(batch: dict) -> bytes:
    """JSON as a client writes it: lone surrogates and NUL escaped (\\ud800, \\u0000), as JSON.stringify does."""
    return json.dumps(batch).encode()


def post_raw(client, body: bytes):
    return client.http.post("/api/sync", data=body, content_type="application/json",
                            headers={"X-CSRFToken": token(client)})


def good_note(team, body: str) -> dict:
    return f.operation("note.save", note_id=f.new_id(), visit_id=team.home_visit.id, kind="home_visit", body=body)


def send_around(client, team, malformed: dict):
    """A good note, the malformed one, another good note: what the server answers, and the three ops."""
    bad = {"op_id": f.new_id(), **malformed}
    ops = [good_note(team, "Before the bad one."), bad, good_note(team, "After the bad one.")]
    return post_raw(client, wire({"ops": ops})), ops


def assert_only_the_bad_one_is_refused(response, ops):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answers = response.get_json()["results"]
    assert [a["op_id"] for a in answers] == [op["op_id"] for op in ops]
    assert [a["status"] for a in answers] == ["applied", "rejected", "applied"]
    assert answers[1]["errors"]
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Note.body))) == ["After the bad one.", "Before the bad one."]
    return answers


def _check_every_malformed_operation(app, team, name):
    client = signed_in(app, team.reviewer)
    response, ops = send_around(client, team, MALFORMED[name])
    first = assert_only_the_bad_one_is_refused(response, ops)
    # The refusal is stored: sent again (the answer was lost), the bad one is a duplicate of its refusal and the
    # good ones are not applied twice.
    again = post_raw(client, wire({"ops": ops})).get_json()["results"]
    assert [a["status"] for a in again] == ["duplicate"] * 3
    assert [a["first_status"] for a in again] == ["applied", "rejected", "applied"]
    assert again[1]["errors"] == first[1]["errors"]
    assert count(Note) == 2 and count(Operation) == 3
    # What the ledger keeps of the bad operation is something the database could hold, and says nothing of NUL.
    stored = db.session.get(Operation, ops[1]["op_id"])
    assert NUL not in stored.type and not any(0xD800 <= ord(c) <= 0xDFFF for c in stored.type)


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_operation_is_refused_alone_and_the_rest_of_the_batch_applied(team, app, name):
    _check_every_malformed_operation(app, team, name)


@pytest.mark.postgres
@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_operation_is_refused_alone_on_postgres(pg_app, name):
    _check_every_malformed_operation(pg_app, field_team_world(), name)


def test_an_operation_nested_past_any_parser_is_refused_alone(team, app):
    client = signed_in(app, team.reviewer)
    ops = [good_note(team, "Before the bad one."), "HERE", good_note(team, "After the bad one.")]
    deep_id = f.new_id()
    deep = '{"op_id": "%s", "type": "note.save", "data": {"prompts": %s1%s}}' % (deep_id, "[" * 50_000, "]" * 50_000)
    body = json.dumps({"ops": ops}).replace('"HERE"', deep).encode()
    response = post_raw(client, body)
    ops[1] = {"op_id": deep_id}
    answers = assert_only_the_bad_one_is_refused(response, ops)
    assert answers[1]["type"] == "note.save"
    assert post_raw(client, body).get_json()["results"][1]["first_status"] == "rejected"


def test_a_number_with_more_digits_than_python_reads_is_refused_alone(team, app):
    client = signed_in(app, team.reviewer)
    ops = [good_note(team, "Before the bad one."), "HERE", good_note(team, "After the bad one.")]
    big_id = f.new_id()
    big = ('{"op_id": "%s", "type": "note.save", "base_version": %s, "data": {"note_id": "%s", "visit_id": %s, '
           '"kind": "home_visit", "body": "x"}}' % (big_id, "9" * 5000, f.new_id(), "9" * 5000))
    body = json.dumps({"ops": ops}).replace('"HERE"', big).encode()
    ops[1] = {"op_id": big_id}
    assert_only_the_bad_one_is_refused(post_raw(client, body), ops)


# --- Anything at all, among good operations ---------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=12)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
# Junk shaped like an operation (so it reaches the schemas and the ledger), or anything at all.
JUNK_OPERATION = st.one_of(
    st.fixed_dictionaries({"type": st.one_of(TEXT, st.sampled_from(["note.save", "need.set", "visit.check_in"]),
                                             JUNK),
                           "data": JUNK}, optional={"base_version": JUNK}),
    JUNK,
)


def test_junk_among_good_operations_is_answered_one_by_one_and_the_good_ones_applied_once(team, app):
    client = signed_in(app, team.reviewer)

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(junk=st.lists(JUNK_OPERATION, min_size=1, max_size=4), positions=st.data())
    def junk_in_a_batch(junk, positions):
        mark = uuid.uuid4().hex  # this example's good notes, told apart from earlier examples'
        good = [good_note(team, f"Good note {mark} {n}.") for n in range(3)]
        ops: list = list(good)
        for piece in junk:
            if isinstance(piece, dict):
                piece = {"op_id": str(uuid.uuid4()), **piece}
            ops.insert(positions.draw(st.integers(0, len(ops))), piece)
        body = wire({"ops": ops})

        response = post_raw(client, body)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        answers = response.get_json()["results"]
        assert len(answers) == len(ops)
        for op, answer in zip(ops, answers):
            if any(op is note for note in good):
                assert answer["status"] == "applied", answer
            else:
                # Junk that happens to be a valid operation is applied like any other.
                assert answer["status"] in ("rejected", "forbidden", "applied"), answer
        replayed = post_raw(client, body)
        assert replayed.status_code == 200
        assert all(answer["status"] == "duplicate" for answer, op in zip(replayed.get_json()["results"], ops)
                   if isinstance(op, dict) and isinstance(op.get("op_id"), str))
        db.session.expire_all()
        assert count(Note, Note.body.like(f"Good note {mark} %")) == 3
        assert count(AuditEvent, AuditEvent.action == "note.save",
                     AuditEvent.subject_id.in_([op["data"]["note_id"] for op in good])) == 3

    junk_in_a_batch()


def test_a_deep_operation_beside_notes_full_of_brackets_and_quotes_leaves_their_text_whole(team, app):
    client = signed_in(app, team.reviewer)
    tricky = 'She said "wait", then ]}, {"op_id": [ -- and left \\ behind.'
    ops = [good_note(team, tricky), "HERE", good_note(team, tricky + " Twice.")]
    deep_id = f.new_id()
    deep = '{"op_id": "%s", "type": "need.set", "data": %s%s}' % (deep_id, "{\"a\": " * 20_000, "1" + "}" * 20_000)
    body = json.dumps({"ops": ops, "sent_at": "2026-11-23"}).replace('"HERE"', deep).encode()
    response = post_raw(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answers = response.get_json()["results"]
    assert [a["status"] for a in answers] == ["applied", "rejected", "applied"]
    assert answers[1]["op_id"] == deep_id and answers[1]["type"] == "need.set"
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Note.body))) == [tricky, tricky + " Twice."]


def test_an_unreadable_operation_is_stored_under_its_own_op_id_not_one_quoted_in_its_data(team, app):
    # Its data quotes the op_id of the next operation (a copy, a fuzzer, a note about notes): the unreadable one
    # is answered under its own op_id, and the next one is applied, not taken for a replay of it.
    client = signed_in(app, team.reviewer)
    later = good_note(team, "The later note.")
    own_id = f.new_id()
    bad = '{"type": "note.save", "data": {"quoted": {"op_id": "%s"}, "deep": %s1%s}, "op_id": "%s"}' % (
        later["op_id"], "[" * 50_000, "]" * 50_000, own_id)
    body = json.dumps({"ops": ["HERE", later]}).replace('"HERE"', bad).encode()
    answers = post_raw(client, body).get_json()["results"]
    assert [(a["op_id"], a["status"]) for a in answers] == [(own_id, "rejected"), (later["op_id"], "applied")]
    assert list(db.session.scalars(select(Note.body))) == ["The later note."]
