"""Offline: the itinerary and visit pages open with no signal after one online sign-in.

Two ways to cut the network, each for what it proves:
- `context.set_offline(True)`: the phone loses signal; pages and the service worker's own fetches fail.
- stopping the server: the phone has signal but the server is gone (a deploy, a crash); requests fail to
  connect rather than being refused by the browser, which exercises the worker's fallback the same way.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from visits.extensions import db
from visits.clock import today_in

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in
from ..support.browser import kept_pages_text, wait_for_kept_pages, wait_for_worker, wait_until


@pytest.fixture
def lay_day(app):
    today = today_in()  # the server's today (Europe/London), not the machine's (UTC on CI)
    review = f.gen_review("Cwm Taf Valleys Council", on_site_from=today)
    lay = f.gen_member(review, "lay_assessor", name="Lena Lay", email="lay@example.test")
    centre = f.gen_location(review, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown")
    home = f.gen_location(review, "residential_setting", name="Tŷ Hafan Care Home", address="Hill St")
    morning = datetime.combine(today, datetime.min.time()).replace(hour=10)
    visits = [
        f.gen_visit(review, team=[lay], kind="setting_visit", location=centre, starts_at=morning,
                    title="Maes Day Centre"),
        f.gen_visit(review, team=[lay], kind="setting_visit", location=home, starts_at=morning.replace(hour=14),
                    title="Tŷ Hafan Care Home"),
    ]
    f.gen_visit(review, team=[lay], kind="setting_visit", location=home,
                starts_at=morning + timedelta(days=1), title="Tomorrow's visit")
    db.session.commit()
    return lay, visits


@pytest.mark.parametrize("cut", ["set_offline", "server_stopped"])
def test_todays_itinerary_and_visits_reload_with_no_network(page, context, live_server, lay_day, cut):
    lay, visits = lay_day
    sign_in(page, lay)
    wait_for_worker(page)
    visit_urls = [f"/visits/{v.id}" for v in visits]
    wait_for_kept_pages(page, ["/"] + visit_urls)

    if cut == "set_offline":
        context.set_offline(True)
    else:
        live_server.stop()

    response = page.reload()
    assert response.from_service_worker
    assert page.get_by_role("link", name="Maes Day Centre", exact=True).is_visible()
    for visit, url in zip(visits, visit_urls):
        page.goto(url)
        assert page.get_by_role("heading", level=1).inner_text() == visit.title
    # A page the phone never kept gets the offline page, not the browser's error.
    page.goto("/visits/999999")
    assert "not on your phone" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, f"offline-page-{cut}")


@pytest.fixture
def lead_day(app):
    """The lead reviewer runs one visit today; the programme also holds a colleague's home visit."""
    today = today_in()
    review = f.gen_review("Cwm Taf Valleys Council", on_site_from=today)
    lead = f.gen_member(review, "lead_reviewer", name="Lowri Lead", email="lead@example.test")
    rhys = f.gen_member(review, "reviewer", name="Rhys Reviewer")
    centre = f.gen_location(review, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown")
    home = f.gen_location(review, "home", name="Home of Mrs A. Jones", address="4 Secret Lane")
    jones = f.gen_participant(review, "service_user", name="Mrs A. Jones")
    morning = datetime.combine(today, datetime.min.time()).replace(hour=10)
    mine = f.gen_visit(review, team=[lead], kind="setting_visit", location=centre, starts_at=morning,
                       title="Maes Day Centre")
    f.gen_visit(review, team=[rhys], participants=[jones], kind="home_visit", location=home,
                starts_at=morning.replace(hour=18), title="Home visit CTV-001")
    db.session.commit()
    return lead, mine


def test_the_leads_phone_keeps_their_own_visits_not_the_whole_programme(page, context, lead_day):
    lead, mine = lead_day
    sign_in(page, lead)
    wait_for_worker(page)
    assert page.get_by_text("Home visit CTV-001").is_visible()  # online: the whole programme
    # A page from long ago, visited once, then dropped when the list of pages to keep is refreshed.
    old_day = (date.today() - timedelta(days=20)).isoformat()
    page.evaluate("""async (url) => {
        const cache = await caches.open('pages');
        await cache.put(url, new Response('<h1>an old day</h1>', {headers: {'Content-Type': 'text/html'}}));
    }""", f"/itinerary?date={old_day}")
    page.reload()
    wait_for_kept_pages(page, ["/", f"/visits/{mine.id}"])
    wait_until(page, f"""async () => !(await (await caches.open('pages')).match('/itinerary?date={old_day}'))""")

    context.set_offline(True)
    page.reload()
    assert page.get_by_role("link", name="Maes Day Centre", exact=True).is_visible()
    assert page.get_by_text("only your own visits").is_visible()
    kept = kept_pages_text(page)
    assert "Mrs A. Jones" not in kept and "Home visit CTV-001" not in kept and "4 Secret Lane" not in kept


def test_a_programme_change_reaches_the_phones_kept_pages_on_the_next_online_load(page, context, lay_day):
    """The link officer moves a visit; the lay assessor's phone, opened once online, has the new time offline."""
    lay, visits = lay_day
    sign_in(page, lay)
    wait_for_worker(page)
    url = f"/visits/{visits[0].id}"
    wait_for_kept_pages(page, ["/", url])

    moved = db.session.get(type(visits[0]), visits[0].id)
    moved.starts_at = moved.starts_at.replace(hour=11, minute=40)
    moved.ends_at = moved.ends_at.replace(hour=12, minute=40)
    db.session.commit()

    page.goto("/")  # online: the page asks the worker to fetch the coming days again
    wait_until(page, f"""async () => {{
        const kept = await (await caches.open('pages')).match('{url}');
        return !!kept && (await kept.text()).includes('11:40');
    }}""")
    context.set_offline(True)
    page.goto(url)
    assert "11:40" in page.locator("main").inner_text()
    page.goto("/")
    assert "11:40" in page.locator("main").inner_text()
