"""Reading notes: a note's history (and the merge view when a conflict waits), and `GET /api/notes?visit=`.

Writing is not here: every save is a note.save operation (notes/operations.py, through visits/sync.py).
Every read of a note is recorded in the audit log.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import format_datetime
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from ..api.responses import bad_request
from .. import audit
from ..extensions import db
from ..models import SETTING_PROMPTS, Note, Visit
from ..permissions import can_edit_note, can_read_note, visit_access
from ..recording.page import NO_FORM, FormState, new_id
from ..schemas import NotesOut, NotesQuery

bp = Blueprint("notes", __name__)


def render_note_history(note: Note, *, form: FormState = NO_FORM, status: int = 200):
    audit.record(current_user, "read", "note", note.id, note.visit.review_id, view="history")
    db.session.commit()
    revisions = list(reversed(note.revisions))
    return render_template(
        "notes/history.html", note=note, revisions=revisions,
        waiting=[r for r in revisions if r.is_conflict and not r.resolved],
        may_merge=note.in_conflict and can_edit_note(current_user, note), form=form, new_id=new_id,
        prompts=SETTING_PROMPTS, format_datetime=format_datetime,
    ), status


@bp.get("/notes/<note_id>/history")
@login_required
def history(note_id: str):
    note = db.session.get(Note, note_id)
    # Not found and not yours to read look the same: a note id says nothing about whether it exists.
    if note is None or not can_read_note(current_user, note):
        abort(404)
    return render_note_history(note)


@bp.get("/api/notes")
@login_required
def notes_api():
    try:
        query = NotesQuery().load(request.args.to_dict())
    except ValidationError as error:
        return bad_request(error)
    visit = db.session.get(Visit, query["visit"])
    access = visit_access(current_user, visit) if visit else None
    if access is None:
        abort(404)
    if not access.notes:
        abort(403)
    notes = list(db.session.scalars(select(Note).where(Note.visit_id == visit.id).order_by(Note.created_at, Note.id)))
    for note in notes:
        audit.record(current_user, "read", "note", note.id, visit.review_id, view="api")
    db.session.commit()
    return jsonify(NotesOut().dump({"notes": [
        {"id": n.id, "visit_id": n.visit_id, "author_id": n.author_id, "author_name": n.author.name,
         "kind": n.kind.value, "body": n.body, "prompts": n.prompts or {}, "version": n.version,
         "in_conflict": n.in_conflict, "updated_at": n.updated_at} for n in notes]}))
