"""A red concern referred and not acknowledged in time (DESIGN section 13): the producer the job runner's tick asks
(visits/alerts/concern_alerts.py), with the clock injected. Step 1 at +30 minutes to the lead and link officers,
step 2 at +60 to the out-of-hours contact by email; acknowledging stops it; amber and green never alert."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.support import factories as f
from tests.support.world import SERVICE_USER_NAME
from visits.alerts import concern_alerts
from visits.alerts.contract import email_recipient, user_recipient
from visits.extensions import db
from visits.models import AlertEvent, AlertKind, AuditEvent, ReviewStatus

REFERRED = datetime(2026, 3, 9, 14, 5, tzinfo=timezone.utc)  # 14:05 in London (GMT in March)
CONCERN_TEXT = "Bruises on Mrs Gwenllian Secretname's arm; her son shouted at staff"


def _referred(world, rating="red", category="safeguarding", at=REFERRED):
    concern = f.gen_concern(world.home_visit, world.reviewer, text=CONCERN_TEXT, category=category, rating=rating)
    concern.referred_at, concern.referred_by_id = at, world.lead.id
    concern.referral_text = f"Referred about {SERVICE_USER_NAME}"
    world.review.out_of_hours_email = "Duty.Team@council.example"
    db.session.commit()
    return concern


def _due(app, minutes_after):
    now = REFERRED + timedelta(minutes=minutes_after)
    app.config["CLOCK"] = lambda: now
    return concern_alerts.due_steps(now)


def _claim(steps):
    """What the tick does first: one delivery row per step and recipient (the runner's part, stood in for)."""
    f.gen_claims(steps)


def test_nothing_is_due_before_thirty_minutes(app, team):
    _referred(team)
    assert _due(app, 29) == []
    assert f.count(AlertEvent) == 0


def test_a_red_concern_unacknowledged_after_thirty_minutes_reaches_the_lead_and_link_officer_again(app, team):
    concern = _referred(team)
    steps = _due(app, 30)
    assert [step.step for step in steps] == [1]
    assert set(steps[0].recipients) == {user_recipient(team.lead.id), user_recipient(team.link.id)}
    message = steps[0].message
    assert message.kind == "concern"
    assert message.body.startswith("A red safeguarding concern referred at 14:05 has not been acknowledged")
    assert message.url == f"/concerns?review={team.review.id}"
    event = db.session.scalar(db.select(AlertEvent))
    assert event.kind is AlertKind.concern and event.concern_id == concern.id
    assert event.key == f"concern:{concern.id}:{REFERRED.isoformat()}"
    assert event.started_at == REFERRED and event.is_open


def test_step_two_emails_the_out_of_hours_contact_after_another_thirty_minutes(app, team):
    _referred(team)
    _claim(_due(app, 30))
    assert _due(app, 45) == []  # step 1 is claimed already; step 2 not yet due
    steps = _due(app, 60)
    assert [(step.step, step.recipients) for step in steps] == [(2, (email_recipient("duty.team@council.example"),))]
    assert "out-of-hours contact" in steps[0].message.body
    _claim(steps)
    assert _due(app, 90) == []
    assert f.count(AlertEvent) == 1  # one event for the referral, whatever the number of ticks


def test_a_review_with_no_out_of_hours_email_reminds_the_lead_and_link_officer_at_step_two(app, team):
    _referred(team)
    team.review.out_of_hours_email = ""
    db.session.commit()
    steps = _due(app, 61)
    assert {step.step for step in steps} == {1, 2}
    assert set(next(s for s in steps if s.step == 2).recipients) == {user_recipient(team.lead.id),
                                                                      user_recipient(team.link.id)}


def test_acknowledging_the_referral_stops_the_alert_and_ends_its_event(app, team):
    concern = _referred(team)
    _claim(_due(app, 30))
    concern.acknowledged_at, concern.acknowledged_by_id = REFERRED + timedelta(minutes=40), team.link.id
    db.session.commit()
    assert _due(app, 60) == []
    event = db.session.scalar(db.select(AlertEvent))
    assert event.ended_at == REFERRED + timedelta(minutes=60)
    actions = [row.action for row in db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.subject_type == "alert_event"))]
    assert actions == ["concern_alert.started", "concern_alert.ended"]


def test_acknowledging_the_alert_on_the_board_stops_it_too(app, team):
    _referred(team)
    _due(app, 30)
    event = db.session.scalar(db.select(AlertEvent))
    event.acknowledged_at, event.acknowledged_by_id = REFERRED + timedelta(minutes=35), team.lead.id
    db.session.commit()
    assert _due(app, 60) == []


def test_a_referral_corrected_by_the_lead_is_a_new_event_and_the_old_one_ends(app, team):
    concern = _referred(team)
    _claim(_due(app, 30))
    concern.referred_at = REFERRED + timedelta(minutes=31)
    db.session.commit()
    assert _due(app, 32) == []  # the new referral's 30 minutes start again
    old = db.session.scalar(db.select(AlertEvent))
    assert old.ended_at is not None
    assert [step.step for step in _due(app, 61)] == [1]
    assert f.count(AlertEvent) == 2


@pytest.mark.parametrize("rating", ["amber", "green"])
def test_amber_and_green_concerns_never_alert(app, team, rating):
    _referred(team, rating=rating)
    assert _due(app, 600) == []
    assert f.count(AlertEvent) == 0


def test_a_closed_review_alerts_nobody(app, team):
    _referred(team)
    team.review.status = ReviewStatus.closed
    db.session.commit()
    assert _due(app, 90) == []


def test_unreferred_concerns_do_not_alert(app, team):
    concern = _referred(team)
    concern.referred_at = None
    db.session.commit()
    assert _due(app, 90) == []


def test_the_message_names_no_one_and_quotes_nothing(app, team):
    _referred(team)
    steps = _due(app, 90)
    assert steps
    said = json.dumps([step.message.payload() for step in steps])
    for secret in (SERVICE_USER_NAME, "Secretname", "Bruises", "Mrs Eira Jones", team.reviewer.name, team.lead.name,
                   team.case.reference):
        assert secret not in said
    audit = json.dumps([row.detail for row in db.session.scalars(db.select(AuditEvent))])
    assert "Bruises" not in audit and "Secretname" not in audit


def test_two_runners_making_the_same_event_make_one_row(app, team):
    """The second producer finds the first one's row by its unique key (the savepoint insert)."""
    _referred(team)
    first = _due(app, 30)
    second = _due(app, 30)
    assert first[0].event_id == second[0].event_id
    assert f.count(AlertEvent) == 1


def test_an_event_inserted_by_another_runner_in_between_is_found_not_duplicated(app, team, monkeypatch):
    """The race itself: this runner looked, found nothing, and the other runner's row landed before its insert.
    The insert fails in its savepoint and the other's row is used; the session goes on working."""
    from visits.alerts import events

    _referred(team)
    _due(app, 30)
    existing = db.session.scalar(db.select(AlertEvent))
    real_scalar, calls = db.session.scalar, []

    def first_look_misses(statement, *args, **kwargs):
        calls.append(statement)
        return None if len(calls) == 1 else real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", first_look_misses)
    found, made = events.event_for_key(existing.key, lambda: AlertEvent(
        review_id=existing.review_id, kind=AlertKind.concern, key=existing.key, started_at=REFERRED))
    monkeypatch.undo()
    assert (found.id, made) == (existing.id, False)
    db.session.commit()
    assert f.count(AlertEvent) == 1


def _claimed_and_lost(steps, minutes_ago=10, **outcome):
    """A runner claimed each step (the row committed) and died before recording what happened, `minutes_ago`
    by the machine's clock (claims are timed by it, not by the app's)."""
    f.gen_claims(steps, minutes_ago, **outcome)


def test_a_claim_whose_runner_died_is_due_again_and_the_next_tick_sends_it(app, team):
    from visits.alerts import delivery

    _referred(team)
    first = _due(app, 30)
    _claimed_and_lost(first)
    again = _due(app, 40)
    assert [(step.step, set(step.recipients)) for step in again] == [(1, set(first[0].recipients))]
    sent = []
    outcome = delivery.deliver(again[0], send=lambda recipient, message: sent.append(recipient) or "push")
    assert set(sent) == set(first[0].recipients) and outcome.resent == len(sent)
    assert _due(app, 41) == []


@pytest.mark.parametrize("state", ["fresh", "sent", "failed"])
def test_a_claim_still_held_or_with_an_outcome_is_not_due_again(app, team, state):
    _referred(team)
    outcome = {"sent": {"sent_at": datetime.now(timezone.utc)},
               "failed": {"failed_at": datetime.now(timezone.utc), "error": "SMTP down"}}.get(state, {})
    _claimed_and_lost(_due(app, 30), minutes_ago=0 if state == "fresh" else 10, **outcome)
    assert _due(app, 40) == []
