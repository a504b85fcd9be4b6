"""A concern's lifecycle as a pure function: its state, which step may follow which, and how old it is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest

from visits.concerns.states import (
    ACKNOWLEDGED, ALLOWED_FROM, NOT_REFERRED, OUTCOME_RECORDED, RAISED, REFERRED, STATES, age_words,
    is_unacknowledged_referral, refusal, state_of, waiting_since,
)

RAISED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@dataclass
class Steps:
    referred_at: Optional[datetime] = None
    not_referred_at: Optional[datetime] = None
    acknowledged_at: Optional[datetime] = None
    outcome_at: Optional[datetime] = None


def hours(n: float) -> datetime:
    return RAISED_AT + timedelta(hours=n)


@pytest.mark.parametrize("steps, state", [
    (Steps(), RAISED),
    (Steps(referred_at=hours(1)), REFERRED),
    (Steps(not_referred_at=hours(1)), NOT_REFERRED),
    (Steps(referred_at=hours(1), acknowledged_at=hours(2)), ACKNOWLEDGED),
    (Steps(referred_at=hours(1), acknowledged_at=hours(2), outcome_at=hours(30)), OUTCOME_RECORDED),
])
def test_a_concern_is_in_the_furthest_state_it_has_reached(steps, state):
    assert state_of(steps) == state


def test_the_happy_path_is_allowed_step_by_step():
    assert refusal("concern.refer", RAISED) is None
    assert refusal("concern.acknowledge", REFERRED) is None
    assert refusal("concern.outcome", ACKNOWLEDGED) is None


def test_the_lead_may_decide_not_to_refer_and_still_refer_later_but_not_the_other_way_round():
    assert refusal("concern.decide", RAISED) is None
    assert refusal("concern.refer", NOT_REFERRED) is None
    assert refusal("concern.decide", REFERRED) == "This concern has already been referred to the council."


def test_corrections_are_allowed_until_the_next_person_has_acted():
    assert refusal("concern.refer", REFERRED) is None            # the lead corrects the referral text
    assert refusal("concern.decide", NOT_REFERRED) is None       # ... or the reason
    assert refusal("concern.outcome", OUTCOME_RECORDED) is None  # the link officer corrects the outcome
    assert "can no longer be changed" in refusal("concern.refer", ACKNOWLEDGED)


@pytest.mark.parametrize("step, state, words", [
    ("concern.acknowledge", RAISED, "has not been referred"),
    ("concern.acknowledge", NOT_REFERRED, "has not been referred"),
    ("concern.acknowledge", ACKNOWLEDGED, "already been acknowledged"),
    ("concern.outcome", RAISED, "has not been referred"),
    ("concern.outcome", REFERRED, "Acknowledge the referral before"),
    ("concern.refer", OUTCOME_RECORDED, "can no longer be changed"),
])
def test_a_step_out_of_order_is_refused_with_a_sentence_that_says_why(step, state, words):
    assert words in refusal(step, state)


def test_every_step_answers_for_every_state():
    for step in ALLOWED_FROM:
        for state in STATES:
            answer = refusal(step, state)
            assert answer is None or (isinstance(answer, str) and answer.endswith("."))


def test_only_a_referral_nobody_acknowledged_is_red():
    assert is_unacknowledged_referral(Steps(referred_at=hours(1)))
    assert not is_unacknowledged_referral(Steps())
    assert not is_unacknowledged_referral(Steps(not_referred_at=hours(1)))
    assert not is_unacknowledged_referral(Steps(referred_at=hours(1), acknowledged_at=hours(2)))


def test_the_age_counts_from_when_the_concern_reached_its_state():
    assert waiting_since(Steps(), RAISED_AT) == (RAISED, RAISED_AT)
    assert waiting_since(Steps(referred_at=hours(1)), RAISED_AT) == (REFERRED, hours(1))
    assert waiting_since(Steps(referred_at=hours(1), acknowledged_at=hours(5)), RAISED_AT) == (ACKNOWLEDGED, hours(5))


@pytest.mark.parametrize("ago, words", [
    (timedelta(seconds=20), (0, "minutes")), (timedelta(minutes=59), (59, "minutes")),
    (timedelta(hours=2, minutes=10), (2, "hours")), (timedelta(hours=47), (47, "hours")),
    (timedelta(days=3, hours=5), (3, "days")), (timedelta(minutes=-5), (0, "minutes")),
])
def test_an_age_is_said_in_minutes_hours_or_days(ago, words):
    assert age_words(RAISED_AT, RAISED_AT + ago) == words


# --- who may take each step and read each word: the permission functions, as a matrix without a database ----


def test_who_may_take_each_step_and_read_the_leads_reason_and_the_outcome():
    from visits.models import Concern, Membership, Role, User, Visit, VisitKind
    from visits.permissions import (
        can_decide_concern, can_follow_up_concern, can_refer_concern, sees_concern_outcome, sees_concern_reason,
    )

    def person(user_id, role):
        user = User(id=user_id, name=f"user {user_id}", email=f"{user_id}@example.test", active=True)
        user.memberships = [Membership(review_id=1, role=Role(role))] if role else []
        return user

    raiser = person(2, "reviewer")
    visit = Visit(id=10, review_id=1, kind=VisitKind.home_visit, team=[raiser])
    concern = Concern(visit=visit, raised_by_id=raiser.id)
    people = {"lead": person(1, "lead_reviewer"), "raiser": raiser, "lay": person(3, "lay_assessor"),
              "link": person(4, "link_officer"), "coordinator": person(5, "coordinator"), "stranger": person(6, None)}

    def who(may):
        return {name for name, user in people.items() if may(user, concern)}

    assert who(can_refer_concern) == who(can_decide_concern) == {"lead"}
    assert who(sees_concern_reason) == {"lead"}
    assert who(can_follow_up_concern) == set()       # nothing to acknowledge before it is referred
    assert who(sees_concern_outcome) == {"lead"}     # the link officer does not know of it yet
    concern.referred_at = RAISED_AT
    assert who(can_follow_up_concern) == {"link"}
    assert who(sees_concern_outcome) == {"lead", "link"}
    assert who(sees_concern_reason) == {"lead"}
