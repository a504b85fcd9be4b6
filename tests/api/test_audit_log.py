"""The audit log (DESIGN section 2): the lead reviewer and the coordinator of a review read who read or changed
what, when and from where; nobody else learns it exists. Reading a day of visits that names service users is in
it, and so is a copy the service worker keeps for offline use, called what it is."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from visits.audit_log.queries import PER_PAGE
from visits.extensions import db
from visits.models import AuditEvent

from ..support import factories as f
from ..support.world import two_reviews_world
from ..support.clients import signed_in
from ..support.sync import send_one, token

NOTE_BODY = "Mrs Jones said the carers never stay the full hour."



def events(**filters) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))


def rows_on(page: str) -> list[int]:
    return [int(event_id) for event_id in re.findall(r'<tr id="event-(\d+)"', page)]


def log_event(world, at: datetime, action: str = "read", user=None, subject_type: str = "visit",
              subject_id=None) -> AuditEvent:
    event = AuditEvent(review_id=world.review.id, user_id=(user or world.reviewer).id, action=action,
                       subject_type=subject_type, subject_id=str(subject_id or world.home_visit.id), at=at,
                       remote_addr="192.0.2.7", detail={})
    db.session.add(event)
    return event


# --- who may read it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, expected", [
    ("lead_reviewer", 200), ("coordinator", 200),
    ("reviewer", 404), ("reviewer2", 404), ("lay_assessor", 404), ("link_officer", 404),
    ("lead_b", 404), ("link_b", 404),
])
def test_only_the_reviews_lead_and_coordinator_read_its_audit_log(world, client, role, expected):
    client.login(world.member(role))
    response = client.get(f"/audit?review={world.review.id}")
    assert response.status_code == expected, role


def test_the_lead_of_one_review_cannot_read_anothers_log_nor_guess_at_it(world, app):
    lead_a = signed_in(app, world.lead)
    assert lead_a.get(f"/audit?review={world.other_review.id}").status_code == 404
    assert lead_a.get("/audit?review=99999").status_code == 404
    assert lead_a.get("/audit?review=first").status_code == 404
    lead_b = signed_in(app, world.lead_b)
    assert lead_b.get(f"/audit?review={world.review.id}").status_code == 404
    assert "Glan-y-Môr County Council" in lead_b.get("/audit").get_data(as_text=True)  # their own, by default


def test_without_a_review_the_log_opens_on_theirs_and_others_get_not_found(world, app):
    page = signed_in(app, world.coordinator).get("/audit").get_data(as_text=True)
    assert "Cwm Taf Valleys Council" in page
    assert signed_in(app, world.reviewer).get("/audit").status_code == 404


def test_signing_in_is_needed(world, client):
    response = client.get(f"/audit?review={world.review.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_nav_offers_the_log_to_those_who_may_read_it_only(world, app):
    for role, offered in (("lead_reviewer", True), ("coordinator", True), ("reviewer", False),
                          ("lay_assessor", False), ("link_officer", False)):
        page = signed_in(app, world.member(role)).get("/glossary").get_data(as_text=True)
        assert ('href="/audit"' in page) is offered, role


def test_the_log_is_never_kept_on_a_device(world, client):
    client.login(world.lead)
    response = client.get(f"/audit?review={world.review.id}")
    assert "X-Fieldwork-User" not in response.headers  # without the mark the service worker stores nothing
    assert response.headers["Cache-Control"] == "no-store"


# --- what it shows --------------------------------------------------------------------------------------------


def test_each_row_says_when_in_uk_time_who_what_and_from_where(world, client):
    summer = log_event(world, datetime(2026, 7, 1, 12, 0, 5, tzinfo=timezone.utc), action="update")
    db.session.commit()
    client.login(world.lead)
    page = client.get(f"/audit?review={world.review.id}").get_data(as_text=True)
    row = page[page.index(f'id="event-{summer.id}"'):]
    row = row[:row.index("</tr>")]
    assert "1 Jul 2026, 13:00:05" in row  # British Summer Time
    assert "Rhys Reviewer" in row and "Changed" in row and "192.0.2.7" in row
    assert f'href="/visits/{world.home_visit.id}"' in row
    assert '<th scope="col">' in page and "<caption" in page


def test_newest_first_a_hundred_to_a_page(world, client):
    start = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    logged = [log_event(world, start + timedelta(minutes=n)) for n in range(2 * PER_PAGE + 10)]
    db.session.commit()
    newest_first = [event.id for event in reversed(logged)]
    client.login(world.lead)
    pages = [client.get(f"/audit?review={world.review.id}&page={n}") for n in (1, 2, 3)]
    assert [rows_on(p.get_data(as_text=True)) for p in pages] == [
        newest_first[:PER_PAGE], newest_first[PER_PAGE:2 * PER_PAGE], newest_first[2 * PER_PAGE:]]
    first = pages[0].get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Page 1 of 3" in first
    assert client.get(f"/audit?review={world.review.id}&page=4").status_code == 404
    assert client.get(f"/audit?review={world.review.id}&page=0").status_code == 400
    assert client.get(f"/audit?review={world.review.id}&page={10**30}").status_code == 404
    assert client.get(f"/audit?review={world.review.id}&person={10**30}").status_code == 400
    assert client.get(f"/audit?review={10**30}").status_code == 404


def test_filters_by_person_and_by_action_and_keep_them_across_pages(world, client):
    start = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    lay, reviewer = world.lay, world.reviewer
    by_lay = [log_event(world, start + timedelta(minutes=n), "attendance.set", lay) for n in range(PER_PAGE + 1)]
    by_reviewer = log_event(world, start, "note.save", reviewer)
    db.session.commit()
    client.login(world.coordinator)
    review = world.review.id

    mine = client.get(f"/audit?review={review}&person={reviewer.id}").get_data(as_text=True)
    assert rows_on(mine) == [by_reviewer.id]
    saves = client.get(f"/audit?review={review}&action=note.save&person=").get_data(as_text=True)
    assert rows_on(saves) == [by_reviewer.id]
    lay_page = client.get(f"/audit?review={review}&person={lay.id}&action=attendance.set").get_data(as_text=True)
    assert len(rows_on(lay_page)) == PER_PAGE
    assert f"person={lay.id}" in lay_page[lay_page.index('rel="next"') - 200:lay_page.index('rel="next"') + 200]
    last = client.get(f"/audit?review={review}&person={lay.id}&action=attendance.set&page=2").get_data(as_text=True)
    assert rows_on(last) == [by_lay[0].id]
    nothing = client.get(f"/audit?review={review}&person={lay.id}&action=note.save").get_data(as_text=True)
    assert rows_on(nothing) == [] and "Nothing in the log matches." in nothing
    # The filters offer who and what is in this review's log.
    assert f'<option value="{lay.id}"' in mine and 'value="note.save"' in mine


def test_another_reviews_events_never_appear(world, client):
    outside = AuditEvent(review_id=world.other_review.id, user_id=world.lead_b.id, action="read",
                         subject_type="visit", subject_id=str(world.visit_b.id), remote_addr="198.51.100.9",
                         detail={})
    db.session.add(outside)
    db.session.commit()
    client.login(world.lead)
    page = client.get(f"/audit?review={world.review.id}").get_data(as_text=True)
    assert outside.id not in rows_on(page) and "198.51.100.9" not in page and "Bethan Lead" not in page


def test_the_log_says_a_note_was_written_and_read_never_what_it_says(world, app, client):
    reviewer = signed_in(app, world.reviewer)
    note_id = f.new_id()
    answer = send_one(reviewer, f.operation("note.save", note_id=note_id, visit_id=world.home_visit.id,
                                            kind="home_visit", body=NOTE_BODY))
    assert answer["status"] == "applied"
    lead = signed_in(app, world.lead)
    assert NOTE_BODY in lead.get(f"/visits/{world.home_visit.id}").get_data(as_text=True)

    assert {(e.action, e.user_id) for e in events(subject_type="note", subject_id=note_id)} == {
        ("note.save", world.reviewer.id), ("read", world.lead.id)}
    assert all(NOTE_BODY not in str(event.detail) for event in events())
    client.login(world.lead)
    page = client.get(f"/audit?review={world.review.id}").get_data(as_text=True)
    assert NOTE_BODY not in page and "Mrs A. Jones" not in page
    assert note_id in page and f'href="/visits/{world.home_visit.id}"' in page


# --- reading a day of visits ----------------------------------------------------------------------------------


def test_a_day_naming_a_service_user_is_one_read_listing_those_visits(world, client):
    day = world.home_visit.starts_at.date()
    client.login(world.link)
    client.get(f"/itinerary?date={day}")
    (read,) = events(action="read")
    assert (read.subject_type, read.subject_id, read.review_id) == ("itinerary_day", day.isoformat(),
                                                                    world.review.id)
    assert read.detail == {"visit_ids": [world.home_visit.id]}
    assert read.user_id == world.link.id and read.remote_addr == "127.0.0.1"


def test_todays_page_is_a_read_too(app, client):
    from visits.clock import today_in

    world = two_reviews_world(today_in())
    client.login(world.reviewer)
    client.get("/")
    (read,) = events(action="read")
    assert read.subject_id == today_in().isoformat() and read.detail == {"visit_ids": [world.home_visit.id]}


@pytest.mark.parametrize("role", ["coordinator", "reviewer2", "lay_assessor"])
def test_a_day_that_names_no_service_user_records_no_read(world, client, role):
    # The coordinator sees the home visit without who it is with; the others' visits are not with service users.
    client.login(world.member(role))
    assert client.get(f"/itinerary?date={world.home_visit.starts_at.date()}").status_code == 200
    assert events(action="read") == []


def test_the_json_itinerary_is_a_read_of_the_days_asked_for(world, client):
    day = world.home_visit.starts_at.date()
    client.login(world.lead)
    assert client.get(f"/api/itinerary?from={day}&to={day + timedelta(days=1)}").status_code == 200
    (read,) = events(action="read")
    assert read.subject_type == "itinerary_day" and read.subject_id == f"{day}/{day + timedelta(days=1)}"
    assert read.detail == {"visit_ids": [world.home_visit.id], "view": "api"}
    client.get(f"/api/itinerary?from={day}&to={day}")
    assert events(action="read")[-1].subject_id == day.isoformat()


# --- copies the service worker keeps ------------------------------------------------------------------------


def test_a_page_the_service_worker_keeps_is_logged_as_an_offline_copy_not_a_read(world, client):
    f.gen_note(world.home_visit, world.reviewer, body=NOTE_BODY, kind="home_visit")
    db.session.commit()
    client.login(world.reviewer)
    prefetch = {"X-Fieldwork-Prefetch": "1"}
    client.get(f"/visits/{world.home_visit.id}", headers=prefetch)
    client.get(f"/itinerary?date={world.home_visit.starts_at.date()}", headers=prefetch)
    assert events(action="read") == []
    assert {e.subject_type for e in events(action="offline_copy")} == {"note", "service_user_record",
                                                                       "itinerary_day"}
    client.get(f"/visits/{world.home_visit.id}")  # the person opens it: that is a read
    assert {e.subject_type for e in events(action="read")} == {"note", "service_user_record"}


def test_the_prefetch_mark_never_changes_what_a_write_is_called(world, app):
    reviewer = signed_in(app, world.reviewer)
    op = f.operation("visit.check_in", visit_id=world.home_visit.id, at=datetime.now(timezone.utc).isoformat(),
                     confirmed=True)
    response = reviewer.post("/api/sync", json={"ops": [op]}, with_csrf=False,
                             headers={"X-CSRFToken": token(reviewer), "X-Fieldwork-Prefetch": "1"})
    assert response.status_code == 200 and response.json["results"][0]["status"] == "applied"
    assert len(events(action="visit.check_in")) == 1
