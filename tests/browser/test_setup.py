"""In a real browser, on a phone and on a laptop: the link officer corrects a place, removes one that visits use
(kept and marked no longer used, and why), and enters travel times in the matrix and from a CSV file."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import Location, TravelTime

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in
from ..support.world import console_world

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def console(app):
    return console_world()


def no_sideways_scroll(page):
    """The page itself fits the screen (a wide table scrolls inside its own region)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_link_officer_corrects_a_place_and_marks_one_no_longer_used_on_a_phone(page, console):
    sign_in(page, console.link)
    page.goto("/programme/setup")
    page.get_by_role("link", name="Change Civic Centre").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change a place")
    page.get_by_label("Address").fill("")
    page.get_by_label("Name").fill("")
    page.get_by_label("Minutes to park").fill("400")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#edit-parking_minutes-error")).to_have_text("Between 0 and 240.")
    assert_accessible(page, "setup-edit-place-errors-360")

    page.get_by_label("Name").fill("Civic Centre")
    page.get_by_label("Minutes to park").fill("10")
    page.get_by_label("Address").fill("Civic Centre, Bridge Street, Cwmtown")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("main p.notice[role=status]").first).to_have_text("Saved.")
    no_sideways_scroll(page)

    page.get_by_role("link", name="Change Maes Day Centre").click()
    assert "Used by 1 visit" in page.locator(".remove-panel").inner_text()
    assert_accessible(page, "setup-edit-place-360")
    page.get_by_role("button", name="Mark no longer used").click()
    expect(page.get_by_text("Used by 1 visit, so it is kept and marked no longer used.")).to_be_visible()
    expect(page.locator("tr.retired").first).to_contain_text("Maes Day Centre")
    assert_accessible(page, "setup-360")

    page.get_by_role("link", name="Change AD-014").click()
    page.wait_for_url("**/programme/cases/*/edit")
    page.get_by_label("Status").select_option("dropped_out")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator(".case-status").first).to_contain_text("set by hand by Lyn Link")
    page.get_by_role("link", name="Change AD-014").click()
    page.wait_for_url("**/programme/cases/*/edit")
    assert_accessible(page, "setup-edit-case-by-hand-360")
    page.get_by_role("button", name="Let the visits decide the status again").click()
    expect(page.locator(".case-status").first).to_contain_text("follows the visits")

    db.session.expire_all()
    assert db.session.get(Location, console.office.id).address == "Civic Centre, Bridge Street, Cwmtown"
    assert db.session.get(Location, console.day_centre.id).retired_at is not None

    page.set_viewport_size(LAPTOP)
    page.goto("/programme/setup")
    assert_accessible(page, "setup-1280")
    page.goto(f"/programme/participants/{console.service_user.id}/edit")
    assert_accessible(page, "setup-edit-person-1280")


def test_link_officer_enters_travel_times_on_a_phone_and_on_a_laptop(page, console):
    sign_in(page, console.link)
    page.goto("/programme")
    page.get_by_role("link", name="Travel times").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Travel times")
    # On a phone each place is a card listing its journeys, labelled by where they go.
    box = page.get_by_label("From Civic Centre to Maes Day Centre, minutes")
    expect(box).to_be_visible()
    assert box.get_attribute("placeholder") == "20"
    no_sideways_scroll(page)
    box.fill("35")
    page.get_by_label("From Civic Centre to Home (GS), minutes").fill("-4")
    page.get_by_role("button", name="Save the travel times").click()
    expect(page.get_by_role("alert")).to_contain_text("Minutes cannot be negative.")
    expect(page.get_by_label("From Civic Centre to Maes Day Centre, minutes")).to_have_value("35")
    assert_accessible(page, "travel-errors-360")
    page.get_by_label("From Civic Centre to Home (GS), minutes").fill("25")
    page.get_by_role("button", name="Save the travel times").click()
    expect(page.locator("main p.notice[role=status]").first).to_have_text("Saved: 2 journeys changed.")
    assert_accessible(page, "travel-360")
    assert f.count(TravelTime) == 2

    page.get_by_label("Journeys from one place").select_option(label="Home (GS)")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("From Home (GS) to Civic Centre, minutes")).to_have_value("25")
    assert_accessible(page, "travel-one-place-360")

    page.get_by_role("link", name="Import from a CSV file").click()
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "travel.csv", "mimeType": "text/csv",
        "buffer": b"from,to,minutes\nMaes Day Centre,Home (GS),40\nmaes day centre,civic centre,30\n"}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("2 travel times are ready to import")).to_be_visible()
    assert_accessible(page, "travel-import-preview-360")
    page.get_by_role("button", name="Import 2 travel times").click()
    expect(page.locator("main p.notice[role=status]").first).to_have_text("Imported: 2 travel times changed.")

    page.set_viewport_size(LAPTOP)
    page.goto("/programme/travel")
    # On a laptop, a table: the places along the top and down the side.
    expect(page.get_by_role("columnheader", name="Maes Day Centre")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Civic Centre")).to_be_visible()
    expect(page.get_by_label("From Home (GS) to Maes Day Centre, minutes")).to_have_value("40")
    assert_accessible(page, "travel-1280")
    db.session.expire_all()
    assert f.count(TravelTime) == 3


def test_forty_places_stay_usable_on_a_phone(page, console):
    for number in range(37):
        f.gen_location(console.review, "home", name=f"Home of case {number:02d}")
    db.session.commit()
    sign_in(page, console.link)
    page.goto("/programme/travel")
    assert page.locator(".travel-matrix input").count() == 40 * 39 // 2
    no_sideways_scroll(page)
    assert_accessible(page, "travel-forty-places-360")
    page.set_viewport_size(LAPTOP)
    page.goto("/programme/travel")
    # The first column stays put while the table scrolls sideways.
    region = page.get_by_role("region", name="Travel times in minutes")
    region.evaluate("element => { element.scrollLeft = 2000; }")
    header = page.get_by_role("rowheader", name="Civic Centre")
    left = header.evaluate("element => element.getBoundingClientRect().left")
    region_left = region.evaluate("element => element.getBoundingClientRect().left")
    assert abs(left - region_left) < 2
    assert_accessible(page, "travel-forty-places-1280")
