"""Sessions, CSRF, security headers and error pages: the cross-cutting part of every request.

Order matters for the sync client (DESIGN section 7): an unsafe request to the JSON API from someone not signed
in answers 401 *before* the CSRF check, so the client can tell "sign in again" from "fetch a new token".
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, current_app, g, jsonify, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

from .extensions import csrf, db, login_manager
from .i18n import html_lang, plural_forms
from .models import LoginSession, User, utcnow

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def user_key(user: User) -> str:
    """An opaque, stable name for a person on a device: the service worker files their pages under it and the
    outbox tags their changes with it, without either holding their id or email."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"fieldwork-user:{user.id}".encode(), hashlib.sha256).hexdigest()[:32]


def claims_another_user() -> bool:
    """The sync client names whose changes it carries (X-Fieldwork-User). A page left open by someone whose session
    has gone must not send their changes under the session of whoever signed in since."""
    claimed = request.headers.get("X-Fieldwork-User")
    return bool(claimed) and current_user.is_authenticated and not hmac.compare_digest(claimed, user_key(current_user))


def wrong_user_response():
    return jsonify(error="wrong_user", message=_("Someone else is signed in on this device.")), 409


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# --- sessions -------------------------------------------------------------------------------------------


def start_session(user: User) -> None:
    """Sign a user in on this device: a fresh random token, of which only the hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token),
                                user_agent=(request.user_agent.string or "")[:255]))
    db.session.commit()
    user.login_token = token
    session.clear()  # a new session id on login: no fixation
    session.permanent = True
    login_user(user)


def end_session() -> None:
    login_session = g.get("login_session")
    if login_session is not None:
        login_session.revoked_at = utcnow()
        db.session.commit()
    logout_user()
    session.clear()


def end_all_sessions(user: User) -> None:
    """Password change or account disabled: every device of this person is signed out."""
    db.session.query(LoginSession).filter_by(user_id=user.id, revoked_at=None).update({"revoked_at": utcnow()})


@login_manager.user_loader
def _load_user(token: str):
    login_session = db.session.execute(
        db.select(LoginSession).filter_by(token_hash=_token_hash(token), revoked_at=None)
    ).scalar_one_or_none()
    if login_session is None:
        return None
    lifetime: timedelta = current_app.permanent_session_lifetime
    if utcnow() - login_session.created_at > lifetime:
        return None
    user = login_session.user
    if not user.active:
        return None
    user.login_token = token
    g.login_session = login_session
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        return jsonify(error="unauthenticated", message=_("Please sign in again.")), 401
    from flask import make_response, redirect

    login = url_for("auth.login", next=request.full_path if request.query_string else request.path)
    if request.headers.get("HX-Request"):
        # A redirect would be followed inside htmx and the sign-in page swapped into a section of this one;
        # HX-Redirect makes it a whole-page visit. A form's next is the page it is on, not the form's URL.
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=_htmx_page_path())
        return response
    return redirect(login)


def _htmx_page_path() -> str:
    """The path of the page htmx asked from (HX-Current-URL), when it is on this site."""
    from urllib.parse import urlsplit

    # Only its path and query are used (and the sign-in page checks them again), so the host it names, which a
    # proxy may have rewritten, does not matter.
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return (current.path + (f"?{current.query}" if current.query else "")) or request.path


# --- request hooks --------------------------------------------------------------------------------------


def _check_csrf():
    if request.method not in UNSAFE_METHODS:
        return None
    if not current_user.is_authenticated and (request.path.startswith("/api/") or request.headers.get("HX-Request")):
        # Say "sign in" before "token expired": a lapsed session takes its CSRF secret with it, and only signing
        # in again can help (the sync client and htmx both act on a 401).
        return _unauthorized()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Personal data: browsers and proxies keep nothing; the service worker keeps what it chooses to.
        response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Cookie")
        # Pages that opt out (the link officer's console: many people's details) are never kept on a device.
        if current_user.is_authenticated and response.mimetype == "text/html" and not g.get("no_offline_copy"):
            # Whose page this is: the service worker stores pages only with this mark (service_worker/sw.js).
            response.headers["X-Fieldwork-User"] = user_key(current_user)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error_response(error: HTTPException):
    if wants_json():
        body = {"error": error.name.lower().replace(" ", "_"), "message": error.description}
        return jsonify(body), error.code
    return render_template("error.html", error=error), error.code


def _too_large(error: RequestEntityTooLarge):
    """Past Flask's bounds (MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE in visits/config.py) werkzeug answers in
    its own untranslated words; a view that checked its own limit (the sync batch) has already said what to
    send instead, and keeps its message. JSON keeps the error name the outbox and its tests know."""
    if error.description == RequestEntityTooLarge.description:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        error = RequestEntityTooLarge(description=_(
            "This is more than can be sent at once (at most %(size)s MB). Nothing was saved. If you were "
            "importing a programme, split the file into smaller files.", size=max(1, limit // 1_000_000)))
    if wants_json():
        return _error_response(error)
    # The page's heading is the error's name: in plain words here, not the HTTP status's.
    page = SimpleNamespace(name=_("Too large to send"), description=error.description)
    return render_template("error.html", error=page), 413


def _unstorable_value(error: Exception):
    """The safety net under the schemas: a value that reached the database but does not fit it (a number or a
    date past its range, text it refuses) is the client's mistake, so 400 once the request's work is undone. A
    database that is down or dropped the connection is not: that stays a 500, so a client keeps its changes and
    tries again later."""
    if isinstance(error, (OperationalError, InterfaceError)):
        raise error
    db.session.rollback()
    current_app.logger.warning("A value the database cannot hold: %s %s", request.method, request.path,
                               exc_info=error)
    return _error_response(BadRequest(description=_("Something in this request cannot be stored or looked up. "
                                                    "Check what was entered and try again.")))


def _csrf_error(error: CSRFError):
    if request.endpoint == "auth.login":
        # The sign-in form outlived its session (a phone left on the page): offer it again, email kept.
        return render_template("auth/login.html", email=(request.form.get("email") or "").strip().lower(),
                               next=request.form.get("next", ""),
                               errors={"form": _("The sign-in page had expired. Please enter your password "
                                                 "again.")}), 400
    if wants_json() or request.headers.get("HX-Request"):
        return jsonify(error="csrf", message=_("Your page was open too long. Trying again.")), 400
    return render_template("error.html", error=error,
                           message=_("This form had expired. Go back, reload the page and send it again: "
                                     "what you typed is still in the form.")), 400


# --- static assets --------------------------------------------------------------------------------------


_asset_versions: dict[str, str] = {}


def asset_url(filename: str) -> str:
    """A static URL carrying a hash of the file, so a deploy changes the URL and caches never serve stale code."""
    version = _asset_versions.get(filename)
    if version is None:
        path = Path(current_app.static_folder) / filename
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        _asset_versions[filename] = version
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _error_response)
    for unstorable in (OverflowError, DataError, StatementError):
        app.register_error_handler(unstorable, _unstorable_value)

    @app.context_processor
    def _template_helpers():
        return {"csrf_token": generate_csrf, "asset_url": asset_url, "html_lang": html_lang, "user_key": user_key,
                "format_date": format_date, "plural_forms": plural_forms}
