"""A participant's rights, for the lead reviewer of their review (permissions.can_manage_participant_rights):

- GET  /participants/<id>/rights       the page: what is held, the export, the withdrawal form with what it changes
- GET  /participants/<id>/export.json  everything held about them, as a download (an audited read of their record)
- POST /participants/<id>/withdraw     record that consent was withdrawn (confirmed with a tick; a second time is
                                       refused and says when the first was recorded)

Anyone else: 404 when they are not on the participant's review (they may not know the person exists), 403 when
they are but their role may not. Parse → check → act (service.py) → render.
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from .. import audit
from ..extensions import db
from ..models import Participant, Review
from ..permissions import can_manage_participant_rights
from ..schemas.base import flatten_errors
from ..schemas.forms import form_input
from .forms import WithdrawalForm
from .service import RECEIVED_CHANNELS, AlreadyWithdrawn, participant_export, plan_withdrawal, withdraw_consent

bp = Blueprint("rights", __name__)


@bp.before_request
def _no_offline_copy():
    """Everything about one person: for the desk, never a phone's offline cache (visits/security.py)."""
    g.no_offline_copy = True


def _participant(participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or current_user.role_in(participant.review_id) is None:
        abort(404)
    if not can_manage_participant_rights(current_user, participant.review_id):
        abort(403)
    return participant


def _channel_labels() -> list[tuple[str, str]]:
    words = {
        "phone": _("A phone call"), "email": _("An email"), "letter": _("A letter"),
        "in_person": _("In person, at a visit"), "through_link_officer": _("Through the council's link officer"),
        "through_carer_or_advocate": _("Through a carer, advocate or relative"), "other": _("Another way"),
    }
    return [(code, words[code]) for code in RECEIVED_CHANNELS]


def _page(participant: Participant, errors: dict | None = None, values: dict | None = None, status: int = 200):
    plan = plan_withdrawal(participant) if participant.consent_withdrawn_at is None else None
    audit.record(current_user, "read", "participant", participant.id, participant.review_id, view="rights")
    db.session.commit()
    errors = errors or {}
    field_errors = {name: messages for name, messages in errors.items() if name != "form"}
    return render_template("rights/participant.html", participant=participant, plan=plan, errors=errors,
                           field_errors=field_errors, values=values or {}, channels=_channel_labels(),
                           format_datetime=format_datetime), status


@bp.get("/participants/<int:participant_id>/rights")
@login_required
def participant(participant_id: int):
    return _page(_participant(participant_id))


@bp.get("/participants/<int:participant_id>/export.json")
@login_required
def export(participant_id: int):
    person = _participant(participant_id)
    body = json.dumps(participant_export(person), ensure_ascii=False, indent=2)
    audit.record(current_user, "read", "participant", person.id, person.review_id, view="export")
    db.session.commit()
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="participant-{person.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/participants/<int:participant_id>/withdraw")
@login_required
def withdraw(participant_id: int):
    person = _participant(participant_id)
    posted = form_input(request.form)
    try:
        values = WithdrawalForm().load(posted)
    except ValidationError as error:
        return _page(person, flatten_errors(error.messages), posted, 400)
    try:
        plan = withdraw_consent(db.session.get(Review, person.review_id), current_user, person, values.get("received"))
    except AlreadyWithdrawn as refused:
        db.session.rollback()
        message = _("Consent withdrawal was already recorded on %(when)s. Nothing was changed.",
                    when=format_datetime(refused.when, "d MMMM yyyy HH:mm"))
        return _page(person, {"form": [message]}, posted, 409)
    db.session.commit()
    counts = plan.counts()
    flash(_("Recorded that consent was withdrawn. Their details were erased; %(cancelled)s upcoming visits "
            "cancelled; %(notes)s notes kept and marked.", cancelled=counts["visits_cancelled"],
            notes=counts["notes_marked"]), "status")
    return redirect(url_for("rights.participant", participant_id=person.id), 303)
