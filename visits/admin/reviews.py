"""A review's own record (DESIGN section 10): made by an administrator as a draft, its details changed, its status
moved on from draft to fieldwork to closed. Every change is audited, with the fields changed and never more."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import gettext as _

from ..audit import record
from ..clock import utcnow
from ..extensions import db
from ..models import Membership, Review, ReviewPhase, ReviewStatus, User
from ..themes import ensure_themes

# A review only moves forward: a closed review's data is on its way to erasure (DESIGN section 11), and one in
# fieldwork has people out on visits.
STATUS_ORDER = (ReviewStatus.draft, ReviewStatus.fieldwork, ReviewStatus.closed)


class ReviewChangeRefused(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.errors = {field: [message]}


def status_change_problem(current: ReviewStatus, wanted: ReviewStatus, confirmed: bool) -> Optional[str]:
    """Why a review may not move from `current` to `wanted` (None when it may): forward only, and closing only
    once the person has said they understand what it means."""
    if STATUS_ORDER.index(wanted) <= STATUS_ORDER.index(current):
        return _("A review's status only moves forward: draft, then fieldwork, then closed.")
    if wanted is ReviewStatus.closed and not confirmed:
        return _("Tick the box to confirm that you want to close the review.")
    return None


def next_statuses(current: ReviewStatus) -> list[ReviewStatus]:
    return list(STATUS_ORDER[STATUS_ORDER.index(current) + 1:])


def create_review(council: str, starts_on: date, ends_on: date, *, by: User,
                  phase: ReviewPhase = ReviewPhase.broad_review) -> Review:
    review = Review(council_name=council.strip(), phase=phase, status=ReviewStatus.draft,
                    on_site_from=starts_on, on_site_to=ends_on)
    db.session.add(review)
    db.session.flush()
    record(by, "review_created", "review", review.id, review.id)
    ensure_themes(review, by)  # a review starts with the default themes (visits/themes.py)
    return review


def update_review(review: Review, council: str, starts_on: date, ends_on: date, phase: ReviewPhase, *,
                  by: User) -> list[str]:
    """Changes the details; returns (and audits) the names of the fields that changed."""
    wanted = {"council_name": council.strip(), "on_site_from": starts_on, "on_site_to": ends_on, "phase": phase}
    changed = [name for name, value in wanted.items() if getattr(review, name) != value]
    for name in changed:
        setattr(review, name, wanted[name])
    if changed:
        record(by, "review_updated", "review", review.id, review.id, fields=changed)
    return changed


def change_status(review: Review, wanted: ReviewStatus, confirmed: bool, *, by: User) -> None:
    problem = status_change_problem(review.status, wanted, confirmed)
    if problem:
        raise ReviewChangeRefused("status", problem)
    if wanted is ReviewStatus.closed:
        close_review(review, by=by)
        return
    before = review.status
    review.status = wanted
    record(by, "review_status_changed", "review", review.id, review.id, before=before.value, after=wanted.value)


def close_review(review: Review, *, by: Optional[User], via: str = "console") -> bool:
    """Close the review: from now on it is read-only for everyone (visits/permissions.py), and purge-reviews counts
    RETENTION_DAYS from this moment (DESIGN section 11). False, and nothing changed, when it was already closed.
    `by` is None from a terminal (`flask close-review`): the audit entry says so with `via`."""
    if review.is_closed and review.closed_at is not None:
        return False
    before = review.status
    review.status = ReviewStatus.closed
    # A review closed before closing was dated keeps no date: it is dated now, so its retention starts now.
    review.closed_at = utcnow()
    record(by, "review_status_changed", "review", review.id, review.id, before=before.value,
           after=ReviewStatus.closed.value, closed_at=review.closed_at.isoformat(), via=via)
    return True


def all_reviews() -> list[tuple[Review, int]]:
    """Every review with its number of members, newest on-site dates first."""
    member_count = (db.select(db.func.count(Membership.id)).where(Membership.review_id == Review.id)
                    .correlate(Review).scalar_subquery())
    rows = db.session.execute(db.select(Review, member_count).order_by(Review.on_site_from.desc(), Review.id))
    return [(review, count) for review, count in rows]
