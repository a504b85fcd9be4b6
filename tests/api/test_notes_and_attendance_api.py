"""GET /api/notes?visit= and GET /api/attendance?date=: the same permission decisions as the pages, every note
read audited."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from visits.extensions import db
from visits.models import AuditEvent

from ..support import factories as f
from ..support.clients import signed_in
from ..support.sync import send


def reads_of(note_id: str, user) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "read", AuditEvent.subject_id == note_id, AuditEvent.user_id == user.id))


def test_notes_of_a_visit_for_its_team_with_every_read_audited(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="Kitchen was clean.", kind="home_visit")
    db.session.commit()
    response = signed_in(app, team.lay).get("/api/notes", query_string={"visit": team.home_visit.id})
    assert response.status_code == 200
    (shown,) = response.get_json()["notes"]
    assert shown["id"] == note.id and shown["body"] == "Kitchen was clean." and shown["version"] == 1
    assert shown["author_name"] == "Rhys Reviewer" and shown["in_conflict"] is False
    assert reads_of(note.id, team.lay) == 1


@pytest.mark.parametrize("query", [{}, {"visit": "x"}, {"visit": "1.5"}])
def test_notes_need_a_visit_id(team, app, query):
    response = signed_in(app, team.reviewer).get("/api/notes", query_string=query)
    assert response.status_code == 400 and response.get_json()["fields"]["visit"]


def test_notes_api_asks_to_sign_in_with_401(team, client):
    response = client.get("/api/notes", query_string={"visit": team.home_visit.id})
    assert response.status_code == 401 and response.is_json


def test_the_day_s_attendance_and_check_ins_for_the_link_officer(team, app):
    send(signed_in(app, team.reviewer),
         f.operation("visit.check_in", visit_id=team.home_visit.id, at="2026-11-23T18:02:00+00:00",
                     confirmed=True),
         f.operation("attendance.set", visit_id=team.home_visit.id, participant_id=team.service_user.id,
                     status="attended", at="2026-11-23T18:03:00+00:00"))
    response = signed_in(app, team.link).get("/api/attendance", query_string={"date": date.today().isoformat()})
    assert response.status_code == 200
    (visit,) = response.get_json()["visits"]
    people = {p["id"]: p for p in visit["participants"]}
    assert people[team.service_user.id]["attendance"] == "attended"
    assert people[team.service_user.id]["name"] == "Mrs Eira Jones"
    assert people[team.carer.id]["attendance"] == "expected"
    team_checks = {member["name"]: member for member in visit["team"]}
    assert team_checks["Rhys Reviewer"]["checked_in_at"] == "2026-11-23T18:02:00+00:00"
    assert team_checks["Lena Lay"]["checked_in_at"] is None


def test_attendance_holds_only_ones_own_visits_for_a_reviewer(team, app):
    f.gen_visit(team.review, team=[team.reviewer2], participants=[f.gen_participant(team.review)])
    db.session.commit()
    today = date.today().isoformat()
    mine = signed_in(app, team.reviewer).get("/api/attendance", query_string={"date": today}).get_json()
    everyone = signed_in(app, team.lead).get("/api/attendance", query_string={"date": today}).get_json()
    assert [v["id"] for v in mine["visits"]] == [team.home_visit.id]
    assert len(everyone["visits"]) == 2
    assert signed_in(app, team.lead_b).get("/api/attendance", query_string={"date": today}).get_json() == {
        "date": today, "visits": []}


def test_a_home_visit_not_checked_out_after_its_end_and_grace_is_overdue(app):
    review = f.gen_review()
    reviewer = f.gen_member(review, "reviewer")
    link = f.gen_member(review, "link_officer")
    ended = datetime.now(timezone.utc).astimezone(review.tz).replace(tzinfo=None) - timedelta(minutes=40)
    visit = f.gen_visit(review, team=[reviewer], kind="home_visit", starts_at=ended - timedelta(minutes=60),
                        minutes=60, location=f.gen_location(review, "home"))
    db.session.commit()
    send(signed_in(app, reviewer), f.operation("visit.check_in", visit_id=visit.id,
                                               at=(datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(),
                                               confirmed=True))
    body = signed_in(app, link).get("/api/attendance",
                                    query_string={"date": visit.starts_at.date().isoformat()}).get_json()
    (member,) = body["visits"][0]["team"]
    assert member["overdue"] is True
    page = signed_in(app, link).get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Overdue" in page


@pytest.mark.parametrize("value", ["", "23/11/2026", "2026-13-01"])
def test_attendance_needs_a_real_date(team, app, value):
    response = signed_in(app, team.link).get("/api/attendance", query_string={"date": value})
    assert response.status_code == 400 and response.get_json()["fields"]["date"]
