"""What a phone keeps is the minimum (DESIGN section 9): the person's own upcoming visits, not every page they
happened to open. The service worker stores a page only when it is on the list the server gives it
(/api/offline-pages), whether or not the prefetch that refreshes that list succeeds.
"""
from __future__ import annotations

from playwright.sync_api import expect

from visits.extensions import db

from ..support import factories as f
from ..support.browser import kept_pages_text, sign_in, wait_for_kept_pages, wait_for_worker

SECRET = "HISTORY-SECRET: Mrs Jones told Rhys about the money."


def test_a_leads_phone_never_keeps_the_history_of_a_note_on_a_visit_they_are_not_on(page, context, team):
    note = f.gen_note(team.home_visit, team.reviewer, body=SECRET, kind="home_visit")
    db.session.commit()
    sign_in(page, team.lead)
    wait_for_worker(page)
    wait_for_kept_pages(page, ["/"])

    # The prefetch that would prune the page fails from now on (a patchy signal).
    context.route("**/api/offline-pages", lambda route: route.abort())
    history = f"/notes/{note.id}/history"
    page.goto(history)
    expect(page.get_by_text(SECRET).first).to_be_visible()  # online, the lead reads it

    kept = page.evaluate(
        "async () => (await (await caches.open('pages')).keys()).map(r => new URL(r.url).pathname)")
    assert not [path for path in kept if path.startswith("/notes/")]
    assert SECRET not in kept_pages_text(page)

    context.set_offline(True)
    response = page.goto(history)
    assert response.from_service_worker
    assert SECRET not in page.content()
    expect(page.get_by_role("heading", level=1)).to_contain_text("not on your phone")
