"""Two-factor pages: enrolling TOTP and passkeys on /account/two-factor, and the second step of signing in on
/login/two-factor (a code, or a passkey), plus signing in with a passkey alone from /login."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..api.responses import bad_request
from ..auth.passwords import verify_password
from ..auth.views import safe_next
from ..extensions import db, limiter
from ..models import Passkey
from ..permissions import role_requires_two_factor
from ..schemas.base import flatten_errors
from ..schemas.forms import form_input
from ..schemas.two_factor import (
    CodeForm, ConfirmIdentityForm, PasskeyAssertion, PasskeyRegistration,
)
from ..sessions import current_session, start_session
from . import passkeys, service

bp = Blueprint("two_factor", __name__)

# A WebAuthn answer is a few kilobytes; anything much bigger is not one.
_PASSKEY_BODY_MAX = 32 * 1024


@bp.before_request
def _never_kept_offline():
    # The pending secret and the recovery codes must not stay in the service worker's page cache on a phone.
    g.no_offline_copy = True


def _two_factor_rate_limit() -> str:
    return current_app.config["TWO_FACTOR_RATE_LIMIT"]


def _pending_user_key() -> str:
    """Guesses are counted per person waiting for their second step, whichever addresses they come from."""
    return f"two-factor-user:{service.pending_user_id()}"


def _field_errors(error: ValidationError) -> dict[str, str]:
    return {field: messages[0] for field, messages in flatten_errors(error.messages).items()}


# --- Enrolment and the account's second factors ---------------------------------------------------------------

def _account_page(errors=None, status=200):
    user = current_user
    secret = None if user.has_totp else service.pending_secret(user)
    return render_template(
        "two_factor/account.html", errors=errors or {}, secret=secret,
        qr_svg=service.qr_code_svg(user, _("Fieldwork")) if secret else None,
        required=role_requires_two_factor(user), recovery_left=service.unused_recovery_codes(user),
        passkeys=sorted(user.passkeys, key=lambda p: p.created_at)), status


@bp.route("/account/two-factor", methods=["GET"])
@login_required
def account():
    return _account_page()


@bp.route("/account/two-factor", methods=["POST"])
@login_required
def confirm():
    try:
        form = CodeForm().load(form_input(request.form))
    except ValidationError as error:
        return _account_page(_field_errors(error), 400)
    recovery = service.confirm_enrolment(current_user, form["code"])
    if recovery is None:
        return _account_page({"code": _("That code is not right. Enter the 6 digits your app shows now.")}, 400)
    login_session = current_session()
    if login_session is not None and login_session.needs_enrolment:
        login_session.needs_enrolment = False
        db.session.commit()
    return render_template("two_factor/recovery_codes.html", codes=recovery, enrolled=True)


def _confirmed_identity():
    """A current code or the password, for a change to the second factor itself; field errors, else None."""
    try:
        form = ConfirmIdentityForm().load(form_input(request.form))
    except ValidationError as error:
        return _field_errors(error)
    user = current_user
    if form.get("code") and service.check_totp(user, form["code"]):
        db.session.commit()
        return None
    if form.get("password") and user.password_hash and verify_password(user.password_hash, form["password"]):
        return None
    db.session.rollback()
    return {"code": _("That code or password is not right.")}


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def disable():
    if not current_user.has_totp:
        return redirect(url_for(".account"), 303)
    if role_requires_two_factor(current_user):
        # Their roles see many people's data: the page offers no way to turn it off, and neither does the server.
        abort(403)
    errors = _confirmed_identity()
    if errors:
        return _account_page(errors, 400)
    service.turn_off_totp(current_user)
    return redirect(url_for(".account", turned_off=1), 303)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    if not current_user.has_totp:
        return redirect(url_for(".account"), 303)
    errors = _confirmed_identity()
    if errors:
        return _account_page(errors, 400)
    return render_template("two_factor/recovery_codes.html", codes=service.regenerate_recovery_codes(current_user),
                           enrolled=False)


def _passkey_body(schema):
    if (request.content_length or 0) > _PASSKEY_BODY_MAX:
        return None, (jsonify(error="too_large"), 413)
    try:
        return schema().load(request.get_json(silent=True) or {}), None
    except ValidationError as error:
        return None, bad_request(error)


@bp.route("/account/passkeys/options", methods=["POST"])
@login_required
def passkey_registration_options():
    return current_app.response_class(passkeys.registration_options(current_user), mimetype="application/json")


@bp.route("/account/passkeys", methods=["POST"])
@login_required
def register_passkey():
    body, refusal = _passkey_body(PasskeyRegistration)
    if refusal:
        return refusal
    try:
        passkeys.register(current_user, body["credential"], body["name"] or _("Passkey"))
    except passkeys.PasskeyRefused:
        db.session.rollback()
        return jsonify(error="passkey_refused", message=_("That passkey could not be registered.")), 400
    return jsonify(redirect=url_for(".account", passkey_added=1))


@bp.route("/account/passkeys/<int:passkey_id>/remove", methods=["POST"])
@login_required
def remove_passkey(passkey_id: int):
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != current_user.id:
        abort(404)
    passkeys.remove(current_user, passkey)
    return redirect(url_for(".account", passkey_removed=1), 303)


# --- The second step of signing in ---------------------------------------------------------------------------

def _second_step_page(user, errors=None, status=200):
    return render_template("two_factor/second_step.html", errors=errors or {}, has_totp=user.has_totp,
                           has_passkey=bool(user.passkeys)), status


def _lapsed():
    return redirect(url_for("auth.login", expired=1), 303 if request.method == "POST" else 302)


@bp.route("/login/two-factor", methods=["GET"])
def second_step():
    pending = service.pending_sign_in()
    if pending is None:
        return _lapsed()
    return _second_step_page(pending[0])


@bp.route("/login/two-factor", methods=["POST"])
@limiter.limit(_two_factor_rate_limit, key_func=_pending_user_key)
@limiter.limit(_two_factor_rate_limit)
def second_step_code():
    pending = service.pending_sign_in()
    if pending is None:
        return _lapsed()
    user, next_url = pending
    try:
        form = CodeForm().load(form_input(request.form))
    except ValidationError as error:
        return _second_step_page(user, _field_errors(error), 400)
    if not service.check_second_factor(user, form["code"]):
        return _second_step_page(user, {"code": _("That code is not right. Enter the 6 digits your app shows now, "
                                                  "or one of your recovery codes.")}, 400)
    start_session(user)
    return redirect(safe_next(next_url), 303)


@bp.route("/login/passkey/options", methods=["POST"])
@limiter.limit(_two_factor_rate_limit)
def passkey_sign_in_options():
    pending = service.pending_sign_in()
    return current_app.response_class(passkeys.authentication_options(pending[0] if pending else None),
                                      mimetype="application/json")


@bp.route("/login/passkey", methods=["POST"])
@limiter.limit(_two_factor_rate_limit)
def passkey_sign_in():
    body, refusal = _passkey_body(PasskeyAssertion)
    if refusal:
        return refusal
    pending = service.pending_sign_in()
    try:
        user = passkeys.authenticate(body["credential"], pending[0] if pending else None)
    except passkeys.PasskeyRefused:
        db.session.rollback()
        return jsonify(error="passkey_refused", message=_("That passkey did not sign you in.")), 400
    if not user.active:
        return jsonify(error="passkey_refused", message=_("That passkey did not sign you in.")), 400
    # With user verification the passkey is both factors: no password, and no second step, is asked for.
    start_session(user)
    return jsonify(redirect=safe_next(pending[1] if pending else body["next"]))
