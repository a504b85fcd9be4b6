"""The security policy of every request: the CSRF check in its place, the headers, and whose page this is.

Order matters for the sync client (DESIGN section 7): an unsafe request to the JSON API from someone not signed
in answers 401 *before* the CSRF check, so the client can tell "sign in again" from "fetch a new token".
"""
from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .errors import unauthenticated_response
from .extensions import csrf
from .models import User

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


def _check_csrf():
    if request.method not in UNSAFE_METHODS:
        return None
    if request.routing_exception is not None:
        return None  # no route takes it, so it changes nothing: let routing answer (404, or 405 with Allow)
    if not current_user.is_authenticated and (request.path.startswith("/api/") or request.headers.get("HX-Request")):
        # Say "sign in" before "token expired": a lapsed session takes its CSRF secret with it, and only signing
        # in again can help (the sync client and htmx both act on a 401).
        return unauthenticated_response()
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


def init_app(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
