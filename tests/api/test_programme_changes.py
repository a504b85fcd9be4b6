"""Issue 10, the programme's second pass, through the pages: what a change did to the check, cancelling with a
reason and a confirmation, the new-visit form's day, a case's people booked with it, and a case's status that
follows its visits (sync, programme and board)."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from visits.extensions import db
from visits.models import Attendance, AuditEvent, Case, CaseStatus, Visit, VisitStatus

from ..support import factories as f
from ..support.clients import Client, signed_in
from ..support.sync import send_one
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME, at
from ..support.clock import london


def visit_form(console, **changes) -> dict:
    form = {"review": str(console.review.id), "kind": "staff_interview", "title": "Interview: team leader",
            "date": console.day.isoformat(), "start": "11:05", "end": "12:00",
            "location_id": str(console.day_centre.id), "team": [str(console.reviewer.id)], "status": "planned",
            "briefing": ""}
    form.update(changes)
    return form


def version_of(client, visit_id: int) -> str:
    page = client.get(f"/programme/visits/{visit_id}/edit").get_data(as_text=True)
    return page.split('name="version" value="')[1].split('"')[0]


def answer_to(client, response) -> str:
    """The page the redirect after a change lands on."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def change_section(html: str) -> str:
    start = html.index('id="check-change"')
    return html[start:html.index("</section>", start)]


# --- what a change did to the programme check -------------------------------------------------------------------


def test_saving_a_visit_that_breaks_the_travel_rule_says_so_at_the_top_and_moving_it_back_says_it_cleared(
        client, console):
    client.login(console.link)
    # Rhys's interview at the Civic Centre ends at 11:00; 5 minutes to reach the day centre is not enough.
    added = answer_to(client, client.post("/programme/visits", data=visit_form(console)))
    visit = db.session.scalar(db.select(Visit).filter_by(title="Interview: team leader"))

    section = change_section(added)
    assert "This change added:" in section and "Travel time" in section and "Only 5 min for Rhys Reviewer" in section
    assert "This change cleared:" not in section
    assert 'href="/programme?review=' in section  # a way to the whole check
    assert added.index('id="check-change"') < added.index('<form method="post" class="stack"')  # at the top

    moved = visit_form(console, start="11:30", end="12:30", version=version_of(client, visit.id))
    cleared = change_section(answer_to(client, client.post(f"/programme/visits/{visit.id}", data=moved)))
    assert "This change cleared:" in cleared and "Travel time" in cleared and "This change added:" not in cleared

    # Said once, in the answer to the change: opening the form again does not repeat it.
    assert 'id="check-change"' not in client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)


def test_a_change_that_adds_and_clears_nothing_says_so(client, console):
    client.login(console.link)
    visit = console.setting_visit
    form = visit_form(console, kind="setting_visit", title="Maes Day Centre visit, with the manager", start="14:00",
                      end="15:30", team=[str(console.lay.id)], version=version_of(client, visit.id))

    section = change_section(answer_to(client, client.post(f"/programme/visits/{visit.id}", data=form)))

    assert "No finding added or cleared." in section


def test_the_change_summary_names_service_users_by_case_never_by_name(client, console):
    client.login(console.link)
    clash = visit_form(console, kind="user_group_meeting", title="Carers' group", start="18:15", end="19:00",
                       location_id=str(console.day_centre.id), team=[str(console.lay.id)], expected_count="9")
    created = client.post("/programme/visits", data=clash)
    visit = db.session.scalar(db.select(Visit).filter_by(title="Carers' group"))
    html = client.post(f"/programme/visits/{visit.id}/participants",
                       data={"participant_id": str(console.service_user.id)})
    section = change_section(client.get(html.headers["Location"]).get_data(as_text=True))

    assert created.status_code == 302
    assert "Double booking" in section and "The service user of case AD-014" in section
    assert SERVICE_USER_NAME not in section


# --- cancelling: a reason, and a confirmation ------------------------------------------------------------------


def test_cancelling_a_home_visit_asks_why_and_confirms_before_anything_changes(client, console):
    client.login(console.link)
    visit = console.home_visit
    edit = client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)
    assert f'action="/programme/visits/{visit.id}/cancel"' in edit and 'method="get"' in edit

    confirm = client.get(f"/programme/visits/{visit.id}/cancel")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Home visit AD-014" in page and 'name="reason"' in page and "Cancel the visit" in page
    assert "Keep the visit" in page
    assert db.session.get(Visit, visit.id).status is VisitStatus.planned

    refused = client.post(f"/programme/visits/{visit.id}/cancel", data={"reason": "   "})
    assert refused.status_code == 400
    assert 'id="reason-error"' in refused.get_data(as_text=True)
    assert db.session.get(Visit, visit.id).status is VisitStatus.planned

    reason = f"{SERVICE_USER_NAME} is in hospital"
    answer = answer_to(client, client.post(f"/programme/visits/{visit.id}/cancel", data={"reason": reason}))
    cancelled = db.session.get(Visit, visit.id)
    assert cancelled.status is VisitStatus.cancelled and cancelled.cancel_reason == reason
    assert "The visit is cancelled" in answer and reason in answer
    # The Polish interpreter nobody had arranged is no longer needed.
    assert "This change cleared:" in change_section(answer) and "Unarranged need" in change_section(answer)

    event = db.session.scalar(db.select(AuditEvent).filter_by(action="cancel", subject_id=str(visit.id)))
    assert event.detail["reason_length"] == len(reason)
    assert SERVICE_USER_NAME not in str(event.detail)


def test_the_reason_is_shown_to_the_team_and_in_the_programme_but_not_to_those_who_may_not_know_the_person(
        client, console):
    client.login(console.link)
    reason = f"{SERVICE_USER_NAME} is in hospital"
    client.post(f"/programme/visits/{console.home_visit.id}/cancel", data={"reason": reason})
    assert f"Reason: {reason}" in client.get("/programme").get_data(as_text=True)

    client.login(console.reviewer)  # on the visit's team
    assert reason in client.get(f"/visits/{console.home_visit.id}").get_data(as_text=True)

    client.login(console.coordinator)
    programme = client.get("/programme").get_data(as_text=True)
    assert "Home visit · AD-014" in programme and SERVICE_USER_NAME not in programme
    assert "is in hospital" not in programme


def test_a_reason_too_long_is_refused_by_the_field_and_kept_as_typed(client, console):
    client.login(console.link)
    response = client.post(f"/programme/visits/{console.interview.id}/cancel", data={"reason": "x" * 501})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="reason-error"' in html and "x" * 501 in html
    assert db.session.get(Visit, console.interview.id).status is VisitStatus.planned


@pytest.mark.parametrize(("role", "page", "post"), [
    ("lead_reviewer", 200, 302), ("link_officer", 200, 302), ("coordinator", 403, 403), ("reviewer", 403, 403),
    ("lay_assessor", 403, 403), ("link_b", 404, 404),
])
def test_only_the_lead_and_the_link_officer_cancel_a_visit(client, console, role, page, post):
    client.login(console.member(role))
    url = f"/programme/visits/{console.home_visit.id}/cancel"

    confirm = client.get(url)
    assert confirm.status_code == page
    answer = client.post(url, data={"reason": "Rearranged"})
    assert answer.status_code == post
    assert (db.session.get(Visit, console.home_visit.id).status is VisitStatus.cancelled) == (post == 302)
    for text in (NOTE_BODY, HOME_ADDRESS):
        assert text not in confirm.get_data(as_text=True)
    if page != 200:
        assert SERVICE_USER_NAME not in confirm.get_data(as_text=True)


# --- the new-visit form's day ------------------------------------------------------------------------------------


def new_visit_day(client) -> str:
    html = client.get("/programme/visits/new").get_data(as_text=True)
    return html.split('name="date" type="date" value="')[1].split('"')[0]


def test_a_new_visit_starts_on_today_while_on_site_and_on_the_next_day_after_working_hours(client, console, clock):
    client.login(console.link)
    second_day = console.day + timedelta(days=1)

    clock(london(second_day, 10))
    assert new_visit_day(client) == second_day.isoformat()
    clock(london(second_day, 18))
    assert new_visit_day(client) == (second_day + timedelta(days=1)).isoformat()


def test_before_the_week_a_new_visit_starts_on_its_first_day_and_after_it_never_on_a_past_day(
        client, console, clock):
    client.login(console.link)
    clock(london(console.day - timedelta(days=3), 9))
    assert new_visit_day(client) == console.day.isoformat()

    after = console.review.on_site_to + timedelta(days=2)
    clock(london(after, 9))
    assert date.fromisoformat(new_visit_day(client)) >= after


# --- choosing a case books its people -------------------------------------------------------------------------


def test_a_new_home_visit_for_a_case_books_its_service_user_and_carer(client, console):
    carer = f.gen_participant(console.review, "carer", name="Mr Hidden Carer")
    console.case.carer = carer
    db.session.commit()
    client.login(console.link)

    form = visit_form(console, kind="home_visit", title="Follow-up AD-014", start="16:00", end="16:45",
                      location_id=str(console.home.id), case_id=str(console.case.id))
    answer = answer_to(client, client.post("/programme/visits", data=form))

    visit = db.session.scalar(db.select(Visit).filter_by(title="Follow-up AD-014"))
    assert {a.participant_id for a in visit.attendances} == {console.service_user.id, carer.id}
    assert SERVICE_USER_NAME in answer  # who the visit is with, for the link officer
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="create", subject_id=str(visit.id)))
    assert sorted(event.detail["participants"]) == sorted([console.service_user.id, carer.id])
    assert "Hidden Carer" not in str(event.detail)


def test_giving_a_home_visit_a_case_books_that_cases_service_user_but_an_interview_about_a_case_does_not(
        client, console):
    other_user = f.gen_participant(console.review, "service_user", name="Mr Other Person")
    other_case = f.gen_case(console.review, other_user, reference="AD-015")
    db.session.commit()
    client.login(console.link)
    interview = console.interview
    about_case = visit_form(console, start="10:00", end="11:00", location_id=str(console.office.id),
                            case_id=str(other_case.id), version=version_of(client, interview.id))
    client.post(f"/programme/visits/{interview.id}", data=about_case)
    assert other_user.id not in {a.participant_id for a in db.session.get(Visit, interview.id).attendances}

    home = console.setting_visit
    made_home_visit = visit_form(console, kind="home_visit", title="Home visit AD-015", start="14:00", end="15:00",
                                 location_id=str(console.home.id), team=[str(console.lay.id)],
                                 case_id=str(other_case.id), version=version_of(client, home.id))
    assert client.post(f"/programme/visits/{home.id}", data=made_home_visit).status_code == 302
    assert other_user.id in {a.participant_id for a in db.session.get(Visit, home.id).attendances}


def test_a_home_visit_with_nobody_booked_is_an_error_of_the_check(client, console):
    client.login(console.link)
    form = visit_form(console, kind="home_visit", title="Home visit, nobody yet", start="16:00", end="16:45",
                      location_id=str(console.home.id))
    client.post("/programme/visits", data=form)
    body = client.get("/api/programme/findings").get_json()
    [finding] = [f for f in body["findings"] if f["rule"] == "home_visit_nobody_booked"]
    assert finding["severity"] == "error" and finding["past"] is False


# --- findings on days already worked --------------------------------------------------------------------------


def test_findings_on_days_already_worked_are_folded_away_as_history(client, console, clock):
    early = f.gen_visit(console.review, [console.lead], [], "team_visit", at(console.day, 8), 45, console.office,
                        title="Early team visit")
    db.session.commit()
    client.login(console.link)
    clock(london(console.day + timedelta(days=2), 12))

    html = client.get("/programme").get_data(as_text=True)
    body = client.get("/api/programme/findings").get_json()

    [history] = [f for f in body["findings"] if f["rule"] == "early_start"]
    assert history["past"] is True and "Move" not in history["suggestion"] and "Start it" not in history["suggestion"]
    assert body["counts"]["past"] >= 1
    earlier = html[html.index('id="earlier-days"'):html.index("</details>", html.index('id="earlier-days"'))]
    assert "Early team visit" in earlier and "Kept as history:" in earlier
    to_do = html[html.index('id="check"'):html.index('id="earlier-days"')]
    assert "early_start" not in to_do
    assert early.id


# --- a case's status follows its visits -------------------------------------------------------------------------


def board_sample(client, review, day) -> str:
    html = client.get("/attendance", query_string={"date": day.isoformat(), "review": review.id}).get_data(
        as_text=True)
    return html[html.index('id="sample-heading"'):html.index('id="visits-heading"')]


def check_op(visit, op_type, moment):
    return f.operation(op_type, visit_id=visit.id, at=moment.isoformat())


def test_the_board_counts_two_more_visited_after_two_home_visits_are_completed(app, team):
    second_user = f.gen_participant(team.review, "service_user", name="Mr Second Person")
    second_case = f.gen_case(team.review, second_user)
    second_visit = f.gen_visit(team.review, [team.reviewer], [second_user], "home_visit",
                               at(team.day, 14), 45, team.home, case=second_case, title="Second home visit")
    db.session.commit()
    link, reviewer = signed_in(app, team.link), signed_in(app, team.reviewer)
    assert "<dt>Visited</dt><dd>0 of 12</dd>" in board_sample(link, team.review, team.day)

    for visit, hour in ((team.home_visit, 10), (second_visit, 14)):
        start = london(team.day, hour)
        assert send_one(reviewer, check_op(visit, "visit.check_in", start))["status"] == "applied"
        assert send_one(reviewer, check_op(visit, "visit.check_out", start + timedelta(minutes=50)))["status"] \
            == "applied"

    assert "<dt>Visited</dt><dd>2 of 12</dd>" in board_sample(link, team.review, team.day)
    assert {db.session.get(Case, case_id).status for case_id in (team.case.id, second_case.id)} == {
        CaseStatus.visited}
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="status_follows_visits")).all()
    assert sorted(event.subject_id for event in events) == sorted([str(team.case.id), str(second_case.id)])
    assert all(event.detail["status"] == "visited" and event.detail["via"] == "check_out" for event in events)


def test_a_service_user_recorded_dropped_out_drops_the_case_out(app, team):
    reviewer = signed_in(app, team.reviewer)
    op = f.operation("attendance.set", visit_id=team.home_visit.id, participant_id=team.service_user.id,
                     status="dropped_out", at=london(team.day, 10, 5).isoformat())

    assert send_one(reviewer, op)["status"] == "applied"

    assert db.session.get(Case, team.case.id).status is CaseStatus.dropped_out


def test_a_service_user_absent_from_a_completed_visit_leaves_the_case_identified(app, team):
    reviewer = signed_in(app, team.reviewer)
    send_one(reviewer, f.operation("attendance.set", visit_id=team.home_visit.id,
                                   participant_id=team.service_user.id, status="absent",
                                   at=london(team.day, 10, 5).isoformat()))
    send_one(reviewer, check_op(team.home_visit, "visit.check_in", london(team.day, 10)))
    send_one(reviewer, check_op(team.home_visit, "visit.check_out", london(team.day, 10, 50)))

    assert db.session.get(Visit, team.home_visit.id).status is VisitStatus.completed
    assert db.session.get(Case, team.case.id).status is CaseStatus.identified


def test_a_status_the_link_officer_set_by_hand_is_not_overwritten_by_the_visits(app, team):
    team.case.status, team.case.status_by_hand = CaseStatus.dropped_out, True
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    send_one(reviewer, check_op(team.home_visit, "visit.check_in", london(team.day, 10)))
    send_one(reviewer, check_op(team.home_visit, "visit.check_out", london(team.day, 10, 50)))

    assert db.session.get(Case, team.case.id).status is CaseStatus.dropped_out
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="status_follows_visits")) is None


def test_the_programme_form_moves_the_case_too(client, console):
    """Marking the home visit completed on the form makes the case visited; cancelling a follow-up the service
    user dropped out of leaves the case dropped out; putting the visit back to planned makes it identified."""
    client.login(console.link)
    visit = console.home_visit
    form = visit_form(console, kind="home_visit", title=visit.title, start="18:00", end="18:45",
                      location_id=str(console.home.id), case_id=str(console.case.id),
                      team=[str(console.reviewer.id)], status="completed", version=version_of(client, visit.id))
    assert client.post(f"/programme/visits/{visit.id}", data=form).status_code == 302
    assert db.session.get(Case, console.case.id).status is CaseStatus.visited

    form.update(status="planned", version=version_of(client, visit.id))
    client.post(f"/programme/visits/{visit.id}", data=form)
    assert db.session.get(Case, console.case.id).status is CaseStatus.identified


def test_the_importer_and_the_service_refresh_the_case_of_a_visit_they_create(app, console):
    """The import creates visits through the same service function: a completed home visit imported with its
    service user makes the case visited."""
    from visits.programme.service import create_visit

    with app.test_request_context():
        create_visit(console.review, console.link, {
            "kind": "home_visit", "title": "Imported visit", "date": console.day, "start": time(9, 30),
            "end": time(10, 30), "location_id": console.home.id, "case_id": console.case.id, "team": [],
            "status": "completed"}, [console.service_user.id], via="import")
        db.session.commit()
    assert db.session.get(Case, console.case.id).status is CaseStatus.visited
    visit = db.session.scalar(db.select(Visit).filter_by(title="Imported visit"))
    assert [a.participant_id for a in db.session.scalars(db.select(Attendance).filter_by(visit_id=visit.id))] == [
        console.service_user.id]


def test_a_second_reviews_link_officer_cannot_reach_the_change_summary(client, console):
    client.login(console.link)
    client.post("/programme/visits", data=visit_form(console))
    visit = db.session.scalar(db.select(Visit).filter_by(title="Interview: team leader"))
    other = Client(client.app)
    other.login(console.link_b)
    assert other.get(f"/programme/visits/{visit.id}/edit").status_code == 404


def test_the_change_carried_to_the_next_page_is_bounded_whatever_the_change_did(app):
    """It travels in the session cookie: a few findings, each message cut short, and how many more."""
    from visits.programme.snapshot import CHANGE_MESSAGE_MAX, CHANGE_SHOWN, change_summary
    from visits.programme_rules import Finding

    many = [Finding("double_booking", "error", "x" * 5000, visit_ids=(number,)) for number in range(50)]

    summary = change_summary(7, [], many)

    assert len(summary["added"]) == CHANGE_SHOWN and summary["more_added"] == 50 - CHANGE_SHOWN
    assert all(len(finding["message"]) == CHANGE_MESSAGE_MAX for finding in summary["added"])
    assert change_summary(7, many, [])["more_cleared"] == 50 - CHANGE_SHOWN
    assert len(str(summary)) < 1500
