"""Browser fixtures for the widget tests: Debian's Chromium driven by Playwright.

The running stack (API + Rasa) is the session fixture ``stack`` of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

DESKTOP = {"width": 1280, "height": 800}


def open_page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    """A fresh context (empty localStorage) whose page fails the test on any JavaScript error."""
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop-sized page."""
    yield from open_page(browser, DESKTOP)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page the size of a small phone (360 x 740 CSS px)."""
    yield from open_page(browser, {"width": 360, "height": 740})
