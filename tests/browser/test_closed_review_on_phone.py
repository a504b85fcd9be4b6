"""A review is closed while a reviewer's phone holds its visit pages (DESIGN section 11): on the phone's next online
load they leave it, a note written offline for that review comes back saying why it will never be saved, and the
visits of the reviewer's other review stay on the phone."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from visits.admin.reviews import close_review
from visits.clock import today_in
from visits.extensions import db
from visits.models import Review

from ..support import factories as f
from ..support.browser import PHONE, assert_accessible, kept_pages_text, outbox, sign_in, wait_for_kept_pages
from ..support.browser import unfold, wait_for_worker, wait_until

KEPT_NOTE = "Mrs Secretname showed us her care plan folder."
OFFLINE_NOTE = "Written on the bus: the carer arrived late again."
CLOSED = "This review is closed: changes can no longer be saved."


@pytest.fixture
def two_reviews(app):
    """Rhys has a home visit today in review X, with a note he wrote, and a setting visit in review Y."""
    today = today_in()
    morning = datetime.combine(today, datetime.min.time()).replace(hour=10)
    x = f.gen_review("Cwm Taf Valleys Council", on_site_from=today)
    y = f.gen_review("Glan-y-Môr County Council", on_site_from=today)
    rhys = f.gen_member(x, "reviewer", name="Rhys Reviewer", email="rhys@example.test")
    f.join(rhys, y, "reviewer")
    lead = f.gen_member(x, "lead_reviewer", name="Lowri Lead")
    home = f.gen_location(x, "home", name="Home (ES)", address="9 Hidden Row")
    person = f.gen_participant(x, "service_user", name="Mrs Eira Secretname")
    visit_x = f.gen_visit(x, team=[rhys], participants=[person], kind="home_visit", location=home,
                          starts_at=morning, title="Home visit CTV-009")
    f.gen_note(visit_x, rhys, KEPT_NOTE, kind="home_visit")
    centre = f.gen_location(y, "day_facility", name="Glan Day Centre", address="Quay Road")
    visit_y = f.gen_visit(y, team=[rhys], kind="setting_visit", location=centre, starts_at=morning.replace(hour=14),
                          title="Glan Day Centre")
    db.session.commit()
    return rhys, lead, x.id, f"/visits/{visit_x.id}", f"/visits/{visit_y.id}"


def cached(page, url) -> bool:
    return page.evaluate("async (url) => !!(await (await caches.open('pages')).match(url))", url)


def test_a_closed_review_s_pages_leave_the_phone_on_its_next_online_load(page, context, two_reviews):
    rhys, lead, review_x, visit_x, visit_y = two_reviews
    sign_in(page, rhys)
    page.goto(visit_x)
    wait_for_worker(page)
    wait_for_kept_pages(page, ["/", visit_x, visit_y])
    assert KEPT_NOTE in kept_pages_text(page)

    # On the bus, with no signal, Rhys adds a note to review X's visit: it waits on the phone.
    context.set_offline(True)
    page.goto(visit_x)
    unfold(page, "notes")
    page.get_by_label("Kind of note").select_option("home_visit")
    page.get_by_label("Note", exact=True).fill(OFFLINE_NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#sync-text")).to_contain_text("1 change waiting")

    # Meanwhile the review is closed.
    close_review(db.session.get(Review, review_x), by=lead)
    db.session.commit()

    # Back in signal: the phone opens the visit once, online.
    context.set_offline(False)
    page.goto(visit_x)
    expect(page.locator("#attention")).to_contain_text(CLOSED, timeout=15000)
    assert [op["state"] for op in outbox(page)] == ["forbidden"]
    expect(page.get_by_role("button", name="Save note")).to_have_count(0)  # read-only now
    wait_until(page, f"caches.open('pages').then(c => c.match('{visit_x}')).then(hit => !hit)")
    # The days kept are fetched again too, without the closed review's visits.
    wait_until(page, """caches.open('pages').then(async (cache) => {
        const kept = await cache.match('/');
        return kept && !(await kept.text()).includes('CTV-009');
    })""")
    assert_accessible(page, "closed-review-visit-page")

    # Offline again: review X's visit page is gone from the phone, review Y's still opens.
    context.set_offline(True)
    assert not cached(page, visit_x) and cached(page, visit_y)
    kept = kept_pages_text(page)
    assert KEPT_NOTE not in kept and "Mrs Eira Secretname" not in kept and "Home visit CTV-009" not in kept
    assert "Glan Day Centre" in kept
    page.goto(visit_x)
    assert "not on your phone" in page.get_by_role("heading", level=1).inner_text()
    response = page.goto(visit_y)
    assert response.from_service_worker
    assert page.get_by_role("heading", level=1).inner_text() == "Glan Day Centre"


def test_a_form_sent_to_a_closed_review_answers_a_page_that_says_so(browser, live_server, two_reviews):
    rhys, lead, review_x, visit_x, _visit_y = two_reviews
    # Without JavaScript the visit page's forms post to the server, and it answers with a page.
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, viewport=PHONE,
                                  locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    sign_in(page, rhys)
    page.goto(visit_x)
    close_review(db.session.get(Review, review_x), by=lead)  # while the page is open
    db.session.commit()
    unfold(page, "notes")
    page.get_by_label("Kind of note").select_option("home_visit")
    page.get_by_label("Note", exact=True).fill("Too late for this review.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This review is closed")
    assert CLOSED in page.content()
    context.close()


@pytest.mark.parametrize("screen", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "laptop"])
def test_the_closed_review_pages_read_well_on_a_phone_and_a_laptop(page, two_reviews, screen):
    rhys, lead, review_x, visit_x, _visit_y = two_reviews
    admin = f.gen_user("Ada Admin", is_admin=True)
    close_review(db.session.get(Review, review_x), by=lead)
    db.session.commit()
    page.set_viewport_size(screen)
    name = "phone" if screen == PHONE else "laptop"
    sign_in(page, rhys)
    page.goto(visit_x.replace("/visits/", "/programme/visits/") + "/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("This review is closed")
    assert_accessible(page, f"closed-review-refusal-{name}")
    page.goto(visit_x)
    assert_accessible(page, f"closed-review-visit-page-{name}")
    page.context.clear_cookies()
    sign_in(page, admin)
    page.goto(f"/admin/reviews/{review_x}")
    expect(page.get_by_text("Closed on")).to_be_visible()
    assert_accessible(page, f"closed-review-administration-{name}")
