"""The lone-worker ladder's pages (DESIGN section 13):

- `GET/POST /alerts/settings?review=<id>`: the ladder's minutes and the out-of-hours email, for the review's lead
  and link officers;
- `POST /alerts/<id>/acknowledge`: answering an alert (the notification opens the board, where this button is);
- `GET/POST /account/duress-code`: one's own duress code, set, changed or removed, never shown back;
- `team_alerted_at(visit)` for the visit page: "the link officer has been alerted".
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from .. import audit
from ..auth.passwords import hash_password, verify_password
from ..clock import utcnow
from ..extensions import db
from ..models import AlertEvent, AlertKind, OverdueAcknowledgement
from ..permissions import can_acknowledge_alert, can_edit_alert_settings, role_for, sees_duress_event
from ..programme.context import review_for, reviews_choice
from ..schemas import flatten_errors
from ..schemas.alert_settings import AlertSettingsForm, DuressCodeForm
from ..schemas.forms import form_input
from . import overdue_alerts

bp = Blueprint("alerts", __name__)


@bp.app_template_global("team_alerted_at")
def team_alerted_at(visit_id: int):
    """For the visitors' page: when the lead and link officers were alerted that this visit ran over, or None."""
    from ..models import Visit

    visit = db.session.get(Visit, visit_id)
    return overdue_alerts.team_alerted_at(visit) if visit is not None else None


# --- Settings -------------------------------------------------------------------------------------------------------

def _settings_values(review) -> dict:
    return {"grace_minutes": "" if review.alert_grace_minutes is None else str(review.alert_grace_minutes),
            "team_minutes": str(review.alert_team_minutes), "out_of_hours_minutes":
            str(review.alert_out_of_hours_minutes), "out_of_hours_email": review.out_of_hours_email or ""}


def _settings_page(review, values=None, errors=None, status: int = 200):
    from flask import current_app

    return render_template("alerts/settings.html", review=review, values=values or _settings_values(review),
                           errors=errors or {}, reviews=reviews_choice(can_edit_alert_settings),
                           default_grace=current_app.config["OVERDUE_GRACE_MINUTES"],
                           saved=request.args.get("saved") == "1"), status


@bp.get("/alerts/settings")
@login_required
def settings():
    return _settings_page(review_for(can_edit_alert_settings))


@bp.post("/alerts/settings")
@login_required
def save_settings():
    review = review_for(can_edit_alert_settings)
    posted = form_input(request.form)
    try:
        form = AlertSettingsForm().load(posted)
    except ValidationError as error:
        return _settings_page(review, {**_settings_values(review), **posted}, flatten_errors(error.messages), 400)
    new = {"alert_grace_minutes": form["grace_minutes"], "alert_team_minutes": form["team_minutes"],
           "alert_out_of_hours_minutes": form["out_of_hours_minutes"],
           "out_of_hours_email": form["out_of_hours_email"].strip().lower()}
    changed = sorted(name for name, value in new.items() if getattr(review, name) != value)
    for name, value in new.items():
        setattr(review, name, value)
    # The fields changed, not their values: an email address is not for the audit log.
    audit.record(current_user, "alert.settings", "review", review.id, review.id, changed=changed)
    db.session.commit()
    return redirect(url_for("alerts.settings", review=review.id, saved=1), 303)


# --- Acknowledgement -------------------------------------------------------------------------------------------------

@bp.post("/alerts/<int:event_id>/acknowledge")
@login_required
def acknowledge(event_id: int):
    event = db.session.get(AlertEvent, event_id)
    if event is None or event.kind not in overdue_alerts.LADDER_KINDS \
            or role_for(current_user, event.review_id) is None:
        abort(404)
    if not can_acknowledge_alert(current_user, event.review_id):
        abort(403)
    now = utcnow()
    if not sees_duress_event(current_user, event):
        # The person under duress (or whoever holds their phone): answered as an acknowledgement would be, and the
        # ladder climbs on. The log's row has no actor and is hidden from them (audit_log/queries.py).
        audit.record(None, "alert.acknowledge_ignored", "alert_event", event.id, event.review_id,
                     kind=event.kind.value, visit_id=event.visit_id, by=current_user.id)
        flash(_("Acknowledged: the alert stops here. Follow it up now."), "status")
    elif overdue_alerts.acknowledge_event(event, current_user, now, via="alert"):
        if event.kind is AlertKind.overdue and event.visit_id:  # the board shows it answered, as its own button does
            db.session.add(OverdueAcknowledgement(visit_id=event.visit_id, user_id=current_user.id,
                                                  acknowledged_at=now))
        flash(_("Acknowledged: the alert stops here. Follow it up now."), "status")
    else:
        flash(_("This alert was already acknowledged or is over."), "status")
    db.session.commit()
    return redirect(url_for("programme.board", review=event.review_id), 303)


# --- The duress code -------------------------------------------------------------------------------------------------

def _duress_page(errors=None, status: int = 200):
    return render_template("account/duress_code.html", has_code=bool(current_user.duress_code_hash),
                           errors=errors or {}), status


@bp.get("/account/duress-code")
@login_required
def duress_code():
    return _duress_page()


@bp.post("/account/duress-code")
@login_required
def save_duress_code():
    if request.form.get("action") == "remove":
        if current_user.duress_code_hash:
            current_user.duress_code_hash = None
            audit.record(current_user, "duress_code.removed", "user", current_user.id, None)
            db.session.commit()
        flash(_("Your duress code is removed. Check-outs no longer ask for it."), "status")
        return redirect(url_for("accounts.account"), 303)
    # Not stripped into form_input's blanks-left-out: a code is digits only, and never echoed back.
    posted = {name: request.form.get(name, "").strip() for name in ("code", "repeat_code")}
    posted = {name: value for name, value in posted.items() if value}
    try:
        form = DuressCodeForm().load(posted)
    except ValidationError as error:
        return _duress_page(flatten_errors(error.messages), 400)
    if current_user.password_hash and verify_password(current_user.password_hash, form["code"]):
        return _duress_page({"code": [_("Choose a code that is not your password.")]}, 400)
    had_code = bool(current_user.duress_code_hash)
    current_user.duress_code_hash = hash_password(form["code"])
    audit.record(current_user, "duress_code.changed" if had_code else "duress_code.set", "user", current_user.id,
                 None)
    db.session.commit()
    flash(_("Your duress code is saved. It is not shown again: remember it."), "status")
    return redirect(url_for("accounts.account"), 303)
