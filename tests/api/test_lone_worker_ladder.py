"""Issue 14, item 3: the lone-worker ladder with an injected clock -- each step, acknowledgement stopping it, checking
out ending it, a duress check-out starting at step 2 and looking normal, the settings page for each role, and no
service user's name, address or note in any message.

The console world's home visit AD-014 runs 18:00-18:45 (Europe/London) with Rhys and Ffion; grace 30 minutes, so
step 1 is at 19:15, step 2 at 19:25 and step 3 at 19:35."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest

from visits.alerts import overdue_alerts
from visits.alerts.contract import email_recipient, user_recipient
from visits.extensions import db
from visits.models import AlertDelivery, AlertEvent, AlertKind, AuditEvent, Operation, User, Visit

from ..support import factories as f
from ..support.clients import Client, signed_in
from ..support.sync import send_one
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME
from ..support.clock import london

OUT_OF_HOURS = "EDT@council.example"


@pytest.fixture
def out(console):
    """Rhys and Ffion checked in at the home visit, neither out; the review has an out-of-hours email."""
    f.gen_check_in(console.home_visit, console.reviewer, london(console.day, 17, 58))
    f.gen_check_in(console.home_visit, console.reviewer2, london(console.day, 17, 58))
    console.review.out_of_hours_email = OUT_OF_HOURS.lower()
    db.session.commit()
    return console


def steps_at(moment: datetime):
    due = overdue_alerts.due_steps(moment)
    db.session.commit()
    return due


def by_step(due) -> dict[int, set[str]]:
    return {step.step: set(step.recipients) for step in due}


def events():
    db.session.expire_all()
    return list(db.session.scalars(db.select(AlertEvent).order_by(AlertEvent.id)))


def actions(*names) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.in_(names))
                                   .order_by(AuditEvent.id)))


# --- the steps --------------------------------------------------------------------------------------------------


def test_nothing_until_the_planned_end_plus_grace_has_passed(out):
    assert steps_at(london(out.day, 19, 15)) == []  # overdue.py: past it, not at it
    assert events() == []


def test_step_one_asks_the_visitors_still_not_checked_out(out):
    due = steps_at(london(out.day, 19, 16))
    assert by_step(due) == {1: {user_recipient(out.reviewer.id), user_recipient(out.reviewer2.id)}}
    (event,) = events()
    assert event.kind is AlertKind.overdue and event.visit_id == out.home_visit.id
    assert event.key == f"overdue:visit:{out.home_visit.id}:{london(out.day, 18, 45).isoformat()}"
    assert event.started_at == london(out.day, 19, 15)
    message = due[0].message
    assert message.title == "Are you safe? Check out" and message.url == f"/visits/{out.home_visit.id}#check"
    assert message.body.startswith("Home visit 18:00–18:45 (case AD-014) ended at 18:45")
    assert [a.subject_id for a in actions("alert.started")] == [str(event.id)]


def test_step_two_reaches_the_lead_and_the_link_officer_and_step_three_the_out_of_hours_email(out):
    f.gen_member(out.review, "link_officer", name="Second Link")
    db.session.commit()
    due = by_step(steps_at(london(out.day, 19, 25)))
    watchers = {user_recipient(user.id) for user in db.session.scalars(db.select(User).where(
        User.name.in_(["Lowri Lead", "Lyn Link", "Second Link"])))}
    assert set(due) == {1, 2} and due[2] == watchers and len(watchers) == 3
    steps = steps_at(london(out.day, 19, 35))
    assert by_step(steps)[3] == {email_recipient(OUT_OF_HOURS)}
    team_step = next(step for step in steps if step.step == 2).message
    assert team_step.kind == "overdue" and team_step.url.startswith(f"/attendance?review={out.review.id}")
    assert "Rhys Reviewer" in team_step.body and "has not checked out" in team_step.body
    assert len(events()) == 1  # asked again and again: still one event


def test_no_out_of_hours_email_means_no_third_step_and_the_board_says_so(out, client):
    out.review.out_of_hours_email = ""
    db.session.commit()
    assert set(by_step(steps_at(london(out.day, 19, 40)))) == {1, 2}
    client.login(out.link)
    html = client.get("/attendance", query_string={"review": out.review.id, "date": out.day.isoformat()}) \
        .get_data(as_text=True)
    assert 'id="no-out-of-hours-email"' in html and "/alerts/settings?review=" in html


def test_the_reviews_own_minutes_move_the_steps(out):
    out.review.alert_grace_minutes, out.review.alert_team_minutes, out.review.alert_out_of_hours_minutes = 0, 5, 6
    db.session.commit()
    assert steps_at(london(out.day, 18, 45)) == []  # at the planned end itself: not yet past it
    assert set(by_step(steps_at(london(out.day, 18, 51)))) == {1, 2, 3}


# --- acknowledgement and the end ------------------------------------------------------------------------------------


def test_acknowledging_on_the_board_stops_the_ladder(out, app, clock):
    steps_at(london(out.day, 19, 16))
    clock(london(out.day, 19, 20))
    link = signed_in(app, out.link)
    response = link.post(f"/attendance/overdue/{out.home_visit.id}/acknowledge", data={"date": out.day.isoformat()})
    assert response.status_code == 302
    (event,) = events()
    assert event.acknowledged_at == london(out.day, 19, 20) and event.acknowledged_by_id == out.link.id
    assert steps_at(london(out.day, 19, 40)) == []
    assert [a.detail.get("via") for a in actions("alert.acknowledged")] == ["board"]


@pytest.mark.parametrize("role, expected", [
    ("lead_reviewer", 303), ("link_officer", 303), ("reviewer", 403), ("lay_assessor", 403), ("coordinator", 403),
    ("lead_b", 404), ("link_b", 404),
])
def test_acknowledging_from_the_notification_is_for_the_reviews_lead_and_link_officers(out, app, clock, role,
                                                                                       expected):
    steps_at(london(out.day, 19, 26))
    (event,) = events()
    clock(london(out.day, 19, 30))
    client = signed_in(app, out.member(role))
    response = client.post(f"/alerts/{event.id}/acknowledge")
    assert response.status_code == expected
    (event,) = events()
    if expected == 303:
        assert response.headers["Location"].startswith(f"/attendance?review={out.review.id}")
        assert event.acknowledged_at == london(out.day, 19, 30)
        assert steps_at(london(out.day, 19, 40)) == []
        assert actions("alert.acknowledged")[0].user_id == out.member(role).id
    else:
        assert event.acknowledged_at is None


def test_acknowledging_needs_the_form_token(out, app):
    steps_at(london(out.day, 19, 26))
    (event,) = events()
    link = signed_in(app, out.link)
    assert link.http.post(f"/alerts/{event.id}/acknowledge").status_code in (400, 403)
    assert events()[0].acknowledged_at is None


def test_checking_out_ends_the_event(out, app, clock):
    steps_at(london(out.day, 19, 16))
    for person in (out.reviewer, out.reviewer2):
        clock(london(out.day, 19, 20))
        answer = send_one(signed_in(app, person), f.operation(
            "visit.check_out", visit_id=out.home_visit.id, at=london(out.day, 19, 20).isoformat()))
        assert answer["status"] == "applied"
        due = steps_at(london(out.day, 19, 21))
        if person is out.reviewer:  # Ffion is still in: the ladder goes on, for her alone
            assert by_step(due) == {1: {user_recipient(out.reviewer2.id)}}
    assert steps_at(london(out.day, 19, 40)) == []
    (event,) = events()
    assert event.ended_at == london(out.day, 19, 21)
    assert [a.subject_id for a in actions("alert.ended")] == [str(event.id)]


def test_a_visit_moved_later_that_runs_over_again_is_a_new_event(out):
    steps_at(london(out.day, 19, 16))
    visit = db.session.get(Visit, out.home_visit.id)
    visit.starts_at, visit.ends_at = visit.starts_at + timedelta(hours=2), visit.ends_at + timedelta(hours=2)
    db.session.commit()
    assert steps_at(london(out.day, 19, 30)) == []
    first, = events()
    assert first.ended_at is not None
    steps_at(london(out.day, 21, 16))
    first, second = events()
    assert second.is_open and second.key.endswith(london(out.day, 20, 45).isoformat())


# --- the visitor's phone -------------------------------------------------------------------------------------------


def test_the_visitors_page_says_the_link_officer_was_alerted_once_step_two_is_reached(out, app, clock):
    rhys = signed_in(app, out.reviewer)
    steps_at(london(out.day, 19, 16))
    clock(london(out.day, 19, 20))
    assert 'id="team-alerted"' not in rhys.get(f"/visits/{out.home_visit.id}").get_data(as_text=True)
    clock(london(out.day, 19, 26))
    steps_at(london(out.day, 19, 26))
    page = rhys.get(f"/visits/{out.home_visit.id}").get_data(as_text=True)
    assert 'id="team-alerted"' in page and "the link officer were alerted at 19:25" in page


# --- duress ----------------------------------------------------------------------------------------------------------

DURESS = "47114711"
WRONG = "90210977"


def set_code(client, code=DURESS):
    return client.post("/account/duress-code", data={"code": code, "repeat_code": code})


def strip_ids_and_times(answer: dict) -> dict:
    return {key: value for key, value in answer.items()
            if key not in ("op_id", "visit_id", "checked_in_at", "checked_out_at")}


def test_a_duress_check_out_looks_normal_and_starts_the_ladder_at_step_two(console, app, clock):
    # Rhys on two visits the same evening: one left with a wrong code, one with his duress code.
    other = f.gen_visit(console.review, [console.reviewer], [], "setting_visit",
                        datetime.combine(console.day, time(17)), 60, console.day_centre, title="Another visit")
    db.session.commit()
    clock(london(console.day, 18, 0))
    rhys = signed_in(app, console.reviewer)
    assert set_code(rhys).status_code == 303
    answers = {}
    for visit_id, code in ((other.id, WRONG), (console.home_visit.id, DURESS)):
        send_one(rhys, f.operation("visit.check_in", visit_id=visit_id, at=london(console.day, 18, 0).isoformat(),
                                   confirmed=True))
        clock(london(console.day, 18, 40))
        answers[code] = send_one(rhys, f.operation("visit.check_out", visit_id=visit_id, code=code,
                                                   at=london(console.day, 18, 40).isoformat(), confirmed=True))
    assert strip_ids_and_times(answers[WRONG]) == strip_ids_and_times(answers[DURESS])
    assert answers[DURESS]["status"] == "applied"

    (event,) = events()  # the wrong code was an ordinary check-out
    assert event.kind is AlertKind.duress and event.user_id == console.reviewer.id
    assert event.started_at == london(console.day, 18, 40)
    # The runner was asked for a tick at once (in tests huey runs it in the request): step 2 is already claimed.
    claimed = db.session.scalars(db.select(AlertDelivery).where(AlertDelivery.event_id == event.id)).all()
    assert {(row.step, row.recipient) for row in claimed} == {(2, user_recipient(console.lead.id)),
                                                            (2, user_recipient(console.link.id))}
    due = steps_at(london(console.day, 18, 40))
    assert by_step(due) == {2: {user_recipient(console.lead.id), user_recipient(console.link.id)}}
    message = due[0].message
    assert message.kind == "overdue" and "Rhys Reviewer needs help" in message.body
    assert f"/attendance?review={console.review.id}" in message.url

    # Not in the ledger, the audit log or anywhere else in the database (the whole of it, dumped as SQL).
    assert db.session.scalars(db.select(Operation)).first() is not None
    kept = "\n".join(db.session.connection().connection.driver_connection.iterdump())
    assert "visit.check_out" in kept and DURESS not in kept and WRONG not in kept
    assert [a.subject_id for a in actions("alert.duress")] == [str(event.id)]
    # The board shows the lead and link officers who needs help; acknowledging it there stops the ladder.
    link = signed_in(app, console.link)
    board = link.get("/attendance", query_string={"review": console.review.id, "date": console.day.isoformat()})
    assert 'id="help-alerts"' in board.get_data(as_text=True)
    assert link.post(f"/alerts/{event.id}/acknowledge").status_code == 303
    assert [step for step in steps_at(london(console.day, 19, 30)) if step.event_id == event.id] == []
    # The visitor's page does not say anything was raised.
    page = rhys.get(f"/visits/{console.home_visit.id}").get_data(as_text=True)
    assert 'id="team-alerted"' not in page and "help" not in page.lower().split('id="check"')[1][:3000]


@pytest.mark.parametrize("checked_in", [True, False], ids=["far-from-the-visit", "never-checked-in"])
def test_a_duress_code_raises_the_alarm_even_where_an_ordinary_check_out_would_be_questioned(console, app, clock,
                                                                                               checked_in):
    """Someone made to check out at an odd hour, or before they checked in, must not be asked 'Check out anyway?'
    (the phone may be in someone else's hands) nor have the alarm undone with the refusal: the code wins."""
    clock(london(console.day, 18, 0))
    rhys = signed_in(app, console.reviewer)
    set_code(rhys)
    if checked_in:
        send_one(rhys, f.operation("visit.check_in", visit_id=console.home_visit.id,
                                   at=london(console.day, 18, 0).isoformat(), confirmed=True))
    at_night = london(console.day + timedelta(days=1), 3, 4)  # far from an evening visit, not confirmed
    clock(at_night)
    answer = send_one(rhys, f.operation("visit.check_out", visit_id=console.home_visit.id, code=DURESS,
                                        at=at_night.isoformat()))
    assert answer["status"] == "applied"
    (event,) = [event for event in events() if event.kind is AlertKind.duress]
    assert event.user_id == console.reviewer.id and event.started_at == at_night


def test_the_duress_check_out_form_looks_like_any_other(console, app, clock):
    from .test_visit_page_recording import page_of, submit, the_form

    clock(london(console.day, 18, 0))
    rhys = signed_in(app, console.reviewer)
    send_one(rhys, f.operation("visit.check_in", visit_id=console.home_visit.id,
                               at=london(console.day, 18, 0).isoformat()))
    page = page_of(rhys, console)
    assert 'name="code"' not in page  # no code set: no box
    set_code(rhys)
    form = the_form(page_of(rhys, console), "visit.check_out")
    assert "code" in form.fields
    clock(london(console.day, 18, 40))
    response = submit(rhys, form, headers={"HX-Request": "true"}, code=DURESS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Checked out at" in html and "help" not in html.lower() and DURESS not in html
    assert events()[0].kind is AlertKind.duress


@pytest.mark.parametrize("code, repeat, message", [
    ("123", "123", "4 to 12 digits"), ("12345678901234", "12345678901234", "4 to 12 digits"),
    ("abcd", "abcd", "4 to 12 digits"), ("1234", "1235", "not the same"),
])
def test_a_duress_code_is_4_to_12_digits_entered_twice(console, app, code, repeat, message):
    rhys = signed_in(app, console.reviewer)
    response = rhys.post("/account/duress-code", data={"code": code, "repeat_code": repeat})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.get(User, console.reviewer.id).duress_code_hash is None


def test_the_duress_code_is_kept_hashed_never_shown_and_can_be_removed(console, app):
    rhys = signed_in(app, console.reviewer)
    assert "Duress code for check-outs" in rhys.get("/account").get_data(as_text=True)
    set_code(rhys)
    db.session.expire_all()
    stored = db.session.get(User, console.reviewer.id).duress_code_hash
    assert stored.startswith("$argon2id$") and DURESS not in stored
    page = rhys.get("/account/duress-code").get_data(as_text=True)
    assert "You have a duress code" in page and DURESS not in page
    assert rhys.post("/account/duress-code", data={"action": "remove"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, console.reviewer.id).duress_code_hash is None


def test_the_duress_code_may_not_be_the_password(console, app):
    user = console.reviewer
    from visits.auth.passwords import hash_password
    user.password_hash = hash_password("123456789012")
    db.session.commit()
    client = Client(app)
    client.login(user, password="123456789012")
    response = client.post("/account/duress-code", data={"code": "123456789012", "repeat_code": "123456789012"})
    assert response.status_code == 400 and "not your password" in response.get_data(as_text=True)


# --- confidentiality ---------------------------------------------------------------------------------------------


def test_no_message_names_the_service_user_or_says_where_or_what_was_written(out, app):
    visit = db.session.get(Visit, out.home_visit.id)
    visit.title = f"Home visit to {SERVICE_USER_NAME}"
    visit.briefing = f"{SERVICE_USER_NAME} at {HOME_ADDRESS}"
    f.gen_concern(visit, out.reviewer, text="CONCERN-TEXT planted", rating="red")
    db.session.commit()
    due = steps_at(london(out.day, 19, 40))
    assert {step.step for step in due} == {1, 2, 3}
    words = json.dumps([step.message.payload() for step in due])
    for secret in (SERVICE_USER_NAME, "Secretname", HOME_ADDRESS, "Hidden Row", NOTE_BODY, "CONCERN-TEXT"):
        assert secret not in words
    audit = json.dumps([a.detail for a in actions("alert.started", "alert.ended", "alert.acknowledged")])
    assert "Secretname" not in audit and "Hidden Row" not in audit


# --- the settings page -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, expected", [
    ("lead_reviewer", 200), ("link_officer", 200), ("reviewer", 403), ("lay_assessor", 403), ("coordinator", 403),
    ("lead_b", 404),
])
def test_the_settings_page_is_for_the_reviews_lead_and_link_officers(console, app, role, expected):
    client = signed_in(app, console.member(role))
    assert client.get("/alerts/settings", query_string={"review": console.review.id}).status_code == expected
    response = client.post(f"/alerts/settings?review={console.review.id}",
                           data={"team_minutes": "5", "out_of_hours_minutes": "15",
                                 "out_of_hours_email": "Duty@Council.example"})
    assert response.status_code == (303 if expected == 200 else expected)
    db.session.expire_all()
    review = db.session.get(type(console.review), console.review.id)
    if expected == 200:
        assert (review.alert_team_minutes, review.alert_out_of_hours_minutes, review.out_of_hours_email) == \
            (5, 15, "duty@council.example")
        (event,) = actions("alert.settings")
        assert "duty@" not in json.dumps(event.detail)
    else:
        assert (review.alert_team_minutes, review.out_of_hours_email) == (10, "")


def test_the_settings_page_says_when_there_is_no_out_of_hours_email(console, app):
    page = signed_in(app, console.link).get("/alerts/settings", query_string={"review": console.review.id})
    assert 'id="no-out-of-hours-email"' in page.get_data(as_text=True)


@pytest.mark.parametrize("form, field, message", [
    ({"team_minutes": "10", "out_of_hours_minutes": "10"}, "out_of_hours_minutes", "comes after"),
    ({"team_minutes": "241", "out_of_hours_minutes": "250"}, "team_minutes", "Between 0 and 240"),
    ({"team_minutes": "-1", "out_of_hours_minutes": "20"}, "team_minutes", "Between 0 and 240"),
    ({"team_minutes": "ten", "out_of_hours_minutes": "20"}, "team_minutes", "whole number"),
    ({"grace_minutes": "999", "team_minutes": "10", "out_of_hours_minutes": "20"}, "grace_minutes", "Between"),
    ({"team_minutes": "10", "out_of_hours_minutes": "20", "out_of_hours_email": "not an address"},
     "out_of_hours_email", "email address"),
    ({}, "team_minutes", ""),
])
def test_bad_settings_are_answered_with_field_messages(console, app, form, field, message):
    client = signed_in(app, console.lead)
    response = client.post(f"/alerts/settings?review={console.review.id}", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="alerts-{field}-error"' in html and message in html


# --- through the job runner's tick ----------------------------------------------------------------------------------


def test_the_tick_sends_each_step_once_to_each_recipient_as_the_clock_moves(out):
    from visits.alerts.tick import run_tick

    sent: list[tuple[str, str]] = []

    def send(recipient, message):
        # The out-of-hours address is nobody's account: Welsh first, then the English (`also`), as the Standards ask.
        sent.append((recipient, message.also.title if message.also else message.title))
        return "push"

    for moment in (london(out.day, 19, 10), london(out.day, 19, 16), london(out.day, 19, 17),
                   london(out.day, 19, 26), london(out.day, 19, 36), london(out.day, 19, 50)):
        run_tick(moment, send=send)
    assert sorted(sent) == sorted([
        (user_recipient(out.reviewer.id), "Are you safe? Check out"),
        (user_recipient(out.reviewer2.id), "Are you safe? Check out"),
        (user_recipient(out.lead.id), "Lone worker alert"), (user_recipient(out.link.id), "Lone worker alert"),
        (email_recipient(OUT_OF_HOURS), "Lone worker alert: no answer from the review team")])


def test_two_runners_finding_the_same_overdue_visit_make_one_event(out, monkeypatch):
    steps_at(london(out.day, 19, 16))
    (first,) = events()
    # The second runner looked before the first had committed: its lookup missed, so it inserts, and the UNIQUE
    # key sends it to the row the first made.
    real_scalar, missed = db.session.scalar, []

    def scalar_missing_once(statement, *args, **kwargs):
        if not missed and "alert_events" in str(statement):
            missed.append(True)
            return None
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", scalar_missing_once)
    due = steps_at(london(out.day, 19, 17))
    monkeypatch.undo()
    assert missed and {step.event_id for step in due} == {first.id} and len(events()) == 1


def test_the_board_shows_how_far_the_alarm_has_climbed(out, app, clock):
    from visits.alerts.tick import run_tick

    run_tick(london(out.day, 19, 26), send=lambda recipient, message: "push")
    clock(london(out.day, 19, 27))
    html = signed_in(app, out.link).get("/attendance", query_string={
        "review": out.review.id, "date": out.day.isoformat()}).get_data(as_text=True)
    climbed = html[html.index('class="ladder-sent"'):]
    climbed = climbed[:climbed.index("</p>")]
    assert "the visitors" in climbed and "the lead and link officers" in climbed
    assert "out-of-hours" not in climbed


def test_the_board_links_the_alert_settings_for_those_who_set_them(console, app):
    query = {"review": console.review.id, "date": console.day.isoformat()}
    for person, shown in ((console.link, True), (console.lead, True), (console.coordinator, False)):
        html = signed_in(app, person).get("/attendance", query_string=query).get_data(as_text=True)
        assert (f'href="/alerts/settings?review={console.review.id}"' in html) is shown


# --- a duress check-out by a lead or link officer: never shown to them, nor cancelled by them --------------------

def duress_check_out(app, clock, console, person):
    """`person` on a visit of their own, checked in at 17:00 and out with their duress code at 17:50: the event."""
    visit = f.gen_visit(console.review, [person], [], "setting_visit", datetime.combine(console.day, time(17)), 60,
                        console.day_centre, title="A setting visit")
    db.session.commit()
    clock(london(console.day, 17, 0))
    phone = signed_in(app, person)
    saved = set_code(phone)
    assert saved.status_code == 303
    phone.get(saved.headers["Location"])  # where "Your duress code is saved" is shown, as in the browser
    send_one(phone, f.operation("visit.check_in", visit_id=visit.id, at=london(console.day, 17, 0).isoformat(),
                                confirmed=True))
    clock(london(console.day, 17, 50))
    answer = send_one(phone, f.operation("visit.check_out", visit_id=visit.id, code=DURESS,
                                         at=london(console.day, 17, 50).isoformat(), confirmed=True))
    assert answer["status"] == "applied"
    (event,) = [event for event in events() if event.kind is AlertKind.duress]
    return phone, visit, event


def flashes(client) -> list:
    with client.http.session_transaction() as session:
        return [tuple(message) for message in session.get("_flashes", [])]


def board_html(client, console, fragment=False) -> str:
    path = "/attendance/board-fragment" if fragment else "/attendance"
    response = client.get(path, query_string={"review": console.review.id, "date": console.day.isoformat()})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who, other", [("lead", "link"), ("link", "lead")])
def test_a_duress_check_out_is_never_shown_to_the_person_nor_cancelled_from_their_phone(console, app, clock, who,
                                                                                      other):
    """The phone may be in someone else's hands: the board, visit page and itinerary show its owner nothing; their
    acknowledgement answers like any other and changes nothing; their audit log holds no trace of it."""
    person = getattr(console, who)
    phone, visit, event = duress_check_out(app, clock, console, person)
    watcher = signed_in(app, getattr(console, other))

    assert 'id="help-alerts"' in board_html(watcher, console)
    for html in (board_html(phone, console), board_html(phone, console, fragment=True)):
        assert 'id="help-alerts"' not in html and "needs help" not in html and "need help" not in html
    for path in (f"/visits/{visit.id}", f"/itinerary?date={console.day.isoformat()}"):
        html = phone.get(path).get_data(as_text=True)
        assert "help-alerts" not in html and "needs help" not in html and "duress" not in html.lower()

    # The person's own "acknowledge" answers as a real one would, and the ladder climbs on.
    audit_rows_before = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    theirs = phone.post(f"/alerts/{event.id}/acknowledge")
    assert theirs.status_code == 303 and theirs.headers["Location"] == f"/attendance?review={console.review.id}"
    flashes_of_theirs = flashes(phone)
    assert flashes_of_theirs == [("status", "Acknowledged: the alert stops here. Follow it up now.")]
    (event,) = [e for e in events() if e.kind is AlertKind.duress]
    assert event.is_open and event.acknowledged_at is None
    later = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id).offset(audit_rows_before)).all()
    assert all(row.user_id is None for row in later if row.action.startswith("alert."))
    assert 'id="help-alerts"' in board_html(watcher, console)
    due = [step for step in steps_at(london(console.day, 18, 1)) if step.event_id == event.id]
    assert by_step(due) == {2: {user_recipient(getattr(console, other).id)}}  # never the person themselves

    # The audit log: no actor on the alarm's rows; the person sees none of them, the lead/coordinator does.
    assert [row.user_id for row in actions("alert.duress")] == [None]
    readers = [c for c in (console.lead, console.coordinator) if c is not person]
    for reader in readers:
        html = signed_in(app, reader).get("/audit", query_string={"review": console.review.id}).get_data(as_text=True)
        assert "Duress check-out" in html and f"Alert <code>{event.id}</code>" in html
    own = phone.get("/audit", query_string={"review": console.review.id})
    if who == "lead":
        html = own.get_data(as_text=True)
        assert own.status_code == 200 and "Checked out" in html
        assert "Duress" not in html and "Lone-worker" not in html and "Alert <code>" not in html
        by_action = phone.get("/audit", query_string={"review": console.review.id, "action": "alert.duress"})
        assert "Duress check-out: help" not in by_action.get_data(as_text=True).split("</form>")[1]
    else:
        assert own.status_code == 404  # a link officer reads no audit log at all

    # Once another watcher acknowledges it (the same answer as the person had), they still see nothing of it.
    real = watcher.post(f"/alerts/{event.id}/acknowledge")
    assert (real.status_code, real.headers["Location"]) == (theirs.status_code, theirs.headers["Location"])
    assert flashes(watcher) == flashes_of_theirs
    assert not [e for e in events() if e.kind is AlertKind.duress][0].is_open
    assert [row.user_id for row in actions("alert.acknowledged")] == [None]
    if who == "lead":
        html = phone.get("/audit", query_string={"review": console.review.id}).get_data(as_text=True)
        assert "Lone-worker" not in html and "Alert <code>" not in html


def test_a_sole_watcher_under_duress_sends_the_out_of_hours_email_at_once(console, app, clock):
    """The lead is the review's only lead/link officer left: step 2 has nobody, so step 3 goes now."""
    db.session.get(User, console.link.id).active = False
    console.review.out_of_hours_email = OUT_OF_HOURS.lower()
    db.session.commit()
    _, _, event = duress_check_out(app, clock, console, console.lead)
    due = [step for step in steps_at(london(console.day, 17, 50)) if step.event_id == event.id]
    assert by_step(due) == {3: {email_recipient(OUT_OF_HOURS)}}
    assert "Lowri Lead needs help" in due[0].message.body


def test_a_sole_watcher_under_duress_with_no_out_of_hours_email_alerts_the_coordinator(console, app, clock):
    """Nobody on the ladder at all: the review's coordinator hears of it rather than no one."""
    db.session.get(User, console.link.id).active = False
    console.review.out_of_hours_email = ""
    db.session.commit()
    _, _, event = duress_check_out(app, clock, console, console.lead)
    due = [step for step in steps_at(london(console.day, 17, 50)) if step.event_id == event.id]
    assert by_step(due) == {2: {user_recipient(console.coordinator.id)}}


def test_a_duress_check_out_by_one_watcher_still_alerts_the_other_with_no_out_of_hours_email(console, app, clock):
    console.review.out_of_hours_email = ""
    db.session.commit()
    _, _, event = duress_check_out(app, clock, console, console.lead)
    due = [step for step in steps_at(london(console.day, 17, 50)) if step.event_id == event.id]
    assert by_step(due) == {2: {user_recipient(console.link.id)}}
