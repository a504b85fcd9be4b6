"""The lead reviewer reads the audit log on a phone and on a laptop: a table that becomes one card per event on a
small screen, filters that keep to the page, and nothing a screen reader trips on."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from visits.extensions import db
from visits.models import AuditEvent

from ..support import factories as f
from ..support.world import two_reviews_world
from ..support.browser import assert_accessible, sign_in


@pytest.fixture
def logged_week(app):
    world = two_reviews_world()
    note = f.gen_note(world.home_visit, world.reviewer, body="Never shown in the log.",
                      kind="home_visit")
    start = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    entries = [
        (world.reviewer, "visit.check_in", "visit", world.home_visit.id),
        (world.reviewer, "note.save", "note", note.id),
        (world.lead, "read", "note", note.id),
        (world.link, "read", "service_user_record", world.home_visit.id),
        (world.link, "read", "itinerary_day", "2026-11-23"),
        (world.reviewer, "offline_copy", "itinerary_day", "2026-11-24"),
        (world.lay, "need.set", "need", f.new_id()),
    ]
    for n, (user, action, subject_type, subject_id) in enumerate(entries * 20):
        db.session.add(AuditEvent(review_id=world.review.id, user_id=user.id, action=action,
                                  subject_type=subject_type, subject_id=str(subject_id),
                                  at=start + timedelta(minutes=7 * n), remote_addr="192.0.2.44", detail={}))
    db.session.commit()
    return world


def test_lead_reads_and_filters_the_audit_log_on_a_phone_and_a_laptop(page, logged_week):
    sign_in(page, logged_week.lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/audit")
    table = page.get_by_role("table")
    assert table.get_by_role("row").count() == 101  # the header row and a page of 100
    assert page.get_by_role("link", name="Older").is_visible()
    assert "Never shown in the log." not in page.content()
    assert_accessible(page, "audit-log-phone")

    page.get_by_label("Person").select_option(label="Lowri Lead")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/audit?**person=*")
    # Her own reads of the note, and whatever she has read (or her phone has kept) since signing in.
    who = table.locator("tbody td:nth-child(2)").all_inner_texts()
    assert len(who) >= 20 and set(who) == {"Lowri Lead"}
    assert table.get_by_role("link", name="on visit").count() >= 20

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/audit?review={logged_week.review.id}")
    page.get_by_role("link", name="Older").wait_for()
    assert_accessible(page, "audit-log-laptop")
