"""concern.raise and concern.refer (DESIGN section 2: who sees a concern is decided by permissions.concern_view).

A concern is raised once, with a UUID made on the device; the lead reviewer refers it to the council with a
referral text, which is all the link officer ever sees of it.
"""
from __future__ import annotations

from flask_babel import gettext as _

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..models import Concern, ConcernCategory, Rating, User, Visit
from ..permissions import can_refer_concern, concern_view, visit_access
from ..operations.contract import IncomingOperation, applied, forbidden, rejected
from ..operations.refusals import refused


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


def refer_concern(user: User, op: IncomingOperation) -> dict:
    concern = db.session.get(Concern, str(op.data["concern_id"]))
    if concern is None:
        raise forbidden()
    if not can_refer_concern(user, concern):
        raise refused(user, concern.visit.review_id)
    # Referring again corrects the referral text; when it was first referred stays.
    concern.referral_text = op.data["referral_text"]
    concern.referred_by_id = user.id
    if concern.referred_at is None:
        concern.referred_at = utcnow()
    audit.record(user, "concern.refer", "concern", concern.id, concern.visit.review_id, op_id=op.op_id)
    return applied(concern_id=concern.id)
