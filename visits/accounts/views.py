"""One's own account (DESIGN section 10): following an invitation or reset link, asking for a reset, the account
page, changing one's password and the devices one is signed in on."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..audit import record
from ..auth.passwords import verify_password
from ..extensions import db, limiter
from ..models import LoginSession, TokenPurpose
from ..schemas import flatten_errors
from ..schemas.accounts import (
    NewPasswordForm, PasswordChangeForm, ResetRequestForm, password_form_input,
)
from ..sessions import current_session, end_other_sessions, end_session, live_sessions
from ..clock import system_utcnow
from . import mail, service, tokens
from .devices import device_name

bp = Blueprint("accounts", __name__)

RESET_REQUEST_RATE_LIMIT = "5 per minute;20 per hour"


def _load(schema, names: tuple[str, ...]) -> tuple[dict, dict[str, list[str]]]:
    try:
        return schema.load(password_form_input(request.form, names)), {}
    except ValidationError as error:
        return {}, flatten_errors(error.messages)


# --- Links: an invitation or a reset ------------------------------------------------------------------------------

def _link_invalid():
    """Used, expired, unknown, or the account switched off: one page, saying nothing of which."""
    return render_template("account/link_invalid.html"), 404


def _choose_password(token: str, purpose: TokenPurpose, heading: str):
    row = tokens.find(token, purpose)
    if row is None:
        return _link_invalid()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values, errors = _load(NewPasswordForm(), ("password",))
        if not errors:
            try:
                service.complete_with_token(row, values["password"])
            except service.PasswordRefused as refused:
                errors = {"password": refused.problems}
            except tokens.TokenAlreadyUsed:
                db.session.rollback()
                return _link_invalid()
        if not errors:
            db.session.commit()
            if current_user.is_authenticated:
                end_session()  # whoever was signed in on this browser: the person now signs in as themselves
            # Signed in through /login, not here: that is where the second factor is asked for or enrolled.
            flash(_("Password set. Sign in."), "status")
            return redirect(url_for("auth.login"))
        db.session.rollback()
    return render_template("account/choose_password.html", heading=heading, account=row.user, errors=errors,
                           purpose=purpose.value), 400 if errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str):
    return _choose_password(token, TokenPurpose.invitation, _("Choose your password"))


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _choose_password(token, TokenPurpose.reset, _("Choose a new password"))


def _reset_rate_limit() -> str:
    return current_app.config.get("RESET_RATE_LIMIT", RESET_REQUEST_RATE_LIMIT)


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_reset_rate_limit, methods=["POST"])
def request_reset():
    errors: dict[str, list[str]] = {}
    email = (request.form.get("email") or "").strip()[:254]
    if request.method == "POST":
        values, errors = _load(ResetRequestForm(), ("email",))
        if not errors:
            # The same answer whether or not the account exists, so the page cannot be used to learn who has one.
            user = service.find_account(values["email"])
            if user is not None and user.active:
                service.issue_reset(user, by=None)
                db.session.commit()
            return render_template("account/reset_requested.html", mail_configured=mail.mail_configured())
    return render_template("account/reset_request.html", errors=errors, email=email,
                           mail_configured=mail.mail_configured()), 400 if errors else 200


# --- One's own account --------------------------------------------------------------------------------------------

@bp.route("/account")
@login_required
def account():
    return render_template("account/index.html", account=current_user, has_totp=current_user.has_totp,
                           passkey_count=len(current_user.passkeys))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values, errors = _load(PasswordChangeForm(), ("current_password", "new_password"))
        if not errors and not verify_password(current_user.password_hash, values["current_password"]):
            errors["current_password"] = [_("That is not your current password.")]
        if not errors:
            try:
                service.set_password(current_user, values["new_password"])
            except service.PasswordRefused as refused:
                errors["new_password"] = refused.problems
        if not errors:
            ended = end_other_sessions(current_user)
            record(current_user, "password_changed", "user", current_user.id, None, sessions_ended=ended)
            db.session.commit()
            flash(_("Your password is changed. You are still signed in here; your other devices are signed out."),
                  "status")
            return redirect(url_for("accounts.account"))
        db.session.rollback()
    return render_template("account/password.html", account=current_user, errors=errors), 400 if errors else 200


@bp.route("/account/sessions")
@login_required
def sessions():
    this_one = current_session()
    devices = [{"id": row.id, "name": device_name(row.user_agent), "signed_in_at": row.created_at,
                "last_seen_at": row.last_seen_at, "this_device": this_one is not None and row.id == this_one.id}
               for row in live_sessions(current_user)]
    return render_template("account/sessions.html", devices=devices)


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_others():
    ended = end_other_sessions(current_user)
    record(current_user, "sessions_ended", "user", current_user.id, None, sessions_ended=ended)
    db.session.commit()
    flash(_("Your other devices are signed out."), "status")
    return redirect(url_for("accounts.sessions"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_one(session_id: int):
    """One chosen device. Only one's own, and not this one (signing out here is the Sign out button)."""
    this_one = current_session()
    row = db.session.get(LoginSession, session_id)
    if row is None or row.user_id != current_user.id or row.revoked_at is not None \
            or (this_one is not None and row.id == this_one.id):
        abort(404)
    row.revoked_at = system_utcnow()
    record(current_user, "sessions_ended", "user", current_user.id, None, sessions_ended=1, session_id=row.id)
    db.session.commit()
    flash(_("That device is signed out."), "status")
    return redirect(url_for("accounts.sessions"))
