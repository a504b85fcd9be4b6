"""The link officer corrects the review's people, places and cases: a wrong address or phone number is put right
and the phones show it on their next load; something nothing uses is deleted, something in use is kept and marked
no longer used (and can be brought back); a case's status is set by hand and handed back to its visits. Every
change is in the audit log, with field names only, never a service user's name or phone."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from visits.extensions import db
from visits.models import AuditEvent, Case, CaseStatus, Location, Participant, TravelTime

from ..support import factories as f
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME

NEW_ADDRESS = "12 Corrected Close, Cwmtown CF9 1AB"


def place_form(place, **changes):
    form = {"review": str(place.review_id), "name": place.name, "kind": place.kind.value, "address": place.address,
            "parking_notes": place.parking_notes, "access_notes": place.access_notes,
            "parking_minutes": str(place.parking_minutes)}
    form.update(changes)
    return form


def person_form(person, **changes):
    form = {"review": str(person.review_id), "name": person.name, "kind": person.kind.value,
            "job_title": person.job_title, "team": person.team, "organisation": person.organisation,
            "phone": person.phone, "office_id": str(person.office_id or "")}
    form.update(changes)
    return form


def case_form(case, **changes):
    form = {"review": str(case.review_id), "reference": case.reference,
            "service_user_id": str(case.service_user_id or ""), "carer_id": str(case.carer_id or ""),
            "team_leader_id": str(case.team_leader_id or ""),
            "social_worker_ids": [str(worker.id) for worker in case.social_workers], "status": case.status.value}
    form.update(changes)
    return form


def offered(html: str, select_id: str) -> dict[str, bool]:
    """The options of one select on a page: {value: selected}."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, f"no select {select_id}"
    return {value: bool(selected) for value, selected in
            re.findall(r'<option value="([^"]*)"\s*(selected)?', block.group(0))}


def audit_rows(subject_type: str, action: str | None = None) -> list[AuditEvent]:
    query = db.select(AuditEvent).filter_by(subject_type=subject_type).order_by(AuditEvent.id)
    if action:
        query = query.filter_by(action=action)
    return list(db.session.scalars(query))


def no_identity_in_audit():
    text = json.dumps([row.detail for row in db.session.scalars(db.select(AuditEvent))])
    for secret in (SERVICE_USER_NAME, HOME_ADDRESS, NEW_ADDRESS, "01632 960111", "07700 900999"):
        assert secret not in text


# --- correcting -----------------------------------------------------------------------------------------------


def test_a_corrected_home_address_reaches_the_reviewers_visit_page_and_itinerary_on_their_next_load(client, console):
    client.login(console.link)
    response = client.post(f"/programme/locations/{console.home.id}",
                           data=place_form(console.home, address=NEW_ADDRESS))
    assert response.status_code == 302 and "saved=places" in response.headers["Location"]
    assert db.session.get(Location, console.home.id).address == NEW_ADDRESS

    client.login(console.reviewer)
    day = console.day.isoformat()
    visits = client.get(f"/api/itinerary?from={day}&to={day}").get_json()["visits"]
    home_visit = next(visit for visit in visits if visit["id"] == console.home_visit.id)
    assert home_visit["location"]["address"] == NEW_ADDRESS
    page = client.get(f"/visits/{console.home_visit.id}").get_data(as_text=True)
    assert NEW_ADDRESS in page and HOME_ADDRESS not in page

    [event] = audit_rows("location", "update")
    assert event.user_id == console.link.id and event.detail == {"changed": ["address"]}
    no_identity_in_audit()


def test_a_service_users_corrected_phone_is_audited_by_field_name_only(client, console):
    client.login(console.link)
    response = client.post(f"/programme/participants/{console.service_user.id}",
                           data=person_form(console.service_user, phone="07700 900999"))
    assert response.status_code == 302
    assert db.session.get(Participant, console.service_user.id).phone == "07700 900999"
    [event] = audit_rows("participant", "update")
    assert event.detail == {"kind": "service_user", "changed": ["phone"]}
    no_identity_in_audit()


def test_the_lead_corrects_a_case_and_names_its_carer(client, console):
    carer = f.gen_participant(console.review, "carer", name="Mr Carer Secretname")
    db.session.commit()
    client.login(console.lead)
    response = client.post(f"/programme/cases/{console.case.id}",
                           data=case_form(console.case, reference="AD-015", carer_id=str(carer.id)))
    assert response.status_code == 302
    case = db.session.get(Case, console.case.id)
    assert case.reference == "AD-015" and case.carer_id == carer.id and case.status_by_hand is False
    [event] = audit_rows("case", "update")
    assert event.detail["changed"] == ["carer", "reference"]
    assert "Mr Carer Secretname" not in json.dumps(event.detail)


def test_a_new_case_can_name_its_carer(client, console):
    carer = f.gen_participant(console.review, "carer", name="Mr Carer")
    db.session.commit()
    client.login(console.link)
    assert client.post("/programme/cases", data={"review": str(console.review.id), "reference": "AD-099",
                                                 "carer_id": str(carer.id)}).status_code == 302
    assert db.session.scalar(db.select(Case).filter_by(reference="AD-099")).carer_id == carer.id
    assert not db.session.scalar(db.select(Case).filter_by(reference="AD-099")).status_by_hand
    # A case added as already visited is the link officer's word: set by hand.
    client.post("/programme/cases", data={"review": str(console.review.id), "reference": "AD-100",
                                          "status": "visited"})
    added = db.session.scalar(db.select(Case).filter_by(reference="AD-100"))
    assert added.status is CaseStatus.visited and added.status_by_hand and added.status_set_by_id == console.link.id


def test_nothing_is_changed_and_nothing_typed_is_lost_when_a_form_is_wrong(client, console):
    client.login(console.link)
    response = client.post(f"/programme/locations/{console.office.id}",
                           data=place_form(console.office, name="", parking_minutes="lots",
                                           address="Typed but not saved"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="edit-name-error"' in html and 'id="edit-parking_minutes-error"' in html
    assert "Typed but not saved" in html
    assert db.session.get(Location, console.office.id).address == "Civic Centre, Cwmtown"

    staff = console.social_worker
    response = client.post(f"/programme/cases/{console.case.id}",
                           data=case_form(console.case, reference="AD-777", carer_id=str(staff.id)))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="edit-carer_id-error"' in html and "listed as a carer" in html
    assert 'value="AD-777"' in html
    assert db.session.get(Case, console.case.id).reference == "AD-014"

    other = f.gen_case(console.review, reference="AD-200")
    db.session.commit()
    response = client.post(f"/programme/cases/{other.id}", data=case_form(other, reference="AD-014"))
    assert response.status_code == 400 and "already has a case" in response.get_data(as_text=True)
    assert not audit_rows("case", "update") and not audit_rows("location", "update")


def test_an_unknown_or_another_reviews_record_is_not_found(client, console):
    other_place = f.gen_location(console.other_review, name="County Hall B")
    db.session.commit()
    client.login(console.link)
    assert client.get("/programme/locations/999999/edit").status_code == 404
    assert client.get(f"/programme/locations/{other_place.id}/edit").status_code == 404
    assert client.post(f"/programme/locations/{other_place.id}/remove").status_code == 404
    assert db.session.get(Location, other_place.id) is not None


# --- removing and bringing back -------------------------------------------------------------------------------


def test_a_place_in_use_is_kept_marked_no_longer_used_and_left_out_of_new_visits(client, console):
    client.login(console.link)
    edit = client.get(f"/programme/locations/{console.office.id}/edit").get_data(as_text=True)
    assert "Used by 1 visit and 2 members of staff as their office" in edit

    response = client.post(f"/programme/locations/{console.office.id}/remove",
                           data={"review": str(console.review.id)})
    assert response.status_code == 302
    place = db.session.get(Location, console.office.id)
    assert place is not None and place.retired_at is not None
    setup = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Used by 1 visit and 2 members of staff as their office, so it is kept and marked no longer used."
            in setup)
    assert 'class="retired"' in setup and "No longer used" in setup

    new_visit = client.get("/programme/visits/new").get_data(as_text=True)
    assert str(console.office.id) not in offered(new_visit, "location_id")
    assert str(console.day_centre.id) in offered(new_visit, "location_id")
    # The interview held there still shows it as its place.
    interview = client.get(f"/programme/visits/{console.interview.id}/edit").get_data(as_text=True)
    assert offered(interview, "location_id")[str(console.office.id)] is True

    [event] = audit_rows("location", "retire")
    assert event.detail == {"used_by": {"visits": 1, "cases": 0, "needs": 0, "staff": 2}}


def test_a_place_nothing_uses_is_deleted_with_its_travel_times(client, console):
    spare = f.gen_location(console.review, "other", name="Spare room")
    db.session.add(TravelTime(from_location_id=console.office.id, to_location_id=spare.id, minutes=12))
    db.session.commit()
    spare_id = spare.id
    client.login(console.link)
    assert "Nothing refers to it, so removing deletes it." in client.get(
        f"/programme/locations/{spare_id}/edit").get_data(as_text=True)
    response = client.post(f"/programme/locations/{spare_id}/remove")
    assert "Deleted: nothing referred to it." in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Location, spare_id) is None
    assert f.count(TravelTime) == 0
    [event] = audit_rows("location", "delete")
    assert event.subject_id == str(spare_id)


def test_a_retired_place_is_brought_back_into_use(client, console):
    client.login(console.link)
    client.post(f"/programme/locations/{console.day_centre.id}/remove")
    new_visit = client.get("/programme/visits/new").get_data(as_text=True)
    assert str(console.day_centre.id) not in offered(new_visit, "location_id")
    edit = client.get(f"/programme/locations/{console.day_centre.id}/edit").get_data(as_text=True)
    assert "Bring it back into use" in edit
    response = client.post(f"/programme/locations/{console.day_centre.id}/restore")
    assert "Back in use" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Location, console.day_centre.id).retired_at is None
    new_visit = client.get("/programme/visits/new").get_data(as_text=True)
    assert str(console.day_centre.id) in offered(new_visit, "location_id")
    assert [row.action for row in audit_rows("location") if row.action in ("retire", "restore")] == [
        "retire", "restore"]


def test_a_service_user_on_a_visit_and_a_case_is_kept_and_an_unused_person_deleted(client, console):
    unused = f.gen_participant(console.review, "stakeholder", name="Councillor Nobody")
    db.session.commit()
    unused_id = unused.id
    client.login(console.link)
    response = client.post(f"/programme/participants/{console.service_user.id}/remove")
    message = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Used by 1 visit, 1 case and 1 recorded need, so it is kept and marked no longer used." in message
    assert db.session.get(Participant, console.service_user.id).retired_at is not None

    client.post(f"/programme/participants/{unused_id}/remove")
    db.session.expire_all()
    assert db.session.get(Participant, unused_id) is None

    # Not offered for a new visit's people or a new case any more.
    form = client.get(f"/programme/visits/{console.interview.id}/edit").get_data(as_text=True)
    assert SERVICE_USER_NAME not in form
    no_identity_in_audit()


def test_a_case_with_visits_is_kept_and_one_without_is_deleted(client, console):
    spare = f.gen_case(console.review, reference="AD-300")
    db.session.commit()
    spare_id = spare.id
    client.login(console.link)
    client.post(f"/programme/cases/{console.case.id}/remove")
    assert db.session.get(Case, console.case.id).retired_at is not None
    new_visit = client.get("/programme/visits/new").get_data(as_text=True)
    assert str(console.case.id) not in offered(new_visit, "case_id")
    home_visit = client.get(f"/programme/visits/{console.home_visit.id}/edit").get_data(as_text=True)
    assert offered(home_visit, "case_id")[str(console.case.id)] is True
    client.post(f"/programme/cases/{spare_id}/remove")
    db.session.expire_all()
    assert db.session.get(Case, spare_id) is None


# --- a case's status by hand ----------------------------------------------------------------------------------


def test_a_status_set_by_hand_is_shown_as_such_and_handed_back_to_the_visits(app, client, console):
    moment = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)
    app.config["CLOCK"] = lambda: moment
    client.login(console.link)
    response = client.post(f"/programme/cases/{console.case.id}",
                           data=case_form(console.case, status="dropped_out"))
    assert response.status_code == 302
    case = db.session.get(Case, console.case.id)
    assert case.status is CaseStatus.dropped_out and case.status_by_hand
    assert case.status_set_by_id == console.link.id and case.status_set_at == moment
    setup = client.get("/programme/setup").get_data(as_text=True)
    assert "Dropped out" in setup and "set by hand by Lyn Link, 3 Dec" in setup
    [event] = audit_rows("case", "update")
    assert event.detail["status"] == {"from": "identified", "to": "dropped_out", "by_hand": True}

    # A form without a status, or with the same one, keeps it as it is.
    without_status = {key: value for key, value in case_form(case).items() if key != "status"}
    assert client.post(f"/programme/cases/{console.case.id}", data=without_status).status_code == 302
    assert db.session.get(Case, console.case.id).status is CaseStatus.dropped_out
    client.post(f"/programme/cases/{console.case.id}", data=case_form(case, reference="AD-014"))
    assert db.session.get(Case, console.case.id).status_by_hand

    edit = client.get(f"/programme/cases/{console.case.id}/edit").get_data(as_text=True)
    assert "Let the visits decide the status again" in edit
    assert client.post(f"/programme/cases/{console.case.id}/status-from-visits").status_code == 302
    case = db.session.get(Case, console.case.id)
    assert not case.status_by_hand and case.status_set_by_id is None
    assert case.status is CaseStatus.identified  # its home visit is still planned
    assert "follows the visits" in client.get("/programme/setup").get_data(as_text=True)
    [handed_back] = audit_rows("case", "status_from_visits")
    assert handed_back.detail["status"] == {"from": "dropped_out", "to": "identified"}


# --- who may ----------------------------------------------------------------------------------------------------


def routes(console) -> list[tuple[str, str]]:
    place, person, case = console.office.id, console.social_worker.id, console.case.id
    found = [("get", "/programme/setup")]
    for path, record in (("locations", place), ("participants", person), ("cases", case)):
        found += [("get", f"/programme/{path}/{record}/edit"), ("post", f"/programme/{path}/{record}"),
                  ("post", f"/programme/{path}/{record}/remove"), ("post", f"/programme/{path}/{record}/restore")]
    return found + [("post", f"/programme/cases/{case}/status-from-visits")]


@pytest.mark.parametrize("role,expected", [
    ("reviewer", 403), ("reviewer2", 403), ("lay_assessor", 403), ("coordinator", 403),
    ("lead_b", 404), ("link_b", 404),
])
def test_only_the_lead_and_the_link_officer_of_the_review_edit_its_people_places_and_cases(client, console, role,
                                                                                          expected):
    client.login(console.member(role))
    for method, url in routes(console):
        data = {"review": str(console.review.id)}
        response = client.get(url, query_string=data) if method == "get" else client.post(url, data=data)
        assert response.status_code == expected, (method, url)
        assert SERVICE_USER_NAME not in response.get_data(as_text=True)
    assert db.session.get(Location, console.office.id).retired_at is None
    assert db.session.get(Case, console.case.id).retired_at is None
    assert not audit_rows("location") and not audit_rows("case")


@pytest.mark.parametrize("role", ["lead_reviewer", "link_officer"])
def test_the_lead_and_the_link_officer_open_every_edit_page_and_never_see_note_text(client, console, role):
    client.login(console.member(role))
    for method, url in routes(console):
        if method == "get":
            response = client.get(url)
            assert response.status_code == 200, url
            assert NOTE_BODY not in response.get_data(as_text=True)


def test_the_lead_reaches_a_service_users_rights_page_from_the_setup_page_and_the_link_officer_does_not(
        app, client, console):
    client.login(console.lead)
    lead_page = client.get("/programme/setup").get_data(as_text=True)
    client.login(console.link)
    link_page = client.get("/programme/setup").get_data(as_text=True)
    if "rights.participant" not in app.view_functions:
        pytest.skip("the rights page is not in this build yet")
    with app.test_request_context():
        from flask import url_for
        rights = url_for("rights.participant", participant_id=console.service_user.id)
    assert f'href="{rights}"' in lead_page
    assert f'href="{rights}"' not in link_page
    staff = f'participant_id={console.social_worker.id}'
    assert staff not in lead_page


def test_the_setup_page_lists_retired_ones_greyed_and_case_carers(client, console):
    carer = f.gen_participant(console.review, "carer", name="Mr Carer Visible")
    console.case.carer = carer
    db.session.commit()
    client.login(console.link)
    html = client.get("/programme/setup").get_data(as_text=True)
    assert "Mr Carer Visible" in html and "Used by 1 visit" in html
    assert "Travel times between places" in html


def test_a_place_added_by_mistake_is_simply_gone_when_removed(client, console):
    client.login(console.link)
    client.post("/programme/locations", data={"review": str(console.review.id), "name": "Typo Hall",
                                              "kind": "other"})
    typo = db.session.scalar(db.select(Location).filter_by(name="Typo Hall"))
    client.post(f"/programme/locations/{typo.id}/remove")
    assert db.session.scalar(db.select(Location).filter_by(name="Typo Hall")) is None


def test_the_details_of_someone_who_withdrew_consent_cannot_be_typed_back(client, console):
    person = db.session.get(Participant, console.service_user.id)
    person.consent_withdrawn_at, person.name, person.phone = datetime(2026, 12, 1, tzinfo=timezone.utc), "", ""
    db.session.commit()
    client.login(console.link)
    response = client.post(f"/programme/participants/{person.id}",
                           data=person_form(person, name=SERVICE_USER_NAME, phone="01632 960111"))
    assert response.status_code == 400 and "withdrew their consent" in response.get_data(as_text=True)
    person = db.session.get(Participant, console.service_user.id)
    assert person.name == "" and person.phone == ""
