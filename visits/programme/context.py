"""Which review a console page is about, and the refusal when the person may not use it.

A link officer coordinates one review; a lead or coordinator may be on several. Pages take `?review=<id>`
and otherwise the first review the person may use for that page (the permission function decides which)."""
from __future__ import annotations

from typing import Callable

from flask import abort, request
from flask_login import current_user

from ..extensions import db
from ..models import Review, User
from ..permissions import can_edit_programme, console_reviews


def review_for(may: Callable[[User, int], bool], review_id: int | None = None) -> Review:
    """The review asked for (or the first allowed one). 404 when the person is not a member of it (they may not
    know it exists), 403 when they are but their role may not use this page."""
    if review_id is None:
        raw = request.values.get("review", "").strip()
        if raw:
            if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() too, but int() refuses it
                abort(404)
            review_id = int(raw)
    if review_id is None:
        allowed = console_reviews(current_user, may)
        if not allowed:
            abort(403)
        # The review they coordinate (may edit) comes before one they only read.
        editable = [rid for rid in console_reviews(current_user, can_edit_programme) if rid in allowed]
        review_id = (editable or allowed)[0]
    if current_user.role_in(review_id) is None:
        abort(404)
    if not may(current_user, review_id):
        abort(403)
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    return review


def reviews_choice(may: Callable[[User, int], bool]) -> list[Review]:
    """The reviews to offer in a review switcher (only shown when there is more than one)."""
    ids = console_reviews(current_user, may)
    if len(ids) < 2:
        return []
    return list(db.session.scalars(db.select(Review).where(Review.id.in_(ids)).order_by(Review.id)))


def log_identity_read(review: Review, page: str) -> None:
    """DESIGN section 2: every read of service users' records is logged. The console pages that show them to
    the lead and the link officer log one read per page load (the board's polls are not logged one by one: the
    page load that started them is)."""
    from .. import audit
    from ..permissions import sees_identities

    if sees_identities(current_user, review.id):
        audit.record(current_user, "read", "service_user_records", review.id, review.id, page=page)
        db.session.commit()
