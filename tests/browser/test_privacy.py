"""The privacy page in Chromium, signed out, on a phone and a laptop (and with JavaScript off); the lead records a
service user's withdrawal of consent on a phone and the team sees the kept note marked."""
from __future__ import annotations

import pytest

from visits.extensions import db
from visits.privacy.table import ROWS

from ..support.browser import assert_accessible, sign_in, unfold
from ..support.clients import signed_in
from ..support.world import SERVICE_USER_NAME, console_world


def test_anyone_reads_the_privacy_page_from_the_sign_in_page_on_a_phone_and_a_laptop(page, app):
    page.goto("/login")
    page.get_by_role("link", name="How Fieldwork uses personal data").click()
    page.wait_for_url("**/privacy")
    page.get_by_role("heading", name="Privacy: who sees what").wait_for()
    table = page.get_by_role("table")
    assert table.get_by_role("row").count() == 1 + len(ROWS)  # the header row and a row per kind of data
    # On a phone each row is a card: every answer says whose it is (the column's name, shown before it).
    link_on_notes = table.locator('tr[data-row="notes"] td[data-column="link_officer"]')
    assert link_on_notes.inner_text() == "No"
    assert link_on_notes.evaluate("cell => getComputedStyle(cell, '::before').content") == '"Council link officer: "'
    assert_accessible(page, "privacy-phone")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    header = page.get_by_role("columnheader", name="Council link officer")
    assert header.is_visible()
    assert_accessible(page, "privacy-laptop")


def test_the_privacy_page_works_with_javascript_off(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url,
                                  viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto("/privacy")
        assert page.get_by_role("table").get_by_role("row").count() == 1 + len(ROWS)
        assert page.get_by_role("heading", name="Who to contact").is_visible()
    finally:
        context.close()


@pytest.fixture
def programme(app):
    world = console_world()
    db.session.commit()
    return world


def test_the_lead_records_a_withdrawal_of_consent_on_a_phone(page, programme):
    sign_in(page, programme.lead)
    page.get_by_role("link", name="Privacy: who sees what").wait_for()  # the footer, on a signed-in page
    page.goto(f"/participants/{programme.service_user.id}/rights")
    page.get_by_role("heading", name=SERVICE_USER_NAME).wait_for()
    assert page.get_by_role("link", name="Export everything held (JSON)").is_visible()
    assert_accessible(page, "rights-phone")

    page.get_by_label("How it reached the review").select_option("phone")
    page.get_by_role("button", name="Erase their details and record the withdrawal").click()
    page.get_by_text("Tick this box to confirm.").first.wait_for()
    assert page.get_by_label("How it reached the review").input_value() == "phone"
    assert_accessible(page, "rights-phone-unconfirmed")

    page.get_by_label("I confirm this person has withdrawn their consent").check()
    page.get_by_role("button", name="Erase their details and record the withdrawal").click()
    page.get_by_text("Recorded that consent was withdrawn.").wait_for()
    assert SERVICE_USER_NAME not in page.content()
    page.get_by_role("heading", name=f"Withdrawn participant {programme.service_user.id}").wait_for()
    assert_accessible(page, "rights-phone-withdrawn")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    assert_accessible(page, "rights-laptop-withdrawn")


def test_the_reviewer_sees_the_kept_note_marked_on_the_visit_page(page, programme, app):
    lead_client_withdraws(app, programme)
    sign_in(page, programme.reviewer)
    page.goto(f"/visits/{programme.home_visit.id}")
    unfold(page, "notes")
    page.get_by_text("Written before this person withdrew consent; kept as the team's record.").wait_for()
    assert_accessible(page, "visit-note-consent-withdrawn")


def lead_client_withdraws(app, world):
    response = signed_in(app, world.lead).post(f"/participants/{world.service_user.id}/withdraw",
                                               data={"confirm": "yes"})
    assert response.status_code == 303
