"""Programme changes (DESIGN section 13): a VisitChange is recorded wherever a visit is added, moved, cancelled,
given a new place or team (the visit form, the cancel form, the import), and the producer the job runner's tick
asks (visits/alerts/programme_notices.py) tells each affected team member once, except whoever made the change:
"Thu 14:00 home visit moved to 15:30", and several changes for one person in one tick as one message."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from visits.alerts import programme_notices
from visits.alerts.changes import notice_line
from visits.alerts.contract import user_recipient
from visits.extensions import db
from visits.models import AlertDelivery, AlertEvent, AlertKind, Note, ReviewStatus, Visit, VisitChange
from visits.programme.service import cancel_visit

from ..support import factories as f
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME, at, console_world
from .test_import import confirm, csv_bytes, upload, valid_rows
from .test_programme import visit_form

THURSDAY = date(2026, 11, 26)


def _changes(visit_id=None) -> list[VisitChange]:
    query = db.select(VisitChange).order_by(VisitChange.id)
    if visit_id is not None:
        query = query.where(VisitChange.visit_id == visit_id)
    return list(db.session.scalars(query))


def _edit_form(client, console, visit, **changes):
    page = client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    form = visit_form(console, kind=visit.kind.value, title=visit.title, date=visit.starts_at.date().isoformat(),
                      start=visit.starts_at.strftime("%H:%M"), end=visit.ends_at.strftime("%H:%M"),
                      location_id=str(visit.location_id), case_id=str(visit.case_id or ""),
                      team=[str(member.id) for member in visit.team], version=version)
    form.update(changes)
    return form


def _early(app, day: date):
    """07:00 UTC on the programme's day: before the visits, so their notices are worth sending."""
    now = datetime.combine(day, datetime.min.time()).replace(hour=7, tzinfo=timezone.utc)
    app.config["CLOCK"] = lambda: now
    return now


def _claim(steps):
    """What the tick does with each step: claims it and records it sent (an event ends once its sends have an
    outcome, not while one is merely claimed)."""
    f.gen_claims(steps, sent_at=datetime.now(timezone.utc))


# --- where the programme changes: one VisitChange each, codes and times only -----------------------------------

def test_moving_a_visit_on_the_form_records_old_and_new_times_and_the_team(client, console):
    client.login(console.link)
    visit = console.home_visit
    form = _edit_form(client, console, visit, start="19:30", end="20:15")
    assert client.post(f"/programme/visits/{visit.id}", data=form).status_code == 302
    [change] = _changes(visit.id)
    day = console.day.isoformat()
    assert change.changes["starts_at"] == [f"{day}T18:00", f"{day}T19:30"]
    assert change.changes["ends_at"] == [f"{day}T18:45", f"{day}T20:15"]
    assert change.changes["kind"] == ["home_visit", "home_visit"]
    assert "status" not in change.changes and "team" not in change.changes
    assert change.team_ids == sorted([console.reviewer.id, console.reviewer2.id])
    assert change.changed_by_id == console.link.id
    stored = json.dumps(change.changes)
    assert "AD-014" not in stored and SERVICE_USER_NAME not in stored and "Home visit" not in stored


def test_a_new_team_and_place_are_recorded_and_both_teams_hear_of_it(client, console):
    client.login(console.link)
    visit = console.interview
    form = _edit_form(client, console, visit, team=[str(console.reviewer2.id)],
                      location_id=str(console.day_centre.id))
    assert client.post(f"/programme/visits/{visit.id}", data=form).status_code == 302
    [change] = _changes(visit.id)
    assert change.changes["team"] == [[console.reviewer.id], [console.reviewer2.id]]
    assert change.changes["location_id"] == [console.office.id, console.day_centre.id]
    assert change.team_ids == sorted([console.reviewer.id, console.reviewer2.id])


def test_saving_the_form_with_only_the_briefing_changed_records_nothing(client, console):
    client.login(console.link)
    form = _edit_form(client, console, console.interview, briefing="Bring the case list")
    assert client.post(f"/programme/visits/{console.interview.id}", data=form).status_code == 302
    assert _changes() == []


def test_cancelling_a_visit_records_the_status_not_the_reason(client, console):
    client.login(console.link)
    reason = f"{SERVICE_USER_NAME} is in hospital"
    assert client.post(f"/programme/visits/{console.home_visit.id}/cancel",
                       data={"reason": reason}).status_code == 302
    [change] = _changes(console.home_visit.id)
    assert change.changes["status"] == ["planned", "cancelled"]
    assert "hospital" not in json.dumps(change.changes)
    # Cancelling it again changes nothing, and records nothing.
    client.post(f"/programme/visits/{console.home_visit.id}/cancel", data={"reason": reason})
    assert len(_changes(console.home_visit.id)) == 1


def test_visits_added_on_the_form_and_by_the_import_are_recorded_as_new(client, console):
    for visit in db.session.scalars(db.select(Visit)).all():  # an empty programme, as the import's tests start
        db.session.execute(db.delete(Note).where(Note.visit_id == visit.id))
        db.session.delete(visit)
    db.session.commit()
    client.login(console.link)
    assert client.post("/programme/visits", data=visit_form(console, start="08:00", end="08:30")).status_code == 302
    preview = upload(client, console, csv_bytes(valid_rows(console)))
    assert confirm(client, console, preview.get_data(as_text=True)).status_code == 302
    created = [change for change in _changes() if change.changes.get("created")]
    assert len(created) == 1 + len(valid_rows(console))
    by_form = created[0]
    assert by_form.team_ids == [console.reviewer2.id] and by_form.changed_by_id == console.link.id
    imported_home = next(c for c in created if c.changes["kind"] == [None, "home_visit"])
    assert imported_home.team_ids == sorted([console.reviewer.id, console.reviewer2.id])
    assert SERVICE_USER_NAME not in json.dumps([c.changes for c in created])


# --- the words -------------------------------------------------------------------------------------------------

def _change(app, fields, team=(1,), by=None):
    return VisitChange(review_id=1, visit_id=1, changes=fields, team_ids=list(team), changed_by_id=by)


def test_the_words_of_a_move_a_cancellation_and_a_new_visit(app):
    moved = _change(app, {"starts_at": ["2026-11-26T14:00", "2026-11-26T15:30"], "kind": ["home_visit"] * 2})
    assert notice_line(moved, 1) == "Thu 14:00 home visit moved to 15:30"
    next_day = _change(app, {"starts_at": ["2026-11-26T14:00", "2026-11-27T09:00"], "kind": ["staff_interview"] * 2})
    assert notice_line(next_day, 1) == "Thu 14:00 staff interview moved to Fri 09:00"
    cancelled = _change(app, {"starts_at": ["2026-11-26T14:00"] * 2, "kind": ["home_visit"] * 2,
                              "status": ["planned", "cancelled"]})
    assert notice_line(cancelled, 1) == "Thu 14:00 home visit cancelled"
    new = _change(app, {"created": [None, True], "starts_at": [None, "2026-11-26T10:00"],
                        "kind": [None, "setting_visit"]})
    assert notice_line(new, 1) == "Thu 10:00 setting visit added to your visits"
    team = _change(app, {"starts_at": ["2026-11-26T14:00"] * 2, "kind": ["home_visit"] * 2, "team": [[1], [2]]},
                   team=(1, 2))
    assert notice_line(team, 1) == "Thu 14:00 home visit you are no longer on it"
    assert notice_line(team, 2) == "Thu 14:00 home visit you were added"


# --- the notices -----------------------------------------------------------------------------------------------

def test_a_moved_visit_is_told_to_its_team_except_whoever_moved_it(app, client, console):
    now = _early(app, console.day)
    console.home_visit.team.append(console.link)
    db.session.commit()
    client.login(console.link)
    form = _edit_form(client, console, console.home_visit, start="19:30", end="20:15")
    assert client.post(f"/programme/visits/{console.home_visit.id}", data=form).status_code == 302
    steps = programme_notices.due_steps(now)
    assert sorted(r for step in steps for r in step.recipients) == sorted(
        [user_recipient(console.reviewer.id), user_recipient(console.reviewer2.id)])
    message = steps[0].message
    assert message.kind == "programme" and message.title == "Programme change"
    weekday = console.day.strftime("%a")
    assert message.body == f"{weekday} 18:00 home visit moved to 19:30"
    assert message.url == f"/itinerary?date={console.day.isoformat()}"
    event = db.session.get(AlertEvent, steps[0].event_id)
    assert event.kind is AlertKind.programme and event.key == f"programme:change:{_changes()[0].id}"
    said = json.dumps([step.message.payload() for step in steps])
    for secret in (SERVICE_USER_NAME, HOME_ADDRESS, NOTE_BODY, "AD-014", "Home (GS)", console.link.name):
        assert secret not in said


def test_each_person_is_told_once_and_the_event_then_ends(app, console):
    now = _early(app, console.day)
    cancel_visit(console.review, console.link, console.interview, "The manager is off sick")
    db.session.commit()
    steps = programme_notices.due_steps(now)
    assert [step.recipients for step in steps] == [(user_recipient(console.reviewer.id),)]
    _claim(steps)
    assert programme_notices.due_steps(now) == []
    assert db.session.scalar(db.select(AlertEvent)).ended_at == now
    assert programme_notices.due_steps(now + timedelta(minutes=1)) == []


def test_twelve_changes_to_one_persons_day_before_nine_make_one_message(app, console):
    now = _early(app, console.day)
    visits = [f.gen_visit(console.review, [console.lay], kind="setting_visit", starts_at=at(console.day, 9 + n % 8,
                                                                                             5 * n))
              for n in range(12)]
    db.session.commit()
    for visit in visits:
        cancel_visit(console.review, console.link, visit, "Rearranged")
    db.session.commit()
    steps = programme_notices.due_steps(now)
    assert len(steps) == 1 and steps[0].recipients == (user_recipient(console.lay.id),)
    message = steps[0].message
    assert message.title == "12 changes to your visits"
    assert message.body.count("cancelled") == 3 and message.body.endswith("and 9 more")
    _claim(steps)
    assert programme_notices.due_steps(now) == []  # the other eleven were told with the first: nobody hears twice
    assert all(event.ended_at == now for event in db.session.scalars(db.select(AlertEvent)))


def test_a_change_to_a_visit_already_over_or_in_a_closed_review_is_told_to_nobody(app, console):
    evening = datetime.combine(console.day, datetime.min.time()).replace(hour=23, tzinfo=timezone.utc)
    app.config["CLOCK"] = lambda: evening
    cancel_visit(console.review, console.link, console.interview, "Too late")
    db.session.commit()
    assert programme_notices.due_steps(evening) == []
    now = _early(app, console.day)
    cancel_visit(console.review, console.link, console.setting_visit, "Closed")
    console.review.status = ReviewStatus.closed
    db.session.commit()
    assert programme_notices.due_steps(now) == []


def test_a_person_no_longer_in_the_review_is_not_told(app, console):
    now = _early(app, console.day)
    cancel_visit(console.review, console.link, console.interview, "Off")
    membership = next(m for m in console.reviewer.memberships if m.review_id == console.review.id)
    db.session.delete(membership)
    db.session.commit()
    assert programme_notices.due_steps(now) == []


def test_another_reviews_people_never_hear_of_this_reviews_changes(app):
    world = console_world()
    now = _early(app, world.day)
    cancel_visit(world.review, world.link, world.home_visit, "Off")
    db.session.commit()
    steps = programme_notices.due_steps(now)
    told = {r for step in steps for r in step.recipients}
    assert told == {user_recipient(world.reviewer.id), user_recipient(world.reviewer2.id)}
    assert user_recipient(world.lead_b.id) not in told and user_recipient(world.link_b.id) not in told


def _two_cancelled(app, console):
    now = _early(app, console.day)
    visits = [f.gen_visit(console.review, [console.lay], kind="setting_visit", starts_at=at(console.day, 10 + n, 0))
              for n in range(2)]
    db.session.commit()
    for visit in visits:
        cancel_visit(console.review, console.link, visit, "Rearranged")
    db.session.commit()
    return now


def _claim_at(steps, minutes_ago, **outcome):
    f.gen_claims(steps, minutes_ago, **outcome)


def test_a_summary_whose_runner_died_is_sent_again_with_every_change_it_carried(app, console):
    """The carrier's claim left with no outcome for 10 minutes: the next tick sends the same summary again (both
    changes), not the carrier's change alone; the other change is not lost with it."""
    from visits.alerts import delivery

    now = _two_cancelled(app, console)
    first = programme_notices.due_steps(now)
    assert len(first) == 1 and first[0].message.title == "2 changes to your visits"
    _claim_at(first, minutes_ago=10)
    again = programme_notices.due_steps(now + timedelta(minutes=10))
    assert [(step.event_id, step.recipients) for step in again] == [(first[0].event_id, first[0].recipients)]
    assert again[0].message == first[0].message
    sent = []
    outcome = delivery.deliver(again[0], send=lambda recipient, message: sent.append(message) or "push")
    assert sent == [first[0].message] and outcome.resent == 1
    assert programme_notices.due_steps(now + timedelta(minutes=11)) == []
    assert all(event.ended_at is not None for event in db.session.scalars(db.select(AlertEvent)))


def test_changes_carried_by_a_summary_still_being_sent_are_not_ended_before_it_is(app, console):
    now = _two_cancelled(app, console)
    first = programme_notices.due_steps(now)
    _claim_at(first, minutes_ago=0)
    assert programme_notices.due_steps(now + timedelta(minutes=1)) == []  # held by a live runner: not twice
    assert all(event.ended_at is None for event in db.session.scalars(db.select(AlertEvent)))
    delivery_row = db.session.scalar(db.select(AlertDelivery))
    delivery_row.sent_at = datetime.now(timezone.utc)
    db.session.commit()
    assert programme_notices.due_steps(now + timedelta(minutes=2)) == []
    assert all(event.ended_at is not None for event in db.session.scalars(db.select(AlertEvent)))
