"""Themes on the phone: a reviewer with no signal ticks two themes on a home-visit note; back online, the note
reaches the server once, carrying both. The note form with its headings and themes, and the lead's themes page,
pass axe on a 360 px phone."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from visits.extensions import db
from visits.models import Note, Theme
from visits.themes import ensure_themes

from ..support import factories as f
from ..support.browser import assert_accessible, keep_screenshot, open_kept_visit, outbox, sign_in, unfold

NOTE = "Her care plan still lists the old morning call time."


def themed_team(team):
    ensure_themes(team.review)
    db.session.commit()
    return team


def theme_id(team, name: str) -> int:
    return db.session.scalar(select(Theme.id).where(Theme.review_id == team.review.id, Theme.name == name))


def test_two_themes_ticked_offline_reach_the_server_once_with_the_note(page, context, team):
    themed_team(team)
    open_kept_visit(page, team.reviewer, team.home_visit)
    context.set_offline(True)

    unfold(page, "notes")
    form = page.locator("#notes form.note-form").last
    form.get_by_label("Kind of note").select_option("home_visit")
    form.get_by_label("Assessment and care plan", exact=True).fill(NOTE)
    form.get_by_role("checkbox", name="Carers").check()
    form.get_by_role("checkbox", name="Assessment and care planning").check()
    form.get_by_role("button", name="Save note").click()
    expect(page.locator("#notes [data-op-state]")).to_have_text("Saved on this phone — waiting to sync")
    (waiting,) = outbox(page)
    assert sorted(waiting["data"]["themes"]) == sorted(
        [str(theme_id(team, "Carers")), str(theme_id(team, "Assessment and care planning"))])
    assert db.session.scalars(select(Note)).all() == []

    context.set_offline(False)
    expect(page.locator("#sync-text")).to_contain_text("All synced", timeout=15000)
    expect(page.locator("#notes")).to_contain_text(NOTE)
    db.session.expire_all()
    (note,) = db.session.scalars(select(Note)).all()
    assert note.prompts == {"assessment_and_care_plan": NOTE}
    assert sorted(t.name for t in note.themes) == ["Assessment and care planning", "Carers"]
    expect(page.locator("#notes .note-themes").first).to_contain_text("Carers")
    assert outbox(page) == []


def test_the_note_form_with_headings_and_themes_passes_axe_on_a_phone(page, team):
    themed_team(team)
    note = f.gen_note(team.home_visit, team.reviewer, body="Kitchen clean.", kind="home_visit",
                      prompts={"persons_story": "Lives alone since May."})
    note.themes = [db.session.get(Theme, theme_id(team, "Carers"))]
    db.session.commit()
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}?edit={note.id}#notes")
    expect(page.get_by_label("The person's story").first).to_have_value("Lives alone since May.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "themes-note-form-360")
    keep_screenshot(page.locator(f"#note-{note.id}"), path="test-artifacts/themes-note-form-edit-360.png")


def test_the_lead_s_themes_page_passes_axe_on_a_phone_and_a_rename_shows_at_once(page, team):
    themed_team(team)
    sign_in(page, team.lead)
    page.goto(f"/themes?review={team.review.id}")
    expect(page.get_by_role("heading", name="Themes")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "themes-page-360")
    page.get_by_label("Theme 5").fill("Carers and young carers")
    page.get_by_role("button", name="Rename Carers").click()
    expect(page.locator("p.notice[role=status]")).to_have_text("Theme renamed.")
    expect(page.get_by_label("Theme 5")).to_have_value("Carers and young carers")
    page.get_by_label("Name", exact=True).fill("Safeguarding")
    page.get_by_role("button", name="Add theme").click()
    expect(page.locator("#new-theme-name-error")).to_have_text("There is already a theme called Safeguarding.")
    assert_accessible(page, "themes-page-error-360")
