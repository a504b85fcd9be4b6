"""A concern reaches someone, in Chromium at a phone's size: the lead refers it to a named council contact, the
link officer acknowledges it with no signal (it reaches the server once the phone is back online, and once
only) and records the council's outcome; the concern form and the lead's concerns page pass axe at 360 px."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from visits.extensions import db
from visits.models import AuditEvent, Concern, Operation

from ..support import factories as f
from ..support.browser import (
    PHONE, assert_accessible, keep_screenshot, kept_pages_text, outbox, sign_in, unfold, wait_for_kept_pages,
    wait_for_worker,
)

CONCERN_TEXT = "Bruising on both forearms; she changed the subject."
CONTACT = "Sam Patel, adult safeguarding"
REFERRAL = "Please contact the family today about unexplained bruising."
OUTCOME = "A strategy meeting was held; a care review is booked."


def concern_now(concern_id: str) -> Concern:
    db.session.expire_all()
    return db.session.get(Concern, concern_id)


def test_the_lead_refers_and_the_link_officer_acknowledges_offline_then_records_the_outcome(
        page, browser, live_server, team):
    concern = f.gen_concern(team.home_visit, team.reviewer, CONCERN_TEXT, category="safeguarding", rating="red")
    db.session.commit()
    url = f"/visits/{team.home_visit.id}"

    # The lead refers it.
    sign_in(page, team.lead)
    page.goto(url)
    section = page.locator("#concerns")
    expect(section).to_contain_text("waiting for the lead reviewer")
    section.get_by_text("Refer to the council").click()
    section.get_by_label("Who at the council it is referred to").fill(CONTACT)
    section.get_by_label("What the council is told").fill(REFERRAL)
    section.get_by_text("Decide not to refer").click()
    keep_screenshot(section, path="test-artifacts/concern-lead-section-360.png")
    section.get_by_role("button", name="Send the referral").click()
    expect(section).to_contain_text(f"Referred to {CONTACT}", timeout=15000)
    expect(section).to_contain_text("not acknowledged")
    assert concern_now(concern.id).referred_to == CONTACT

    # The link officer, on their own phone, loses the signal and acknowledges it.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB",
                                  timezone_id="Europe/London")
    link = context.new_page()
    syncs = []
    link.on("request", lambda request: syncs.append(request) if request.url.endswith("/api/sync") else None)
    sign_in(link, team.link)
    link.goto(url)
    mine = link.locator("#concerns")
    expect(mine).to_contain_text(REFERRAL)
    assert CONCERN_TEXT not in link.content()
    context.set_offline(True)
    mine.get_by_role("button", name="Acknowledge the referral").click()
    expect(mine.locator("[data-op-state]")).to_have_text("Saved on this phone — waiting to sync")
    assert [op["type"] for op in outbox(link)] == ["concern.acknowledge"]
    assert concern_now(concern.id).acknowledged_at is None

    context.set_offline(False)
    expect(link.locator("#sync-text")).to_contain_text("All synced", timeout=15000)
    expect(mine).to_contain_text("Acknowledged by Lyn Link", timeout=15000)
    assert concern_now(concern.id).acknowledged_by_id == team.link.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Operation)
                             .where(Operation.type == "concern.acknowledge")) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "concern.acknowledge")) == 1
    assert syncs, "the acknowledgement went through /api/sync"

    # Later, the council's answer.
    mine.get_by_label("What the council did").fill(OUTCOME)
    mine.get_by_role("button", name="Save the outcome").click()
    expect(mine).to_contain_text("Outcome recorded", timeout=15000)
    assert concern_now(concern.id).outcome == OUTCOME
    assert_accessible(link, "concern-link-officer-outcome-360")
    keep_screenshot(mine, path="test-artifacts/concern-link-officer-section-360.png")
    context.close()

    # The lead sees where it got to.
    page.goto(f"/concerns?review={team.review.id}")
    expect(page.locator(f"#concern-{concern.id}")).to_contain_text("Outcome recorded")
    expect(page.locator(f"#concern-{concern.id}")).to_contain_text(OUTCOME)


def test_the_concern_form_explains_the_ratings_and_the_numbers_and_is_accessible(page, team):
    review = team.review
    review.out_of_hours_number = "0300 123 4567 (Emergency Duty Team)"
    db.session.commit()
    sign_in(page, team.reviewer)
    url = f"/visits/{team.home_visit.id}"
    page.goto(url)
    # The page the phone keeps for no signal carries the numbers too.
    wait_for_worker(page)
    wait_for_kept_pages(page, [url])
    kept = kept_pages_text(page)
    assert "If someone is in immediate danger, call 999." in kept and "0300 123 4567" in kept
    section = page.locator("#concerns")
    unfold(page, "concerns")
    section.get_by_text("Raise a concern").click()
    expect(section).to_contain_text("If someone is in immediate danger, call 999.")
    expect(section).to_contain_text("0300 123 4567 (Emergency Duty Team)")
    expect(section).to_contain_text("nobody is in danger right now")
    section.locator("#concern-text").scroll_into_view_if_needed()
    assert_accessible(page, "concern-form-360")
    keep_screenshot(section, path="test-artifacts/concern-form-section-360.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "concern-form-1280")


def test_the_leads_concerns_page_and_the_numbers_page_are_accessible(page, team):
    now = datetime.now(timezone.utc)
    waiting = f.gen_concern(team.home_visit, team.reviewer, "Tablets loose in a bowl.", rating="amber")
    referred = f.gen_concern(team.home_visit, team.lay, "Hoist sling frayed.", category="health_and_safety")
    referred.referred_at, referred.referral_text, referred.referred_to = (now - timedelta(hours=2),
                                                                          "A frayed sling in use.", CONTACT)
    declined = f.gen_concern(team.home_visit, team.reviewer, "Chairs by the fire exit.", rating="green")
    declined.not_referred_at, declined.not_referred_reason = now, "Moved while we were there."
    db.session.commit()
    sign_in(page, team.lead)
    page.goto(f"/concerns?review={team.review.id}")
    expect(page.locator(f"#concern-{referred.id}")).to_contain_text("Referred 2 hours ago, not acknowledged")
    expect(page.locator(f"#concern-{waiting.id}")).to_contain_text("waiting for the lead reviewer")
    assert_accessible(page, "concerns-lead-360")
    keep_screenshot(page, path="test-artifacts/concerns-lead-top-360.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "concerns-lead-1280")

    page.set_viewport_size(PHONE)
    page.goto(f"/attendance?review={team.review.id}&date={team.day.isoformat()}")
    expect(page.locator("#referrals-unacknowledged")).to_contain_text("Referred 2 hours ago, not acknowledged")
    assert_accessible(page, "concerns-board-red-360")
    keep_screenshot(page.locator("#referrals-unacknowledged"), path="test-artifacts/concerns-board-red-panel-360.png")

    page.goto(f"/concerns/contacts?review={team.review.id}")
    page.get_by_label("Emergency number").fill("")
    page.get_by_role("button", name="Save the numbers").click()
    expect(page.locator("#numbers-emergency_number-error")).to_be_visible()
    assert_accessible(page, "concern-numbers-error-360")
    page.get_by_label("Emergency number").fill("999")
    page.get_by_label("Out-of-hours number").fill("0300 123 4567")
    page.get_by_role("button", name="Save the numbers").click()
    expect(page.locator("p.notice")).to_contain_text("Saved.")
    assert_accessible(page, "concern-numbers-saved-360")
