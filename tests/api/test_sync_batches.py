"""POST /api/sync as a whole: batches, replays, limits, what an expired session or a bad body gets, and two
requests racing with the same op_id (real threads, one SQLite file)."""
from __future__ import annotations

import io
import json
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from visits import sync
from visits.extensions import db
from visits.models import AuditEvent, Attendance, Concern, Note, NoteRevision, Operation

from ..support import factories as f
from ..support.factories import count
from ..support.clients import signed_in
from ..support.sync import post_batch, send, send_at_once, token, two_devices

AT = datetime(2026, 11, 23, 18, 5, tzinfo=timezone.utc).isoformat()


def a_visit_s_work(team) -> list[dict]:
    note_id = f.new_id()
    return [
        f.operation("visit.check_in", visit_id=team.home_visit.id, at=AT, confirmed=True),
        f.operation("attendance.set", visit_id=team.home_visit.id, participant_id=team.service_user.id,
                    status="attended", at=AT),
        f.operation("note.save", note_id=note_id, visit_id=team.home_visit.id, kind="home_visit", body="Draft."),
        f.operation("note.save", base_version=1, note_id=note_id, visit_id=team.home_visit.id, kind="home_visit",
                    body="Final."),
        f.operation("concern.raise", concern_id=f.new_id(), visit_id=team.home_visit.id, category="health_and_safety",
                    rating="green", text="Loose stair rail."),
        f.operation("need.set", need_id=f.new_id(), participant_id=team.service_user.id, type="advocacy"),
        f.operation("visit.check_out", visit_id=team.home_visit.id, at=AT.replace("18:05", "19:00"), confirmed=True),
    ]


def snapshot() -> dict:
    """What a replay must not change, including the audit trail."""
    return {
        "notes": [(n.id, n.body, n.version, n.in_conflict) for n in db.session.scalars(select(Note))],
        "revisions": count(NoteRevision),
        "attendance": [(a.participant_id, a.status.value) for a in db.session.scalars(select(Attendance))],
        "concerns": count(Concern),
        "operations": [(o.op_id, o.result) for o in db.session.scalars(select(Operation).order_by(Operation.op_id))],
        "audit": count(AuditEvent, AuditEvent.action != "read"),
    }


def test_a_whole_visit_in_one_batch_is_answered_in_order(team, app):
    ops = a_visit_s_work(team)
    answers = send(signed_in(app, team.reviewer), *ops)
    assert [a["op_id"] for a in answers] == [op["op_id"] for op in ops]
    assert [a["status"] for a in answers] == ["applied"] * len(ops)


def test_a_batch_with_one_bad_operation_applies_the_rest(team, app):
    ops = a_visit_s_work(team)
    ops.insert(2, f.operation("attendance.set", visit_id=team.home_visit.id, participant_id=team.service_user.id,
                              status="snoozing"))
    answers = send(signed_in(app, team.reviewer), *ops)
    assert answers[2]["status"] == "rejected" and answers[2]["errors"]["status"]
    assert [a["status"] for i, a in enumerate(answers) if i != 2] == ["applied"] * (len(ops) - 1)
    assert db.session.scalar(select(Note.body)) == "Final."


def test_the_same_batch_sent_twice_changes_nothing_the_second_time(team, app):
    reviewer = signed_in(app, team.reviewer)
    ops = a_visit_s_work(team)
    first = send(reviewer, *ops)
    before = snapshot()
    second = send(reviewer, *ops)
    db.session.expire_all()
    assert snapshot() == before
    assert [a["status"] for a in second] == ["duplicate"] * len(ops)
    assert [a["first_status"] for a in second] == [a["status"] for a in first]


def test_an_operation_twice_in_one_batch_is_applied_once(team, app):
    op = f.operation("concern.raise", concern_id=f.new_id(), visit_id=team.home_visit.id, category="safeguarding",
                     rating="amber", text="Worried about her finances.")
    answers = send(signed_in(app, team.reviewer), op, op)
    assert [a["status"] for a in answers] == ["applied", "duplicate"]
    assert count(Concern) == 1


def test_sync_without_a_session_is_401_json_even_without_a_csrf_token(team, client):
    response = client.post("/api/sync", json={"ops": a_visit_s_work(team)}, with_csrf=False)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"] == "unauthenticated"
    assert count(Operation) == 0


def test_a_missing_or_stale_csrf_token_is_400_csrf_so_the_client_renews_it(team, app):
    reviewer = signed_in(app, team.reviewer)
    response = reviewer.http.post("/api/sync", json={"ops": []}, headers={"X-CSRFToken": "stale"})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"


@pytest.mark.parametrize("body", ["{not json", "[]", '{"ops": {}}', '{"ops": "all"}', '"ops"', ""])
def test_a_body_that_is_not_a_batch_is_400_with_a_message(team, app, body):
    reviewer = signed_in(app, team.reviewer)
    response = reviewer.http.post("/api/sync", data=body, content_type="application/json",
                                  headers={"X-CSRFToken": token(reviewer)})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_json"


def test_operations_that_are_not_objects_are_rejected_one_by_one(team, app):
    answers = send(signed_in(app, team.reviewer), 42, "note.save", None, [], a_visit_s_work(team)[0])
    assert [a["status"] for a in answers] == ["rejected"] * 4 + ["applied"]


def test_too_many_operations_is_413(team, app):
    app.config["SYNC_MAX_OPS"] = 3
    response = post_batch(signed_in(app, team.reviewer), a_visit_s_work(team))
    assert response.status_code == 413 and response.is_json
    assert count(Operation) == 0


def test_too_many_bytes_is_413_before_anything_is_read(team, app):
    app.config["SYNC_MAX_BYTES"] = 2_000
    op = f.operation("note.save", note_id=f.new_id(), visit_id=team.home_visit.id, kind="home_visit", body="x" * 5_000)
    response = post_batch(signed_in(app, team.reviewer), [op])
    assert response.status_code == 413 and response.get_json()["error"] == "request_entity_too_large"
    assert count(Note) == 0


def test_a_body_without_content_length_is_still_held_to_the_byte_limit(team, app):
    app.config["SYNC_MAX_BYTES"] = 2_000
    reviewer = signed_in(app, team.reviewer)
    body = json.dumps({"ops": [f.operation("note.save", note_id=f.new_id(), visit_id=team.home_visit.id,
                                           kind="home_visit", body="x" * 5_000)]}).encode()
    # A chunked upload: the server (gunicorn, werkzeug) marks the stream as ending by itself.
    response = reviewer.http.post("/api/sync", input_stream=io.BytesIO(body), content_type="application/json",
                                  headers={"X-CSRFToken": token(reviewer), "Transfer-Encoding": "chunked"},
                                  environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert count(Note) == 0


@pytest.mark.parametrize("slow", [False, True], ids=["as_fast_as_it_goes", "first_one_still_applying"])
def test_two_requests_at_once_with_the_same_op_id_apply_it_once(team, app, monkeypatch, slow):
    if slow:
        # Hold the first request inside its transaction, so the second surely arrives while it is applying.
        decide = sync._decide
        monkeypatch.setattr(sync, "_decide", lambda *args: (time.sleep(0.3), decide(*args))[1])
    devices = two_devices(app, team.reviewer)
    db.session.commit()  # nothing held open by the test while the two requests race

    for round_number in range(1, 4 if slow else 9):
        note_id = f.new_id()
        op = f.operation("note.save", note_id=note_id, visit_id=team.home_visit.id, kind="home_visit",
                         body=f"Written once, sent twice ({round_number}).")
        started = time.monotonic()
        answers = send_at_once(devices, op)

        assert [r.status_code for r in answers] == [200, 200]
        if slow:
            assert time.monotonic() - started >= 0.3  # the duplicate waited for the first to finish
        statuses = sorted(r.get_json()["results"][0]["status"] for r in answers)
        assert statuses == ["applied", "duplicate"]
        assert count(Note) == round_number
        assert count(NoteRevision, NoteRevision.note_id == note_id) == 1
        assert count(Operation, Operation.op_id == op["op_id"]) == 1
        assert count(AuditEvent, AuditEvent.action == "note.save", AuditEvent.subject_id == note_id) == 1
