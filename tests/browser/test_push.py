"""Alerts on a phone, in Chromium (DESIGN section 13): the "Get alerts on this phone" button subscribes on a tap,
a push delivered to the service worker through the DevTools protocol shows its notification, and the
notification's tap opens the alert's page.

The tap: no DevTools command clicks a notification (CDP has ServiceWorker.deliverPushMessage but no dispatcher for
notificationclick, and a notificationclick made by script is not trusted: its waitUntil throws). The worker's
handler is therefore one line around `openFromNotification(url)`, and the test runs that very function inside the
worker (Playwright's Worker.evaluate) with the url the shown notification carries."""
from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import PushSubscription

from ..support.browser import assert_accessible, sign_in, wait_for_worker
from ..support.push_service import BrowserKeys, push_service
from ..support.world import field_team_world


@pytest.fixture
def team(app):
    return field_team_world()


@pytest.fixture
def service(app):
    with push_service(app) as stand_in:
        yield stand_in


def fake_push_manager(page, subscription: dict) -> None:
    """Headless Chromium has no push service to subscribe with (no network, no Google keys): pushManager.subscribe
    answers the subscription a browser would, with keys made by the test and the stand-in's endpoint (kept for the
    tab, as the browser keeps its own). Everything else (the permission prompt, the key fetch, the POST with its
    CSRF header) is the page's own."""
    page.add_init_script(f"""(() => {{
      const made = {json.dumps(subscription)};
      const fake = {{
        endpoint: made.endpoint, options: {{ applicationServerKey: null }},
        toJSON: () => made,
        unsubscribe: async () => {{ sessionStorage.removeItem("fake-push"); return true; }},
      }};
      if (self.PushManager) {{
        PushManager.prototype.subscribe = async function (options) {{
          if (!options || !options.userVisibleOnly || !options.applicationServerKey) throw new Error("bad options");
          self.__pushOptions = {{ userVisibleOnly: options.userVisibleOnly,
                                 keyLength: new Uint8Array(options.applicationServerKey).length }};
          sessionStorage.setItem("fake-push", "1"); return fake;
        }};
        PushManager.prototype.getSubscription = async function () {{
          return sessionStorage.getItem("fake-push") ? fake : null;
        }};
      }}
    }})();""")


def registration_id(cdp) -> str:
    found: list[str] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.extend(r["registrationId"] for r in event["registrations"] if not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not found and time.monotonic() < deadline:
        time.sleep(0.05)
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets the event arrive
    assert found, "no service worker registration reported"
    return found[-1]


def notifications(page) -> list[dict]:
    return page.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list =>
        list.map(n => ({title: n.title, body: n.body, data: n.data, tag: n.tag})))""")


def test_a_team_member_turns_alerts_on_with_a_tap_and_a_pushed_alert_shows_and_opens_its_visit(
        page, context, live_server, team, service):
    keys = BrowserKeys()
    fake_push_manager(page, keys.subscription_json(service.endpoint("rhys")))
    context.grant_permissions(["notifications"], origin=live_server.url)
    prompts: list[str] = []
    page.on("dialog", lambda dialog: prompts.append(dialog.message))
    page.goto("/")
    sign_in(page, team.reviewer)
    wait_for_worker(page)

    block = page.locator("[data-push]")
    button = page.get_by_role("button", name="Get alerts on this phone")
    expect(button).to_be_visible()
    expect(block.get_by_role("status")).to_have_text("Alerts are off for this phone.")
    assert db.session.scalar(db.select(db.func.count(PushSubscription.id))) == 0  # nothing on page load
    button.scroll_into_view_if_needed()
    assert_accessible(page, "push-itinerary-off")

    button.click()
    expect(block).to_be_hidden()  # on: the itinerary drops the block
    assert page.evaluate("self.__pushOptions") == {"userVisibleOnly": True, "keyLength": 65}
    db.session.expire_all()
    (row,) = db.session.scalars(db.select(PushSubscription))
    assert row.user_id == team.reviewer.id and row.endpoint == service.endpoint("rhys")

    page.goto("/account")
    expect(page.locator("[data-push]").get_by_role("status")).to_have_text("Alerts are on for this phone.")
    expect(page.get_by_role("button", name="Turn off alerts on this phone")).to_be_visible()
    page.locator("[data-push]").scroll_into_view_if_needed()
    assert_accessible(page, "push-account-on")

    # A push delivered to the worker as the push service would (CDP), shown as a notification.
    cdp = context.new_cdp_session(page)
    visit_url = f"/visits/{team.home_visit.id}"
    alert = {"kind": "overdue", "title": "Are you safe?", "body": "Your home visit was due to end. Check out.",
             "url": visit_url}
    registration = registration_id(cdp)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url + "/",
                                                  "registrationId": registration, "data": json.dumps(alert)})
    deadline = time.monotonic() + 10
    while not notifications(page) and time.monotonic() < deadline:
        time.sleep(0.1)
    (shown,) = notifications(page)
    assert shown["title"] == alert["title"] and shown["body"] == alert["body"]
    assert shown["data"]["url"] == visit_url and shown["tag"] == f"overdue:{visit_url}"

    # A second alert about the same visit replaces the first (one notification, buzzing again).
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url + "/",
                                                  "registrationId": registration,
                                                  "data": json.dumps({**alert, "title": "Still no check-out"})})
    deadline = time.monotonic() + 10
    while notifications(page)[0]["title"] != "Still no check-out" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [n["title"] for n in notifications(page)] == ["Still no check-out"]

    # The tap: the worker's own handler code, run in the worker, navigates the open window to the visit.
    (worker,) = context.service_workers
    assert "openFromNotification" in worker.evaluate("self.openFromNotification.toString()")
    landed = worker.evaluate("url => openFromNotification(url)", shown["data"]["url"])
    assert landed == live_server.url + visit_url
    page.wait_for_url(f"**{visit_url}")
    # A link to another origin is never followed: the itinerary opens instead.
    landed = worker.evaluate("url => openFromNotification(url)", "https://evil.example/phish")
    assert landed == live_server.url + "/"
    page.wait_for_url(live_server.url + "/")
    assert prompts == []

    # Turned off from the account page: the server forgets it, the block says so.
    page.goto("/account")
    page.get_by_role("button", name="Turn off alerts on this phone").click()
    expect(page.locator("[data-push]").get_by_role("status")).to_have_text("Alerts are off for this phone.")
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(PushSubscription.id))) == 0


def test_a_push_that_is_not_json_still_shows_a_notification_that_opens_the_app(page, context, live_server, team):
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto("/")
    sign_in(page, team.reviewer)
    wait_for_worker(page)
    cdp = context.new_cdp_session(page)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url + "/",
                                                  "registrationId": registration_id(cdp), "data": "not json"})
    deadline = time.monotonic() + 10
    while not notifications(page) and time.monotonic() < deadline:
        time.sleep(0.1)
    (shown,) = notifications(page)
    assert shown["title"] == "Fieldwork" and shown["data"]["url"] == "/"


def test_blocked_and_not_supported_say_so_at_360px(page, context, live_server, team, browser):
    page.goto("/")
    sign_in(page, team.reviewer)
    page.goto("/account")
    block = page.locator("[data-push]")
    # The person says no to the browser's question (headless Chromium answers a prompt "denied"), so the page
    # says how to allow alerts later, and asks no more.
    page.get_by_role("button", name="Get alerts on this phone").click()
    expect(block.get_by_role("status")).to_contain_text("Alerts are blocked for this site")
    assert page.evaluate("Notification.permission") == "denied"
    page.reload()
    expect(block.get_by_role("status")).to_contain_text("Alerts are blocked for this site")
    expect(page.get_by_role("button", name="Get alerts on this phone")).to_be_hidden()
    block.scroll_into_view_if_needed()
    assert_accessible(page, "push-account-blocked")

    other = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="en-GB")
    try:
        phone = other.new_page()
        phone.add_init_script("delete window.PushManager;")
        phone.goto("/")
        sign_in(phone, team.lay)
        phone.goto("/account")
        expect(phone.locator("[data-push]").get_by_role("status")).to_contain_text("add Fieldwork to your Home Screen")
        expect(phone.get_by_role("button", name="Get alerts on this phone")).to_be_hidden()
        phone.locator("[data-push]").scroll_into_view_if_needed()
        assert_accessible(phone, "push-account-not-supported")
    finally:
        other.close()
