"""Administration (DESIGN section 10): reviews and accounts for site administrators, and a review's members
for its coordinator; the lead reviewer reads their review's team.

Every view: parse (schemas/admin.py) → check (permissions: 403 for anyone else, who learns nothing of the review
beyond that) → act (reviews.py, teams.py, the accounts service) → redirect, or render. A link made for someone
(an invitation, a password reset) is rendered in the answer to the POST that made it and nowhere else, so a
reload or the browser's history never shows it again. These pages list accounts and memberships only: never a
note, a concern or a service user (DESIGN section 2).
"""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..accounts import service as accounts
from ..extensions import db
from ..models import Review, ReviewPhase, ReviewStatus, Role, User
from ..permissions import (
    can_administer_accounts, can_manage_review, can_read_team, console_reviews, is_site_admin, managed_reviews,
)
from ..schemas import flatten_errors, form_input
from ..schemas.admin import (
    CoordinatorForm, MemberForm, NewAccountForm, ReviewForm, ReviewStatusForm, RoleForm,
)
from . import reviews as review_records
from . import teams
from .accounts import disable_account

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _no_offline_copy():
    """Everyone's accounts: for the desk, never a phone's offline cache."""
    g.no_offline_copy = True


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _managed_review(review_id: int) -> Review:
    _require(can_manage_review(current_user, review_id))
    return db.get_or_404(Review, review_id)


def _account(user_id: int) -> User:
    _require(can_administer_accounts(current_user))
    return db.get_or_404(User, user_id)


def _load(schema, lists: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """(the loaded form, {}) or (what was posted, {field: [message]})."""
    posted = form_input(request.form, lists)
    try:
        return schema.load(posted), {}
    except ValidationError as error:
        return posted, flatten_errors(error.messages)


def _load_and_apply(schema, change):
    """Parse the form and, if it is valid, make `change(form)`: (the form, {}, what the change returned), or
    (what was posted, {field: [message]}, None) when the form is wrong or a rule of reviews.py or teams.py
    refuses the change, so both read to the person as the same field messages."""
    form, errors = _load(schema)
    if errors:
        return form, errors, None
    try:
        return form, {}, change(form)
    except (review_records.ReviewChangeRefused, teams.TeamChangeRefused) as refusal:
        return form, refusal.errors, None


# --- the way in ---------------------------------------------------------------------------------------------


def _index_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    admin = is_site_admin(current_user)
    if admin:
        rows = review_records.all_reviews()
    else:
        readable = set(console_reviews(current_user, can_read_team))
        rows = [row for row in review_records.all_reviews() if row[0].id in readable]
    managed = None if admin else set(managed_reviews(current_user))
    return render_template("admin/index.html", rows=rows, admin=admin, managed=managed, values=values or {},
                           errors=errors or {}), status


@bp.get("")
@login_required
def index():
    """Administrators: every review and the create form. A coordinator: the reviews they manage; a lead
    reviewer: the teams they may read."""
    _require(is_site_admin(current_user) or console_reviews(current_user, can_read_team))
    return _index_page()


@bp.post("/reviews")
@login_required
def create_review():
    _require(can_administer_accounts(current_user))
    form, errors = _load(ReviewForm())
    if errors:
        return _index_page(form, errors, 400)
    review = review_records.create_review(form["council"], form["starts_on"], form["ends_on"], by=current_user)
    db.session.commit()
    return redirect(url_for("admin.review", review_id=review.id, done="created"))


# --- one review ---------------------------------------------------------------------------------------------


def _review_values(review: Review) -> dict:
    return {"council": review.council_name, "starts_on": review.on_site_from.isoformat(),
            "ends_on": review.on_site_to.isoformat(), "phase": review.phase.value}


def _review_page(review: Review, *, status: int = 200, form: str = "", values: dict | None = None,
                 errors: dict | None = None, issued: dict | None = None, template: str = "admin/review.html"):
    return render_template(
        template, review=review, members=teams.members(review), form=form, details=_review_values(review),
        values=values or {}, errors=errors or {}, issued=issued,
        next_statuses=review_records.next_statuses(review.status), admin=is_site_admin(current_user),
        done=request.args.get("done", "")[:40],
    ), status


@bp.get("/reviews/<int:review_id>")
@login_required
def review(review_id: int):
    return _review_page(_managed_review(review_id))


@bp.get("/reviews/<int:review_id>/team")
@login_required
def team(review_id: int):
    """The lead reviewer's read-only view of their review's team (DESIGN section 2)."""
    _require(can_read_team(current_user, review_id))
    review = db.get_or_404(Review, review_id)
    return _review_page(review, template="admin/team.html")


@bp.post("/reviews/<int:review_id>")
@login_required
def update_review(review_id: int):
    review = _managed_review(review_id)
    form, errors = _load(ReviewForm())
    if errors:
        return _review_page(review, status=400, form="details", values=form, errors=errors)
    review_records.update_review(review, form["council"], form["starts_on"], form["ends_on"],
                                 ReviewPhase(form["phase"]), by=current_user)
    db.session.commit()
    return redirect(url_for("admin.review", review_id=review.id, done="saved"))


@bp.post("/reviews/<int:review_id>/status")
@login_required
def review_status(review_id: int):
    review = _managed_review(review_id)
    _form, errors, _changed = _load_and_apply(ReviewStatusForm(), lambda form: review_records.change_status(
        review, ReviewStatus(form["status"]), form["confirm"], by=current_user))
    if errors:
        return _review_page(review, status=400, form="status", errors=errors)
    db.session.commit()
    return redirect(url_for("admin.review", review_id=review.id, done="status"))


@bp.post("/reviews/<int:review_id>/members")
@login_required
def add_member(review_id: int):
    review = _managed_review(review_id)
    form, errors, added = _load_and_apply(MemberForm(), lambda form: teams.add_member(
        review, form["email"], form["name"], Role(form["role"]), by=current_user))
    if errors:
        return _review_page(review, status=400, form="member", values=form, errors=errors)
    db.session.commit()
    if added.invitation is None:
        return redirect(url_for("admin.review", review_id=review.id, done="member_added"))
    return _review_page(review, issued={"kind": "invitation", "user": added.membership.user,
                                        "link": added.invitation})


def _member(review: Review, user_id: int):
    membership = teams.membership_of(review, user_id)
    if membership is None:
        abort(404)
    return membership


@bp.post("/reviews/<int:review_id>/members/<int:user_id>/role")
@login_required
def member_role(review_id: int, user_id: int):
    review = _managed_review(review_id)
    membership = _member(review, user_id)
    _form, errors, _changed = _load_and_apply(RoleForm(), lambda form: teams.change_role(
        membership, Role(form["role"]), by=current_user, by_admin=is_site_admin(current_user)))
    if errors:
        return _review_page(review, status=400, form="members", errors=errors)
    db.session.commit()
    return redirect(url_for("admin.review", review_id=review.id, done="role"))


@bp.post("/reviews/<int:review_id>/members/<int:user_id>/remove")
@login_required
def remove_member(review_id: int, user_id: int):
    review = _managed_review(review_id)
    membership = _member(review, user_id)
    try:
        teams.remove_member(membership, by=current_user, by_admin=is_site_admin(current_user))
    except teams.TeamChangeRefused as refusal:
        return _review_page(review, status=400, form="members", errors=refusal.errors)
    db.session.commit()
    if not can_manage_review(current_user, review.id):
        return redirect(url_for("admin.index") if console_reviews(current_user, can_read_team) else "/")
    return redirect(url_for("admin.review", review_id=review.id, done="removed"))


@bp.post("/reviews/<int:review_id>/members/<int:user_id>/reset-link")
@login_required
def member_reset_link(review_id: int, user_id: int):
    review = _managed_review(review_id)
    membership = _member(review, user_id)
    link = accounts.issue_reset(membership.user, by=current_user)
    db.session.commit()
    return _review_page(review, issued={"kind": "reset", "user": membership.user, "link": link})


# --- accounts -----------------------------------------------------------------------------------------------


def _accounts_page(*, status: int = 200, values: dict | None = None, errors: dict | None = None,
                   form: str = "", issued: dict | None = None):
    return render_template(
        "admin/accounts.html", rows=teams.accounts_with_review_counts(), reviews=review_records.all_reviews(),
        values=values or {}, errors=errors or {}, form=form, issued=issued, done=request.args.get("done", "")[:40],
    ), status


@bp.get("/accounts")
@login_required
def accounts_list():
    _require(can_administer_accounts(current_user))
    return _accounts_page()


@bp.post("/accounts")
@login_required
def create_account():
    _require(can_administer_accounts(current_user))
    form, errors = _load(NewAccountForm())
    if not errors and accounts.find_account(form["email"]) is not None:
        errors = {"email": [_already_exists()]}
    if errors:
        return _accounts_page(status=400, values=form, errors=errors, form="create")
    user = accounts.create_account(form["email"], form["name"], by=current_user, is_admin=form["is_admin"])
    link = accounts.invite(user, by=current_user)
    db.session.commit()
    return _accounts_page(issued={"kind": "invitation", "user": user, "link": link})


def _already_exists() -> str:
    return _("There is already an account with this email.")


@bp.post("/accounts/<int:user_id>/disable")
@login_required
def disable(user_id: int):
    user = _account(user_id)
    try:
        disable_account(user, by=current_user)
    except teams.TeamChangeRefused as refusal:
        return _accounts_page(status=400, errors=refusal.errors, form="list")
    db.session.commit()
    return redirect(url_for("admin.accounts_list", done="disabled"))


@bp.post("/accounts/<int:user_id>/enable")
@login_required
def enable(user_id: int):
    user = _account(user_id)
    accounts.enable(user, by=current_user)
    db.session.commit()
    return redirect(url_for("admin.accounts_list", done="enabled"))


@bp.post("/accounts/<int:user_id>/reset-link")
@login_required
def account_reset_link(user_id: int):
    user = _account(user_id)
    link = accounts.issue_reset(user, by=current_user)
    db.session.commit()
    return _accounts_page(issued={"kind": "reset", "user": user, "link": link})


@bp.post("/accounts/<int:user_id>/coordinator")
@login_required
def make_coordinator(user_id: int):
    user = _account(user_id)
    form, errors = _load(CoordinatorForm())
    review = db.session.get(Review, form["review_id"]) if not errors else None
    if not errors and review is None:
        errors = {"review_id": [_choose_review()]}
    if errors:
        return _accounts_page(status=400, errors=errors, form="list")
    teams.make_coordinator(user, review, by=current_user)
    db.session.commit()
    return redirect(url_for("admin.accounts_list", done="coordinator"))


def _choose_review() -> str:
    return _("Choose a review from the list.")
