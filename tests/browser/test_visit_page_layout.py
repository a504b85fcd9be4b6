"""Issue 12, item 8: on the doorstep, a reviewer's phone shows first what they need there -- where, when, who is
expected, how to get in, who to call and the emergency numbers, the briefing, and the check-in button -- and the
rest of the visit page folds away (native <details>, no script), so the page is about two screens, not five."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import AgendaSegment

from ..support import factories as f
from ..support.browser import PHONE, assert_accessible, sign_in

# As long as the demo's (visits/demo.py, case 1), with a name in it to find.
BRIEFING = ("Mrs Jones (82) had a stroke last year and has home care four times a day. She prefers to be called "
            "Eira; her husband, her main carer, will join for part of the visit.")


def demo_like_visit(team):
    """The demo's home visit as a reviewer finds it on the day: a case, two people with needs, access notes, an
    agenda, a briefing, notes written and a concern raised earlier by the team."""
    review, visit = team.review, team.home_visit
    # As in the demo: two link officers, and an out-of-hours line with its hours.
    review.emergency_number = "999"
    review.out_of_hours_number = "01234 500600 (Emergency Duty Team, evenings and weekends)"
    f.gen_member(review, "link_officer", name="Ffion Jones", phone="07700 900006")
    visit.briefing = BRIEFING
    visit.agenda = [AgendaSegment(position=n, title=title, minutes=minutes) for n, (title, minutes) in enumerate(
        [("Introductions and consent", 5), ("Her care and support", 20), ("What she would change", 10),
         ("Close and thanks", 5)])]
    visit.location.access_notes = "Ring twice and wait: Mrs Jones uses a walking frame."
    f.gen_need(team.service_user, "interpreting", "Welsh")
    f.gen_need(team.carer, "advocacy", "Independent advocate")
    f.gen_note(visit, team.lay, "Arrived early, the carer let us in.", kind="home_visit")
    f.gen_note(visit, team.reviewer, "Care plan seen; review date passed in June.", kind="home_visit")
    db.session.commit()
    # On the doorstep ten minutes early, whatever the hour the suite runs: later in the day the lay assessor would
    # be overdue, and the page rightly says so above who to call.
    doorstep = visit.starts_at.replace(tzinfo=ZoneInfo("Europe/London")) - timedelta(minutes=10)
    current_app.config["CLOCK"] = lambda: doorstep
    return visit


def box(page, locator):
    return locator.first.bounding_box()


def test_the_doorstep_comes_first_on_a_phone_and_the_rest_folds(page, team, live_server):
    visit = demo_like_visit(team)
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{visit.id}")

    check_in = page.get_by_role("button", name="Check in", exact=True)
    who_to_call = page.locator("#contacts").locator("xpath=ancestor-or-self::section[1]")
    expect(check_in).to_be_visible()
    expect(who_to_call).to_be_visible()
    screen = PHONE["height"]
    button, contacts = box(page, check_in), box(page, who_to_call)
    assert button["y"] + button["height"] <= screen, f"check-in button at {button}"
    assert contacts["y"] + contacts["height"] <= screen, f"who to call at {contacts}"
    expect(who_to_call).to_contain_text("999")
    expect(who_to_call).to_contain_text("01234 500600")
    # The briefing and the access notes are read on the doorstep: shown, not folded.
    expect(page.get_by_text("She prefers to be called Eira")).to_be_visible()
    expect(page.get_by_text("Ring twice and wait")).to_be_visible()

    # Before (issue 12): 5578 px for this visit, 7.5 screens, the briefing and who to call at the bottom.
    height = page.evaluate("document.documentElement.scrollHeight")
    top, bottom = box(page, page.locator(".visit-page .back")), box(page, page.locator(".visit-page .folds"))
    own = bottom["y"] + bottom["height"] - top["y"]
    print(f"visit page at 360 px, folded: document {height} px ({height / screen:.2f} screens), "
          f"the visit's own content {own:.0f} px ({own / screen:.2f} screens)")
    assert own <= 2 * screen, f"the visit's content is {own / screen:.1f} screens"
    # The rest is the app's header, sync bar and footer.
    assert height <= 2.3 * screen, f"{height} px is {height / screen:.1f} screens"
    assert_accessible(page, "visit-page-doorstep-folded")

    # The rest is one tap away, and opens where it is.
    page.get_by_text("Notes", exact=False).locator("xpath=ancestor-or-self::summary[1]").first.click()
    expect(page.get_by_text("Care plan seen; review date passed in June.")).to_be_visible()
    assert_accessible(page, "visit-page-notes-open")


def test_a_section_needing_attention_is_open_from_the_start(page, team, live_server):
    visit = demo_like_visit(team)
    f.gen_concern(visit, team.reviewer, "Fire door propped open on the landing.")
    db.session.commit()
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{visit.id}")
    expect(page.get_by_text("Fire door propped open on the landing.")).to_be_visible()
