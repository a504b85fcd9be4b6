"""A red concern referred and not acknowledged in time (DESIGN section 13), as a producer for the job runner's tick.

Counted from the referral (Concern.referred_at), with M = RED_CONCERN_ACK_MINUTES (30):
  step 1 at +M   the review's lead(s) again, and its link officers (acknowledging a referral is the link officer's
                 step: reminding only the lead, who already referred it, would not get it acknowledged);
  step 2 at +2M  the review's out-of-hours contact by email (Review.out_of_hours_email); a review without one
                 reminds the step-1 people again, so the step is never silently nobody.
One AlertEvent a referral (key "concern:<id>:<referred_at>": a referral corrected by the lead is a new one). It
ends when the concern is acknowledged, its outcome recorded, decided not to refer, the review closed, or the
referral replaced; acknowledging the alert itself (the board) stops it too (AlertEvent.is_open).

The words name no one and quote nothing: "A red safeguarding concern referred at 14:05 has not been
acknowledged", and a link to the concerns page, which shows the concern only to those allowed to see it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from babel.dates import format_time
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..models import (
    AlertEvent, AlertKind, Concern, Membership, Rating, Review, ReviewStatus, Role, User, Visit,
)
from ..vocabulary import label
from .contract import DueStep, Message, email_recipient, user_recipient
from .delivery import settled_recipients
from .events import event_for_key

STEP_TEAM = 1
STEP_OUT_OF_HOURS = 2


def ack_minutes() -> int:
    return int(current_app.config.get("RED_CONCERN_ACK_MINUTES", 30))


def event_key(concern: Concern) -> str:
    return f"concern:{concern.id}:{concern.referred_at.isoformat()}"


def steps_due(referred_at: datetime, now: datetime, minutes: int) -> list[int]:
    """The steps whose time has come (pure): none before +M, step 1 from +M, step 2 from +2M."""
    wait = timedelta(minutes=minutes)
    return [step for step, at in ((STEP_TEAM, referred_at + wait), (STEP_OUT_OF_HOURS, referred_at + 2 * wait))
            if now >= at]


def is_waiting(concern: Concern) -> bool:
    """Referred and nothing since: not acknowledged, no outcome (a decision not to refer clears referred_at's
    meaning only when it came later, which the lifecycle forbids once referred)."""
    return (concern.rating is Rating.red and concern.referred_at is not None and concern.acknowledged_at is None
            and concern.outcome_at is None)


def _team(review_id: int) -> list[int]:
    return list(db.session.scalars(
        db.select(User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.review_id == review_id, User.active.is_(True),
               Membership.role.in_((Role.lead_reviewer, Role.link_officer)))
        .order_by(Membership.role, User.id)))


def _message(concern: Concern, review: Review, step: int) -> Message:
    referred = format_time(concern.referred_at.astimezone(review.tz).time(), "HH:mm", locale=str(get_locale()))
    category = label("concern_category", concern.category).lower()
    body = _("A red %(category)s concern referred at %(time)s has not been acknowledged.",
             category=category, time=referred)
    if step == STEP_OUT_OF_HOURS:
        body += " " + _("You are the review's out-of-hours contact: the review team has not answered for "
                        "%(minutes)d minutes.", minutes=2 * ack_minutes())
    return Message(kind=AlertKind.concern.value, title=_("Red concern not acknowledged"), body=body,
                   url=f"/concerns?review={review.id}")


def _recipients(review: Review, step: int) -> tuple[str, ...]:
    if step == STEP_OUT_OF_HOURS and review.out_of_hours_email.strip():
        return (email_recipient(review.out_of_hours_email),)
    return tuple(user_recipient(user_id) for user_id in _team(review.id))


def _delivered(event_id: int, step: int) -> set[str]:
    """Sent, failed, or claimed by a runner still within STALE_CLAIM: a lost runner's claim is due again (the
    tick's claim takes it over), so a red concern is never left unsaid because a runner died."""
    return settled_recipients(event_id, step)


def _end_finished(now: datetime) -> None:
    """Ends the open events whose concern no longer waits (acknowledged, decided, closed) or was referred anew."""
    events = db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.kind == AlertKind.concern, AlertEvent.ended_at.is_(None)))
    for event in events:
        concern = db.session.get(Concern, event.concern_id) if event.concern_id else None
        review = db.session.get(Review, event.review_id)
        if (concern is None or not is_waiting(concern) or event_key(concern) != event.key
                or review is None or review.status is ReviewStatus.closed):
            event.ended_at = now
            audit.record(None, "concern_alert.ended", "alert_event", event.id, event.review_id,
                         kind=event.kind.value, concern_id=event.concern_id)


def due_steps(now: datetime) -> list[DueStep]:
    """The steps due now for every red concern waiting too long; makes and ends its AlertEvents and commits them
    (the tick claims each step and recipient once in the database, so answering a step again is harmless)."""
    minutes = ack_minutes()
    _end_finished(now)
    waiting = db.session.scalars(
        db.select(Concern).join(Visit, Visit.id == Concern.visit_id).join(Review, Review.id == Visit.review_id)
        .where(Concern.rating == Rating.red, Concern.referred_at.is_not(None), Concern.acknowledged_at.is_(None),
               Concern.outcome_at.is_(None), Concern.referred_at <= now - timedelta(minutes=minutes),
               Review.status != ReviewStatus.closed)
        .order_by(Concern.referred_at))
    due: list[DueStep] = []
    for concern in list(waiting):
        review = concern.visit.review

        def make(concern=concern, review=review) -> AlertEvent:
            return AlertEvent(review_id=review.id, kind=AlertKind.concern, key=event_key(concern),
                              concern_id=concern.id, started_at=concern.referred_at,
                              detail={"referred_at": concern.referred_at.isoformat(), "minutes": minutes})

        event, made = event_for_key(event_key(concern), make)
        if made:
            audit.record(None, "concern_alert.started", "alert_event", event.id, review.id,
                         kind=AlertKind.concern.value, concern_id=concern.id)
        if not event.is_open:
            continue
        for step in steps_due(concern.referred_at, now, minutes):
            delivered = _delivered(event.id, step)
            recipients = tuple(r for r in _recipients(review, step) if r not in delivered)
            if recipients:
                compose = partial(_message, concern, review, step)
                due.append(DueStep(event.id, step, recipients, compose(), compose))
    db.session.commit()
    return due
