"""A concern's lifecycle as operations (DESIGN sections 2 and 12; who sees what is permissions.concern_view).

A concern is raised once, with a UUID made on the device (concern.raise); the lead reviewer refers it to a named
council contact with a referral text, which is all the link officer ever sees of it (concern.refer), or decides
not to refer it and says why (concern.decide); the link officer acknowledges the referral (concern.acknowledge)
and later records what the council did (concern.outcome). Which step may follow which is states.py's.

Each handler checks, in this order: the concern exists and this person may take the step (else `forbidden`,
saying nothing; or that the review is closed), then that the step comes in order (else `rejected`, saying why).
"""
from __future__ import annotations

from flask_babel import gettext as _

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..models import Concern, ConcernCategory, Rating, User, Visit
from ..permissions import (
    can_decide_concern, can_follow_up_concern, can_refer_concern, concern_view, visit_access,
)
from ..operations.contract import IncomingOperation, applied, forbidden, rejected
from ..operations.refusals import refused
from .states import refusal, state_of


def raise_concern(user: User, op: IncomingOperation) -> dict:
    visit = db.session.get(Visit, op.data["visit_id"])
    access = visit_access(user, visit) if visit else None
    if not (access and access.raise_concern):
        raise refused(user, visit.review_id if visit else None)
    concern_id = str(op.data["concern_id"])
    existing = db.session.get(Concern, concern_id)
    if existing is not None:
        if concern_view(user, existing) != "full":
            raise forbidden()
        raise rejected("concern_id", _("This concern has already been raised."))
    concern = Concern(id=concern_id, visit=visit, category=ConcernCategory(op.data["category"]),
                      rating=Rating(op.data["rating"]), text=op.data["text"], raised_by_id=user.id)
    db.session.add(concern)
    audit.record(user, "concern.raise", "concern", concern_id, visit.review_id, op_id=op.op_id,
                 category=concern.category.value, rating=concern.rating.value)
    return applied(concern_id=concern_id)


def _concern_for(user: User, op: IncomingOperation, may) -> Concern:
    """The concern the operation names, if this person may take this step on it."""
    # Locked and read afresh: which step may come next depends on the steps taken, maybe by someone else now.
    concern = db.session.get(Concern, str(op.data["concern_id"]), with_for_update=True, populate_existing=True)
    if concern is None:
        raise forbidden()
    if not may(user, concern):
        raise refused(user, concern.visit.review_id)
    message = refusal(op.type, state_of(concern))
    if message is not None:
        raise rejected("concern_id", message)
    return concern


def refer_concern(user: User, op: IncomingOperation) -> dict:
    concern = _concern_for(user, op, can_refer_concern)
    # Referring again corrects the referral (until the link officer acknowledges it); when it was first referred
    # stays. A concern first not referred is referred after all: the decision not to is withdrawn.
    concern.referral_text = op.data["referral_text"]
    if op.data.get("referred_to") is not None:
        concern.referred_to = op.data["referred_to"].strip()
    concern.referred_by_id = user.id
    if concern.referred_at is None:
        concern.referred_at = utcnow()
    concern.not_referred_at = concern.not_referred_by_id = concern.not_referred_reason = None
    return _step_taken(user, op, concern)


def _step_taken(user: User, op: IncomingOperation, concern: Concern) -> dict:
    """Every step ends the same way: audited under its own operation type (ids only), answered with the new state."""
    audit.record(user, op.type, "concern", concern.id, concern.visit.review_id, op_id=op.op_id)
    return applied(concern_id=concern.id, concern_state=state_of(concern))


def decide_not_to_refer(user: User, op: IncomingOperation) -> dict:
    concern = _concern_for(user, op, can_decide_concern)
    concern.not_referred_reason = op.data["reason"]
    concern.not_referred_by_id = user.id
    concern.not_referred_at = utcnow()
    return _step_taken(user, op, concern)


def acknowledge_concern(user: User, op: IncomingOperation) -> dict:
    concern = _concern_for(user, op, can_follow_up_concern)
    concern.acknowledged_at = utcnow()
    concern.acknowledged_by_id = user.id
    return _step_taken(user, op, concern)


def record_concern_outcome(user: User, op: IncomingOperation) -> dict:
    concern = _concern_for(user, op, can_follow_up_concern)
    concern.outcome = op.data["outcome"]
    concern.outcome_by_id = user.id
    concern.outcome_at = utcnow()
    return _step_taken(user, op, concern)
