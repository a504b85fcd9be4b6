"""Helpers for the offline tests: wait for the service worker to control the page and to keep the pages."""
from __future__ import annotations

import time


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


def wait_until(page, script: str, timeout: float = 15.0):
    """Until an async page script answers true (wait_for_function would take its promise for a true value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        time.sleep(0.1)
    raise AssertionError(f"never true: {script}")


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
