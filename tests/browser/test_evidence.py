"""The lead reviewer searches the evidence on a phone and at a desk: the search box in reach, the other filters
folded away on a small screen, the words found marked in each note, and nothing a screen reader trips on."""
from __future__ import annotations

import pytest

from visits.extensions import db
from visits.models import Theme

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in
from ..support.world import console_world


@pytest.fixture
def evidence_week(app):
    world = console_world()
    theme = Theme(review_id=world.review.id, name="Waiting times", position=1)
    db.session.add(theme)
    words = ("Assessments are waiting weeks; families said the delays wore them down.",
             "The day centre's <b>garden</b> was overgrown and the lift broken.",
             "Staff described waiting lists for respite and a duty system that works.")
    for n in range(12):
        visit = (world.interview, world.setting_visit, world.home_visit)[n % 3]
        note = f.gen_note(visit, (world.reviewer, world.lay, world.reviewer2)[n % 3], f"{words[n % 3]} ({n})")
        if n % 3 != 1:
            note.themes = [theme]
    db.session.commit()
    world.theme = theme
    return world


def test_lead_searches_and_filters_the_evidence_on_a_phone_and_a_laptop(page, evidence_week):
    sign_in(page, evidence_week.lead)
    page.goto(f"/evidence?review={evidence_week.review.id}")
    hits = page.locator(".evidence-hit")
    assert hits.count() == 13  # the console world's note and twelve more
    assert not page.locator("#theme").is_visible()  # folded away on a phone until asked for

    page.get_by_role("searchbox", name="Search").fill("waiting")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/evidence?**q=waiting*")
    assert hits.count() == 8
    assert page.locator(".hit-excerpt mark").first.inner_text().lower().startswith("wait")
    assert page.locator("b", has_text="garden").count() == 0
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways
    assert_accessible(page, "evidence-phone")

    page.get_by_text("Filters", exact=True).click()
    page.locator("#kind").select_option(label="Home visit")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/evidence?**kind=home_visit*")
    assert hits.count() == 4
    assert page.locator("#kind").is_visible()  # a filter in use keeps the filters open
    page.locator(".evidence-hit h2 a").first.click()
    page.wait_for_url(f"**/visits/{evidence_week.home_visit.id}")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/evidence?review={evidence_week.review.id}&theme={evidence_week.theme.id}&day=1999-01-01")
    assert page.get_by_role("alert").is_visible()  # a bad day is told beside its field, the theme kept
    page.goto(f"/evidence?review={evidence_week.review.id}&theme={evidence_week.theme.id}&order=day")
    assert hits.count() == 8
    assert_accessible(page, "evidence-laptop")
