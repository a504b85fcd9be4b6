"""The link officer builds and adapts the programme: the view, the visit form, who may do it, what is kept."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import pytest

from visits.extensions import db
from visits.models import (
    Attendance, AttendanceStatus, AuditEvent, Case, Location, Note, Participant, Visit, VisitStatus,
)

from ..support import factories as f
from ..support.clients import Client
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME



def visit_form(console, **changes):
    form = {"review": str(console.review.id), "kind": "staff_interview", "title": "Interview: team leader",
            "date": console.day.isoformat(), "start": "11:30", "end": "12:30",
            "location_id": str(console.office.id), "team": [str(console.reviewer2.id)], "status": "planned",
            "briefing": ""}
    form.update(changes)
    return form


# --- reading the programme -------------------------------------------------------------------------------------


def test_link_officer_sees_the_whole_programme_with_the_people_and_the_checkers_findings(client, console):
    client.login(console.link)
    page = client.get("/programme")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for title in ("Interview: social worker", "Home visit AD-014", "Maes Day Centre visit"):
        assert title in html
    assert SERVICE_USER_NAME in html  # the link officer supplied it
    assert "Programme check" in html
    assert "unarranged_need" in html and "Suggested fix:" in html  # the Polish interpreter is only requested
    assert "Add a visit" in html


def test_coordinator_reads_the_programme_but_not_who_service_users_are_and_cannot_change_it(client, console):
    client.login(console.coordinator)
    html = client.get("/programme").get_data(as_text=True)
    assert "Home visit · AD-014" in html  # its kind and case, not its typed title (issue 12)
    assert SERVICE_USER_NAME not in html
    assert HOME_ADDRESS not in html and "Home (GS)" not in html
    assert "Service user (AD-014)" in html
    assert "Add a visit" not in html
    assert client.post("/programme/visits", data=visit_form(console)).status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor"])
@pytest.mark.parametrize("method,url", [
    ("get", "/programme"), ("get", "/programme/visits/new"), ("get", "/programme/setup"),
    ("get", "/programme/import"), ("get", "/export/programme.csv"), ("get", "/attendance"), ("get", "/needs"),
    ("get", "/api/programme/findings"), ("post", "/programme/visits"), ("post", "/programme/locations"),
    ("post", "/programme/participants"), ("post", "/programme/cases"), ("post", "/programme/import"),
    ("post", "/programme/import/confirm"), ("post", "/needs"),
])
def test_reviewers_and_lay_assessors_cannot_open_or_change_the_programme(client, console, role, method, url):
    user = {"reviewer": console.reviewer, "lay_assessor": console.lay}[role]
    client.login(user)
    data = {"review": str(console.review.id)}
    response = client.get(url, query_string=data) if method == "get" else client.post(url, data=data)
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor", "coordinator"])
@pytest.mark.parametrize("action", ["edit", "update", "cancel", "add", "remove"])
def test_only_the_lead_and_link_officer_change_a_visit(client, console, role, action):
    client.login(console.member(role))
    visit = console.interview
    urls = {"edit": ("get", f"/programme/visits/{visit.id}/edit"),
            "update": ("post", f"/programme/visits/{visit.id}"),
            "cancel": ("post", f"/programme/visits/{visit.id}/cancel"),
            "add": ("post", f"/programme/visits/{visit.id}/participants"),
            "remove": ("post", f"/programme/visits/{visit.id}/participants/{console.social_worker.id}/remove")}
    method, url = urls[action]
    response = client.get(url) if method == "get" else client.post(url, data=visit_form(console))
    assert response.status_code == 403
    assert db.session.get(Visit, visit.id).status is VisitStatus.planned


def test_another_reviews_link_officer_does_not_learn_the_visit_exists(client, console):
    client.login(console.link_b)
    assert client.get(f"/programme/visits/{console.interview.id}/edit").status_code == 404
    assert client.get("/programme", query_string={"review": console.review.id}).status_code == 404
    assert client.get("/api/programme/findings", query_string={"review": console.review.id}).status_code == 404


def test_signed_out_people_are_sent_to_sign_in_and_the_api_answers_401(client, console):
    assert client.get("/programme").status_code == 302
    assert client.get("/api/programme/findings").status_code == 401


# --- changing it ---------------------------------------------------------------------------------------------


def test_link_officer_adds_a_visit_and_it_shows_in_the_reviewers_itinerary(client, console):
    client.login(console.link)
    response = client.post("/programme/visits", data=visit_form(console, participant_ids=[]))
    assert response.status_code == 302
    visit = db.session.scalar(db.select(Visit).filter_by(title="Interview: team leader"))
    assert visit.starts_at.strftime("%H:%M") == "11:30" and [m.id for m in visit.team] == [console.reviewer2.id]
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="create", subject_type="visit",
                                                             subject_id=str(visit.id))) is not None

    reviewer = Client(client.app)
    reviewer.login(console.reviewer2)
    itinerary = reviewer.get("/api/itinerary", query_string={"from": console.day.isoformat(),
                                                             "to": console.day.isoformat()}).get_json()
    assert "Interview: team leader" in [v["title"] for v in itinerary["visits"]]


def test_a_group_meetings_expected_head_count_is_checked_against_the_guide(client, console):
    client.login(console.link)
    group = visit_form(console, kind="user_group_meeting", title="Carers' group", start="14:00", end="15:30",
                       team=[str(console.reviewer.id)], expected_count="5")
    assert client.post("/programme/visits", data=group).status_code == 302
    visit = db.session.scalar(db.select(Visit).filter_by(title="Carers' group"))
    assert visit.expected_count == 5

    def group_findings():
        body = client.get("/api/programme/findings").get_json()
        return [f for f in body["findings"] if f["rule"] == "group_size" and visit.id in f["visit_ids"]]

    assert "is 5, outside the 8 to 12" in group_findings()[0]["message"]
    page = client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    assert 'name="expected_count" type="number" value="5"' in page
    assert client.post(f"/programme/visits/{visit.id}", data={**group, "expected_count": "10",
                                                              "version": version}).status_code == 302
    assert group_findings() == []

    refused = client.post("/programme/visits", data={**group, "expected_count": "lots"})
    assert refused.status_code == 400 and 'id="expected_count-error"' in refused.get_data(as_text=True)


def test_a_bad_visit_form_answers_400_with_messages_by_the_fields_and_keeps_what_was_typed(client, console):
    client.login(console.link)
    response = client.post("/programme/visits", data=visit_form(console, date="23/11/2026", end="10:00",
                                                                title="Keep this title", kind="nonsense"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="date-error"' in html and 'aria-describedby="date-error"' in html
    assert 'id="kind-error"' in html
    assert 'value="Keep this title"' in html
    assert db.session.scalar(db.select(Visit).filter_by(title="Keep this title")) is None


def test_end_before_start_and_a_place_of_another_review_are_refused(client, console):
    client.login(console.link)
    other_place = Location(review_id=console.other_review.id, name="Elsewhere", kind="council_office")
    db.session.add(other_place)
    db.session.commit()
    response = client.post("/programme/visits", data=visit_form(console, start="12:00", end="11:00"))
    assert response.status_code == 400 and "The end must be after the start." in response.get_data(as_text=True)
    response = client.post("/programme/visits", data=visit_form(console, location_id=str(other_place.id)))
    assert response.status_code == 400 and "Choose a place of this review." in response.get_data(as_text=True)
    response = client.post("/programme/visits", data=visit_form(console, team=[str(console.link_b.id)]))
    assert response.status_code == 400 and "review&#39;s team" in response.get_data(as_text=True)


def test_garbage_in_any_field_never_causes_a_500(client, console):
    client.login(console.link)
    for field in ("location_id", "case_id", "team", "date", "start", "status", "kind"):
        response = client.post("/programme/visits", data=visit_form(console, **{field: "x' OR 1=1 --"}))
        assert response.status_code == 400, field
    response = client.post(f"/programme/visits/{console.interview.id}/participants",
                           data={"participant_id": "not a number"})
    assert response.status_code == 400


def test_someone_checked_in_and_not_out_cannot_be_taken_off_the_visit(client, console):
    """Only a team member can check out: taking them off would leave an overdue alarm nobody can end."""
    visit = console.home_visit
    inside = visit.team[0]
    f.gen_check_in(visit, inside, datetime.now(timezone.utc))
    db.session.commit()
    client.login(console.link)
    page = client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    form = visit_form(console, kind="home_visit", title=visit.title, start="18:00", end="18:45",
                      location_id=str(console.home.id), case_id=str(console.case.id), team=[str(console.lead.id)],
                      version=version)
    refused = client.post(f"/programme/visits/{visit.id}", data=form)
    assert refused.status_code == 400
    assert f"{inside.name} checked in and has not checked out yet" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert inside in db.session.get(Visit, visit.id).team


def test_moving_reassigning_and_cancelling_a_visit_keeps_its_notes_and_attendance(client, console):
    client.login(console.link)
    visit = console.home_visit
    attendance = visit.attendances[0]
    attendance.status = AttendanceStatus.attended
    db.session.commit()
    page = client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)
    assert NOTE_BODY not in page
    version = page.split('name="version" value="')[1].split('"')[0]

    moved = visit_form(console, kind="home_visit", title="Home visit AD-014", start="19:00", end="19:45",
                       date=(console.day + timedelta(days=1)).isoformat(), location_id=str(console.home.id),
                       case_id=str(console.case.id), team=[str(console.lead.id)], version=version)
    assert client.post(f"/programme/visits/{visit.id}", data=moved).status_code == 302
    cancelled = client.post(f"/programme/visits/{visit.id}/cancel", data={"reason": "The family asked to rearrange"})
    assert cancelled.status_code == 302

    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    assert visit.status is VisitStatus.cancelled
    assert visit.starts_at.date() == console.day + timedelta(days=1) and visit.starts_at.hour == 19
    assert [m.id for m in visit.team] == [console.lead.id]
    assert db.session.scalar(db.select(Note).filter_by(visit_id=visit.id)).body == NOTE_BODY
    assert db.session.scalar(db.select(Attendance).filter_by(visit_id=visit.id)).status is AttendanceStatus.attended
    actions = db.session.scalars(db.select(AuditEvent.action).filter_by(subject_type="visit",
                                                                        subject_id=str(visit.id))).all()
    assert "update" in actions and "cancel" in actions


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(client, console):
    client.login(console.link)
    visit = console.interview
    page = client.get(f"/programme/visits/{visit.id}/edit").get_data(as_text=True)
    stale = page.split('name="version" value="')[1].split('"')[0]
    first = visit_form(console, title="First change", version=stale)
    assert client.post(f"/programme/visits/{visit.id}", data=first).status_code == 302
    second = visit_form(console, title="Second change", version=stale)
    response = client.post(f"/programme/visits/{visit.id}", data=second)
    assert response.status_code == 400 and "Someone else changed this visit" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).title == "First change"


def test_someone_whose_attendance_is_recorded_stays_on_the_visit(client, console):
    client.login(console.link)
    visit = console.interview
    assert client.post(f"/programme/visits/{visit.id}/participants",
                       data={"participant_id": str(console.team_leader.id)}).status_code == 302
    assert client.post(f"/programme/visits/{visit.id}/participants/{console.team_leader.id}/remove"
                       ).status_code == 302
    attendance = db.session.scalar(db.select(Attendance).filter_by(visit_id=visit.id,
                                                                   participant_id=console.social_worker.id))
    attendance.status = AttendanceStatus.absent
    db.session.commit()
    response = client.post(f"/programme/visits/{visit.id}/participants/{console.social_worker.id}/remove")
    assert response.status_code == 400
    assert db.session.scalar(db.select(Attendance).filter_by(visit_id=visit.id,
                                                             participant_id=console.social_worker.id)) is not None
    ids = [a.participant_id for a in db.session.get(Visit, visit.id).attendances]
    assert console.team_leader.id not in ids


def test_link_officer_adds_places_people_and_cases(client, console):
    client.login(console.link)
    review = str(console.review.id)
    assert client.post("/programme/locations", data={"review": review, "name": "Ty Newydd",
                                                     "kind": "residential_setting", "parking_minutes": "10"}
                       ).status_code == 302
    place = db.session.scalar(db.select(Location).filter_by(name="Ty Newydd"))
    assert client.post("/programme/participants", data={"review": review, "name": "Dai Manager", "kind": "staff",
                                                        "office_id": str(place.id)}).status_code == 302
    manager = db.session.scalar(db.select(Participant).filter_by(name="Dai Manager"))
    assert client.post("/programme/cases", data={"review": review, "reference": "CH-002",
                                                 "team_leader_id": str(manager.id),
                                                 "social_worker_ids": [str(console.social_worker.id)]}
                       ).status_code == 302
    case = db.session.scalar(db.select(Case).filter_by(reference="CH-002"))
    assert case.team_leader_id == manager.id and [w.id for w in case.social_workers] == [console.social_worker.id]
    repeated = client.post("/programme/cases", data={"review": review, "reference": "CH-002"})
    assert repeated.status_code == 400 and "already has a case" in repeated.get_data(as_text=True)
    bad = client.post("/programme/locations", data={"review": review, "name": "", "kind": "castle",
                                                    "parking_minutes": "lots"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="place-name-error"' in html and 'id="place-parking_minutes-error"' in html
    setup = client.get("/programme/setup").get_data(as_text=True)
    assert "Ty Newydd" in setup and "CH-002" in setup


# --- the findings API -------------------------------------------------------------------------------------------


def test_findings_api_lists_each_finding_with_rule_visits_people_and_a_fix(client, console):
    client.login(console.link)
    body = client.get("/api/programme/findings").get_json()
    assert body["review_id"] == console.review.id
    assert body["thresholds"]["max_interviews_per_day"] == 4 and body["thresholds"]["earliest_start"] == "09:00"
    rules = {finding["rule"] for finding in body["findings"]}
    assert "unarranged_need" in rules and "case_sample" in rules
    need = next(f for f in body["findings"] if f["rule"] == "unarranged_need")
    assert need["severity"] == "error" and need["visit_ids"] == [console.home_visit.id] and need["suggestion"]
    assert SERVICE_USER_NAME in [p["name"] for p in need["people"]]
    assert body["counts"]["error"] == sum(1 for f in body["findings"] if f["severity"] == "error")
    severities = [f["severity"] for f in body["findings"]]
    assert severities == sorted(severities)  # errors first


def test_findings_api_hides_service_users_from_the_coordinator_and_refuses_reviewers(client, console):
    client.login(console.coordinator)
    response = client.get("/api/programme/findings")
    assert response.status_code == 200
    assert SERVICE_USER_NAME not in response.get_data(as_text=True)
    client.login(console.reviewer)
    assert client.get("/api/programme/findings").status_code == 403


def test_thresholds_come_from_the_configuration(client, console, app):
    app.config["PROGRAMME_EARLIEST_START"] = "10:30"
    client.login(console.link)
    body = client.get("/api/programme/findings").get_json()
    early = [f for f in body["findings"] if f["rule"] == "early_start"]
    assert [f["visit_ids"] for f in early] == [[console.interview.id]]  # the 10:00 interview


# --- no note bodies, ever ------------------------------------------------------------------------------------


def test_the_link_officer_sees_no_note_bodies_on_any_console_page(client, console):
    client.login(console.link)
    urls = ["/programme", f"/programme/visits/{console.home_visit.id}/edit", "/programme/setup",
            "/programme/import", "/export/programme.csv", "/attendance",
            f"/attendance?date={console.day.isoformat()}",
            f"/attendance/board-fragment?date={console.day.isoformat()}", "/needs", "/glossary", "/calendar",
            "/api/programme/findings"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTE_BODY not in response.get_data(as_text=True), url


def test_nor_on_the_pages_the_console_renders_again_after_a_post(client, console):
    """A form sent back with its errors, a need refused, an import preview: re-rendered pages, not only GETs."""
    client.login(console.link)
    bad_visit = visit_form(console, start="25:99")
    answers = [
        client.post(f"/programme/visits/{console.home_visit.id}", data=bad_visit),
        client.post("/programme/visits", data=bad_visit),
        client.post("/needs", data={"review": str(console.review.id), "need_id": console.need.id,
                                    "participant_id": str(console.service_user.id), "type": "interpreting",
                                    "status": "arranged", "arrangement": ""}),
        client.http.post("/programme/import", data={
            "review": str(console.review.id), "csrf_token": client.csrf(),
            "file": (io.BytesIO(b"date,start,end,kind\n2026-13-40,10:00,11:00,briefing\n"), "p.csv")},
            content_type="multipart/form-data"),
    ]
    for answer in answers:
        assert answer.status_code == 400, answer.request.path
        assert NOTE_BODY not in answer.get_data(as_text=True), answer.request.path


def test_a_missing_field_says_so_in_one_message(client, console):
    client.login(console.link)
    form = visit_form(console)
    del form["kind"]
    html = client.post("/programme/visits", data=form).get_data(as_text=True)
    assert '<p class="field-error" id="kind-error">This is needed.</p>' in html


# Every console page × every role: the decisions of visits/permissions.py, seen from outside.
class Answers(NamedTuple):
    """The status each role gets for one page; link_b is the other review's link officer."""

    lead_reviewer: int
    link_officer: int
    coordinator: int
    reviewer: int
    lay_assessor: int
    link_b: int


PAGE_MATRIX = {
    "/programme":                     Answers(200, 200, 200, 403, 403, 404),
    "/programme/visits/new":          Answers(200, 200, 403, 403, 403, 404),
    "/programme/setup":               Answers(200, 200, 403, 403, 403, 404),
    "/programme/import":              Answers(200, 200, 403, 403, 403, 404),
    "/programme/import/template.csv": Answers(200, 200, 403, 403, 403, 404),
    "/export/programme.csv":          Answers(200, 200, 403, 403, 403, 404),
    "/attendance":                    Answers(200, 200, 200, 403, 403, 404),
    "/attendance/board-fragment":     Answers(200, 200, 200, 403, 403, 404),
    "/needs":                         Answers(200, 200, 200, 403, 403, 404),
    "/api/programme/findings":        Answers(200, 200, 200, 403, 403, 404),
    "/glossary":                      Answers(200, 200, 200, 200, 200, 200),
    "/calendar":                      Answers(200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("url", sorted(PAGE_MATRIX))
def test_console_page_access_matrix(client, console, url):
    for role, expected in PAGE_MATRIX[url]._asdict().items():
        client.login(console.member(role))
        response = client.get(url, query_string={"review": console.review.id})
        assert response.status_code == expected, (role, url, response.status_code)


def test_reading_service_users_on_console_pages_is_audited_for_those_who_see_them(client, console):
    client.login(console.link)
    for url in ("/programme", "/attendance", "/needs", "/programme/setup"):
        client.get(url)
    pages = db.session.scalars(db.select(AuditEvent.detail).filter_by(action="read",
                                                                      subject_type="service_user_records")).all()
    assert [detail["page"] for detail in pages] == ["programme", "attendance board", "needs", "setup"]
    client.login(console.coordinator)
    client.get("/programme")
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        action="read", user_id=console.coordinator.id)) == 0


def test_with_several_reviews_the_console_opens_the_one_they_coordinate_and_can_switch(client, console):
    # Cerys reads review 1's programme as its coordinator, and is the link officer of a later review.
    later = f.gen_review("Aber Council")
    f.join(console.coordinator, later, "link_officer")
    db.session.commit()
    client.login(console.coordinator)
    html = client.get("/programme").get_data(as_text=True)
    assert "Aber Council" in html.split("</h1>")[0] and "Add a visit" in html
    assert 'id="review-switch"' in html and "Cwm Taf Valleys Council" in html
    other = client.get("/programme", query_string={"review": console.review.id}).get_data(as_text=True)
    assert "Cwm Taf Valleys Council" in other.split("</h1>")[0] and "Add a visit" not in other
