"""The evidence page (DESIGN sections 2 and 12): every note the viewer may read in a review, filtered. The lead reads
the review's notes; a reviewer or lay assessor those of the visits they are on; the link officer and the
coordinator never; nobody another review's."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from visits.evidence.queries import readable_notes
from visits.extensions import db
from visits.models import AuditEvent, Note, Theme
from visits.permissions import can_read_note

from ..support import factories as f
from ..support.clients import signed_in
from ..support.world import NOTE_BODY, SERVICE_USER_NAME, at

LAY_NOTE = "The day centre's garden was LAYNOTE-5521 overgrown."
INTERVIEW_NOTE = "The social worker described waiting lists INTERVIEWNOTE-3390."
OTHER_REVIEW_NOTE = "In the other council OTHERREVIEW-7781."


@pytest.fixture
def evidence(console):
    """The console world's home-visit note (Rhys's, on a visit Rhys and Ffion are on) plus Lena's note on her
    day-centre visit, Rhys's interview note with a theme, and a note in review B."""
    world = console
    world.safeguarding = Theme(review_id=world.review.id, name="Safeguarding", position=1)
    world.waiting = Theme(review_id=world.review.id, name="Waiting times", position=2)
    db.session.add_all([world.safeguarding, world.waiting])
    world.home_note = db.session.scalars(select(Note).where(Note.visit_id == world.home_visit.id)).one()
    world.home_note.themes = [world.safeguarding]
    world.lay_note = f.gen_note(world.setting_visit, world.lay, LAY_NOTE, kind="setting_observation")
    world.interview_note = f.gen_note(world.interview, world.reviewer, INTERVIEW_NOTE, kind="interview")
    world.interview_note.themes = [world.waiting]
    visit_b = f.gen_visit(world.other_review, [world.lead_b], [], "staff_interview", at(world.day, 9))
    world.note_b = f.gen_note(visit_b, world.lead_b, OTHER_REVIEW_NOTE)
    db.session.commit()
    return world


def page(client, world, **query):
    query.setdefault("review", world.review.id)
    return client.get("/evidence", query_string=query)


# --- who may read evidence -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, shown, hidden", [
    ("lead_reviewer", [NOTE_BODY, LAY_NOTE, INTERVIEW_NOTE], [OTHER_REVIEW_NOTE]),
    ("reviewer", [NOTE_BODY, INTERVIEW_NOTE], [LAY_NOTE, OTHER_REVIEW_NOTE]),
    ("reviewer2", [NOTE_BODY], [LAY_NOTE, INTERVIEW_NOTE, OTHER_REVIEW_NOTE]),
    ("lay_assessor", [LAY_NOTE], [NOTE_BODY, INTERVIEW_NOTE, OTHER_REVIEW_NOTE]),
])
def test_each_reader_sees_the_notes_of_their_scope_and_no_other(app, evidence, role, shown, hidden):
    response = page(signed_in(app, evidence.member(role)), evidence)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for body in shown:
        assert body.split()[0] in text and body.split()[-1].rstrip(".") in text
    for body in hidden:
        assert body.split()[-1].rstrip(".") not in text
    # The filters offer only what the reader's own notes touch: Lena is not told of Rhys's home visit's case.
    if role == "lay_assessor":
        assert "AD-014" not in text and "Home (GS)" not in text


@pytest.mark.parametrize("role", ["link_officer", "coordinator"])
def test_the_link_officer_and_the_coordinator_are_refused(app, evidence, role):
    client = signed_in(app, evidence.member(role))
    for response in (page(client, evidence), client.get("/evidence"), page(client, evidence, q="kitchen")):
        assert response.status_code == 403
        assert "Private note body" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["lead_b", "link_b"])
def test_another_reviews_member_learns_nothing_of_this_review(app, evidence, role):
    response = page(signed_in(app, evidence.member(role)), evidence)
    assert response.status_code == 404
    assert "Private note body" not in response.get_data(as_text=True)


def test_another_reviews_lead_reads_their_own_reviews_evidence_only(app, evidence):
    text = signed_in(app, evidence.lead_b).get("/evidence").get_data(as_text=True)
    assert "OTHERREVIEW-7781" in text and "kitchen" not in text and SERVICE_USER_NAME not in text


def test_signed_out_is_sent_to_sign_in(app, evidence):
    response = app.test_client().get("/evidence")
    assert response.status_code in (302, 401)


@pytest.mark.parametrize("role", ["lead_reviewer", "reviewer", "reviewer2", "lay_assessor", "link_officer",
                                  "coordinator", "lead_b"])
def test_the_query_agrees_with_can_read_note_for_every_note(app, evidence, role):
    viewer = evidence.member(role)
    readable = set(db.session.scalars(readable_notes(viewer, evidence.review)).unique())
    for note in db.session.scalars(select(Note)).all():
        in_review = note.visit.review_id == evidence.review.id
        assert (note in readable) == (in_review and can_read_note(viewer, note)), (role, note.body)


# --- what a hit shows ------------------------------------------------------------------------------------------

def test_a_hit_shows_its_visit_author_themes_and_links_to_the_visit(app, evidence):
    text = page(signed_in(app, evidence.lead), evidence).get_data(as_text=True)
    assert f'href="/visits/{evidence.home_visit.id}"' in text
    assert "Home visit AD-014" in text and "Rhys Reviewer" in text and "Safeguarding" in text
    assert "Waiting times" in text


def test_the_page_is_never_kept_for_offline_use(app, evidence):
    response = page(signed_in(app, evidence.reviewer), evidence)
    assert "X-Fieldwork-User" not in response.headers


def test_every_page_shown_is_one_audited_read_listing_its_notes(app, evidence):
    client = signed_in(app, evidence.reviewer)
    page(client, evidence, q="kitchen")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "evidence")).all()
    assert len(events) == 1
    event = events[0]
    assert event.action == "read" and event.user_id == evidence.reviewer.id
    assert event.review_id == evidence.review.id
    assert event.detail["note_ids"] == [evidence.home_note.id]
    assert "kitchen" not in str(event.detail)  # what was searched for is not kept


# --- filters -----------------------------------------------------------------------------------------------------

def test_filters_narrow_the_notes(app, evidence):
    client = signed_in(app, evidence.lead)

    def shown(**query):
        text = page(client, evidence, **query).get_data(as_text=True)
        return {name for name, marker in (("home", "kitchen was cold"), ("lay", "LAYNOTE-5521"),
                                          ("interview", "INTERVIEWNOTE-3390")) if marker in text}

    assert shown() == {"home", "lay", "interview"}
    assert shown(theme=evidence.waiting.id) == {"interview"}
    assert shown(kind="setting_visit") == {"lay"}
    assert shown(case=evidence.case.id) == {"home"}
    assert shown(place=evidence.office.id) == {"interview"}
    assert shown(author=evidence.lay.id) == {"lay"}
    assert shown(day=evidence.day.isoformat()) == {"home", "lay", "interview"}
    assert shown(day=(evidence.day.replace(day=1) if evidence.day.day != 1 else evidence.day.replace(day=2))
                 .isoformat()) == set()
    assert shown(kind="home_visit", author=evidence.reviewer.id, theme=evidence.safeguarding.id) == {"home"}


def test_by_day_lists_notes_in_the_order_of_the_visits(app, evidence):
    text = page(signed_in(app, evidence.lead), evidence, order="day").get_data(as_text=True)
    # The interview at 10:00, the day centre at 14:00, the home visit at 18:00.
    assert text.index("INTERVIEWNOTE-3390") < text.index("LAYNOTE-5521") < text.index("kitchen was cold")


@pytest.mark.parametrize("query, field", [
    ({"theme": "abc"}, "theme"), ({"kind": "picnic"}, "kind"), ({"day": "23/11/2026"}, "day"),
    ({"day": "1900-01-01"}, "day"), ({"q": "x" * 201}, "q"), ({"author": "-1"}, "author"),
    ({"case": "99999999999999"}, "case"), ({"order": "random"}, "order"), ({"page": "0"}, "page"),
    ({"place": "1.5"}, "place"), ({"q": "nul\x00byte"}, "q"),
])
def test_a_bad_filter_is_a_400_page_with_its_message_keeping_what_was_typed(app, evidence, query, field):
    response = page(signed_in(app, evidence.lead), evidence, **query)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'class="error-summary"' in text
    assert "Private note body" not in text  # no notes on a refused search


def test_a_page_past_the_last_is_not_found(app, evidence):
    assert page(signed_in(app, evidence.lead), evidence, page=5).status_code == 404


def test_notes_are_paged_fifty_at_a_time(app, evidence):
    for number in range(55):
        f.gen_note(evidence.interview, evidence.reviewer, f"Paged note {number}")
    db.session.commit()
    client = signed_in(app, evidence.lead)
    first = page(client, evidence).get_data(as_text=True)
    assert first.count('class="evidence-hit"') == 50 and 'rel="next"' in first
    second = page(client, evidence, page=2).get_data(as_text=True)
    assert second.count('class="evidence-hit"') == 58 - 50 and 'rel="prev"' in second
