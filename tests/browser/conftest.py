"""Browser tests: the real app served on 127.0.0.1 (a secure context, so service workers run) and driven by
Python Playwright in Debian's Chromium at a phone's size.

pytest-playwright provides `browser`, `context` and `page`; we point it at /usr/bin/chromium (Playwright cannot
download its own browser here) and give every context the live server's URL and a 360x740 viewport.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from visits.extensions import db

from ..factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Browser tests need Debian's chromium at /usr/bin/chromium: run `make test`, which installs it.")
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


class LiveServer:
    def __init__(self, app, port: int = 0):
        self.app = app
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "viewport": PHONE, "base_url": live_server.url, "locale": "en-GB",
            "timezone_id": "Europe/London"}


def sign_in(page, user, password: str = PASSWORD):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def assert_accessible(page, name: str):
    """Zero WCAG 2.x A/AA violations from axe-core, and a 360 px screenshot kept for people to look at."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def commit():
    """Write test data and make it visible to the server thread."""
    def _commit():
        db.session.commit()
    return _commit
