"""The tick and delivery core every alert goes through: claimed once per (event, step, recipient) before it is sent,
recorded and audited after, one failure never stopping the others, a lost runner's claim sent again."""
from __future__ import annotations

import sys
import threading
import types
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from visits.alerts import channels
from visits.alerts.contract import DueStep, Message, email_recipient, user_recipient
from visits.alerts.delivery import STALE_CLAIM
from visits.alerts.producers import load_producers
from visits.alerts.tick import run_tick
from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import AlertDelivery, AlertEvent, AlertKind, AuditEvent, PushSubscription

from ..support import factories as f

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
PLANTED_NAME = "Mrs Gwendolyn Pritchard"


class Recorder:
    """A channel that records what it was asked to send (thread-safe: two runners share it)."""

    def __init__(self, fail_for: tuple[str, ...] = ()):
        self.sent: list[tuple[str, str]] = []
        self.fail_for = fail_for
        self._lock = threading.Lock()

    def __call__(self, recipient: str, message: Message) -> str:
        if recipient in self.fail_for:
            raise channels.ChannelError("refused by the stand-in", "email")
        with self._lock:
            self.sent.append((recipient, message.title))
        return "push"


def make_events(review_id: int, number: int, started_at: datetime = NOON) -> list[int]:
    events = [AlertEvent(review_id=review_id, kind=AlertKind.overdue, key=f"test:{review_id}:{n}",
                         started_at=started_at) for n in range(number)]
    db.session.add_all(events)
    db.session.commit()
    return [event.id for event in events]


def stand_in_producer(steps: list[DueStep], seen_now: list | None = None):
    def due_steps(now):
        if seen_now is not None:
            seen_now.append(now)
        return list(steps)
    return due_steps


def message(title: str = "Are you safe? Check out") -> Message:
    return Message("overdue", title, "Your visit was due to end at 14:00.", "/visits/1")


@pytest.fixture
def review(app):
    review = f.gen_review()
    db.session.commit()
    return review


def test_each_recipient_of_a_due_step_is_sent_it_once_however_many_ticks_find_it_due(review):
    [event_id] = make_events(review.id, 1)
    people = [f.gen_user(), f.gen_user()]
    db.session.commit()
    recipients = tuple(user_recipient(p.id) for p in people) + (email_recipient("Duty@Council.example"),)
    producer = stand_in_producer([DueStep(event_id, 1, recipients, message())])
    channel = Recorder()

    first = run_tick(NOON, [producer], channel)
    second = run_tick(NOON + timedelta(seconds=30), [producer], channel)

    assert sorted(r for r, _ in channel.sent) == sorted(recipients)
    assert (first.sent, first.already_claimed) == (3, 0)
    assert (second.sent, second.already_claimed) == (0, 3)
    rows = db.session.scalars(select(AlertDelivery)).all()
    assert len(rows) == 3 and all(row.sent_at and row.channel == "push" and not row.failed_at for row in rows)
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.sent")).all()
    assert len(audits) == 3
    assert {a.subject_id for a in audits} == {str(event_id)} and {a.review_id for a in audits} == {review.id}
    assert all(a.detail["step"] == 1 and a.detail["channel"] == "push" for a in audits)
    assert sorted(a.detail.get("to_user") for a in audits if "to_user" in a.detail) == sorted(p.id for p in people)


def test_a_later_step_of_the_same_event_is_a_new_delivery(review):
    [event_id] = make_events(review.id, 1)
    lead = f.gen_user()
    db.session.commit()
    channel = Recorder()
    run_tick(NOON, [stand_in_producer([DueStep(event_id, 1, (user_recipient(lead.id),), message())])], channel)
    run_tick(NOON, [stand_in_producer([DueStep(event_id, 2, (user_recipient(lead.id),), message())])], channel)
    assert len(channel.sent) == 2
    assert sorted(db.session.scalars(select(AlertDelivery.step))) == [1, 2]


def test_one_failing_recipient_does_not_stop_the_others_and_is_recorded_and_audited(review):
    [event_id] = make_events(review.id, 1)
    refused = email_recipient("out-of-hours@council.example")
    recipients = (refused, user_recipient(f.gen_user().id))
    db.session.commit()
    channel = Recorder(fail_for=(refused,))

    outcome = run_tick(NOON, [stand_in_producer([DueStep(event_id, 2, recipients, message())])], channel)

    assert (outcome.sent, outcome.failed) == (1, 1)
    failed = db.session.scalar(select(AlertDelivery).where(AlertDelivery.recipient == refused))
    assert failed.failed_at and not failed.sent_at and failed.error == "refused by the stand-in"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "alert.failed"))
    assert audit.subject_id == str(event_id) and audit.detail["step"] == 2 and audit.detail["channel"] == "email"
    # A failed send is not retried by the next tick (the ladder's next step goes on to other people).
    run_tick(NOON, [stand_in_producer([DueStep(event_id, 2, recipients, message())])], Recorder())
    assert db.session.scalar(select(AlertDelivery.sent_at).where(AlertDelivery.recipient == refused)) is None


def test_a_channel_that_crashes_is_a_failure_not_a_crash_of_the_tick(review):
    [event_id] = make_events(review.id, 1)
    people = [f.gen_user(), f.gen_user()]
    db.session.commit()
    calls = []

    def crashing(recipient, message):
        calls.append(recipient)
        if len(calls) == 1:
            raise RuntimeError("the channel has a bug")
        return "email"

    outcome = run_tick(NOON, [stand_in_producer(
        [DueStep(event_id, 1, tuple(user_recipient(p.id) for p in people), message())])], crashing)
    assert (outcome.sent, outcome.failed) == (1, 1)
    assert sorted(db.session.scalars(select(AlertDelivery.error))) == ["", "RuntimeError"]


def test_one_failing_producer_does_not_stop_the_others(review, caplog):
    [event_id] = make_events(review.id, 1)
    lead = f.gen_user()
    db.session.commit()

    def broken_producer(now):
        db.session.add(AlertEvent(review_id=review.id, kind=AlertKind.concern, key="half-made", started_at=now))
        db.session.flush()
        raise RuntimeError("the producer has a bug")

    channel = Recorder()
    outcome = run_tick(NOON, [broken_producer,
                              stand_in_producer([DueStep(event_id, 1, (user_recipient(lead.id),), message())])],
                       channel)
    assert outcome.producer_errors == ["broken_producer"] and outcome.sent == 1
    assert db.session.scalar(select(AlertEvent).where(AlertEvent.key == "half-made")) is None  # rolled back
    assert "alert producer broken_producer failed" in caplog.text


def test_a_claim_whose_runner_was_lost_is_sent_again_after_two_minutes_but_not_before(review):
    [old, fresh, failed] = make_events(review.id, 3)
    lead = f.gen_user()
    db.session.commit()
    to_lead = user_recipient(lead.id)
    now = system_utcnow()
    db.session.add_all([
        AlertDelivery(event_id=old, step=1, recipient=to_lead, claimed_at=now - STALE_CLAIM - timedelta(seconds=5)),
        AlertDelivery(event_id=fresh, step=1, recipient=to_lead, claimed_at=now - timedelta(seconds=30)),
        AlertDelivery(event_id=failed, step=1, recipient=to_lead, claimed_at=now - timedelta(minutes=10),
                      failed_at=now - timedelta(minutes=10), error="email: SMTPException"),
    ])
    db.session.commit()
    channel = Recorder()

    outcome = run_tick(NOON, [stand_in_producer([DueStep(e, 1, (to_lead,), message()) for e in (old, fresh, failed)])],
                       channel)

    assert (outcome.sent, outcome.resent, outcome.already_claimed) == (1, 1, 2)
    assert len(channel.sent) == 1
    assert db.session.scalar(select(AlertDelivery.sent_at).where(AlertDelivery.event_id == old)) is not None
    assert db.session.scalar(select(AlertDelivery.sent_at).where(AlertDelivery.event_id == fresh)) is None


def test_the_tick_asks_its_producers_at_the_apps_clock_unless_told(app, review):
    seen = []
    app.config["CLOCK"] = lambda: NOON + timedelta(minutes=45)
    run_tick(producers=[stand_in_producer([], seen)], send=Recorder())
    run_tick(NOON, [stand_in_producer([], seen)], Recorder())
    assert seen == [NOON + timedelta(minutes=45), NOON]


def test_no_name_or_text_of_an_alert_reaches_the_audit_log_or_the_delivery_rows(review):
    [event_id] = make_events(review.id, 1)
    lead = f.gen_user()
    db.session.commit()
    planted = Message("overdue", f"Visit to {PLANTED_NAME}", f"At {PLANTED_NAME}'s home", "/visits/1")
    run_tick(NOON, [stand_in_producer([DueStep(event_id, 1, (user_recipient(lead.id),
                                                             email_recipient("duty@council.example")), planted)])],
             Recorder(fail_for=(email_recipient("duty@council.example"),)))
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("alert.%"))).all()
    assert len(audits) == 2
    written = repr([(a.subject_id, a.detail) for a in audits])
    written += repr([(d.recipient, d.channel, d.error) for d in db.session.scalars(select(AlertDelivery))])
    assert PLANTED_NAME not in written and "Visit to" not in written and "home" not in written
    assert "duty@council.example" not in repr([a.detail for a in audits])


def test_a_producer_module_not_written_yet_is_left_out_and_one_that_is_there_is_asked(monkeypatch):
    module = types.ModuleType("fieldwork_test_producer")
    module.due_steps = lambda now: []
    monkeypatch.setitem(sys.modules, "fieldwork_test_producer", module)
    producers = load_producers(("fieldwork_test_not_written_yet", "fieldwork_test_producer"))
    assert [p.name for p in producers] == ["fieldwork_test_producer"]


# ---- channels.send: push for a person with a subscription, else email; "no channel yet" until they exist ----

@pytest.fixture
def no_channels(monkeypatch):
    monkeypatch.setattr(channels, "push_sender", lambda: None)
    monkeypatch.setattr(channels, "email_sender", lambda: None)


def test_without_a_push_sender_or_an_email_module_a_delivery_fails_soft_as_no_channel_yet(review, no_channels):
    [event_id] = make_events(review.id, 1)
    lead = f.gen_user()
    db.session.commit()
    outcome = run_tick(NOON, [stand_in_producer(
        [DueStep(event_id, 1, (user_recipient(lead.id), email_recipient("duty@council.example")), message())])])
    assert outcome.failed == 2
    assert set(db.session.scalars(select(AlertDelivery.error))) == {"no channel yet"}


def _subscribe(user):
    db.session.add(PushSubscription(user_id=user.id, endpoint=f"https://push.example/{user.id}", p256dh="k",
                                    auth="a"))
    db.session.commit()


def test_a_person_with_a_push_subscription_gets_push_and_one_without_gets_email(app, monkeypatch):
    subscribed, unsubscribed = f.gen_user(), f.gen_user(email="reviewer@example.test")
    _subscribe(subscribed)
    pushes, emails = [], []
    monkeypatch.setattr(channels, "push_sender", lambda: lambda user_id, payload: pushes.append((user_id, payload))
                        or 1)
    monkeypatch.setattr(channels, "email_sender", lambda: lambda address, msg: emails.append((address, msg.title)))

    assert channels.send(user_recipient(subscribed.id), message()) == "push"
    assert channels.send(user_recipient(unsubscribed.id), message()) == "email"
    assert channels.send(email_recipient("Duty@Council.example"), message()) == "email"
    assert pushes == [(subscribed.id, message().payload())]
    assert emails == [("reviewer@example.test", message().title), ("duty@council.example", message().title)]


def test_a_person_whose_every_device_refused_the_push_gets_email_instead(app, monkeypatch):
    person = f.gen_user(email="lead@example.test")
    _subscribe(person)
    emails = []

    def push_that_crashes(user_id, payload):
        raise RuntimeError("push service down")

    for sender in (lambda user_id, payload: 0, push_that_crashes):
        monkeypatch.setattr(channels, "push_sender", lambda sender=sender: sender)
        monkeypatch.setattr(channels, "email_sender", lambda: lambda address, msg: emails.append(address))
        assert channels.send(user_recipient(person.id), message()) == "email"
    assert emails == ["lead@example.test", "lead@example.test"]


def test_an_email_that_cannot_be_sent_is_a_channel_error_naming_no_one(app, monkeypatch):
    def refusing(address, msg):
        raise ConnectionRefusedError(f"{address} refused")

    monkeypatch.setattr(channels, "email_sender", lambda: refusing)
    with pytest.raises(channels.ChannelError) as failure:
        channels.send(email_recipient("duty@council.example"), message())
    assert str(failure.value) == "email: ConnectionRefusedError" and failure.value.channel == "email"
