"""Two-factor sign-in (DESIGN section 10): TOTP, recovery codes and passkeys, and the enrolment gate."""
from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..permissions import must_enrol_second_factor

# What someone who must enrol may still reach: enrolling itself, signing out, and what any page needs to load
# (static files, the service worker and its offline page, the manifest) or a load balancer asks (/healthz).
_OPEN_ENDPOINTS = {"auth.logout", "static", "offline.service_worker", "offline.offline_page", "offline.manifest",
                   "health.healthz", "privacy.privacy"}


def _enrolment_gate():
    """Decided on every request, not at sign-in: someone made a coordinator while signed in is held here too."""
    if request.endpoint in _OPEN_ENDPOINTS or (request.blueprint == "two_factor"):
        return None
    if not current_user.is_authenticated or not must_enrol_second_factor(current_user):
        return None
    if request.path.startswith("/api/"):
        # Not a 401: the session is good, and the sync client keeps its outbox for when the person has enrolled.
        return jsonify(error="two_factor_required",
                       message=_("Set up two-factor sign-in before using the app.")), 403
    return redirect(url_for("two_factor.account"), 302 if request.method == "GET" else 303)


def init_app(app: Flask) -> None:
    app.before_request(_enrolment_gate)
