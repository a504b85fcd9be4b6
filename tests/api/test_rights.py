"""A service user's rights (DESIGN section 11, UK GDPR): the lead exports everything held about one participant and
records a withdrawal of consent; nobody else reaches either (DESIGN section 2)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from visits.extensions import db
from visits.models import (
    AuditEvent, CaseStatus, Location, NeedFlag, Note, Participant, ReviewStatus, Visit, VisitStatus,
)
from visits.rights.service import visit_goes_with_them

from ..support import factories as f
from ..support.clients import signed_in
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME, at

CONCERN_TEXT = "Bruising on the forearm, unexplained: CONCERN-RIGHTS-7731"
PHONE = "01632 960111"


@pytest.fixture
def rights(console):
    """The console world (next week's home visit with the service user, a note on it) plus what a person's record
    gathers over a review: a concern on that visit, a past interview-room visit with her and a note on it, and an
    upcoming group meeting she shares with someone else."""
    console.concern = f.gen_concern(console.home_visit, console.reviewer, text=CONCERN_TEXT, category="safeguarding")
    console.past_visit = f.gen_visit(console.review, [console.reviewer], [console.service_user], "home_visit",
                                     datetime.now().replace(microsecond=0) - timedelta(days=2), 60, console.home,
                                     case=console.case, title="First home visit AD-014")
    console.past_visit.status = VisitStatus.completed
    console.past_note = f.gen_note(console.past_visit, console.reviewer, "Earlier visit: PAST-NOTE-4410",
                                   kind="home_visit")
    other_person = f.gen_participant(console.review, "service_user", name="Mr Other Person")
    console.group = f.gen_visit(console.review, [console.lay], [console.service_user, other_person],
                                "user_group_meeting", at(console.day, 11), 90, console.day_centre,
                                title="Reference group")
    db.session.commit()
    return console


def url(world, what: str) -> str:
    return f"/participants/{world.service_user.id}/{what}"


def export_of(client, world) -> dict:
    response = client.get(url(world, "export.json"))
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


def withdraw(client, world, **form):
    return client.post(url(world, "withdraw"), data=form)


# --- the rule: which upcoming visits a withdrawal cancels ------------------------------------------------------


def test_a_visit_for_the_person_goes_with_them_and_a_shared_one_goes_ahead_without_them():
    assert visit_goes_with_them(7, "service_user", "home_visit", None, [7, 8])          # their home visit
    assert visit_goes_with_them(7, "carer", "staff_interview", 7, [7])                  # their case's visit
    assert visit_goes_with_them(7, "carer", "setting_visit", None, [7])                 # only them booked
    assert not visit_goes_with_them(8, "carer", "home_visit", 7, [7, 8])                # the carer of someone else
    assert not visit_goes_with_them(7, "service_user", "user_group_meeting", None, [7, 8, 9])


# --- export ---------------------------------------------------------------------------------------------------


def test_the_lead_exports_everything_held_about_a_service_user_as_a_download(rights, app):
    lead = signed_in(app, rights.lead)
    response = lead.get(url(rights, "export.json"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    filename = f"participant-{rights.service_user.id}.json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"
    held = json.loads(response.get_data(as_text=True))

    assert held["participant"]["name"] == SERVICE_USER_NAME and held["participant"]["phone"] == PHONE
    assert held["participant"]["consent_withdrawn_at"] is None
    assert [(need["type"], need["detail"]) for need in held["needs"]] == [("interpreting", "Polish")]
    by_visit = {a["visit_id"]: a for a in held["attendances"]}
    assert set(by_visit) == {rights.home_visit.id, rights.past_visit.id, rights.group.id}
    home = by_visit[rights.home_visit.id]
    assert home["visit_kind"] == "home_visit" and home["visit_status"] == "planned"
    assert home["attendance_status"] == "expected" and home["starts_at"] == at(rights.day, 18).isoformat()
    assert home["place"]["address"] == HOME_ADDRESS
    assert held["cases"] == [{"id": rights.case.id, "reference": "AD-014", "part": "service_user",
                              "status": "identified", "status_set_by_hand": False}]
    notes = {note["body"]: note for note in held["notes"]}
    assert set(notes) == {NOTE_BODY, "Earlier visit: PAST-NOTE-4410"}
    assert notes[NOTE_BODY]["author"] == "Rhys Reviewer" and notes[NOTE_BODY]["created_at"]
    assert [(r["version"], r["body"], r["saved_by"]) for r in notes[NOTE_BODY]["revisions"]] == [
        (1, NOTE_BODY, "Rhys Reviewer")]  # every saved text is held, so every saved text is exported
    assert [c["text"] for c in held["concerns"]] == [CONCERN_TEXT]
    assert held["concerns"][0]["raised_by"] == "Rhys Reviewer"
    assert held["audit_events"] == []  # nothing about her has been read or changed through the app yet

    # The export is audited as a read of her record, with ids only.
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="read", subject_type="participant",
                                                               subject_id=str(rights.service_user.id))
                               .order_by(AuditEvent.id.desc())).first()
    assert event.user_id == rights.lead.id and event.detail == {"view": "export"}


def test_the_export_lists_the_audit_entries_about_the_person(rights, app):
    lead = signed_in(app, rights.lead)
    assert lead.get(url(rights, "rights")).status_code == 200
    first = export_of(lead, rights)
    assert [(e["action"], e["detail"]) for e in first["audit_events"]] == [("read", {"view": "rights"})]
    assert first["audit_events"][0]["by"] == "Lowri Lead"
    second = export_of(lead, rights)
    assert [e["detail"] for e in second["audit_events"]] == [{"view": "rights"}, {"view": "export"}]


# --- who may -------------------------------------------------------------------------------------------------

REFUSED = [("reviewer", 403), ("reviewer2", 403), ("lay_assessor", 403), ("link_officer", 403),
           ("coordinator", 403), ("lead_b", 404), ("link_b", 404)]


@pytest.mark.parametrize("role,status", REFUSED)
def test_only_the_lead_of_that_review_reaches_a_persons_rights(rights, app, role, status):
    client = signed_in(app, rights.member(role))
    for path in ("rights", "export.json"):
        response = client.get(url(rights, path))
        body = response.get_data(as_text=True)
        assert response.status_code == status, (role, path)
        assert SERVICE_USER_NAME not in body and NOTE_BODY not in body and CONCERN_TEXT not in body
        assert PHONE not in body and "Content-Disposition" not in response.headers
    response = withdraw(client, rights, confirm="yes", received="phone")
    assert response.status_code == status
    db.session.refresh(rights.service_user)
    assert rights.service_user.name == SERVICE_USER_NAME and rights.service_user.consent_withdrawn_at is None
    assert db.session.get(Visit, rights.home_visit.id).status is VisitStatus.planned


def test_someone_not_signed_in_is_sent_to_sign_in(rights, app):
    response = app.test_client().get(url(rights, "export.json"))
    assert response.status_code in (302, 401)
    assert SERVICE_USER_NAME not in response.get_data(as_text=True)


def test_an_unknown_participant_is_not_found(rights, app):
    assert signed_in(app, rights.lead).get("/participants/999999/rights").status_code == 404


def test_the_lead_of_another_review_cannot_reach_this_reviews_participant_even_with_a_lead_role(rights, app):
    other = f.gen_participant(rights.other_review, "service_user", name="Review B person")
    db.session.commit()
    lead = signed_in(app, rights.lead)
    assert lead.get(f"/participants/{other.id}/export.json").status_code == 404
    assert lead.get(f"/participants/{other.id}/rights").status_code == 404


# --- the rights page ------------------------------------------------------------------------------------------


def test_the_rights_page_says_what_a_withdrawal_would_change_and_is_an_audited_read(rights, app):
    page = signed_in(app, rights.lead).get(url(rights, "rights"))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and SERVICE_USER_NAME in body
    assert "Export everything held (JSON)" in body
    assert "1 upcoming visit arranged for them is cancelled" in body
    assert "they are taken off 1 upcoming visit that goes ahead with others" in body
    assert "2 notes already written on their visits stay" in body
    assert f.count(AuditEvent, AuditEvent.action == "read", AuditEvent.subject_type == "participant") == 1


# --- withdrawal of consent -------------------------------------------------------------------------------------


def test_a_withdrawal_without_the_tick_is_refused_next_to_the_box_and_keeps_the_choice(rights, app):
    response = withdraw(signed_in(app, rights.lead), rights, received="letter")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="withdraw-confirm-error"' in body and "Tick this box to confirm." in body
    assert '<option value="letter" selected>' in body
    db.session.refresh(rights.service_user)
    assert rights.service_user.name == SERVICE_USER_NAME


def test_a_withdrawal_with_an_unknown_channel_is_refused(rights, app):
    response = withdraw(signed_in(app, rights.lead), rights, received="carrier pigeon", confirm="yes")
    assert response.status_code == 400
    assert "Choose how it reached you from the list." in response.get_data(as_text=True)


def test_the_lead_records_a_withdrawal_of_consent(rights, app):
    person, home_id = rights.service_user, rights.home.id
    lead = signed_in(app, rights.lead)
    response = withdraw(lead, rights, received="phone", confirm="yes")
    assert response.status_code == 303 and response.headers["Location"].endswith(url(rights, "rights"))
    page = lead.get(url(rights, "rights")).get_data(as_text=True)
    assert "Recorded that consent was withdrawn" in page and "1 upcoming visits cancelled; 2 notes kept" in page

    db.session.expire_all()
    person = db.session.get(Participant, person.id)
    assert person.name == f"Withdrawn participant {person.id}"
    assert (person.phone, person.job_title, person.team, person.organisation) == ("", "", "", "")
    assert person.consent_withdrawn_at is not None
    assert [(need.type.value, need.detail, need.arrangement) for need in person.needs] == [("interpreting", "", "")]
    home = db.session.get(Location, home_id)
    assert (home.address, home.parking_notes, home.access_notes) == ("", "", "")
    assert "GS" not in home.name

    upcoming = db.session.get(Visit, rights.home_visit.id)
    assert upcoming.status is VisitStatus.cancelled and upcoming.cancel_reason == "Consent withdrawn"
    assert upcoming.briefing == ""
    past = db.session.get(Visit, rights.past_visit.id)
    assert past.status is VisitStatus.completed  # what happened stays what happened
    group = db.session.get(Visit, rights.group.id)
    assert group.status is VisitStatus.planned and person.id not in [p.id for p in group.participants]

    case = rights.case
    db.session.refresh(case)
    assert case.status is CaseStatus.dropped_out and case.status_by_hand
    assert case.status_set_by_id == rights.lead.id and case.status_set_at is not None

    notes = db.session.scalars(db.select(Note).order_by(Note.body)).all()
    assert {note.body for note in notes} == {NOTE_BODY, "Earlier visit: PAST-NOTE-4410"}
    assert all(note.consent_withdrawn for note in notes)

    event = db.session.scalars(db.select(AuditEvent).filter_by(action="consent_withdrawn")).one()
    assert event.user_id == rights.lead.id and event.subject_id == str(person.id)
    assert event.detail == {"received": "phone", "visits_cancelled": [rights.home_visit.id],
                            "visits_left": [rights.group.id], "cases_dropped_out": [rights.case.id],
                            "homes_cleared": [home_id], "notes_marked": 2, "needs_cleared": 1}
    assert SERVICE_USER_NAME not in json.dumps(event.detail) and PHONE not in json.dumps(event.detail)


def test_the_team_sees_the_kept_notes_marked_on_the_visit_page_and_in_the_note_history(rights, app):
    withdraw(signed_in(app, rights.lead), rights, confirm="yes")
    reviewer = signed_in(app, rights.reviewer)
    mark = "Written before this person withdrew consent; kept as the team's record."
    visit_page = reviewer.get(f"/visits/{rights.past_visit.id}").get_data(as_text=True)
    assert "PAST-NOTE-4410" in visit_page and mark in visit_page
    history = reviewer.get(f"/notes/{rights.past_note.id}/history").get_data(as_text=True)
    assert mark in history
    interview = reviewer.get(f"/visits/{rights.interview.id}").get_data(as_text=True)
    assert mark not in interview


def test_a_second_withdrawal_is_refused_readably_and_changes_nothing(rights, app):
    lead = signed_in(app, rights.lead)
    assert withdraw(lead, rights, confirm="yes").status_code == 303
    events = f.count(AuditEvent, AuditEvent.action == "consent_withdrawn")
    again = withdraw(lead, rights, confirm="yes", received="email")
    assert again.status_code == 409
    assert "Consent withdrawal was already recorded on" in again.get_data(as_text=True)
    assert f.count(AuditEvent, AuditEvent.action == "consent_withdrawn") == events


def test_after_a_withdrawal_the_export_shows_the_erased_record_and_the_kept_notes(rights, app):
    lead = signed_in(app, rights.lead)
    withdraw(lead, rights, confirm="yes")
    held = export_of(lead, rights)
    text = json.dumps(held, ensure_ascii=False)
    assert SERVICE_USER_NAME not in text and PHONE not in text and HOME_ADDRESS not in text and "Polish" not in text
    assert held["participant"]["name"] == f"Withdrawn participant {rights.service_user.id}"
    assert held["participant"]["consent_withdrawn_at"]
    assert all(note["written_before_consent_was_withdrawn"] for note in held["notes"])
    assert {note["body"] for note in held["notes"]} == {NOTE_BODY, "Earlier visit: PAST-NOTE-4410"}
    assert held["cases"][0]["status"] == "dropped_out" and held["cases"][0]["status_set_by_hand"]
    assert "consent_withdrawn" in [event["action"] for event in held["audit_events"]]
    assert "Already recorded." in lead.get(url(rights, "rights")).get_data(as_text=True)


def test_a_home_shared_with_a_carer_keeps_its_address_for_the_carer(team, app):
    """The field-team world's home visit is with Mrs Jones and her carer: his visits still need the address."""
    team.home.address = "12 Shared Street"
    db.session.commit()
    signed_in(app, team.lead).post(f"/participants/{team.service_user.id}/withdraw", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Location, team.home.id).address == "12 Shared Street"
    assert db.session.get(Participant, team.service_user.id).consent_withdrawn_at is not None


def test_a_closed_review_still_honours_a_withdrawal_and_an_export(rights, app):
    """Closing makes a review read-only for the team's work; a person's rights outlive the fieldwork (an erasure,
    like the purge that will follow), so the lead can still export and erase."""
    rights.review.status = ReviewStatus.closed
    db.session.commit()
    lead = signed_in(app, rights.lead)
    assert export_of(lead, rights)["participant"]["name"] == SERVICE_USER_NAME
    assert withdraw(lead, rights, confirm="yes").status_code == 303
    db.session.expire_all()
    assert db.session.get(Participant, rights.service_user.id).name.startswith("Withdrawn participant")


def test_after_a_withdrawal_no_new_need_is_recorded_about_them(rights, app):
    """Their details were erased at their request: a need sent afterwards (a phone that queued one offline, say)
    is turned back with the reason, and nothing about them is written."""
    lead = signed_in(app, rights.lead)
    assert withdraw(lead, rights, confirm="yes").status_code == 303
    needs_before = f.count(NeedFlag)
    link = signed_in(app, rights.link)
    op = f.operation("need.set", need_id=f.new_id(), participant_id=rights.service_user.id, type="interpreting",
                     detail="Polish, Mrs Secret's cousin", status="requested", arrangement="")
    result = link.post("/api/sync", json={"ops": [op]}).json["results"][0]
    assert result["status"] == "rejected"
    assert "withdrew their consent" in result["errors"]["participant_id"][0]
    assert f.count(NeedFlag) == needs_before


def test_notes_and_concerns_of_a_visit_shared_with_others_are_listed_as_withheld_not_copied(rights, app):
    """The export is for handing to the person: what was written at a group meeting is about the others there
    too, so it is named by id for the lead to review, never copied into the file."""
    shared_note = f.gen_note(rights.group, rights.lay, "Mr Other Person spoke about his carer: GROUP-NOTE-5120")
    shared_concern = f.gen_concern(rights.group, rights.lay, text="Mr Other Person's bruises: GROUP-CONCERN-6631")
    db.session.commit()
    held = export_of(signed_in(app, rights.lead), rights)
    text = json.dumps(held)
    assert "GROUP-NOTE-5120" not in text and "GROUP-CONCERN-6631" not in text and "Mr Other Person" not in text
    assert {"id": shared_note.id, "visit_id": rights.group.id} in held["withheld"]["notes"]
    assert {"id": shared_concern.id, "visit_id": rights.group.id} in held["withheld"]["concerns"]
    assert "Earlier visit: PAST-NOTE-4410" in text  # their own home visit's note is theirs to have
