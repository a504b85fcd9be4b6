"""Reading notes: a note's history (and the merge view when a conflict waits), and `GET /api/notes?visit=`;
and the lead's page of the review's themes, `GET/POST /themes?review=<id>` (at the end).

Writing is not here: every save is a note.save operation (notes/operations.py, through visits/sync.py).
Every read of a note is recorded in the audit log.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError, fields
from marshmallow.validate import Length, OneOf
from sqlalchemy import select

from ..api.responses import bad_request
from .. import audit
from ..extensions import db
from .. import themes
from . import language
from ..models import SETTING_PROMPTS, Note, Review, Visit
from ..operations.refusals import closed_review_message
from ..permissions import (
    can_edit_note, can_edit_themes, can_read_note, can_read_themes, console_reviews, visit_access,
)
from ..schemas.base import PlainText, Schema, WholeNumber, flatten_errors
from ..schemas.forms import form_input
from ..notes.prompts import answered, prompts_for
from ..recording.page import NO_FORM, FormState, new_id, theme_choices
from ..schemas import NotesOut, NotesQuery

bp = Blueprint("notes", __name__)
# The note form's language choices and a note's language line, for the templates (visits/notes/language.py).
bp.add_app_template_global(language.language_choices, "conversation_languages")
bp.add_app_template_global(language.conversation_line, "conversation_line")

THEME_ACTIONS = ("add", "rename", "up", "down", "retire", "restore", "delete")


def render_note_history(note: Note, *, form: FormState = NO_FORM, status: int = 200):
    audit.record(current_user, "read", "note", note.id, note.visit.review_id, view="history")
    db.session.commit()
    revisions = list(reversed(note.revisions))
    waiting = [r for r in revisions if r.is_conflict and not r.resolved]
    merge_language, merge_offer = language.merge_conversation(note, waiting)
    carried = theme_choices(note.themes)
    choices = theme_choices(themes.offered_themes(note.visit.review)) + [theme for theme in carried if theme.retired]
    return render_template(
        "notes/history.html", note=note, revisions=revisions,
        waiting=waiting, merge_language=merge_language, merge_offer=merge_offer,
        may_merge=note.in_conflict and can_edit_note(current_user, note), form=form, new_id=new_id,
        prompts=SETTING_PROMPTS, prompts_for=prompts_for, answered=answered, format_datetime=format_datetime,
        theme_choices=choices, theme_ids=[str(theme.id) for theme in carried],
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
         "in_conflict": n.in_conflict, "updated_at": n.updated_at, "language": n.language,
         "active_offer": n.active_offer,
         "themes": [{"id": t.id, "name": t.name} for t in n.themes]} for n in notes]}))


# --- The lead's themes page: GET/POST /themes?review=<id> (visits/themes.py) -------------------------------
# Anyone not on the review: 404 (they may not know it exists); on it but not its lead: 403. A closed review's
# themes are shown, read only; a change posted to one is refused (403) and says why.

class ThemeChangeForm(Schema):
    """One change on the themes page: which button (`action`), the theme it is about, and a name."""

    action = fields.String(required=True, validate=OneOf(THEME_ACTIONS))
    theme_id = WholeNumber(load_default=None)
    name = PlainText(load_default="", validate=Length(max=1000))
    form = fields.String(load_default="", validate=Length(max=60))  # which form on the page, to show it again


class ThemePageQuery(Schema):
    review = WholeNumber(load_default=None)


def _themes_review() -> Review:
    try:
        query = ThemePageQuery().load(request.args.to_dict())
    except ValidationError:
        abort(404)
    review_id = query["review"]
    if review_id is None:
        mine = console_reviews(current_user, can_read_themes)
        if not mine:
            abort(403 if current_user.memberships else 404)
        review_id = mine[0]
    review = db.session.get(Review, review_id)
    if review is None or current_user.role_in(review_id) is None:
        abort(404)
    if not can_read_themes(current_user, review_id):
        abort(403)
    return review


def _themes_page(review: Review, *, form: FormState = NO_FORM, status: int = 200, message: str = ""):
    rows = themes.theme_rows(review)
    db.session.commit()  # the defaults, when the review had no themes yet
    return render_template("themes/index.html", review=review, rows=rows, form=form, message=message,
                           may_edit=can_edit_themes(current_user, review.id),
                           max_chars=themes.NAME_MAX_CHARS), status


@bp.get("/themes")
@login_required
def themes_page():
    return _themes_page(_themes_review())


@bp.post("/themes")
@login_required
def change_theme():
    review = _themes_review()
    if not can_edit_themes(current_user, review.id):
        return _themes_page(review, status=403, message=closed_review_message())
    try:
        change = ThemeChangeForm().load(form_input(request.form))
    except ValidationError as error:
        typed = FormState(request.form.get("form", "add"), flatten_errors(error.messages), request.form.to_dict())
        return _themes_page(review, form=typed, status=400, message=_("Not saved: please check what is marked."))
    action, theme_id, name = change["action"], change["theme_id"], change["name"]
    try:
        if action == "add":
            themes.add_theme(review, name, by=current_user)
            done = _("Theme added.")
        elif action == "rename":
            themes.rename_theme(review, theme_id, name, by=current_user)
            done = _("Theme renamed.")
        elif action in ("up", "down"):
            themes.move_theme(review, theme_id, -1 if action == "up" else 1, by=current_user)
            done = _("Theme moved.")
        elif action == "retire":
            themes.retire_theme(review, theme_id, by=current_user)
            done = _("Theme retired: no longer offered on new notes; notes that carry it keep it.")
        elif action == "restore":
            themes.restore_theme(review, theme_id, by=current_user)
            done = _("Theme offered again.")
        else:
            themes.delete_theme(review, theme_id, by=current_user)
            done = _("Theme deleted.")
    except themes.ThemeError as error:
        db.session.rollback()
        key = "add" if action == "add" else f"theme:{theme_id}"
        typed = FormState(key, {error.field: [error.message]}, request.form.to_dict())
        return _themes_page(review, form=typed, status=400, message=_("Not saved: please check what is marked."))
    db.session.commit()
    flash(done, "status")
    return redirect(url_for("notes.themes_page", review=review.id), 303)
