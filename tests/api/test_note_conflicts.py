"""A note edited on two devices: the other device's text is never dropped by an ordinary save, only by the
author's explicit merge; and a note's history is shown only to those who may read the note."""
from __future__ import annotations

import pytest

from visits.extensions import db
from visits.models import Note

from ..support import factories as f
from ..support.clients import signed_in
from ..support.sync import send_one


def save(client, team, note_id, base, body, **extra):
    return send_one(client, f.operation("note.save", base_version=base, note_id=note_id, visit_id=team.home_visit.id,
                                        kind="home_visit", body=body, **extra))


def stored(note_id):
    db.session.expire_all()
    return db.session.get(Note, note_id)


def test_an_ordinary_save_after_a_conflict_adds_a_copy_instead_of_overwriting(team, app):
    reviewer = signed_in(app, team.reviewer)
    note_id = f.new_id()
    assert save(reviewer, team, note_id, None, "v1")["status"] == "applied"
    assert save(reviewer, team, note_id, 1, "laptop v2")["status"] == "applied"
    assert save(reviewer, team, note_id, 1, "phone edit")["status"] == "conflict"
    # The phone saves again from what it believes is current: still a conflict, nothing overwritten.
    assert save(reviewer, team, note_id, 2, "phone edit more")["status"] == "conflict"
    note = stored(note_id)
    assert note.body == "laptop v2" and note.in_conflict
    assert sorted(r.body for r in note.revisions if r.is_conflict) == ["phone edit", "phone edit more"]


def test_the_authors_merge_resolves_the_conflict(team, app):
    reviewer = signed_in(app, team.reviewer)
    note_id = f.new_id()
    save(reviewer, team, note_id, None, "v1")
    save(reviewer, team, note_id, 1, "laptop v2")
    save(reviewer, team, note_id, 1, "phone edit")
    answer = save(reviewer, team, note_id, 2, "laptop v2 + phone edit", resolves_conflict=True)
    assert answer["status"] == "applied" and answer["version"] == 3
    note = stored(note_id)
    assert note.body == "laptop v2 + phone edit" and not note.in_conflict
    assert all(r.resolved for r in note.revisions if r.is_conflict)


@pytest.mark.parametrize("role", ["link_officer", "coordinator", "reviewer2", "lead_b"])
def test_a_rejected_merge_form_never_shows_someone_elses_note(team, app, role):
    note = f.gen_note(team.home_visit, team.reviewer, body="PRIVATE note about Mrs Jones", kind="home_visit")
    db.session.commit()
    visitor = signed_in(app, team.member(role))
    # Any visit the caller may open, a bad field so the form is rejected, and someone else's note id.
    visits = [team.home_visit.id] if role != "lead_b" else []
    for visit_id in visits or [team.home_visit.id]:
        response = visitor.post(f"/visits/{visit_id}/ops?type=note.save&form=merge&next=note_history",
                                data={"note_id": note.id, "visit_id": str(visit_id), "kind": "bogus",
                                      "body": "x", "base_version": "1", "op_id": f.new_id()})
        assert response.status_code in (400, 403, 404)
        assert "PRIVATE note" not in response.get_data(as_text=True)
