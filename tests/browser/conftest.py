"""Browser tests: the real app served on 127.0.0.1 (a secure context, so service workers run) and driven by
Python Playwright in Debian's Chromium at a phone's size.

pytest-playwright provides `browser`, `context` and `page`; we point it at /usr/bin/chromium (Playwright cannot
download its own browser here) and give every context the live server's URL and a 360x740 viewport.
"""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from visits.extensions import db

from ..support.browser import CHROMIUM, PHONE, LiveServer

pytestmark = pytest.mark.browser
# Playwright's 5 s for an expected text or state is short on a busy 2-core machine (two test processes, Chromium
# and the server thread share it); a test that passes waits no longer for this.
expect.set_options(timeout=10_000)


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


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "viewport": PHONE, "base_url": live_server.url, "locale": "en-GB",
            "timezone_id": "Europe/London"}


@pytest.fixture
def commit():
    """Write test data and make it visible to the server thread."""
    def _commit():
        db.session.commit()
    return _commit
