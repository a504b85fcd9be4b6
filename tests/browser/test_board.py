"""On the day, in a real browser: the link officer watches the board; an overdue home visit appears at the top
with who to call, is acknowledged with one click, and the board follows check-outs without a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import CheckIn

from ..support import factories as f
from ..support.world import console_world
from ..support.browser import assert_accessible, sign_in
from ..support.clock import london


@pytest.fixture
def evening(app):
    """The home visit (18:00-18:45) is running late: Rhys checked in and not out; the clock says 19:30."""
    console = console_world()
    f.gen_check_in(console.home_visit, console.reviewer, london(console.day, 17, 58))
    f.gen_check_in(console.home_visit, console.reviewer2, london(console.day, 17, 58), london(console.day, 18, 47))
    db.session.commit()
    app.config["CLOCK"] = lambda: london(console.day, 19, 30)
    app.config["BOARD_POLL_SECONDS"] = 1
    return console


def test_link_officer_sees_an_overdue_home_visit_acknowledges_it_and_watches_it_clear(page, evening):
    sign_in(page, evening.link)
    page.goto("/attendance")
    page.evaluate("window.boardMarker = 'same page'")  # gone if the page reloads

    alert = page.locator("#overdue")
    assert alert.is_visible()
    assert "1 overdue home visit" in alert.get_by_role("heading", level=2).inner_text()
    assert alert.get_by_text("Rhys Reviewer").is_visible()
    assert alert.get_by_role("link", name="Call 07700 900102").is_visible()
    assert alert.get_by_text("Ffion Reviewer").count() == 0
    # The alert is the first thing on the board.
    top = page.evaluate("document.querySelector('#board').firstElementChild.nextElementSibling.id")
    assert top == "overdue"
    assert_accessible(page, "board-overdue")
    # Polls while nothing changes answer 204: htmx leaves the page (and the focus) alone.
    with page.expect_response(lambda r: "/attendance/board-fragment" in r.url and "v=" in r.url
                              and r.status == 204, timeout=10_000):
        pass

    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert.get_by_text("Acknowledged by Lyn Link")).to_be_visible()
    expect(alert.get_by_role("button", name="Acknowledge")).to_have_count(0)

    # Rhys checks out on his phone; the board polls and the alert goes, with no reload.
    check = db.session.scalar(db.select(CheckIn).filter_by(visit_id=evening.home_visit.id,
                                                           user_id=evening.reviewer.id))
    check.checked_out_at = london(evening.day, 19, 31)
    db.session.commit()
    page.locator("#overdue").wait_for(state="detached", timeout=10_000)
    assert page.evaluate("window.boardMarker") == "same page"
    expect(page.get_by_text("out 19:31")).to_be_visible()


CONSOLE_PAGES = [
    ("programme", "/programme"), ("visit-form", "/programme/visits/new"), ("setup", "/programme/setup"),
    ("import", "/programme/import"), ("needs", "/needs"), ("calendar", "/calendar"), ("glossary", "/glossary"),
]


def test_console_pages_are_accessible_on_a_phone_and_the_programme_on_a_laptop(page, evening):
    sign_in(page, evening.link)
    for name, url in CONSOLE_PAGES:
        page.goto(url)
        assert page.get_by_role("heading", level=1).is_visible(), url
        assert_accessible(page, f"console-{name}-360")
    page.goto(f"/programme/visits/{evening.home_visit.id}/edit")
    assert_accessible(page, "console-visit-edit-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/programme")
    assert page.get_by_role("columnheader", name="Team").is_visible()
    assert_accessible(page, "console-programme-1280")
    page.goto("/attendance")
    assert_accessible(page, "console-board-1280")


def test_a_bad_visit_form_shows_its_errors_accessibly(page, evening):
    sign_in(page, evening.link)
    page.goto("/programme/visits/new")
    page.get_by_label("Title").fill("Typed and kept")
    page.get_by_label("Starts").fill("14:00")
    page.get_by_label("Ends").fill("13:00")
    page.get_by_role("button", name="Add the visit").click()
    # A plain form post: wait for the answer's page (the form before the post has no alert) before checking it.
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Typed and kept")
    expect(page.locator("#end-error")).to_have_text("The end must be after the start.")
    assert_accessible(page, "console-visit-form-errors-360")
