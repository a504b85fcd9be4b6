"""Driving the real app in Chromium: a live server, signing in, accessibility checks, and waiting on the service
worker (fixtures stay in tests/browser/conftest.py)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from .clients import totp_code
from .factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class LiveServer:
    """`host="localhost"` for passkeys: an IP address is not a valid WebAuthn relying-party id."""

    def __init__(self, app, port: int = 0, host: str = "127.0.0.1"):
        self.app = app
        self.server = make_server(host, port, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


def sign_in(page, user, password: str = PASSWORD, totp_secret: str | None = None):
    """With `totp_secret`, the second step is completed with a code the app has not seen."""
    page.goto("/login")
    fill_password_step(page, user, password)
    if totp_secret is not None:
        page.wait_for_url("**/login/two-factor")
        fill_code_step(page, totp_code(totp_secret, user))
    page.wait_for_url(lambda url: "/login" not in url)


def fill_password_step(page, user, password: str = PASSWORD):
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fill_code_step(page, code: str):
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()


def assert_accessible(page, name: str):
    """Zero WCAG 2.x A/AA violations from axe-core, and a 360 px screenshot kept for people to look at."""
    from axe_playwright_python.sync_playwright import Axe

    keep_screenshot(page, ARTIFACTS / f"{name}.png", full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    assert results.violations_count == 0, results.generate_report()


def keep_screenshot(target, path, **options):
    """A picture of a page or an element, kept for people to look at; no test asserts on it.

    Chromium now and then refuses one capture ("Unable to capture screenshot"), on a busy machine, and takes the
    same picture when asked again (it failed CI once), so that one refusal is asked again twice before it fails
    the test. Any other error is the test's own.
    """
    from playwright.sync_api import Error

    ARTIFACTS.mkdir(exist_ok=True)
    for attempt in range(3):
        try:
            return target.screenshot(path=str(path), **options)
        except Error as error:
            if "Unable to capture screenshot" not in str(error) or attempt == 2:
                raise
            time.sleep(0.5)


def wait_for_worker(page):
    """The first load registers the worker; a reload makes the page controlled by it."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def wait_for_kept_pages(page, urls, timeout: float = 15.0):
    """Until every url is in the service worker's page cache."""
    deadline = time.monotonic() + timeout
    missing = list(urls)
    while time.monotonic() < deadline:
        missing = page.evaluate(
            """async (urls) => {
                const cache = await caches.open('pages');
                const missing = [];
                for (const url of urls) { if (!(await cache.match(url))) missing.push(url); }
                return missing;
            }""", list(urls))
        if not missing:
            return
        time.sleep(0.1)
    raise AssertionError(f"pages never kept for offline use: {missing}")


def open_kept_visit(page, user, visit, also=()) -> str:
    """Signed in as `user`, with `visit`'s page open and kept on the phone (and the pages in `also`): ready for
    the test to go offline. Answers the visit page's path."""
    sign_in(page, user)
    url = f"/visits/{visit.id}"
    page.goto(url)
    wait_for_worker(page)
    wait_for_kept_pages(page, [url, *also])
    return url


def wait_until(page, script: str, timeout: float = 15.0):
    """Until an async page script answers true (wait_for_function would take its promise for a true value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        time.sleep(0.1)
    raise AssertionError(f"never true: {script}")


def wait_until_all_sent(page, timeout: float = 15.0):
    """Until this phone has heard the server's answer for every change it queued: a reload before that sends the
    change again (the server answers "duplicate") and shows it waiting for a moment."""
    wait_until(page, "(async () => (await FieldworkOutbox.opsOf(document.body.getAttribute('data-user-key')))"
                     ".every(o => o.state !== 'waiting'))()", timeout)


def outbox(page):
    return page.evaluate("""async () => {
        const user = document.body.getAttribute('data-user-key');
        return (await FieldworkOutbox.opsOf(user)).map(o => ({type: o.type, state: o.state, data: o.data}));
    }""")


def kept_pages_text(page) -> str:
    """Every page the service worker keeps for this phone, as one text to search for what must not be there."""
    return page.evaluate("""async () => {
        const cache = await caches.open('pages');
        const texts = [];
        for (const request of await cache.keys()) texts.push(await (await cache.match(request)).text());
        return texts.join('\\n');
    }""")


# --- The visit page's folded parts (issue 12, item 8; templates/itinerary/visit.html) ---------------------------


def unfold(page, *names: str) -> None:
    """Open folded parts of the visit page (native <details id="fold-<name>">: attendance, notes, needs, concerns,
    feedback, agenda, team) as a person taps their titles; one already open is left open."""
    for name in names:
        fold = page.locator(f"#fold-{name}")
        if fold.get_attribute("open") is None:
            fold.locator("> summary").click()
