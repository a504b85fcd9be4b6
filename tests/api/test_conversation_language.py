"""The language a conversation was held in and the Welsh active offer (issue 13, item 5), on notes: note.save
carries `language` and `active_offer`, the note forms offer them, and they are kept where the note is kept and
shown only to those who may read the note."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, Note

from ..support import factories as f
from ..support.clients import signed_in
from ..support.html_forms import forms_on
from ..support.sync import send_one


def save(team, note_id=None, base_version=None, **data):
    data.setdefault("body", "We talked in the kitchen.")
    return f.operation("note.save", base_version=base_version, note_id=note_id or f.new_id(),
                       visit_id=team.home_visit.id, kind="home_visit", **data)


def test_a_note_saved_with_welsh_and_the_offer_made_keeps_both(team, app):
    rhys = signed_in(app, team.reviewer)
    answer = send_one(rhys, save(team, language="cy", active_offer=True))
    assert answer["status"] == "applied"
    note = db.session.get(Note, answer["note_id"])
    assert (note.language, note.active_offer) == ("cy", True)
    notes = rhys.get("/api/notes", query_string={"visit": team.home_visit.id}).get_json()["notes"]
    assert (notes[0]["language"], notes[0]["active_offer"]) == ("cy", True)


def test_left_out_they_are_not_recorded(team, app):
    answer = send_one(signed_in(app, team.reviewer), save(team))
    note = db.session.get(Note, answer["note_id"])
    assert (note.language, note.active_offer) == (None, None)


@pytest.mark.parametrize("data, field", [
    ({"language": "welsh"}, "language"), ({"language": "fr"}, "language"), ({"language": 1}, "language"),
    ({"active_offer": "maybe"}, "active_offer"), ({"active_offer": [True]}, "active_offer"),
])
def test_a_value_that_is_not_one_of_the_choices_is_refused_with_a_message_on_its_field(team, app, data, field):
    answer = send_one(signed_in(app, team.reviewer), save(team, **data))
    assert answer["status"] == "rejected"
    assert list(answer["errors"]) == [field] and answer["errors"][field][0]
    assert db.session.scalar(select(db.func.count()).select_from(Note)) == 0


def test_a_bad_language_names_the_choices_in_words(team, app):
    answer = send_one(signed_in(app, team.reviewer), save(team, language="xx"))
    assert answer["errors"]["language"] == [
        "Choose Welsh, English, another language, with an interpreter or not recorded."]


def test_a_bad_offer_names_the_choices_in_words(team, app):
    answer = send_one(signed_in(app, team.reviewer), save(team, active_offer="maybe"))
    assert answer["errors"]["active_offer"] == ["Choose yes, no or not recorded."]


def test_none_takes_them_back_to_not_recorded_and_absent_null_or_blank_keep_them(team, app):
    rhys = signed_in(app, team.reviewer)
    note_id = send_one(rhys, save(team, language="cy", active_offer=True))["note_id"]
    for version, unchanged in enumerate(({}, {"language": None, "active_offer": None},
                                         {"language": "", "active_offer": ""}), start=1):
        answer = send_one(rhys, save(team, note_id, version, body=f"Text {version}.", **unchanged))
        assert answer["status"] == "applied" and answer["version"] == version + 1
        db.session.expire_all()
        note = db.session.get(Note, note_id)
        assert (note.language, note.active_offer) == ("cy", True)
    cleared = send_one(rhys, save(team, note_id, 4, body="Text 3.", language="none", active_offer="none"))
    assert cleared["status"] == "applied" and cleared["version"] == 5  # a change of them alone is a new version
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert (note.language, note.active_offer) == (None, None)
    # One at a time, and a new note told "none" is simply not recorded.
    send_one(rhys, save(team, note_id, 5, body="Text 3.", language="en", active_offer=False))
    send_one(rhys, save(team, note_id, 6, body="Text 3.", active_offer="none"))
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert (note.language, note.active_offer) == ("en", None)
    fresh = send_one(rhys, save(team, language="none", active_offer="none"))
    assert fresh["status"] == "applied"
    assert (db.session.get(Note, fresh["note_id"]).language, db.session.get(Note, fresh["note_id"]).active_offer) \
        == (None, None)


def test_the_forms_offer_not_recorded_chosen_by_nobody_and_it_clears_them_without_javascript(team, app):
    rhys = signed_in(app, team.reviewer)
    note_id = send_one(rhys, save(team, language="cy", active_offer=True))["note_id"]
    edit = rhys.get(f"/visits/{team.home_visit.id}", query_string={"edit": note_id}).get_data(as_text=True)
    assert f'id="edit-{note_id}-language-none"' in edit or 'name="language" value="none"' in edit
    assert 'name="active_offer" value="none"' in edit
    new_form = note_form(rhys.get(f"/visits/{team.home_visit.id}").get_data(as_text=True))
    assert "language" not in new_form.fields and "active_offer" not in new_form.fields  # left out: unchanged
    form = next(form for form in forms_on(edit, "note.save") if form.fields.get("note_id") == note_id)
    assert form.fields["language"] == "cy"
    response = rhys.http.post(form.action, data=form.filled(language="none", active_offer="none"))
    assert response.status_code == 303
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert (note.language, note.active_offer) == (None, None)


def test_an_edit_that_leaves_them_out_keeps_them_and_one_that_changes_only_them_is_a_new_version(team, app):
    rhys = signed_in(app, team.reviewer)
    first = send_one(rhys, save(team, language="cy", active_offer=True))
    note_id = first["note_id"]
    kept = send_one(rhys, save(team, note_id, 1, body="We talked in the kitchen, then the garden."))
    assert kept["status"] == "applied" and kept["version"] == 2
    note = db.session.get(Note, note_id)
    assert (note.language, note.active_offer) == ("cy", True)
    # The same text with only the language changed, sent from an old version: nothing to lose, so no conflict.
    changed = send_one(rhys, save(team, note_id, 1, body="We talked in the kitchen, then the garden.",
                                  language="interpreter", active_offer=False))
    assert changed["status"] == "applied" and changed["version"] == 3
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert (note.language, note.active_offer, note.in_conflict) == ("interpreter", False, False)
    # The same again: nothing changes, no new version.
    again = send_one(rhys, save(team, note_id, 3, body="We talked in the kitchen, then the garden.",
                                language="interpreter", active_offer=False))
    assert again["version"] == 3


def test_a_stale_edit_is_a_conflict_copy_and_changes_no_language(team, app):
    rhys = signed_in(app, team.reviewer)
    note_id = send_one(rhys, save(team, language="en"))["note_id"]
    send_one(rhys, save(team, note_id, 1, body="Newer text."))
    stale = send_one(rhys, save(team, note_id, 1, body="Older device's text.", language="cy"))
    assert stale["status"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Note, note_id).language == "en"


def test_a_conflict_copy_keeps_the_language_and_offer_it_carried_and_the_merge_offers_them(team, app):
    rhys = signed_in(app, team.reviewer)
    note_id = send_one(rhys, save(team))["note_id"]
    send_one(rhys, save(team, note_id, 1, body="Newer text."))
    stale = send_one(rhys, save(team, note_id, 1, body="Older device's text.", language="cy", active_offer=True))
    assert stale["status"] == "conflict"
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    [copy] = [revision for revision in note.revisions if revision.is_conflict]
    assert (copy.language, copy.active_offer) == ("cy", True)
    assert (note.language, note.active_offer) == (None, None)
    html = rhys.get(f"/notes/{note_id}/history").get_data(as_text=True)
    # Both are shown: the conflict copy says what it carried ...
    merge = html[html.index('id="merge-title"'):html.index('id="revisions-title"')]
    assert "Language of the conversation: Welsh. The Welsh active offer was made." in merge
    # ... and the merge form starts from it where the saved note records nothing.
    [form] = [form for form in forms_on(html, "note.save") if form.fields.get("resolves_conflict") == "true"]
    assert (form.fields["language"], form.fields["active_offer"]) == ("cy", "true")
    response = rhys.http.post(form.action, data=form.filled(body="Both texts, merged."))
    assert response.status_code == 303
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert (note.language, note.active_offer, note.in_conflict) == ("cy", True, False)


def test_the_merge_form_starts_from_the_saved_notes_own_choice_when_it_has_one(team, app):
    rhys = signed_in(app, team.reviewer)
    note_id = send_one(rhys, save(team, language="en", active_offer=False))["note_id"]
    send_one(rhys, save(team, note_id, 1, body="Newer text."))
    send_one(rhys, save(team, note_id, 1, body="Older device's text.", language="cy", active_offer=True))
    html = rhys.get(f"/notes/{note_id}/history").get_data(as_text=True)
    [form] = [form for form in forms_on(html, "note.save") if form.fields.get("resolves_conflict") == "true"]
    assert (form.fields["language"], form.fields["active_offer"]) == ("en", "false")
    merge = html[html.index('id="merge-title"'):html.index('id="revisions-title"')]
    assert "Language of the conversation: English. The Welsh active offer was not made." in merge
    assert "Language of the conversation: Welsh. The Welsh active offer was made." in merge


def test_the_audit_log_never_holds_the_language(team, app):
    # The coordinator reads the audit log; the conversation's language is note content.
    send_one(signed_in(app, team.reviewer), save(team, language="cy", active_offer=True))
    for event in db.session.scalars(select(AuditEvent)):
        assert "language" not in (event.detail or {}) and "active_offer" not in (event.detail or {})


# --- the visit page's note form, without JavaScript --------------------------------------------------------------


def note_form(html):
    forms = [form for form in forms_on(html, "note.save")]
    assert forms
    return forms[-1]


def test_the_note_form_offers_the_language_and_the_offer_and_saves_them_without_javascript(team, app):
    rhys = signed_in(app, team.reviewer)
    html = rhys.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert "Language of the conversation" in html
    assert "The Welsh active offer was made (we offered to hold it in Welsh)" in html
    for code in ("cy", "en", "other", "interpreter"):
        assert f'name="language" value="{code}"' in html
    form = note_form(html)
    assert "language" not in form.fields  # nothing chosen until someone chooses
    response = rhys.http.post(form.action, data=form.filled(body="Siaradon ni yn y gegin.", language="cy",
                                                            active_offer="true"))
    assert response.status_code == 303
    note = db.session.scalars(select(Note)).one()
    assert (note.language, note.active_offer) == ("cy", True)
    page = rhys.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert "Language of the conversation: Welsh. The Welsh active offer was made." in page
    # Its edit form starts from what is recorded.
    edit = rhys.get(f"/visits/{team.home_visit.id}", query_string={"edit": note.id}).get_data(as_text=True)
    edit_form = next(form for form in forms_on(edit, "note.save") if form.fields.get("note_id") == note.id)
    assert edit_form.fields["language"] == "cy" and edit_form.fields["active_offer"] == "true"


def test_a_refused_language_shows_the_form_again_with_its_message(team, app):
    rhys = signed_in(app, team.reviewer)
    form = note_form(rhys.get(f"/visits/{team.home_visit.id}").get_data(as_text=True))
    response = rhys.http.post(form.action, data=form.filled(body="Text kept.", language="klingon"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose Welsh, English, another language, with an interpreter or not recorded." in html
    assert 'id="new-note-language-error"' in html and "Text kept." in html


def test_a_lay_assessors_setting_observation_offers_them_too(app, world):
    lena = signed_in(app, world.lay)
    html = lena.get(f"/visits/{world.setting_visit.id}").get_data(as_text=True)
    form = note_form(html)
    assert form.fields["kind"] == "setting_observation"
    assert "Language of the conversation" in html
    response = lena.http.post(form.action, data=form.filled(**{"prompts.welcome_and_reception": "Croeso cynnes.",
                                                               "language": "cy", "active_offer": "false"}))
    assert response.status_code == 303
    note = db.session.scalars(select(Note)).one()
    assert (note.language, note.active_offer) == ("cy", False)


# --- who sees it -------------------------------------------------------------------------------------------------


@pytest.fixture
def welsh_note(console):
    note = db.session.scalars(select(Note).where(Note.visit_id == console.home_visit.id)).one()
    note.language, note.active_offer = "cy", True
    db.session.commit()
    console.welsh_note = note
    return console


LINE = "Language of the conversation: Welsh."


@pytest.mark.parametrize("role, sees", [
    ("lead_reviewer", True), ("reviewer", True), ("reviewer2", True),
    ("lay_assessor", False), ("link_officer", False), ("coordinator", False),
])
def test_the_language_shows_on_the_visit_page_only_to_those_who_read_the_note(app, welsh_note, role, sees):
    client = signed_in(app, welsh_note.member(role))
    response = client.get(f"/visits/{welsh_note.home_visit.id}")
    text = response.get_data(as_text=True)
    assert (LINE in text) is sees
    api = client.get("/api/notes", query_string={"visit": welsh_note.home_visit.id})
    if sees:
        assert api.get_json()["notes"][0]["language"] == "cy"
    else:
        assert api.status_code in (403, 404)
    history = client.get(f"/notes/{welsh_note.welsh_note.id}/history")
    assert (history.status_code == 200) is sees
    assert (LINE in history.get_data(as_text=True)) is sees


# --- the demo ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weekday", [0, 2])
def test_the_demo_has_a_welsh_interview_with_the_offer_made_and_feedback_in_welsh(weekday):
    from datetime import date, timedelta

    from visits.models import Feedback, NoteKind
    from ..unit.test_demo_seed import load_demo

    session, _summary = load_demo(date(2026, 3, 9) + timedelta(days=weekday))
    try:
        notes = session.scalars(select(Note)).all()
        welsh = [note for note in notes if note.language == "cy"]
        assert [(note.kind, note.active_offer) for note in welsh] == [(NoteKind.interview, True)]
        assert {note.language for note in notes} >= {"cy", "en", "interpreter", None}
        feedback = session.scalars(select(Feedback)).all()
        assert any(row.language == "cy" and row.active_offer for row in feedback)
        assert {row.active_offer for row in feedback} == {True, False, None}
    finally:
        session.close()
