"""Two runners ticking at the same moment send each alert once: the database decides (the unique delivery row is
claimed before sending), on SQLite and on PostgreSQL."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from visits.alerts.contract import DueStep, email_recipient, user_recipient
from visits.alerts.delivery import STALE_CLAIM
from visits.alerts.tick import run_tick
from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import AlertDelivery

from ..support import factories as f
from .test_alert_delivery import NOON, Recorder, make_events, message, stand_in_producer

RUNNERS = 2
ROUNDS = 3


def _due_steps() -> list[DueStep]:
    review = f.gen_review()
    people = [f.gen_user() for _ in range(4)]
    db.session.commit()
    recipients = tuple(user_recipient(p.id) for p in people) + (email_recipient("duty@council.example"),)
    events = make_events(review.id, 3)
    return [DueStep(event_id, step, recipients, message()) for event_id in events for step in (1, 2)]


def _tick_at_once(app, steps, channel) -> list:
    """RUNNERS threads, each in its own app context (its own session and connection), tick together."""
    start = threading.Barrier(RUNNERS)
    outcomes, errors = [], []

    def runner():
        try:
            with app.app_context():
                start.wait(timeout=10)
                outcomes.append(run_tick(NOON, [stand_in_producer(steps)], channel))
                db.session.remove()
        except Exception as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


def _assert_each_alert_sent_once(app, steps, channel, outcomes):
    expected = sorted((recipient, "Are you safe? Check out") for due in steps for recipient in due.recipients)
    assert sorted(channel.sent) == expected  # each (event, step, recipient) exactly once, across both runners
    assert sum(o.sent for o in outcomes) == len(expected)
    assert sum(o.already_claimed for o in outcomes) == len(expected) * (RUNNERS - 1)
    keys = Counter(db.session.execute(select(AlertDelivery.event_id, AlertDelivery.step, AlertDelivery.recipient)))
    assert len(keys) == len(expected) and set(keys.values()) == {1}
    assert db.session.scalar(select(func.count()).where(AlertDelivery.sent_at.is_(None))) == 0


class SlowRecorder(Recorder):
    """Sending takes a moment, so the other runner is mid-way through the same steps."""

    def __call__(self, recipient, message):
        threading.Event().wait(0.002)
        return super().__call__(recipient, message)


def _rounds_of_two_runners_send_each_alert_once(app):
    for _ in range(ROUNDS):
        steps, channel = _due_steps(), SlowRecorder()
        outcomes = _tick_at_once(app, steps, channel)
        _assert_each_alert_sent_once(app, steps, channel, outcomes)
        db.session.query(AlertDelivery).delete()
        db.session.commit()


def test_two_runners_at_once_on_one_sqlite_file_send_each_alert_once(app):
    _rounds_of_two_runners_send_each_alert_once(app)


@pytest.mark.postgres
def test_two_runners_at_once_on_postgresql_send_each_alert_once(pg_app):
    _rounds_of_two_runners_send_each_alert_once(pg_app)


def _lose_the_claims(steps):
    """Each delivery claimed long ago by a runner that died before sending it."""
    lost_at = system_utcnow() - STALE_CLAIM - STALE_CLAIM
    db.session.add_all(AlertDelivery(event_id=due.event_id, step=due.step, recipient=recipient, claimed_at=lost_at)
                       for due in steps for recipient in due.recipients)
    db.session.commit()


def _two_runners_send_each_lost_claim_again_once(app):
    steps, channel = _due_steps(), SlowRecorder()
    _lose_the_claims(steps)
    outcomes = _tick_at_once(app, steps, channel)
    _assert_each_alert_sent_once(app, steps, channel, outcomes)
    assert sum(o.resent for o in outcomes) == len(channel.sent)


def test_two_runners_finding_the_same_lost_claims_send_each_again_once_on_sqlite(app):
    _two_runners_send_each_lost_claim_again_once(app)


@pytest.mark.postgres
def test_two_runners_finding_the_same_lost_claims_send_each_again_once_on_postgresql(pg_app):
    _two_runners_send_each_lost_claim_again_once(pg_app)
