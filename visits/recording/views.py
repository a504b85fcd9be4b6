"""The two doors into the one write path (visits/sync.py):

- `POST /visits/<id>/ops`: the visit page's forms, with or without htmx. The form's fields *are* the operation
  (see operation_from_form), so the offline outbox can build the very same operation from the same form.
- `POST /api/sync`: a batch of operations from the offline outbox (DESIGN section 7).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import sync
from ..clock import utcnow
from ..extensions import db
from ..itinerary.views import load_visit
from ..models import Note
from ..notes.views import render_note_history
from ..operations import registry, wire
from ..permissions import can_read_note
from ..security import claims_another_user, wrong_user_response
from ..schemas import SyncOut
from .page import SECTIONS, FormState, render_visit_page

bp = Blueprint("recording", __name__)

LIST_FIELDS = ("themes",)  # a note's themes: tick boxes (templates/recording/_macros.html theme_fields)


@bp.app_template_global("operation_types_for_page")
def operation_types_for_page() -> dict[str, dict]:
    """The operation types as the browser needs them (templates/partials/sync_bar.html hands them over)."""
    return registry.operation_types_for_page()


def operation_from_form(op_type: str, form: MultiDict) -> dict:
    """The operation a visit-page form describes; the offline outbox (static/js/op_forms.js) builds the same one
    from the same form. The type is the form's data-op-type (here: `?type=` of its action); `op_id` and
    `base_version` ("" = null) complete the envelope; every other field but `csrf_token` is `data`, with
    `prompts.<key>` fields nested as `data.prompts[key]` (left out when blank); a missing `at` is now. A field
    of LIST_FIELDS (tick boxes) is every value sent under its name, blanks left out, so an empty hidden field of
    that name sends the list even when nothing is ticked."""
    op: dict = {"op_id": form.get("op_id", ""), "type": op_type, "base_version": form.get("base_version") or None}
    data: dict = {}
    for name, value in form.items():
        if name in ("csrf_token", "op_id", "base_version"):
            continue
        if name.startswith("prompts."):
            if value.strip():
                data.setdefault("prompts", {})[name.removeprefix("prompts.")] = value
            continue
        if name in LIST_FIELDS:
            data[name] = [item for item in form.getlist(name) if item.strip()]
            continue
        data[name] = value
    entry = registry.OPERATION_TYPES.get(op_type)
    # Without JavaScript nobody can say when the button was pressed but the server: it was just now.
    if entry is not None and entry.timed and not data.get("at"):
        data["at"] = utcnow().isoformat()
    op["data"] = data
    return op


@bp.post("/visits/<int:visit_id>/ops")
@login_required
def record(visit_id: int):
    load_visit(visit_id)  # 404, as for the page, when this person may not know the visit
    # The action URL says which form this is: `type` of operation, `form` (to show it again), `next` page.
    op = operation_from_form(request.args.get("type", ""), request.form)
    posted_visit = op["data"].get("visit_id")
    if posted_visit is not None and posted_visit != str(visit_id):
        # A form posted to this visit's page changes this visit, never another one named in its fields.
        answer = {"op_id": op["op_id"], "type": op["type"], "status": "rejected",
                  "errors": {"visit_id": [_("This form belongs to another visit. Reload the page.")]}}
    else:
        answer = sync.apply_operation(current_user, op)
    outcome = answer.get("first_status", answer["status"])
    entry = registry.OPERATION_TYPES.get(op["type"])
    section = entry.section if entry is not None else None
    htmx = request.headers.get("HX-Request") == "true"
    visit, access = load_visit(visit_id)  # again: the page shows the visit as the operation left it

    if outcome == "applied":
        # A replay answers for the op_id, whatever type the form now names: it may name none of ours.
        message = (entry.done_message(version=answer.get("version"), time=format_time(utcnow(), "HH:mm"))
                   if entry is not None else _("Saved."))
        if htmx and section:
            return render_visit_page(visit, access, section=section, message=message)
        flash(message, "status")
        return redirect(url_for("itinerary.visit_page", visit_id=visit_id, _anchor=section), 303)

    if outcome == "conflict":
        flash(_("This note was changed elsewhere since you opened it. Both texts are kept: merge them here."),
              "status")
        target = url_for("notes.history", note_id=answer["note_id"])
        if htmx:
            response = current_app.make_response(("", 204))
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target, 303)

    if outcome == "rejected":
        values = request.form.to_dict()
        values.update({name: request.form.getlist(name) for name in LIST_FIELDS if name in request.form})
        typed = FormState(request.args.get("form", ""), answer.get("errors", {}), values)
        if request.args.get("next") == "note_history":
            note = db.session.get(Note, request.form.get("note_id", ""))
            # The id comes from the form, not from an answer: show the note only to someone who may read it.
            if note is not None and can_read_note(current_user, note):
                return render_note_history(note, form=typed, status=400)
        return render_visit_page(visit, access, section=section if htmx else None, form=typed, status=400,
                                 message=_("Not saved: please check what is marked below."))

    # forbidden: the page offered no such form, so this is someone else's button or a stale page -- or the review
    # was closed since the page was loaded, which the answer says (visits/operations/refusals.py).
    if htmx and section:
        reason = " ".join(answer.get("errors", {}).get("_schema", []))
        return render_visit_page(visit, access, section=section, status=403,
                                 message=reason or _("You may not make this change on this visit."))
    abort(403)


def _json_body(limit_bytes: int):
    """The request's JSON (visits/operations/wire.py), or None when it is not JSON; 413 past `limit_bytes`, whether
    or not a Content-Length was sent (a chunked upload has none, so the bytes are counted as they are read)."""
    too_large = _("Send at most %(bytes)s bytes at a time.", bytes=limit_bytes)
    if request.content_length is not None and request.content_length > limit_bytes:
        abort(413, description=too_large)
    chunks, size = [], 0
    while size <= limit_bytes:
        chunk = request.stream.read(min(64 * 1024, limit_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit_bytes:
        abort(413, description=too_large)
    # One operation nested beyond reason or holding a number too long to read is answered alone, not the batch.
    return wire.read_batch(b"".join(chunks))


@bp.get("/visits/<int:visit_id>/sections/<name>")
@login_required
def section(visit_id: int, name: str):
    """One section of the visit page, fresh: what a script swaps in once the outbox has applied a change made
    there (its own URL, so the service worker never mistakes it for a page)."""
    visit, access = load_visit(visit_id)
    if name not in SECTIONS or not access.full or (name == "notes" and not access.notes):
        abort(404)
    return render_visit_page(visit, access, section=name)


@bp.post("/api/sync")
@login_required
def sync_batch():
    """A batch of operations from the outbox; each answered in order (visits/sync.py)."""
    if claims_another_user():
        return wrong_user_response()
    body = _json_body(current_app.config["SYNC_MAX_BYTES"])
    if not isinstance(body, dict) or not isinstance(body.get("ops"), list):
        return jsonify(error="invalid_json", message=_('Send JSON like {"ops": [...]}.')), 400
    if len(body["ops"]) > current_app.config["SYNC_MAX_OPS"]:
        abort(413, description=_("Send at most %(count)s operations at a time.",
                                 count=current_app.config["SYNC_MAX_OPS"]))
    results = sync.apply_batch(current_user, body["ops"])
    return jsonify(SyncOut().dump({"results": results}))
