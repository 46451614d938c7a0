"""Saved replies in Debian's Chromium: an agent types "/shortcut" and Tab in the reply box.

The app runs in-process (uvicorn on loopback, a fresh SQLite file, Rasa not needed); the admin
adds the saved replies on the admin page, the agent inserts one in a conversation taken over.
The password-reset page passes axe in every language.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from bench.stack import ROOT
from conversation.password_reset import issue_reset
from tests.bot.console.factories import PASSWORD, LiveConsole, make_agent, waiting_conversation

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
EMAIL = "ada@example.org"
GREETING = "Dag! Ik ben Ada van de eTwinning-helpdesk. Waarmee kan ik je helpen?"


def _page(browser: Browser, errors: list[str], lang: str = "en") -> Page:
    page = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce", locale=lang).new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


def test_saved_reply_shortcut_and_tab_inserts_the_text(live_console: LiveConsole, browser: Browser) -> None:
    url, settings = live_console.url, live_console.settings
    conv = waiting_conversation(settings, "web-saved00001", language="nl")
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto(f"{url}/console/admin")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/console/login'][method='post'] button[type=submit]").click()
    expect(page).to_have_url(f"{url}/console/admin")

    for language, shortcut, text in (("nl", "hallo", GREETING), ("en", "hallo", "Hello from the helpdesk.")):
        page.locator("#sr-language").select_option(language)
        page.locator("#sr-shortcut").fill(shortcut)
        page.locator("#sr-text").fill(text)
        page.get_by_role("button", name="Add saved reply").click()
        expect(page.locator("p.ok[role=status]")).to_have_text("Saved reply added.")

    page.goto(f"{url}/console/conversations/{conv}")
    page.get_by_role("button", name="Take over").click()
    box = page.get_by_role("textbox", name="Reply to the user")
    expect(box).to_be_enabled()
    expect(box).to_have_attribute("data-saved-replies-ready", "true")
    expect(page.locator("[data-saved-replies-list]")).to_have_text("/hallo")
    box.press_sequentially("Beste leraar, /hallo")
    box.press("Tab")
    expect(box).to_have_value(f"Beste leraar, {GREETING}")
    expect(box).to_be_focused()  # Tab inserted the reply instead of moving on
    box.press("Tab")  # nothing to expand: Tab moves the focus as usual
    expect(box).not_to_be_focused()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "console-saved-reply.png", full_page=True)
    assert not errors, errors


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_password_reset_page_has_no_serious_axe_violations(
    live_console: LiveConsole, browser: Browser, lang: str
) -> None:
    url, settings = live_console.url, live_console.settings
    agent = make_agent(settings, "els@example.org", name="Els Peeters")
    token = issue_reset(settings, agent.id, None)
    errors: list[str] = []
    page = _page(browser, errors, lang)
    page.goto(f"{url}/console/reset/{token}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    page.locator("#password").fill("a brand new password")
    page.locator("#confirm").fill("a brand new password")
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert not errors, errors
