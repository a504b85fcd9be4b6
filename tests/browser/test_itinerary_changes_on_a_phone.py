"""A lay assessor on a phone opens her itinerary after the link officer moved one of her visits and cancelled
another: what changed is at the top of the page, readable at 360 px, and "Got it" clears it."""
from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from visits.alerts.changes import record_visit_change, visit_snapshot
from visits.clock import today_in
from visits.extensions import db
from visits.programme.service import cancel_visit

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in


def test_a_lay_assessor_sees_what_changed_at_the_top_of_her_day_and_says_got_it(page, app):
    today = today_in()
    review = f.gen_review("Cwm Taf Valleys Council", on_site_from=today)
    lay = f.gen_member(review, "lay_assessor", name="Lena Lay")
    link = f.gen_member(review, "link_officer", name="Lyn Link", phone="07700 900555")
    centre = f.gen_location(review, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown")
    nine = datetime.combine(today, datetime.min.time()).replace(hour=14)
    moved = f.gen_visit(review, team=[lay], kind="setting_visit", location=centre, starts_at=nine,
                        title="Maes Day Centre")
    called_off = f.gen_visit(review, team=[lay], kind="setting_visit", location=centre,
                             starts_at=nine + timedelta(hours=2), title="Tŷ Hafan Care Home")
    db.session.commit()

    sign_in(page, lay)  # her first look: from now on, changes are new to her
    expect(page.get_by_role("heading", name="Changed since you last looked")).to_have_count(0)

    before = visit_snapshot(moved)
    moved.starts_at, moved.ends_at = nine + timedelta(minutes=90), nine + timedelta(minutes=150)
    record_visit_change(moved, link, before)
    cancel_visit(review, link, called_off, "The manager is away")
    db.session.commit()

    page.reload()
    block = page.locator("section.changes-since")
    expect(page.get_by_role("heading", name="Changed since you last looked")).to_be_visible()
    weekday = today.strftime("%a")
    expect(block).to_contain_text(f"Moved: {weekday} 14:00 → 15:30")
    expect(block).to_contain_text(f"Cancelled: {weekday} 16:00")
    expect(block).not_to_contain_text("Tŷ Hafan")
    box = block.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # nothing runs off a phone's screen
    assert_accessible(page, "itinerary-changes-360")

    page.get_by_role("button", name="Got it").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Changed since you last looked")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("today")
