"""A review's themes (DESIGN section 12): the lead's page to edit them, a note that carries them (note.save, from
the phone's outbox and from the form without JavaScript), and the headings of interview and home-visit notes."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from visits.extensions import db
from visits.models import AuditEvent, Note, Theme
from visits.themes import DEFAULT_THEMES

from ..support import factories as f
from ..support.clients import signed_in
from ..support.html_forms import forms_on
from ..support.sync import send, send_one
from ..support.world import field_team_world

CARERS = "Carers"
SAFEGUARDING = "Safeguarding"


@pytest.fixture
def team(app):
    world = field_team_world()
    from visits.themes import ensure_themes

    ensure_themes(world.review)
    ensure_themes(world.other_review)
    db.session.commit()
    return world


def theme(review, name: str) -> Theme:
    return db.session.scalars(select(Theme).where(Theme.review_id == review.id, Theme.name == name)).one()


def themes_page(client, review, **kwargs):
    return client.get("/themes", query_string={"review": review.id}, **kwargs)


def change(client, review, **fields):
    return client.post(f"/themes?review={review.id}", data=fields)


def names(review) -> list[str]:
    db.session.expire_all()
    return [t.name for t in db.session.scalars(select(Theme).where(Theme.review_id == review.id)
                                                .order_by(Theme.position))]


def note_op(team, **data):
    return f.operation("note.save", note_id=data.pop("note_id", f.new_id()), visit_id=team.home_visit.id,
                       kind=data.pop("kind", "home_visit"), body=data.pop("body", "Care plan is out of date."),
                       **data)


# --- the lead's themes page ---------------------------------------------------------------------------------


def test_the_lead_sees_the_default_themes_of_a_joint_review(team, app):
    lead = signed_in(app, team.lead)
    response = themes_page(lead, team.review)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in DEFAULT_THEMES:
        assert str(name) in html
    assert names(team.review)[:3] == ["Access and information", "Assessment and care planning",
                                      "Involvement and choice"]


@pytest.mark.parametrize("role", ["reviewer", "reviewer2", "lay_assessor", "link_officer", "coordinator"])
def test_nobody_but_the_lead_reads_or_changes_the_themes(team, app, role):
    client = signed_in(app, team.member(role))
    assert themes_page(client, team.review).status_code == 403
    assert change(client, team.review, action="add", name="Transport").status_code == 403
    assert "Transport" not in names(team.review)


@pytest.mark.parametrize("role", ["lead_b", "link_b"])
def test_someone_of_another_review_learns_nothing_of_its_themes(team, app, role):
    client = signed_in(app, team.member(role))
    assert themes_page(client, team.review).status_code == 404
    assert change(client, team.review, action="add", name="Transport").status_code == 404
    assert themes_page(client, f.gen_review()).status_code == 404  # a review nobody is on: the same answer
    assert "Transport" not in names(team.review)


def test_signed_out_the_page_asks_to_sign_in(team, app):
    response = app.test_client().get(f"/themes?review={team.review.id}")
    assert response.status_code in (302, 401)


def test_the_lead_adds_renames_moves_retires_and_deletes_and_each_change_is_audited(team, app):
    lead = signed_in(app, team.lead)
    assert change(lead, team.review, action="add", name="  Transport   and travel ").status_code == 303
    assert names(team.review)[-1] == "Transport and travel"
    transport = theme(team.review, "Transport and travel")

    assert change(lead, team.review, action="rename", theme_id=transport.id, name="Getting there").status_code == 303
    assert change(lead, team.review, action="up", theme_id=transport.id).status_code == 303
    assert names(team.review)[-2:] == ["Getting there", "Diversity and language"]

    carers = theme(team.review, CARERS)
    f.gen_note(team.home_visit, team.reviewer).themes = [carers]
    db.session.commit()
    # A theme that notes carry is retired, never deleted: the notes keep it.
    response = change(lead, team.review, action="delete", theme_id=carers.id)
    assert response.status_code == 400
    assert "Notes carry this theme: retire it instead" in response.get_data(as_text=True)
    assert change(lead, team.review, action="retire", theme_id=carers.id).status_code == 303
    db.session.expire_all()
    assert theme(team.review, CARERS).retired_at is not None
    assert change(lead, team.review, action="delete", theme_id=transport.id).status_code == 303
    assert "Getting there" not in names(team.review)

    page = themes_page(lead, team.review).get_data(as_text=True)
    assert "Carers" in page and "no longer used" in page
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.review_id == team.review.id)))
    assert {"theme.add", "theme.rename", "theme.move", "theme.retire", "theme.delete"} <= actions


def test_a_name_refused_shows_the_form_again_with_the_message_and_what_was_typed(team, app):
    lead = signed_in(app, team.lead)
    response = change(lead, team.review, action="add", form="add", name="safeguarding")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is already a theme called safeguarding." in html
    assert 'id="new-theme-name-error"' in html and 'value="safeguarding"' in html
    response = change(lead, team.review, action="add", form="add", name="x" * 121)
    assert response.status_code == 400 and "At most 120 characters." in response.get_data(as_text=True)
    response = change(lead, team.review, action="add", form="add", name="   ")
    assert response.status_code == 400 and "Give the theme a name." in response.get_data(as_text=True)
    response = change(lead, team.review, action="explode", name="Boom")
    assert response.status_code == 400
    other = theme(team.other_review, CARERS)
    assert change(lead, team.review, action="retire", theme_id=other.id).status_code == 400
    db.session.expire_all()
    assert theme(team.other_review, CARERS).retired_at is None
    assert len(names(team.review)) == len(DEFAULT_THEMES)


def test_a_closed_review_shows_its_themes_read_only_and_refuses_a_change(team, app):
    from visits.admin.reviews import close_review

    close_review(team.review, by=team.lead)
    db.session.commit()
    lead = signed_in(app, team.lead)
    page = themes_page(lead, team.review)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and SAFEGUARDING in html
    assert "This review is closed" in html and "Add theme" not in html and 'name="action"' not in html
    response = change(lead, team.review, action="add", name="Transport")
    assert response.status_code == 403 and "This review is closed" in response.get_data(as_text=True)
    assert "Transport" not in names(team.review)


def test_a_new_review_starts_with_the_defaults_and_an_older_one_gets_them_when_first_needed(app):
    from visits.admin.reviews import create_review
    from datetime import date

    admin = f.gen_user(is_admin=True)
    review = create_review("Newtown Council", date(2026, 3, 2), date(2026, 3, 6), by=admin)
    db.session.commit()
    assert names(review) == [str(name) for name in DEFAULT_THEMES]

    older = f.gen_review()
    reviewer = f.gen_member(older, "reviewer")
    visit = f.gen_visit(older, team=[reviewer], kind="home_visit")
    db.session.commit()
    assert names(older) == []
    page = signed_in(app, reviewer).get(f"/visits/{visit.id}").get_data(as_text=True)
    assert names(older) == [str(name) for name in DEFAULT_THEMES]
    assert 'name="themes"' in page and "Partnership working" in page


# --- a note carries themes ----------------------------------------------------------------------------------


def test_a_note_saved_with_two_themes_keeps_them_and_a_replay_is_a_duplicate(team, app):
    reviewer = signed_in(app, team.reviewer)
    chosen = [theme(team.review, CARERS).id, theme(team.review, SAFEGUARDING).id]
    op = note_op(team, themes=chosen)
    assert send_one(reviewer, op)["status"] == "applied"
    replay = send_one(reviewer, op)
    assert replay["status"] == "duplicate" and replay["first_status"] == "applied"
    note = db.session.get(Note, op["data"]["note_id"])
    assert sorted(t.id for t in note.themes) == sorted(chosen)

    notes = reviewer.get(f"/api/notes?visit={team.home_visit.id}").get_json()["notes"]
    assert [t["name"] for t in notes[0]["themes"]] == [SAFEGUARDING, CARERS]  # the review's order
    page = reviewer.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert '<span class="badge">Carers</span>' in page
    history = reviewer.get(f"/notes/{note.id}/history").get_data(as_text=True)
    assert "Carers" in history and "Safeguarding" in history


def test_another_review_s_theme_or_an_unknown_one_is_rejected_next_to_the_themes(team, app):
    reviewer = signed_in(app, team.reviewer)
    foreign = theme(team.other_review, CARERS).id
    answer = send_one(reviewer, note_op(team, themes=[theme(team.review, CARERS).id, foreign]))
    assert answer["status"] == "rejected"
    assert answer["errors"]["themes"] == [f"Not one of this review's themes: {foreign}. Reload the page to see them."]
    answer = send_one(reviewer, note_op(team, themes=[987654]))
    assert answer["status"] == "rejected" and "themes" in answer["errors"]
    answer = send_one(reviewer, note_op(team, themes=list(range(1, 30))))
    assert answer["status"] == "rejected" and "themes" in answer["errors"]
    answer = send_one(reviewer, note_op(team, themes="Carers"))
    assert answer["status"] == "rejected" and "themes" in answer["errors"]
    assert db.session.scalar(select(db.func.count()).select_from(Note)) == 0


@pytest.mark.parametrize("role", ["link_officer", "coordinator", "lead_b"])
def test_someone_who_may_not_write_the_note_is_forbidden_whatever_the_themes(team, app, role):
    client = signed_in(app, team.member(role))
    answer = send_one(client, note_op(team, themes=[theme(team.review, CARERS).id]))
    assert answer["status"] == "forbidden" and "themes" not in answer.get("errors", {})


def test_themes_change_alone_makes_a_new_version_and_a_save_without_themes_keeps_them(team, app):
    reviewer = signed_in(app, team.reviewer)
    carers, safeguarding = theme(team.review, CARERS).id, theme(team.review, SAFEGUARDING).id
    op = note_op(team, themes=[carers])
    note_id = op["data"]["note_id"]
    send(reviewer, op)
    answer = send_one(reviewer, note_op(team, note_id=note_id, themes=[safeguarding]) | {"base_version": 1})
    assert answer == {**answer, "status": "applied", "version": 2}
    answer = send_one(reviewer, note_op(team, note_id=note_id, body="Care plan reviewed in May.")
                      | {"base_version": 2})
    assert answer["version"] == 3
    note = db.session.get(Note, note_id)
    db.session.refresh(note)
    assert [t.id for t in note.themes] == [safeguarding] and note.body == "Care plan reviewed in May."
    # From a stale version, a new text is a conflict copy: the themes stay as they were.
    answer = send_one(reviewer, note_op(team, note_id=note_id, body="Old page.", themes=[]) | {"base_version": 1})
    assert answer["status"] == "conflict"
    db.session.refresh(note)
    assert [t.id for t in note.themes] == [safeguarding]


def test_without_javascript_the_form_sends_the_ticked_themes_and_none_ticked_clears_them(team, app):
    reviewer = signed_in(app, team.reviewer)
    page = reviewer.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    form = forms_on(page, "note.save")[-1]
    assert "Themes" in page and 'type="checkbox"' in page
    carers, safeguarding = theme(team.review, CARERS).id, theme(team.review, SAFEGUARDING).id
    fields = [(name, value) for name, value in form.fields.items() if name not in ("themes", "body")]
    data = fields + [("body", "Carer feels unheard."), ("themes", ""), ("themes", str(carers)),
                     ("themes", str(safeguarding))]
    assert reviewer.http.post(form.action, data=MultiDict(data)).status_code == 303
    note = db.session.scalars(select(Note)).one()
    assert {t.id for t in note.themes} == {carers, safeguarding}

    edit_page = reviewer.get(f"/visits/{team.home_visit.id}?edit={note.id}").get_data(as_text=True)
    assert f'value="{carers}" checked' in edit_page
    edit = next(fm for fm in forms_on(edit_page, "note.save") if fm.fields.get("note_id") == note.id)
    data = [(name, value) for name, value in edit.fields.items() if name != "themes"] + [("themes", "")]
    assert reviewer.http.post(edit.action, data=MultiDict(data)).status_code == 303
    db.session.expire_all()
    assert db.session.get(Note, note.id).themes == []


def test_a_rejected_form_keeps_the_ticked_themes(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = forms_on(reviewer.get(f"/visits/{team.home_visit.id}").get_data(as_text=True), "note.save")[-1]
    carers = theme(team.review, CARERS).id
    data = [(name, value) for name, value in form.fields.items() if name not in ("themes", "body")]
    data += [("body", "  "), ("themes", ""), ("themes", str(carers))]
    response = reviewer.http.post(form.action, data=MultiDict(data))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Write something before saving." in html
    assert f'value="{carers}" checked' in html


def test_a_retired_theme_is_not_offered_on_a_new_note_but_stays_on_the_notes_that_carry_it(team, app):
    carers = theme(team.review, CARERS)
    note = f.gen_note(team.home_visit, team.reviewer, body="About the carer.", kind="home_visit")
    note.themes = [carers]
    from visits.themes import retire_theme

    retire_theme(team.review, carers.id, by=team.lead)
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    new_form = forms_on(reviewer.get(f"/visits/{team.home_visit.id}").get_data(as_text=True), "note.save")[-1]
    page = reviewer.get(f"/visits/{team.home_visit.id}?edit={note.id}").get_data(as_text=True)
    assert f'new-note-theme-{carers.id}"' not in page and f'note-{note.id}-theme-{carers.id}"' in page
    assert new_form.fields.get("note_id") != note.id


# --- headings of interview and home-visit notes -------------------------------------------------------------


def test_a_home_visit_note_offers_the_home_visit_headings_and_keeps_them(team, app):
    reviewer = signed_in(app, team.reviewer)
    page = reviewer.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    form = forms_on(page, "note.save")[-1]
    assert {"The person's story", "Assessment and care plan", "Involvement and choice", "What works well",
            "What does not work well", "To follow up", "Note"} <= set(form.labels)
    response = reviewer.http.post(form.action, data=form.filled(**{
        "prompts.persons_story": "Lives alone since May.", "prompts.to_follow_up": "Ask about respite."}))
    assert response.status_code == 303
    note = db.session.scalars(select(Note)).one()
    assert note.prompts == {"persons_story": "Lives alone since May.", "to_follow_up": "Ask about respite."}
    page = reviewer.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert page.index("The person&#39;s story") < page.index("Lives alone since May.")


def test_an_interview_note_offers_the_interview_headings(team, app):
    interview = f.gen_visit(team.review, team=[team.reviewer], kind="staff_interview")
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    form = forms_on(reviewer.get(f"/visits/{interview.id}").get_data(as_text=True), "note.save")[-1]
    assert form.fields["kind"] == "interview"
    assert {"Their role and their story", "What works well", "Examples they gave", "To follow up"} <= set(form.labels)
    answer = send_one(reviewer, f.operation("note.save", note_id=f.new_id(), visit_id=interview.id, kind="interview",
                                            prompts={"examples_given": "Duty desk rota."}))
    assert answer["status"] == "applied"


def test_the_headings_of_another_kind_of_note_are_refused(team, app):
    reviewer = signed_in(app, team.reviewer)
    answer = send_one(reviewer, note_op(team, prompts={"welcome_and_reception": "Warm."}))
    assert answer["status"] == "rejected"
    assert answer["errors"]["prompts"] == ["Not a heading of this kind of note: Welcome and reception."]
    answer = send_one(reviewer, note_op(team, kind="general", prompts={"persons_story": "Text"}))
    assert answer["errors"]["prompts"] == ["A general note has no headings: write it all in the note."]
    answer = send_one(reviewer, note_op(team, kind="setting_observation", prompts={"persons_story": "Text"}))
    assert answer["status"] == "rejected" and "prompts" in answer["errors"]


def test_the_lead_finds_the_themes_page_from_a_note_form_and_nobody_else_is_offered_it(team, app):
    link = f'href="/themes?review={team.review.id}"'
    lead_page = signed_in(app, team.lead).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert f'{link}>Change the review\'s themes<' in lead_page
    reviewer_page = signed_in(app, team.reviewer).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert 'name="themes"' in reviewer_page and link not in reviewer_page
