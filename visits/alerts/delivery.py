"""Claim, send, record: how one due step reaches each of its recipients once, whatever number of runners tick.

1. **Claim.** The AlertDelivery row (UNIQUE event, step, recipient) is inserted and committed BEFORE anything is
   sent. Two runners inserting the same row: the database lets one in; the other gets an IntegrityError inside its
   savepoint and leaves that recipient alone. On SQLite the claim's transaction takes the write lock first
   (`BEGIN IMMEDIATE`), so two runners wait for each other instead of failing to upgrade a read lock.
2. **Send** through a channel (channels.py), outside any transaction that holds a lock.
3. **Record** `sent_at` and the channel, or `failed_at` and the error, with an audit event ("alert.sent" /
   "alert.failed": the event's id, the step, the channel, the recipient's user id; never a name or any text).

A claim whose runner died between 1 and 3 (killed, the host lost) has neither `sent_at` nor `failed_at`. An alarm
must not be lost silently, so such a claim older than `STALE_CLAIM` (2 minutes) is taken over by the next runner
whose producer still finds the step due, and sent again: the recipient may, rarely, get an alert twice, never
none. The take-over is a conditional UPDATE on the old `claimed_at`, so of two runners only one takes it. A send
that failed (recorded) is not retried: the failure is in the audit log and the ladder's next step goes on to
other people.

Times here are the machine's (when the row was written), not the app's clock: how old a claim is must not depend
on a clock a test has set to another day.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Callable, Optional

from flask_babel import force_locale
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..clock import system_utcnow
from ..extensions import db
from ..i18n import LANGUAGES, language_code, locale_for
from ..models import AlertDelivery, AlertEvent, User
from . import channels
from .contract import EMAIL, DueStep, Message, parse_recipient, recipient_user_id

logger = logging.getLogger("visits.alerts")

STALE_CLAIM = timedelta(minutes=2)

Send = Callable[[str, Message], str]


def has_outcome() -> ColumnElement[bool]:
    """A delivery whose send is recorded, sent or failed."""
    return or_(AlertDelivery.sent_at.is_not(None), AlertDelivery.failed_at.is_not(None))


def is_settled(now=None) -> ColumnElement[bool]:
    """A delivery that must not be offered again: sent, failed, or claimed less than STALE_CLAIM ago by a runner
    that may still be sending it. Anything else is a lost runner's claim, taken over by the next `claim`.
    Producers ask this (not "is there a row") for what is still due, so a lost claim is due again."""
    now = now or system_utcnow()
    return or_(has_outcome(), AlertDelivery.claimed_at >= now - STALE_CLAIM)


def settled_recipients(event_id: int, step: int, *, outcome_only: bool = False) -> set[str]:
    """The recipients of an event's step not to offer again (`is_settled`), or only those with a recorded outcome."""
    return set(db.session.scalars(select(AlertDelivery.recipient).where(
        AlertDelivery.event_id == event_id, AlertDelivery.step == step,
        has_outcome() if outcome_only else is_settled())))


@dataclass
class Outcome:
    """What a tick did, for its log line and for tests."""

    due: int = 0
    sent: int = 0
    failed: int = 0
    already_claimed: int = 0
    resent: int = 0
    producer_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.due} due, {self.sent} sent, {self.failed} failed, "
                f"{self.already_claimed} already claimed, {self.resent} re-sent after a lost runner")
        if self.producer_errors:
            text += f"; producers failed: {', '.join(self.producer_errors)}"
        return text


def deliver(due: DueStep, send: Optional[Send] = None, outcome: Optional[Outcome] = None) -> Outcome:
    """Claim and send `due` to each of its recipients; one recipient failing never stops the others."""
    outcome = outcome if outcome is not None else Outcome()
    send = send or channels.send
    review_id = db.session.scalar(select(AlertEvent.review_id).where(AlertEvent.id == due.event_id))
    if review_id is None:
        logger.error("alert event %s is not there; step %s not sent", due.event_id, due.step)
        return outcome
    for recipient in due.recipients:
        outcome.due += 1
        try:
            delivery_id, resent = claim(due.event_id, due.step, recipient)
        except Exception:
            db.session.rollback()
            logger.exception("could not claim event %s step %s", due.event_id, due.step)
            outcome.failed += 1
            continue
        if delivery_id is None:
            outcome.already_claimed += 1
            continue
        outcome.resent += resent
        if send_claimed(delivery_id, review_id, due, recipient, send):
            outcome.sent += 1
        else:
            outcome.failed += 1
    return outcome


def claim(event_id: int, step: int, recipient: str) -> tuple[Optional[int], bool]:
    """(the delivery's id, whether it was a lost runner's claim taken over), or (None, False) when another runner
    has it. Committed before returning: from here on every runner sees the row."""
    db.session.commit()  # whatever the session read so far ends here: the claim is a transaction of its own
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    now = system_utcnow()
    try:
        with db.session.begin_nested():
            delivery = AlertDelivery(event_id=event_id, step=step, recipient=recipient, claimed_at=now)
            db.session.add(delivery)
        delivery_id, resent = delivery.id, False
    except IntegrityError:
        delivery_id, resent = _take_over_lost_claim(event_id, step, recipient, now), True
    if delivery_id is None:
        db.session.rollback()
        return None, False
    db.session.commit()
    return delivery_id, resent


def _take_over_lost_claim(event_id: int, step: int, recipient: str, now) -> Optional[int]:
    key = (AlertDelivery.event_id == event_id, AlertDelivery.step == step, AlertDelivery.recipient == recipient)
    lost = db.session.execute(
        select(AlertDelivery.id, AlertDelivery.claimed_at)
        .where(*key, ~is_settled(now))).first()
    if lost is None:
        return None
    # Only the runner whose UPDATE still finds the old claimed_at takes it (PostgreSQL re-reads the row after
    # waiting for the other's lock; SQLite runs one writer at a time).
    taken = db.session.execute(
        update(AlertDelivery).where(AlertDelivery.id == lost.id, AlertDelivery.claimed_at == lost.claimed_at,
                                    AlertDelivery.sent_at.is_(None), AlertDelivery.failed_at.is_(None))
        .values(claimed_at=now).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    logger.warning("alert event %s step %s: a claim with no outcome since %s is sent again",
                   event_id, step, lost.claimed_at)
    return lost.id


def recipient_locale(recipient: str) -> Optional[str]:
    """The language to write to a recipient in: a person's chosen one (English if they never chose); for an address
    that is nobody's account with a chosen language (the review's out-of-hours contact), None: both."""
    kind, value = parse_recipient(recipient)
    if kind != EMAIL:
        return locale_for(db.session.get(User, int(value)))
    chosen = db.session.scalar(select(User.locale).where(func.lower(User.email) == value).limit(1))
    return LANGUAGES[language_code(chosen)] if language_code(chosen) else None


def send_in_their_language(recipient: str, due: DueStep, send: Send) -> str:
    """Composes the step's message in the recipient's language and sends it in it (an email's own words too);
    to a recipient of unknown language, Welsh first and then English, as the Welsh Language Standards ask."""
    locale = recipient_locale(recipient)
    in_language = locale or LANGUAGES["cy"]
    try:
        with force_locale(in_language):
            message = due.message_now()
        if locale is None and due.compose is not None:  # a fixed message (no composer) reads the same either way
            with force_locale(LANGUAGES["en"]):
                message = replace(message, also=due.message_now())
    except Exception:
        # The delivery is claimed and a failed one is never sent again: an alert in the producer's words (what it
        # composed when it found the step due) is better than none.
        db.session.rollback()
        logger.exception("composing event %s step %s for a recipient failed; sent as first composed",
                         due.event_id, due.step)
        in_language, message = LANGUAGES["en"], due.message  # the runner's language, which has no request
    with force_locale(in_language):
        return send(recipient, message)


def send_claimed(delivery_id: int, review_id: int, due: DueStep, recipient: str, send: Send) -> bool:
    """Send a claimed delivery and record what happened; True when it was sent."""
    channel, error = "", ""
    try:
        channel = send_in_their_language(recipient, due, send)
    except channels.ChannelError as failure:
        channel, error = failure.channel, str(failure)
    except Exception as failure:  # a channel's bug must not stop the other recipients
        logger.exception("sending event %s step %s failed", due.event_id, due.step)
        error = type(failure).__name__
    if error:
        db.session.rollback()  # whatever the failed channel left half done
    delivery = db.session.get(AlertDelivery, delivery_id)
    now = system_utcnow()
    if error:
        delivery.failed_at, delivery.error = now, error[:200]
    else:
        delivery.sent_at = now
    delivery.channel = (channel or "")[:10]
    detail = {"step": due.step, "channel": delivery.channel}
    to_user = recipient_user_id(recipient)
    if to_user is not None:
        detail["to_user"] = to_user
    if error:
        detail["error"] = delivery.error
    audit.record(None, "alert.failed" if error else "alert.sent", "alert_event", due.event_id, review_id, **detail)
    db.session.commit()
    return not error
