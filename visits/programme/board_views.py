"""The live attendance board: a page, a fragment it polls (its own URL, so a service worker never mistakes it
for a page), and the one-click acknowledgement of an overdue home visit.

The fragment is polled every BOARD_POLL_SECONDS with the version of what the page shows; when nothing changed
it answers 204 and htmx leaves the page alone (no flicker, focus kept, nothing re-announced)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..clock import utcnow
from ..extensions import db
from ..models import Visit
from ..permissions import can_acknowledge_overdue, can_read_board, role_for
from ..schemas import FIRST_YEAR, LAST_YEAR, ReviewQuery, in_review_years
from .blueprint import bp
from .board import acknowledge, build_board, overdue_rows, today_for
from .context import log_identity_read, review_for, reviews_choice


def _query() -> tuple[int | None, date | None]:
    try:
        query = ReviewQuery().load({k: v for k, v in request.args.items() if k in ("review", "date") and v})
    except ValidationError as error:
        if "review" in error.messages:
            abort(404)  # as review_for answers an id that is no review of theirs
        abort(400, description=_("Enter a date like 2026-11-23, between %(first)s and %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR))
    return query["review"], query["date"]


def _render_board(review, day: date, template: str, board=None, **extra):
    board = board or build_board(review, current_user, day)
    return render_template(
        template, board=board, review=review, day=day, version=board.version(),
        can_acknowledge=can_acknowledge_overdue(current_user, review.id),
        fragment_url=url_for("programme.board_fragment", review=review.id, date=day.isoformat()),
        today=today_for(review, board.now), **extra)


@bp.get("/attendance")
@login_required
def board():
    review_id, day = _query()
    review = review_for(can_read_board, review_id)
    day = day or today_for(review)
    log_identity_read(review, "attendance board")
    return _render_board(review, day, "board/page.html", reviews=reviews_choice(can_read_board),
                         previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1))


@bp.get("/attendance/board-fragment")
def board_fragment():
    if not current_user.is_authenticated:
        # htmx follows HX-Redirect with a full page load; a plain redirect would swap the login page in here.
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=url_for("programme.board"))
        return response
    review_id, day = _query()
    review = review_for(can_read_board, review_id)
    day = day or today_for(review)
    board_state = build_board(review, current_user, day)
    if request.args.get("v") == board_state.version():
        return "", 204
    return _render_board(review, day, "board/fragment.html", board_state)


@bp.post("/attendance/overdue/<int:visit_id>/acknowledge")
@login_required
def acknowledge_overdue(visit_id: int):
    visit = db.session.get(Visit, visit_id)
    if visit is None or role_for(current_user, visit.review_id) is None:
        abort(404)
    if not can_acknowledge_overdue(current_user, visit.review_id):
        abort(403)
    now = utcnow()
    # What the board offers the button for: an alarm that is sounding (or was answered and still shows), not any
    # visit of the review; an acknowledgement on the audit log must mean someone saw an overdue home visit.
    if visit.id not in {row.visit.id for row in overdue_rows(visit.review, now, identities=False)}:
        abort(400, description=_("This visit is not an overdue home visit, so there is nothing to acknowledge."))
    acknowledge(visit, current_user, now)
    db.session.commit()
    try:
        day = date.fromisoformat(request.values.get("date", ""))
    except ValueError:
        day = None
    if day is None or not in_review_years(day):  # the board goes back to today rather than fail
        day = today_for(visit.review)
    if request.headers.get("HX-Request"):
        return _render_board(visit.review, day, "board/fragment.html")
    return redirect(url_for("programme.board", review=visit.review_id, date=day.isoformat(), _anchor="overdue"))
