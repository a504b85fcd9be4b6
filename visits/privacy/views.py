"""GET /privacy: public, no sign-in, the same page for everyone (signed in or not), with no script of its own."""
from __future__ import annotations

from flask import Blueprint, current_app, g, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..offline.views import DAYS_AHEAD
from .table import COLUMN_LABELS, COLUMNS, who_sees_what

bp = Blueprint("privacy", __name__)


@bp.before_request
def _no_offline_copy():
    """Nothing personal here, but nothing of this person's either: the service worker keeps their own pages only."""
    g.no_offline_copy = True


@bp.get("/privacy")
def privacy():
    retention_days = int(current_app.config.get("RETENTION_DAYS", 90))
    contact = current_app.config.get("PRIVACY_CONTACT") or _("the review's lead reviewer")
    return render_template("privacy.html", rows=who_sees_what(), columns=[(c, COLUMN_LABELS[c]) for c in COLUMNS],
                           retention_days=retention_days, contact=contact,
                           session_days=current_app.config["PERMANENT_SESSION_LIFETIME"].days,
                           # /api/offline-pages keeps the days from yesterday up to, not including, DAYS_AHEAD.
                           days_ahead=DAYS_AHEAD - 1,
                           # Signed out, the page sets no cookie: no CSRF token is made for a form it does not have.
                           anonymous_page=not current_user.is_authenticated)
