"""The conversation's language and the Welsh active offer on a phone (issue 13, item 5): a reviewer with no signal
saves a home-visit note held in Welsh after the offer; it waits on the phone with both kept (and an edit of it
starts from them); back online it reaches the server once. In Welsh at 360 px: the note form, the questionnaire's
language step and the evidence filtered by language pass axe and fit the screen."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from visits.extensions import db
from visits.models import Note, Operation

from ..support import factories as f
from ..support.browser import (
    assert_accessible, keep_screenshot, open_kept_visit, outbox, sign_in, wait_for_worker, wait_until,
)

NOTE = "Siaradon ni yn y gegin: mae'r gofalwyr yn hwyr bob bore."


def open_all_folds(page):
    page.evaluate("document.querySelectorAll('details').forEach(fold => { fold.open = true; })")


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_note_held_in_welsh_saved_offline_keeps_its_language_and_syncs_once(page, context, team):
    open_kept_visit(page, team.reviewer, team.home_visit)
    context.set_offline(True)
    open_all_folds(page)

    form = page.locator("#notes form.note-form:not([data-waiting-edit])").last
    form.get_by_label("Note", exact=True).fill(NOTE)
    language = form.get_by_role("group", name="Language of the conversation")
    language.get_by_role("radio", name="Welsh").check()
    form.get_by_role("group", name="The Welsh active offer was made").get_by_role("radio", name="Yes").check()
    form.get_by_role("button", name="Save note").click()
    waiting = page.locator("#notes [data-waiting-item]")
    expect(waiting).to_have_count(1)
    (op,) = outbox(page)
    assert (op["data"]["language"], op["data"]["active_offer"]) == ("cy", "true")
    # The form is free for the next note, nothing chosen on it.
    expect(form.locator('input[name="language"]:checked')).to_have_count(0)

    # Edited while it waits: the edit starts from the language and offer chosen, and their values stay codes.
    waiting.first.get_by_role("button", name="Edit").click()
    editing = waiting.first.locator("form")
    expect(editing.get_by_role("radio", name="Welsh")).to_be_checked()
    expect(editing.get_by_role("radio", name="Yes")).to_be_checked()
    assert editing.locator('input[name="language"]').evaluate_all("radios => radios.map(r => r.value)") == [
        "cy", "en", "other", "interpreter", "none"]
    editing.get_by_role("button", name="Save note").click()
    expect(waiting).to_have_count(1)
    (op,) = outbox(page)
    assert (op["data"]["language"], op["data"]["active_offer"]) == ("cy", "true")
    assert db.session.scalars(select(Note)).all() == []

    context.set_offline(False)
    expect(page.locator("#sync-text")).to_contain_text("All synced", timeout=15000)
    expect(page.locator("#notes")).to_contain_text("Language of the conversation: Welsh.")
    db.session.expire_all()
    (note,) = db.session.scalars(select(Note)).all()
    assert (note.body, note.language, note.active_offer, note.version) == (NOTE, "cy", True, 1)
    assert db.session.scalar(select(db.func.count()).select_from(Operation)) == 1
    assert outbox(page) == []


def test_offline_a_recorded_language_and_offer_go_back_to_not_recorded(page, context, team):
    note = f.gen_note(team.home_visit, team.reviewer, body="Cyfweliad.", kind="home_visit")
    note.language, note.active_offer = "cy", True
    db.session.commit()
    sign_in(page, team.reviewer)
    url = f"/visits/{team.home_visit.id}?edit={note.id}"
    page.goto(url)
    wait_for_worker(page)
    context.set_offline(True)
    open_all_folds(page)
    form = page.locator(f"#note-{note.id} form")
    expect(form.locator('input[name="language"][value="cy"]')).to_be_checked()
    form.get_by_role("group", name="Language of the conversation").get_by_role("radio", name="Not recorded").check()
    form.get_by_role("group", name="The Welsh active offer was made").get_by_role(
        "radio", name="Not recorded").check()
    form.get_by_role("button", name="Save note").click()
    wait_until(page, """async () => (await FieldworkOutbox.opsOf(
        document.body.getAttribute('data-user-key'))).length === 1""")
    (op,) = outbox(page)
    assert (op["data"]["language"], op["data"]["active_offer"]) == ("none", "none")
    assert db.session.get(Note, note.id).language == "cy"

    context.set_offline(False)
    expect(page.locator("#sync-text")).to_contain_text("All synced", timeout=15000)
    db.session.expire_all()
    saved = db.session.get(Note, note.id)
    assert (saved.language, saved.active_offer, saved.version) == (None, None, 2)


def test_in_welsh_the_note_form_fits_a_phone_and_passes_axe(page, team):
    note = f.gen_note(team.home_visit, team.reviewer, body="Cyfweliad yn Gymraeg.", kind="home_visit")
    note.language, note.active_offer = "cy", True
    db.session.commit()
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.goto(f"/visits/{team.home_visit.id}?edit={note.id}#notes")
    open_all_folds(page)
    expect(page.locator(f'#note-{note.id} input[name="language"][value="cy"]')).to_be_checked()
    fits_the_phone(page)
    assert_accessible(page, "conversation-language-note-form-cy-360")
    keep_screenshot(page.locator(f"#note-{note.id}"), path="test-artifacts/conversation-language-note-edit-cy-360.png")
    keep_screenshot(page.locator("#notes form.note-form").last,
        path="test-artifacts/conversation-language-new-note-cy-360.png")


def test_in_welsh_the_questionnaires_language_step_fits_a_phone_and_passes_axe(page, team):
    centre = f.gen_location(team.review, "day_facility", name="Maes Day Centre")
    visit = f.gen_visit(team.review, team=[team.lay], kind="setting_visit", location=centre)
    db.session.commit()
    sign_in(page, team.lay)
    page.goto(f"/visits/{visit.id}/feedback?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.locator("#consent-yes + label").click()
    for _ in range(30):
        if page.locator('[data-fb-step="language"]').is_visible():
            break
        page.locator("[data-fb-next]").click()
    step = page.locator('[data-fb-step="language"]')
    expect(step).to_be_visible()
    # A Welsh page starts from Welsh as the language answered in.
    expect(step.locator("#fb-language")).to_have_value("cy")
    step.locator("#offer-yes + label").click()
    expect(step.locator("#offer-yes")).to_be_checked()
    fits_the_phone(page)
    assert_accessible(page, "conversation-language-feedback-step-cy-360")


def test_in_welsh_the_evidence_filtered_by_language_fits_a_phone_and_passes_axe(page, console):
    note = db.session.scalars(select(Note).where(Note.visit_id == console.home_visit.id)).one()
    note.language, note.active_offer = "cy", True
    db.session.commit()
    sign_in(page, console.lead)
    page.goto(f"/evidence?review={console.review.id}&lang=cy")
    page.goto(f"/evidence?review={console.review.id}&language=cy&offer=yes")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("#language")).to_have_value("cy")
    expect(page.locator(".evidence-hit")).to_have_count(1)
    fits_the_phone(page)
    assert_accessible(page, "conversation-language-evidence-cy-360")


def test_in_welsh_the_merge_offers_the_conflict_copys_language_and_fits_a_phone(page, team):
    from visits.models import NoteRevision

    note = f.gen_note(team.home_visit, team.reviewer, body="Testun newydd.", kind="home_visit")
    note.in_conflict = True
    db.session.add(NoteRevision(note=note, version=None, base_version=1, body="Testun hŷn.", prompts={},
                                saved_by_id=team.reviewer.id, is_conflict=True, language="cy", active_offer=True))
    db.session.commit()
    sign_in(page, team.reviewer)
    page.goto(f"/notes/{note.id}/history?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    merge = page.locator("section.merge")
    expect(merge.locator('input[name="language"][value="cy"]')).to_be_checked()
    expect(merge.locator('input[name="active_offer"][value="true"]')).to_be_checked()
    expect(merge.locator('input[name="language"][value="none"]')).not_to_be_checked()
    fits_the_phone(page)
    assert_accessible(page, "conversation-language-merge-cy-360")
    keep_screenshot(merge, path="test-artifacts/conversation-language-merge-cy-360.png")
