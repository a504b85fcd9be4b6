"""On the day: the attendance board, overdue home visits (with a fixed clock), needs and the case sample."""
from __future__ import annotations

import re

from datetime import datetime, timedelta, timezone

from visits.extensions import db
from visits.models import (
    Attendance, AttendanceStatus, AuditEvent, CaseStatus, NeedFlag, NeedStatus, Operation, OverdueAcknowledgement,
    VisitStatus,
)

from ..support import factories as f
from ..support.world import HOME_ADDRESS, SERVICE_USER_NAME
from ..support.clock import london


def board(client, console, **query):
    return client.get("/attendance", query_string={"date": console.day.isoformat(), **query})


def test_the_board_lists_the_days_visits_by_status_with_attendance_and_check_ins(client, console, clock):
    clock(london(console.day, 12))
    console.interview.status = VisitStatus.in_progress
    f.gen_check_in(console.interview, console.reviewer, london(console.day, 9, 58))
    db.session.scalar(db.select(Attendance).filter_by(visit_id=console.interview.id)).status = \
        AttendanceStatus.attended
    db.session.commit()
    client.login(console.link)
    html = board(client, console).get_data(as_text=True)
    assert html.index("In progress") < html.index("Planned")
    assert "Interview: social worker" in html and "Sian Socialworker" in html and "Attended" in html
    assert "Rhys Reviewer:" in html and "in 09:58" in html
    assert 'hx-get="/attendance/board-fragment?review=' in html and 'hx-trigger="every 15s"' in html


def test_a_home_visit_not_checked_out_30_minutes_after_its_end_is_overdue_at_the_top_with_names_and_phones(
        client, console, clock):
    f.gen_check_in(console.home_visit, console.reviewer, london(console.day, 17, 58))
    f.gen_check_in(console.home_visit, console.reviewer2, london(console.day, 17, 58), london(console.day, 18, 50))
    db.session.commit()
    client.login(console.link)

    clock(london(console.day, 19, 15))  # planned end 18:45 + 30 min: not yet
    assert "overdue home visit" not in board(client, console).get_data(as_text=True)

    clock(london(console.day, 19, 27))
    html = board(client, console).get_data(as_text=True)
    assert "1 overdue home visit" in html and "overdue by 12 minutes" in html
    overdue = html[html.index('id="overdue"'):html.index('id="summary-heading"')]
    assert "Rhys Reviewer" in overdue and 'href="tel:07700900102"' in overdue
    assert "Ffion Reviewer" not in overdue  # she checked out
    assert HOME_ADDRESS in overdue  # the link officer may know where to send help
    assert html.index('id="overdue"') < html.index('id="visits-heading"')


def test_someone_taken_off_the_team_after_checking_in_is_still_watched(client, console, clock):
    f.gen_check_in(console.home_visit, console.reviewer, london(console.day, 17, 58))
    console.home_visit.team.remove(console.reviewer)  # the programme changed while he was inside
    db.session.commit()
    client.login(console.link)
    clock(london(console.day, 19, 27))
    html = board(client, console).get_data(as_text=True)
    overdue = html[html.index('id="overdue"'):html.index('id="summary-heading"')]
    assert "Rhys Reviewer" in overdue and 'href="tel:07700900102"' in overdue


def test_the_lead_sees_the_overdue_alert_and_the_coordinator_sees_it_without_the_home_address(
        client, console, clock):
    clock(london(console.day, 20))
    client.login(console.lead)
    assert "Acknowledge" in board(client, console).get_data(as_text=True)
    client.login(console.coordinator)
    html = board(client, console).get_data(as_text=True)
    assert "1 overdue home visit" in html
    assert HOME_ADDRESS not in html and SERVICE_USER_NAME not in html
    assert "Acknowledge" not in html
    response = client.post(f"/attendance/overdue/{console.home_visit.id}/acknowledge")
    assert response.status_code == 403


def test_acknowledging_is_one_click_logged_and_moves_the_alert_down(client, console, clock):
    clock(london(console.day, 20))
    client.login(console.link)
    response = client.post(f"/attendance/overdue/{console.home_visit.id}/acknowledge",
                           data={"date": console.day.isoformat()}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html  # the fragment, for htmx to swap in
    assert "Acknowledged by Lyn Link at" in html
    ack = db.session.scalar(db.select(OverdueAcknowledgement))
    assert ack.visit_id == console.home_visit.id and ack.user_id == console.link.id
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="acknowledge_overdue"))
    assert event.subject_id == str(console.home_visit.id) and event.user_id == console.link.id
    # Without htmx, the same click redirects back to the board.
    plain = client.post(f"/attendance/overdue/{console.home_visit.id}/acknowledge")
    assert plain.status_code == 302 and "/attendance" in plain.headers["Location"]


def test_reviewers_cannot_acknowledge_or_read_the_board(client, console, clock):
    clock(london(console.day, 20))
    client.login(console.reviewer)
    assert client.post(f"/attendance/overdue/{console.home_visit.id}/acknowledge").status_code == 403
    assert client.get("/attendance/board-fragment").status_code == 403
    client.login(console.link_b)
    assert client.post(f"/attendance/overdue/{console.home_visit.id}/acknowledge").status_code == 404


def test_the_fragment_answers_204_when_nothing_changed_and_the_new_board_when_something_did(
        client, console, clock):
    clock(london(console.day, 12))
    client.login(console.link)
    url = "/attendance/board-fragment"
    query = {"review": console.review.id, "date": console.day.isoformat()}
    first = client.get(url, query_string=query)
    assert first.status_code == 200 and "<html" not in first.get_data(as_text=True)
    version = first.get_data(as_text=True).split('id="board-version" name="v" value="')[1].split('"')[0]
    assert client.get(url, query_string={**query, "v": version}).status_code == 204

    f.gen_check_in(console.interview, console.reviewer, london(console.day, 10, 1))
    db.session.commit()
    changed = client.get(url, query_string={**query, "v": version})
    assert changed.status_code == 200 and "in 10:01" in changed.get_data(as_text=True)


def test_a_signed_out_poll_asks_htmx_to_load_the_sign_in_page(client, console):
    response = client.get("/attendance/board-fragment", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")


def test_no_shows_and_drop_outs_are_counted_for_the_day(client, console, clock):
    clock(london(console.day, 21))
    attendances = {a.visit_id: a for a in db.session.scalars(db.select(Attendance))}
    attendances[console.interview.id].status = AttendanceStatus.absent
    attendances[console.home_visit.id].status = AttendanceStatus.dropped_out
    db.session.commit()
    client.login(console.link)
    html = board(client, console).get_data(as_text=True)
    assert "<dt>No-shows</dt><dd>1</dd>" in html and "<dt>Drop-outs</dt><dd>1</dd>" in html
    assert "Sian Socialworker: <span class=\"badge warn\">Absent</span>" in html


def test_the_case_sample_tracker_counts_against_the_guides_15_and_12(client, console, clock):
    clock(london(console.day, 9))
    for number in range(3):
        case = f.gen_case(console.review, reference=f"X-{number}")
        case.status = CaseStatus.visited if number < 2 else CaseStatus.dropped_out
    db.session.commit()
    client.login(console.link)
    html = board(client, console).get_data(as_text=True)
    sample = html[html.index('id="sample-heading"'):html.index('id="visits-heading"')]
    assert "<dt>Identified</dt><dd>4 of 15</dd>" in sample
    assert "<dt>Visited</dt><dd>2 of 12</dd>" in sample
    assert "<dt>Visit planned</dt><dd>1</dd>" in sample  # AD-014's home visit
    assert "<dt>Dropped out</dt><dd>1</dd>" in sample
    assert "Below the guide" in sample


def test_an_unarranged_need_on_a_visit_in_the_next_48_hours_is_an_alert(client, console, clock):
    client.login(console.link)
    clock(london(console.day - timedelta(days=3), 12))  # three days before: not yet an alert
    assert "not arranged in the next" not in board(client, console).get_data(as_text=True)
    clock(london(console.day - timedelta(days=1), 12))
    html = board(client, console).get_data(as_text=True)
    assert "1 need not arranged in the next 48 hours" in html and "Polish" in html
    console.need.status = NeedStatus.arranged
    console.need.arrangement = "Anna, 07700 900777"
    db.session.commit()
    assert "not arranged in the next" not in board(client, console).get_data(as_text=True)


# --- needs --------------------------------------------------------------------------------------------------


def test_the_needs_page_lists_every_need_with_its_visit_and_status(client, console, clock):
    clock(london(console.day - timedelta(days=1), 12))
    other = f.gen_participant(console.review, "carer", name="Mr Carer Hidden")
    f.gen_need(other, "advocacy", "", status="confirmed").arrangement = "Advocacy Cymru"
    db.session.commit()
    client.login(console.link)
    html = client.get("/needs").get_data(as_text=True)
    assert html.index("Polish") < html.index("Advocacy Cymru")  # requested before confirmed
    assert "Home visit AD-014" in html and "Visit within 48 hours" in html
    assert SERVICE_USER_NAME in html
    client.login(console.coordinator)
    html = client.get("/needs").get_data(as_text=True)
    assert SERVICE_USER_NAME not in html and "Mr Carer Hidden" not in html
    # That the needs exist and how far along they are, but not the team's free text about the people.
    assert "Interpreter" in html and "Advocate" in html and "confirmed" in html.lower()
    assert "Polish" not in html and "Advocacy Cymru" not in html
    assert "Record a need" not in html


def test_the_link_officer_arranges_a_need_through_the_same_operation_as_a_phone(client, console):
    client.login(console.link)
    form = {"review": str(console.review.id), "need_id": console.need.id,
            "participant_id": str(console.service_user.id), "type": "interpreting", "detail": "Polish",
            "status": "arranged", "arrangement": ""}
    refused = client.post("/needs", data=form)
    assert refused.status_code == 400 and "Say what has been arranged" in refused.get_data(as_text=True)
    form["arrangement"] = "Anna Nowak, 07700 900777"
    assert client.post("/needs", data=form).status_code == 302
    db.session.expire_all()
    need = db.session.get(NeedFlag, console.need.id)
    assert need.status is NeedStatus.arranged and need.arranged_by_id == console.link.id
    assert db.session.scalar(db.select(Operation).filter_by(type="need.set")) is not None


def test_the_link_officer_records_a_new_need(client, console):
    client.login(console.link)
    response = client.post("/needs", data={"review": str(console.review.id),
                                           "participant_id": str(console.team_leader.id), "type": "access",
                                           "detail": "Step-free room", "status": "requested"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(NeedFlag).filter_by(detail="Step-free room")).participant_id == \
        console.team_leader.id
    bad = client.post("/needs", data={"review": str(console.review.id), "participant_id": "",
                                      "type": "telepathy"})
    assert bad.status_code == 400 and 'id="new-type-error"' in bad.get_data(as_text=True)


def test_nobody_records_a_need_for_another_reviews_person(client, console):
    client.login(console.link_b)
    response = client.post("/needs", data={"review": str(console.other_review.id),
                                           "participant_id": str(console.service_user.id), "type": "access"})
    assert response.status_code == 404


# --- concerns -----------------------------------------------------------------------------------------------


def without_scripts(html: str) -> str:
    """What the page shows: the JSON blocks hand the scripts every label of the vocabulary, not anyone's data."""
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def test_the_lead_sees_every_concern_waiting_to_be_referred_and_the_link_officer_only_referrals(client, console):
    red = f.gen_concern(console.home_visit, console.reviewer, text="RED-TEXT bruising seen", category="safeguarding",
                        rating="red")
    f.gen_concern(console.setting_visit, console.lay, text="AMBER-TEXT fire door propped open")
    referred = f.gen_concern(console.interview, console.reviewer2, text="GREEN-TEXT", rating="green")
    referred.referred_at, referred.referral_text = datetime.now(timezone.utc), "REFERRAL-TEXT for the council"
    db.session.commit()

    client.login(console.lead)
    html = board(client, console).get_data(as_text=True)
    assert "2 concerns waiting for your decision" in html
    shown = without_scripts(html)
    assert shown.index("Safeguarding") < shown.index("Health and safety")  # the red one first
    assert f'href="/visits/{red.visit_id}#concerns"' in html
    assert "REFERRAL-TEXT" not in html and "GREEN-TEXT" not in html  # referred: no longer waiting on the lead
    assert "RED-TEXT" not in html  # a shared screen shows that a concern waits, not what it says

    client.login(console.link)
    html = board(client, console).get_data(as_text=True)
    assert "1 concern referred to the council" in html and "REFERRAL-TEXT for the council" in html
    assert "RED-TEXT" not in html and "AMBER-TEXT" not in html and "GREEN-TEXT" not in html
    assert "Safeguarding" not in without_scripts(html)  # (the scripts' vocabulary names every category)

    client.login(console.coordinator)
    html = board(client, console).get_data(as_text=True)
    assert "concerns-to-watch" not in html and "REFERRAL-TEXT" not in html


def test_a_new_concern_changes_the_polled_board(client, console):
    client.login(console.lead)
    page = board(client, console).get_data(as_text=True)
    version = page.split('id="board-version" name="v" value="')[1].split('"')[0]
    fragment = "/attendance/board-fragment"
    query = {"date": console.day.isoformat(), "v": version}
    assert client.get(fragment, query_string=query).status_code == 204
    f.gen_concern(console.home_visit, console.reviewer, rating="red", category="safeguarding")
    db.session.commit()
    answer = client.get(fragment, query_string=query)
    assert answer.status_code == 200 and "1 concern waiting for your decision" in answer.get_data(as_text=True)
