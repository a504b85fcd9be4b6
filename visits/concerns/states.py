"""A concern's lifecycle (DESIGN section 12), as pure functions: which state it is in, and which step may
follow which. The handlers (operations.py) ask `refusal` before they change anything.

    raised --refer--> referred --acknowledge--> acknowledged --outcome--> outcome_recorded
       \\--decide--> not_referred --refer--> referred

The lead may correct a referral (refer again) until the link officer has acknowledged it, and may still refer a
concern they first decided not to refer. The link officer may correct an outcome they recorded.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional, Protocol

from flask_babel import lazy_gettext as _l

RAISED = "raised"
REFERRED = "referred"
NOT_REFERRED = "not_referred"
ACKNOWLEDGED = "acknowledged"
OUTCOME_RECORDED = "outcome_recorded"
STATES = (RAISED, REFERRED, NOT_REFERRED, ACKNOWLEDGED, OUTCOME_RECORDED)

# step (the operation type) -> the states it may start from
ALLOWED_FROM = {
    "concern.refer": (RAISED, NOT_REFERRED, REFERRED),
    "concern.decide": (RAISED, NOT_REFERRED),
    "concern.acknowledge": (REFERRED,),
    "concern.outcome": (ACKNOWLEDGED, OUTCOME_RECORDED),
}

# What is said when a step comes out of order, by (step, state); the person reads it on their phone.
_OUT_OF_ORDER = {
    ("concern.refer", ACKNOWLEDGED): _l("The link officer has already acknowledged this referral: it can no "
                                        "longer be changed."),
    ("concern.refer", OUTCOME_RECORDED): _l("The council's outcome is already recorded: the referral can no "
                                            "longer be changed."),
    ("concern.decide", REFERRED): _l("This concern has already been referred to the council."),
    ("concern.decide", ACKNOWLEDGED): _l("This concern has already been referred to the council."),
    ("concern.decide", OUTCOME_RECORDED): _l("This concern has already been referred to the council."),
    ("concern.acknowledge", ACKNOWLEDGED): _l("This referral has already been acknowledged."),
    ("concern.acknowledge", OUTCOME_RECORDED): _l("This referral has already been acknowledged."),
    ("concern.outcome", REFERRED): _l("Acknowledge the referral before recording its outcome."),
}
_NOT_REFERRED_YET = _l("This concern has not been referred to the council.")


class ConcernLike(Protocol):
    referred_at: Optional[datetime]
    not_referred_at: Optional[datetime]
    acknowledged_at: Optional[datetime]
    outcome_at: Optional[datetime]


def state_of(concern: ConcernLike) -> str:
    """The furthest step the concern has reached."""
    if concern.outcome_at is not None:
        return OUTCOME_RECORDED
    if concern.acknowledged_at is not None:
        return ACKNOWLEDGED
    if concern.referred_at is not None:
        return REFERRED
    if concern.not_referred_at is not None:
        return NOT_REFERRED
    return RAISED


def refusal(step: str, state: str) -> Optional[str]:
    """None when `step` may follow `state`; otherwise the sentence that says why not."""
    if state in ALLOWED_FROM[step]:
        return None
    return str(_OUT_OF_ORDER.get((step, state), _NOT_REFERRED_YET))


def waiting_since(concern: ConcernLike, raised_at: datetime) -> tuple[str, datetime]:
    """The state and the moment it was reached: what "referred 2 h ago, not acknowledged" is counted from."""
    state = state_of(concern)
    since = {OUTCOME_RECORDED: concern.outcome_at, ACKNOWLEDGED: concern.acknowledged_at,
             REFERRED: concern.referred_at, NOT_REFERRED: concern.not_referred_at}.get(state) or raised_at
    return state, since


def is_unacknowledged_referral(concern: ConcernLike) -> bool:
    """Referred and nobody at the council has said they have it: red on the board."""
    return state_of(concern) == REFERRED


def age_words(since: datetime, now: datetime) -> tuple[int, str]:
    """How long ago, as (number, unit) with unit 'minutes', 'hours' or 'days' (the template words it)."""
    seconds = max(0, int((now - since) / timedelta(seconds=1)))
    if seconds < 3600:
        return seconds // 60, "minutes"
    if seconds < 2 * 86400:
        return seconds // 3600, "hours"
    return seconds // 86400, "days"
