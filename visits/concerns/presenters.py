"""What one person is shown of a concern, on the visit page, the board and the lead's concerns page.

permissions.py decides (concern_view, sees_concern_reason, sees_concern_outcome, ...); this applies the decisions
once, so no template can show a field the person may not read: a field they may not see is None here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..models import Concern, User
from ..permissions import (
    can_decide_concern, can_follow_up_concern, can_refer_concern, concern_view, sees_concern_outcome,
    sees_concern_reason,
)
from .states import (
    ACKNOWLEDGED, NOT_REFERRED, OUTCOME_RECORDED, RAISED, REFERRED, age_words, is_unacknowledged_referral,
    waiting_since,
)


@dataclass
class ConcernView:
    id: str
    shown: str                    # "full", or "referral": the referral text only (permissions.concern_view)
    category: Optional[str]
    rating: Optional[str]
    text: Optional[str]
    raised_by: Optional[str]
    raised_at: Optional[datetime]
    referred_at: Optional[datetime]
    referral_text: Optional[str]
    may_refer: bool
    state: str = "referred"       # states.STATES; the link officer only ever sees referred ones and later
    since: Optional[datetime] = None    # when the concern reached its state
    referred_to: Optional[str] = None
    not_referred_at: Optional[datetime] = None
    not_referred_reason: Optional[str] = None   # the lead only
    acknowledged_at: Optional[datetime] = None  # the lead and the link officer
    acknowledged_by: Optional[str] = None
    outcome: Optional[str] = None
    outcome_at: Optional[datetime] = None
    may_decide: bool = False
    may_follow_up: bool = False   # acknowledge, then record the outcome: the link officer
    unacknowledged: bool = False  # referred, not acknowledged: red on the board

    def age(self, now: datetime) -> tuple[int, str]:
        return age_words(self.since or self.raised_at or now, now)


def present_concern(concern: Concern, user: User) -> Optional[ConcernView]:
    shown = concern_view(user, concern)
    if shown is None:
        return None
    state, since = waiting_since(concern, concern.raised_at)
    view = ConcernView(concern.id, shown, None, None, None, None, None, concern.referred_at,
                       concern.referral_text, False, state=state, since=since, referred_to=concern.referred_to,
                       unacknowledged=is_unacknowledged_referral(concern))
    if sees_concern_outcome(user, concern):
        view.acknowledged_at, view.outcome, view.outcome_at = (concern.acknowledged_at, concern.outcome,
                                                               concern.outcome_at)
        by = db.session.get(User, concern.acknowledged_by_id) if concern.acknowledged_by_id else None
        view.acknowledged_by = by.name if by else None
    if shown == "referral":
        view.may_follow_up = can_follow_up_concern(user, concern)
        return view
    view.category, view.rating, view.text = concern.category.value, concern.rating.value, concern.text
    view.raised_by, view.raised_at = concern.raised_by.name, concern.raised_at
    view.not_referred_at = concern.not_referred_at
    if sees_concern_reason(user, concern):
        view.not_referred_reason = concern.not_referred_reason
    view.may_refer = can_refer_concern(user, concern)
    view.may_decide = can_decide_concern(user, concern)
    return view


def age_text(count: int, unit: str, coarse: bool = False) -> str:
    """`coarse`: whole hours at least (the board's words change at most hourly, so its poll stays quiet)."""
    if unit == "minutes" and coarse:
        return _("less than an hour")
    if unit == "minutes" and count == 0:
        return _("less than a minute")
    if unit == "minutes":
        return ngettext("%(num)s minute", "%(num)s minutes", count)
    if unit == "hours":
        return ngettext("%(num)s hour", "%(num)s hours", count)
    return ngettext("%(num)s day", "%(num)s days", count)


def state_words(view: ConcernView, now: datetime, coarse: bool = False) -> str:
    """The step a concern has reached and how long ago, e.g. "Referred 2 hours ago, not acknowledged"."""
    age = age_text(*view.age(now), coarse=coarse)
    return {
        RAISED: _("Raised %(age)s ago, waiting for the lead reviewer's decision", age=age),
        REFERRED: _("Referred %(age)s ago, not acknowledged", age=age),
        NOT_REFERRED: _("Not referred (decided %(age)s ago)", age=age),
        ACKNOWLEDGED: _("Acknowledged %(age)s ago, outcome not recorded yet", age=age),
        OUTCOME_RECORDED: _("Outcome recorded %(age)s ago", age=age),
    }[view.state]
