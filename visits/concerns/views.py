"""The lead's concerns page (every concern of the review, its state and its age) and the review's emergency and
out-of-hours numbers shown above the concern form (DESIGN section 12).

Views stay thin: parse, ask visits/permissions.py, act (service.py), render."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..clock import utcnow
from ..extensions import db
from ..models import Review
from ..permissions import can_edit_emergency_numbers, can_read_concerns_page, is_site_admin, role_for
from ..programme.context import review_for, reviews_choice
from ..schemas.base import flatten_errors
from ..schemas.forms import EmergencyNumbersForm, form_input
from . import service
from .presenters import state_words

bp = Blueprint("concerns", __name__)


@bp.app_template_global("concern_numbers")
def concern_numbers(review_id: int) -> tuple[str, str]:
    """(emergency number, out-of-hours number) for the concern form of a visit of this review."""
    review = db.session.get(Review, review_id)
    return (review.emergency_number or "999", review.out_of_hours_number or "") if review else ("999", "")


@bp.app_template_global("concern_state_words")
def concern_state_words(view) -> str:
    """"Referred 2 hours ago, not acknowledged": the step a concern has reached and how long ago."""
    return state_words(view, utcnow())


@bp.app_template_global("may_read_concerns_page")
def may_read_concerns_page(review_id: int) -> bool:
    return can_read_concerns_page(current_user, review_id)


@bp.get("/concerns")
@login_required
def index():
    review = review_for(can_read_concerns_page)
    rows = service.concerns_of(review, current_user)
    service.log_concerns_read(review, current_user)
    db.session.commit()
    return render_template("concerns/index.html", review=review, rows=rows, now=utcnow(),
                           reviews=reviews_choice(can_read_concerns_page),
                           summary=service.summary(rows))


def _contacts_review() -> Review:
    """The review asked for: 404 for someone who may not know it, 403 for a member who may not change it."""
    raw = request.values.get("review", "").strip()
    if not (raw.isascii() and raw.isdigit()):
        abort(404)
    review = db.session.get(Review, int(raw))
    if review is None or not (is_site_admin(current_user) or role_for(current_user, review.id) is not None):
        abort(404)
    if not (is_site_admin(current_user) or can_read_concerns_page(current_user, review.id)
            or can_edit_emergency_numbers(current_user, review)):
        abort(403)
    return review


def _contacts_page(review: Review, values=None, errors=None, status: int = 200):
    values = values if values is not None else {"emergency_number": review.emergency_number,
                                                "out_of_hours_number": review.out_of_hours_number}
    return render_template("concerns/contacts.html", review=review, values=values, errors=errors or {},
                           may_edit=can_edit_emergency_numbers(current_user, review),
                           saved=request.args.get("saved") == "1"), status


@bp.get("/concerns/contacts")
@login_required
def contacts():
    return _contacts_page(_contacts_review())


@bp.post("/concerns/contacts")
@login_required
def save_contacts():
    review = _contacts_review()
    if not can_edit_emergency_numbers(current_user, review):
        abort(403)
    posted = form_input(request.form)
    try:
        form = EmergencyNumbersForm().load({k: v for k, v in posted.items() if k != "review"})
    except ValidationError as error:
        return _contacts_page(review, posted, flatten_errors(error.messages), 400)
    service.set_numbers(review, current_user, form["emergency_number"], form["out_of_hours_number"])
    db.session.commit()
    return redirect(url_for("concerns.contacts", review=review.id, saved=1), 303)
