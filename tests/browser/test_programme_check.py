"""The link officer in Chromium, mid-week: the programme check with the days already worked folded away, a move
that breaks the travel rule told at the top of the answer, and a home visit cancelled with a reason after a
confirmation. Each page at 360 px and 1280 px, with axe."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from visits.extensions import db
from visits.models import Visit, VisitStatus

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in
from ..support.world import at, console_world

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def both_sizes(page, name: str):
    page.set_viewport_size(PHONE)
    assert_accessible(page, f"{name}-360")
    page.set_viewport_size(LAPTOP)
    assert_accessible(page, f"{name}-1280")
    page.set_viewport_size(PHONE)


def test_link_officer_moves_a_visit_sees_what_it_broke_and_cancels_a_home_visit_with_a_reason(page, app, commit):
    console = console_world()
    # Monday's early team visit is history by Wednesday; the rest of the week is still to plan.
    f.gen_visit(console.review, [console.lead], [], "team_visit", at(console.day, 8), 45, console.office,
                title="Early team visit")
    wednesday = console.day + timedelta(days=2)
    f.gen_visit(console.review, [console.reviewer], [], "staff_interview", at(wednesday, 10), 60, console.office,
                title="Interview: duty manager")
    later = f.gen_visit(console.review, [console.reviewer], [], "staff_interview", at(wednesday, 13), 60,
                        console.day_centre, title="Interview: day centre manager")
    commit()
    app.config["CLOCK"] = lambda: datetime.combine(wednesday, time(9), tzinfo=ZoneInfo("Europe/London")) \
        .astimezone(timezone.utc)

    sign_in(page, console.link)
    page.goto("/programme")
    page.get_by_text("Earlier days").click()
    assert page.locator("#earlier-days").get_by_text("Kept as history:").first.is_visible()
    both_sizes(page, "programme-check")

    # Move the afternoon interview to straight after the morning one, across town.
    page.goto(f"/programme/visits/{later.id}/edit")
    page.get_by_label("Starts").fill("11:05")
    page.get_by_label("Ends").fill("12:00")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="What this change did to the programme check").wait_for()
    assert page.get_by_text("This change added:").is_visible()
    assert page.locator(".check-change").get_by_text("Travel time").is_visible()
    both_sizes(page, "visit-form-change")

    # Cancel the home visit: a confirmation that asks why.
    page.goto(f"/programme/visits/{console.home_visit.id}/edit")
    page.get_by_role("button", name="Cancel this visit…").click()
    page.get_by_role("heading", name="Cancel a visit").wait_for()
    page.get_by_role("button", name="Cancel the visit").click()
    page.get_by_role("alert").wait_for()
    assert db.session.get(Visit, console.home_visit.id).status is VisitStatus.planned
    page.get_by_label("Why is it cancelled?").fill("The family asked to rearrange after the school holidays")
    both_sizes(page, "cancel-visit")
    page.get_by_role("button", name="Cancel the visit").click()
    page.get_by_text("The visit is cancelled").wait_for()
    db.session.expire_all()
    visit = db.session.get(Visit, console.home_visit.id)
    assert visit.status is VisitStatus.cancelled and visit.cancel_reason.startswith("The family asked")
    # Monday's home visit has been and gone by Wednesday: no finding of the check was about it any more.
    assert page.get_by_text("No finding added or cleared.").is_visible()
