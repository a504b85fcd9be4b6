"""The screenshot helper asks Chromium again only for its one transient refusal (tests/support/browser.py)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error

from ..support import browser

REFUSED = "Page.screenshot: Protocol error (Page.captureScreenshot): Unable to capture screenshot"


class Camera:
    """Stands in for a Playwright page: refuses with the given errors in turn, then takes the picture."""

    def __init__(self, *errors):
        self.errors, self.calls = list(errors), []

    def screenshot(self, **options):
        self.calls.append(options)
        if self.errors:
            raise Error(self.errors.pop(0))
        return b"png"


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(browser.time, "sleep", lambda seconds: None)


def test_a_transient_refusal_is_asked_again(tmp_path):
    camera = Camera(REFUSED, REFUSED)
    assert browser.keep_screenshot(camera, tmp_path / "a.png", full_page=True) == b"png"
    assert camera.calls == [{"path": str(tmp_path / "a.png"), "full_page": True}] * 3


def test_three_refusals_fail_the_test(tmp_path):
    camera = Camera(REFUSED, REFUSED, REFUSED)
    with pytest.raises(Error, match="Unable to capture screenshot"):
        browser.keep_screenshot(camera, tmp_path / "a.png")
    assert len(camera.calls) == 3


def test_any_other_error_is_not_asked_again(tmp_path):
    camera = Camera("Locator.screenshot: Timeout 5000ms exceeded")
    with pytest.raises(Error, match="Timeout"):
        browser.keep_screenshot(camera, tmp_path / "a.png")
    assert len(camera.calls) == 1
