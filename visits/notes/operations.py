"""note.save: a note is versioned, and a save made from an older version never overwrites a newer text.

- New note_id: a new note, version 1.
- base_version == the current version: the text is replaced, version + 1.
- While a conflict waits, only a save that says it is the merge (`resolves_conflict`, sent by the merge form on
  the history page) replaces the text and resolves it; any other save becomes one more conflict copy, so the
  other device's text is never dropped by an ordinary edit.
- Anything else (an older base, or a client that counted ahead): a *conflict*. The current text stays; the
  incoming text is kept as a conflict revision for the author to merge on the history page.
Every saved text is a NoteRevision, so the history is complete.

Themes (`themes`, ids of the note's review's themes, visits/themes.py) replace the note's themes on a save that is
applied; left out, the note keeps its own. A change of themes alone is a new version too (the form that sent it
expects one), and never a conflict: there is no text to lose. A save kept as a conflict copy changes no themes;
the merge form carries them. An id that is not one of the review's themes rejects the save.

The conversation's language and the Welsh active offer (`language`, `active_offer`; visits/notes/language.py)
behave as themes do: left out (null, ""), the note keeps its own; "none" takes one back to not recorded; a change
of them alone is a new version, never a conflict. A conflict copy keeps the ones it carried, and the merge form
offers them (visits/notes/views.py). They are note content: the audit log, which the coordinator reads, never
holds them.
"""
from __future__ import annotations

from flask_babel import gettext as _

from .. import audit
from .language import sent_conversation
from ..clock import utcnow
from ..extensions import db
from ..models import Note, NoteKind, NoteRevision, User, Visit
from ..permissions import can_edit_note, visit_access
from ..operations.contract import IncomingOperation, applied, rejected
from ..operations.refusals import refused
from ..themes import ThemeError, resolve_note_themes


def save_note(user: User, op: IncomingOperation) -> dict:
    # Locked and read afresh (not the copy an earlier operation of the batch left in the session): a save from
    # another device waits here for this one's transaction, then compares its base with the version that commits,
    # so two saves from the same version make one new version and one conflict copy, never two version 2s.
    note = db.session.get(Note, str(op.data["note_id"]), with_for_update=True, populate_existing=True)
    if note is None:
        return _create(user, op)
    return _update(user, op, note)


def _create(user: User, op: IncomingOperation) -> dict:
    visit = db.session.get(Visit, op.data["visit_id"])
    access = visit_access(user, visit) if visit else None
    if not (access and access.write_notes):
        raise refused(user, visit.review_id if visit else None)
    themes = _themes(op, visit.review_id) or []
    note = Note(id=str(op.data["note_id"]), visit=visit, author_id=user.id, kind=NoteKind(op.data["kind"]),
                body=op.data["body"], prompts=op.data["prompts"], version=1)
    note.language, note.active_offer = sent_conversation(op.data, None, None)
    note.themes = themes
    db.session.add(note)
    _keep_revision(note, user, op)
    audit.record(user, "note.save", "note", note.id, visit.review_id, op_id=op.op_id, version=1,
                 themes=[theme.id for theme in themes])
    return applied(note_id=note.id, version=1)


def _update(user: User, op: IncomingOperation, note: Note) -> dict:
    if not can_edit_note(user, note):
        raise refused(user, note.visit.review_id)
    if note.visit_id != op.data["visit_id"]:
        raise rejected("visit_id", _("A note stays on the visit it was written for."))
    if note.kind.value != op.data["kind"]:
        raise rejected("kind", _("A note keeps the kind it was written as."))
    themes = _themes(op, note.visit.review_id)
    same_themes = themes is None or {t.id for t in themes} == {t.id for t in note.themes}
    language, offer = sent_conversation(op.data, note.language, note.active_offer)
    same_conversation = (language, offer) == (note.language, note.active_offer)
    same_text = (op.data["body"], op.data["prompts"]) == (note.body, note.prompts or {})
    if same_text and not note.in_conflict:
        if same_themes and same_conversation:
            return applied(note_id=note.id, version=note.version)  # the same text sent twice is not a conflict
        # Only the themes or the conversation's language changed: nothing to conflict with, whatever version the
        # device started from.
    elif op.base_version != note.version or (note.in_conflict and not op.data.get("resolves_conflict")):
        return _keep_conflict(user, op, note)
    note.body, note.prompts = op.data["body"], op.data["prompts"]
    if themes is not None:
        note.themes = themes
    note.language, note.active_offer = language, offer
    note.version += 1
    note.updated_at = utcnow()
    merged = note.in_conflict
    if merged:
        for revision in note.revisions:
            if revision.is_conflict:
                revision.resolved = True
        note.in_conflict = False
    _keep_revision(note, user, op)
    audit.record(user, "note.save", "note", note.id, note.visit.review_id, op_id=op.op_id, version=note.version,
                 merged=merged, themes=[theme.id for theme in note.themes])
    return applied(note_id=note.id, version=note.version)


def _keep_conflict(user: User, op: IncomingOperation, note: Note) -> dict:
    # What it said of the conversation is kept with its text (None: it said nothing, or "not recorded").
    language, offer = sent_conversation(op.data, None, None)
    db.session.add(NoteRevision(note=note, version=None, base_version=op.base_version, body=op.data["body"],
                                prompts=op.data["prompts"], saved_by_id=user.id, op_id=op.op_id,
                                is_conflict=True, language=language, active_offer=offer))
    note.in_conflict = True
    review_id = note.visit.review_id
    audit.record(user, "note.conflict", "note", note.id, review_id, op_id=op.op_id, base_version=op.base_version,
                 server_version=note.version)
    # The answer carries the server's text so the device can show the merge: that is a read of the note.
    audit.record(user, "read", "note", note.id, review_id, op_id=op.op_id)
    return {"status": "conflict", "note_id": note.id, "server_version": note.version, "server_body": note.body,
            "server_prompts": note.prompts or {}}


def _themes(op: IncomingOperation, review_id: int):
    """The themes the save names (None: it names none, the note keeps its own); `rejected` when one is not the
    review's."""
    if op.data.get("themes") is None:
        return None
    try:
        return resolve_note_themes(review_id, op.data["themes"])
    except ThemeError as error:
        raise rejected(error.field, error.message) from None


def _keep_revision(note: Note, user: User, op: IncomingOperation) -> None:
    db.session.add(NoteRevision(note=note, version=note.version, base_version=op.base_version, body=note.body,
                                prompts=note.prompts, saved_by_id=user.id, op_id=op.op_id,
                                language=note.language, active_offer=note.active_offer))
