"""A review's members (DESIGN section 10): adding an existing account or inviting a new person with a role,
changing a role, removing someone, and making someone the review's coordinator. One person holds one role per
review (the `one_role_per_review` constraint). Audit details name roles, never anything the review recorded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext as _

from ..accounts import service as accounts
from ..audit import record
from ..extensions import db
from ..models import Membership, Review, Role, User
from ..sessions import end_all_sessions


class TeamChangeRefused(ValueError):
    """A change the rules refuse, with the message for the form field it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.errors = {field: [message]}


@dataclass(frozen=True)
class Added:
    membership: Membership
    invitation: Optional[accounts.IssuedLink]  # set when a new account was made: the link to show once


def leaves_no_coordinator(member_role: Role, new_role: Optional[Role], coordinators: int, *,
                          by_self: bool, by_admin: bool) -> bool:
    """Whether a coordinator would take away the review's last coordinator role from themselves (by a new role,
    or `new_role` None for removal): they would lock themselves and everyone else out of managing it. An
    administrator may: they reach every review anyway, and can make someone else coordinator."""
    return (by_self and not by_admin and member_role is Role.coordinator and new_role is not Role.coordinator
            and coordinators <= 1)


def membership_of(review: Review, user_id: int) -> Optional[Membership]:
    return db.session.execute(db.select(Membership).filter_by(review_id=review.id, user_id=user_id)
                              ).scalar_one_or_none()


def members(review: Review) -> list[Membership]:
    return list(db.session.scalars(
        db.select(Membership).join(Membership.user).where(Membership.review_id == review.id)
        .order_by(User.name, User.id)))


def _coordinators(review: Review) -> int:
    return db.session.scalar(db.select(db.func.count(Membership.id)).filter_by(
        review_id=review.id, role=Role.coordinator))


def add_member(review: Review, email: str, name: str, role: Role, *, by: User) -> Added:
    """An existing account (found by email) joins with `role`; an unknown email becomes a new account, invited."""
    user = accounts.find_account(email)
    invitation = None
    if user is None:
        user = accounts.create_account(email, name, by=by)
        invitation = accounts.invite(user, by=by)
    elif membership_of(review, user.id) is not None:
        raise TeamChangeRefused("email", _("%(name)s is already on this review's team; change their role in the "
                                           "list instead.", name=user.name))
    membership = Membership(review_id=review.id, user_id=user.id, role=role)
    db.session.add(membership)
    db.session.flush()
    record(by, "member_added", "membership", membership.id, review.id, user_id=user.id, role=role.value,
           invited=invitation is not None)
    return Added(membership, invitation)


def change_role(membership: Membership, role: Role, *, by: User, by_admin: bool) -> None:
    if leaves_no_coordinator(membership.role, role, _coordinators(membership.review),
                             by_self=membership.user_id == by.id, by_admin=by_admin):
        raise TeamChangeRefused("role", _("You are this review's only coordinator: make someone else coordinator "
                                          "before you change your own role."))
    before = membership.role
    if before is role:
        return
    membership.role = role
    record(by, "member_role_changed", "membership", membership.id, membership.review_id,
           user_id=membership.user_id, before=before.value, after=role.value)


def remove_member(membership: Membership, *, by: User, by_admin: bool) -> bool:
    """Takes the person off the review. When it was their last review they can no longer use the app for
    anything, so every device of theirs is signed out (DESIGN section 10); returns whether that happened. A site
    administrator keeps their sessions: their work is not a review's."""
    if leaves_no_coordinator(membership.role, None, _coordinators(membership.review),
                             by_self=membership.user_id == by.id, by_admin=by_admin):
        raise TeamChangeRefused("member", _("You are this review's only coordinator: make someone else "
                                            "coordinator before you leave the review."))
    user = membership.user
    review_id = membership.review_id
    record(by, "member_removed", "membership", membership.id, review_id, user_id=user.id,
           role=membership.role.value)
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(user, ["memberships"])
    db.session.expire(membership.review, ["memberships"])
    signed_out = not user.memberships and not user.is_admin
    if signed_out:
        end_all_sessions(user)
    return signed_out


def make_coordinator(user: User, review: Review, *, by: User) -> Membership:
    """An administrator makes someone a review's coordinator: they join it as coordinator, or their role on it
    becomes coordinator."""
    membership = membership_of(review, user.id)
    if membership is None:
        membership = Membership(review_id=review.id, user_id=user.id, role=Role.coordinator)
        db.session.add(membership)
        db.session.flush()
        record(by, "member_added", "membership", membership.id, review.id, user_id=user.id,
               role=Role.coordinator.value, invited=False)
    else:
        change_role(membership, Role.coordinator, by=by, by_admin=True)
    return membership


def accounts_with_review_counts() -> list[tuple[User, int]]:
    count = (db.select(db.func.count(Membership.id)).where(Membership.user_id == User.id).correlate(User)
             .scalar_subquery())
    return [(user, n) for user, n in db.session.execute(db.select(User, count).order_by(User.name, User.id))]
