"""GET /audit?review=<id>: a review's audit log for its lead reviewer and coordinator (DESIGN section 2).

Parse (schema) → check (permissions.can_read_audit_log; 404 for everyone else, who may not know the log or the
review exists) → one page of events (queries.py) → render. Filters: `person` (a user id), `action`; `page`."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_babel import format_datetime
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..extensions import db
from ..models import Review
from ..permissions import can_read_audit_log, console_reviews
from ..programme.context import reviews_choice
from ..schemas import AuditLogQuery
from .queries import actions_in, audit_page, people_in

bp = Blueprint("audit_log", __name__)


@bp.before_request
def _no_offline_copy():
    """Everyone's reads and writes, and where from: for the desk, never a phone's offline cache (visits/security.py
    leaves out the mark without which the service worker stores nothing)."""
    g.no_offline_copy = True


def _review(review_id: int | None) -> Review:
    if review_id is None:
        allowed = console_reviews(current_user, can_read_audit_log)
        if not allowed:
            abort(404)
        review_id = allowed[0]
    if not can_read_audit_log(current_user, review_id):
        abort(404)
    return db.get_or_404(Review, review_id)


@bp.get("/audit")
@login_required
def index():
    try:
        # An empty filter field means "any": leave it out rather than fail to read it as a number.
        query = AuditLogQuery().load({key: value for key, value in request.args.items() if value.strip()})
    except ValidationError as error:
        abort(404 if "review" in error.messages else 400)
    review = _review(query["review"])
    page = audit_page(review.id, query["page"], person=query["person"], action=query["action"],
                      viewer=current_user)
    if page is None:
        abort(404)
    return render_template(
        "audit_log/index.html", review=review, reviews=reviews_choice(can_read_audit_log), page=page,
        people=people_in(review.id, current_user), actions=actions_in(review.id, current_user),
        person=query["person"], action=query["action"], format_datetime=format_datetime,
    )
