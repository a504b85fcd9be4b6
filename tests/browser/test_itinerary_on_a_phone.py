"""A lay assessor on a phone: sign in, see today's visits, open one, go to the next day — by touch and by
keyboard alone, with no accessibility violations on the way."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from visits.extensions import db
from visits.clock import today_in

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in


@pytest.fixture
def lay_week(app):
    today = today_in()  # the server's today (Europe/London), not the machine's (UTC on CI)
    review = f.gen_review("Cwm Taf Valleys Council", on_site_from=today)
    lay = f.gen_member(review, "lay_assessor", name="Lena Lay", email="lay@example.test")
    f.gen_member(review, "link_officer", name="Lyn Link", phone="07700 900555")
    centre = f.gen_location(review, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown CF1 2BB")
    home = f.gen_location(review, "residential_setting", name="Tŷ Hafan Care Home", address="Hill St, Cwmtown")
    person = f.gen_participant(review, "stakeholder", name="Centre manager Mair")
    f.gen_visit(review, team=[lay], participants=[person], kind="setting_visit", location=centre,
                starts_at=datetime.combine(today, datetime.min.time()).replace(hour=10), title="Maes Day Centre")
    f.gen_visit(review, team=[lay], kind="setting_visit", location=home,
                starts_at=datetime.combine(today + timedelta(days=1), datetime.min.time()).replace(hour=14),
                title="Tŷ Hafan Care Home")
    db.session.commit()
    return lay


def test_lay_assessor_sees_today_opens_a_visit_and_moves_to_the_next_day(page, lay_week):
    page.goto("/")
    assert_accessible(page, "login")
    sign_in(page, lay_week)

    heading = page.get_by_role("heading", level=1)
    assert "today" in heading.inner_text()
    assert page.get_by_role("link", name="Maes Day Centre", exact=True).is_visible()
    assert page.get_by_text("Tŷ Hafan").count() == 0
    assert_accessible(page, "itinerary-today")

    page.get_by_role("link", name="Maes Day Centre", exact=True).click()
    page.wait_for_url("**/visits/*")
    assert page.get_by_text("Maes Road, Cwmtown").is_visible()
    assert page.get_by_role("strong").filter(has_text="Centre manager Mair").is_visible()
    assert page.get_by_role("link", name="Call 07700 900555").is_visible()
    assert_accessible(page, "visit")

    page.go_back()
    page.get_by_role("link", name="Next day").click()
    # htmx swaps the day in place and pushes the URL: the page did not reload.
    page.wait_for_url(f"**/itinerary?date={today_in() + timedelta(days=1)}")
    # The URL may change before the swap has settled: wait for the new day rather than look once.
    expect(page.get_by_role("link", name="Tŷ Hafan Care Home", exact=True)).to_be_visible()
    expect(page.get_by_text("Maes Day Centre")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("today")
    assert_accessible(page, "itinerary-next-day")


def test_the_day_swap_is_done_by_htmx_without_a_full_reload(page, lay_week):
    sign_in(page, lay_week)
    page.evaluate("window.__marker = 'still the same document'")
    page.get_by_role("link", name="Next day").click()
    page.wait_for_url("**/itinerary?date=*")
    page.get_by_role("link", name="Tŷ Hafan Care Home", exact=True).wait_for()
    assert page.evaluate("window.__marker") == "still the same document"
    # Focus moves to the new day's heading for keyboard and screen-reader users. htmx does that once the swap
    # has settled, a moment after the new links appear, so wait for it (a page that never moves focus times out).
    page.wait_for_function("document.activeElement && document.activeElement.matches('#day h1')", timeout=10_000)
    assert "Tŷ Hafan" in page.evaluate("document.activeElement.closest('#day').textContent")


def test_login_itinerary_and_visit_work_with_the_keyboard_alone(page, lay_week):
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    page.keyboard.press("Enter")  # follow it: the form is next in the tab order
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == page.get_by_label("Email").get_attribute("id"):
            break
    else:
        pytest.fail("The email field cannot be reached with Tab")
    page.keyboard.type(lay_week.email)
    page.keyboard.press("Tab")
    page.keyboard.type(f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    # Tab until the visit link has focus, then open it with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "Maes Day Centre":
            break
    else:
        pytest.fail("The visit link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/visits/*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maes Day Centre")


def test_pages_work_without_javascript(browser, live_server, lay_week):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740},
                                  base_url=live_server.url)
    page = context.new_page()
    sign_in(page, lay_week)
    page.get_by_role("link", name="Next day").click()
    page.wait_for_url("**/itinerary?date=*")
    assert page.get_by_role("link", name="Tŷ Hafan Care Home", exact=True).is_visible()
    context.close()


def test_after_moving_to_the_next_day_cymraeg_opens_that_day_in_welsh(page, lay_week):
    """The switch is drawn with the page, outside the day htmx swaps in: it must follow the address as it is when
    it is clicked, or a lay assessor who moved to tomorrow lands back on today."""
    sign_in(page, lay_week)
    page.get_by_role("link", name="Next day").click()
    tomorrow = today_in() + timedelta(days=1)
    page.wait_for_url(f"**/itinerary?date={tomorrow}")
    page.get_by_role("link", name="Tŷ Hafan Care Home", exact=True).wait_for()
    page.get_by_role("link", name="Cymraeg").click()
    page.wait_for_url(f"**/itinerary?date={tomorrow}")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("link", name="Tŷ Hafan Care Home", exact=True)).to_be_visible()
