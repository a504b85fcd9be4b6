"""Signing in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..models import User
from ..permissions import must_enrol_second_factor, second_factor_waived
from ..push.service import forget_session
from ..sessions import current_session, end_session, start_session
from ..two_factor.service import remember_pending_sign_in
from .passwords import hash_password, needs_rehash, verify_password

bp = Blueprint("auth", __name__)

# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = hash_password("not a real password")


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect to another host."""
    # A backslash reads as a slash to browsers ("/\\evil.example" is another host), and control characters
    # have no place in a path.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc \
            and "\\" not in target and target.isprintable():
        return target
    return url_for("itinerary.today")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    errors: dict[str, str] = {}
    email = (request.form.get("email") or "").strip().lower()
    if request.method == "POST":
        password = request.form.get("password") or ""
        if not email:
            errors["email"] = _("Enter your email address.")
        if not password:
            errors["password"] = _("Enter your password.")
        if not errors:
            user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
            valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
            if user and valid and user.active:
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                return _after_password(user, request.form.get("next"))
            errors["form"] = _("That email and password do not match an active account.")
    status = 400 if errors else 200
    return render_template("auth/login.html", errors=errors, email=email,
                           next=request.values.get("next", "")), status


def _after_password(user: User, next_url: str | None):
    """The password was right: the second step when they have a second factor, enrolment first when their roles
    require one and they have none, else signed in."""
    if user.has_second_factor and not second_factor_waived(user):
        db.session.commit()  # a rehashed password is kept even if the second step never comes
        remember_pending_sign_in(user, safe_next(next_url))
        return redirect(url_for("two_factor.second_step"))
    if must_enrol_second_factor(user):
        start_session(user, needs_enrolment=True)
        return redirect(url_for("two_factor.account"))
    start_session(user)
    return redirect(safe_next(next_url))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if current_session() is not None:  # this phone's alerts stop with its sign-in (DESIGN section 13)
        forget_session(current_session().id)
    end_session()
    return redirect(url_for("auth.login", signed_out=1))
