"""The console in Debian's Chromium: agents hear a new handoff, and every page passes axe in every language.

The app runs in-process (uvicorn on loopback, a fresh SQLite file, Rasa not needed); conversations
and handoffs are seeded straight into the database, as the gateway would store them, and reach
the pages through the queue's Server-Sent Events. Screenshots of the queue and the analytics page
in each language go to test-output/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench.stack import ROOT
from conversation.db import session_scope
from conversation.models import Message
from settings import Settings
from tests.bot.console.factories import (
    ALERT_RECORDER,
    PASSWORD,
    LiveConsole,
    Turn,
    make_agent,
    seed_conversation,
    waiting_conversation,
)
from tests.bot.console.helpdesk_factories import Said, seed_handoff

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
EMAIL = "ada@example.org"
LANGUAGES = ("en", "nl", "sl")


def _context(browser: Browser, console: LiveConsole, lang: str = "en") -> BrowserContext:
    """A browser whose language is ``lang`` (Accept-Language), with notifications allowed."""
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce", locale=lang)
    context.grant_permissions(["notifications"], origin=console.url)
    context.add_init_script(ALERT_RECORDER)
    return context


def _page(context: BrowserContext, errors: list[str]) -> Page:
    """A page whose JavaScript errors and console errors (CSP violations among them) are collected."""
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


def _sign_in(page: Page, console: LiveConsole, target: str = "/console/queue") -> None:
    page.goto(f"{console.url}{target}")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/console/login'][method='post'] button[type=submit]").click()
    expect(page).to_have_url(f"{console.url}{target}")


def _listening(page: Page) -> None:
    """Wait until the page has taken in the queue once (so what comes next is news to it)."""
    page.wait_for_function("() => sessionStorage.getItem('nso-console-seen') !== null")


def _shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def _queued(settings: Settings, conversation_id: str, text: str) -> None:
    """A teacher's message that waits for the agent who has the conversation."""
    with session_scope(settings.database_url) as session:
        session.add(
            Message(conversation_id=conversation_id, role="user", text=text, status="queued", buttons=[])
        )


def test_console_new_handoff_raises_title_count_badge_sound_and_notification(
    live_console: LiveConsole, browser: Browser
) -> None:
    errors: list[str] = []
    context = _context(browser, live_console)
    page = _page(context, errors)
    _sign_in(page, live_console, "/console/transcripts")
    badge = page.locator("[data-queue-badge]")
    _listening(page)
    expect(page).to_have_title("Transcripts · NSO helpdesk")
    expect(badge).to_be_hidden()
    expect(page.get_by_role("button", name="Turn on desktop notifications")).to_be_hidden()  # granted already
    page.mouse.click(5, 300)  # a first gesture, as an agent's, lets the page play sound

    # A teacher asks for a person: the agent, on another console page, hears and sees it.
    waiting_conversation(live_console.settings, "web-alert00001")
    expect(page).to_have_title("(1) Transcripts · NSO helpdesk", timeout=15_000)
    expect(badge).to_be_visible()
    expect(badge.locator('[data-slot="count"]')).to_have_text("1")
    expect(
        page.get_by_role("link", name=re.compile(r"^Queue\s*\(1 conversation needs you\)$"))
    ).to_be_visible()
    notes = page.evaluate("() => window.__notifications")
    assert notes == [
        {
            "title": "A teacher is waiting for a person",
            "body": "en · How do I join an eTwinning group?",
            "tag": notes[0]["tag"],
        }
    ], notes
    assert page.evaluate("() => window.__tones") == 2  # the two-note chime
    expect(page.locator("[data-announce]")).to_have_text("A teacher is waiting for a person")

    # Nothing new, no second alert: reloading the page does not ring again.
    page.reload()
    _listening(page)
    expect(page).to_have_title("(1) Transcripts · NSO helpdesk")
    assert page.evaluate("() => window.__notifications") == []

    # Muted (remembered), a second handoff still counts, silently.
    page.get_by_label("Sound").uncheck()
    assert page.evaluate("() => localStorage.getItem('nso-console-sound')") == "off"
    page.reload()
    expect(page.get_by_label("Sound")).not_to_be_checked()
    _listening(page)
    waiting_conversation(live_console.settings, "web-alert00002")
    expect(page).to_have_title("(2) Transcripts · NSO helpdesk", timeout=15_000)
    assert len(page.evaluate("() => window.__notifications")) == 1
    assert page.evaluate("() => window.__tones") == 0

    # The agent takes one over from the queue (longest waiting first); then the teacher writes.
    page.get_by_label("Sound").check()
    page.goto(f"{live_console.url}/console/queue")
    rows = page.locator("[data-queue-body] tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-conversation", "web-alert00001")
    rows.first.get_by_role("button", name="Take over").click()
    expect(page).to_have_url(f"{live_console.url}/console/conversations/web-alert00001")
    expect(page).to_have_title(re.compile(r"^\(1\) Conversation web-alert00001"), timeout=15_000)  # one waits
    page.goto(f"{live_console.url}/console/tools")
    _listening(page)
    _queued(live_console.settings, "web-alert00001", "Are you still there?")
    expect(page).to_have_title("(2) Tools · NSO helpdesk", timeout=15_000)
    notes = page.evaluate("() => window.__notifications")
    assert [n["title"] for n in notes] == ["1 new message in your conversation"], notes
    assert page.evaluate("() => window.__tones") == 1  # the one-note chime
    context.close()
    assert not errors, errors


def test_console_tabs_share_one_queue_stream_and_only_the_last_used_tab_alerts(
    live_console: LiveConsole, browser: Browser
) -> None:
    errors: list[str] = []
    context = _context(browser, live_console)
    streams: list[str] = []
    context.on("request", lambda r: streams.append(r.url) if "/console/api/queue/events" in r.url else None)
    first = _page(context, errors)
    _sign_in(first, live_console, "/console/tools")
    _listening(first)
    second = _page(context, errors)
    second.goto(f"{live_console.url}/console/queue")
    expect(second.locator("[data-live-on]")).to_be_visible()  # fed by the first tab's stream
    _listening(second)
    second.locator("h1").click()  # the agent works in the second tab

    waiting_conversation(live_console.settings, "web-tabs000001")
    expect(second.locator("[data-queue-body] tr")).to_have_count(1, timeout=15_000)
    expect(first).to_have_title("(1) Tools · NSO helpdesk")
    expect(second).to_have_title("(1) Queue · NSO helpdesk")
    assert len(streams) == 1, streams  # one connection for both tabs
    assert len(second.evaluate("() => window.__notifications")) == 1
    assert first.evaluate("() => window.__notifications") == []
    assert (first.evaluate("() => window.__tones"), second.evaluate("() => window.__tones")) == (0, 2)

    first.close()  # the tab with the stream goes: the other one takes it over
    waiting_conversation(live_console.settings, "web-tabs000002")
    expect(second).to_have_title("(2) Queue · NSO helpdesk", timeout=15_000)
    assert len(streams) == 2, streams
    context.close()
    assert not errors, errors


def test_console_notifications_are_asked_for_with_a_button_not_on_load(
    live_console: LiveConsole, browser: Browser
) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
    page = context.new_page()
    asked: list[str] = []
    page.expose_function("recordAsk", lambda: asked.append("asked"))
    page.add_init_script(
        "const ask = Notification.requestPermission.bind(Notification);"
        "Notification.requestPermission = (...a) => { window.recordAsk(); return ask(...a); };"
    )
    _sign_in(page, live_console)
    button = page.get_by_role("button", name="Bureaubladmeldingen aanzetten")
    expect(button).to_be_visible()
    assert asked == []  # nothing asked on load
    button.click()
    for _ in range(100):
        if asked:
            break
        page.wait_for_timeout(50)
    assert asked == ["asked"]
    context.close()


def _seed_for_screens(settings: Settings) -> None:
    """Queue rows, transcripts and a fortnight of helpdesk work, so no page is empty."""
    bram = make_agent(settings, "bram@example.org", name="Bram Claes").id
    zoe = make_agent(settings, "zoe@example.org", name="Zoë Novak").id
    now = dt.datetime.now(dt.UTC)
    waiting_conversation(settings, "web-screen0001", at=now - dt.timedelta(minutes=14))
    waiting_conversation(settings, "web-screen0002", language="nl", at=now - dt.timedelta(minutes=3))
    seed_conversation(
        settings,
        "tg-42",
        [Turn("user", "Kako prenesem skupino na novo platformo?", status="queued")],
        channel="telegram",
        language="sl",
        handoff="fallback",
        handoff_status="waiting",
        at=now - dt.timedelta(minutes=7),
    )
    for day in range(1, 13):
        at = now - dt.timedelta(days=day, hours=day % 5)
        seed_handoff(
            settings,
            f"web-done{day:05d}",
            at=at,
            status="closed",
            agent_id=bram if day % 2 else zoe,
            said=(
                Said("agent", 60 * (day % 6 + 1), rating="up" if day % 3 else "down"),
                *(
                    (Said("system", 900, "Chat ended.", rating="4", comment="Kind <b>and</b> quick"),)
                    if day == 1
                    else ()
                ),
            ),
            closed_after=600 + 120 * day,
            language=("en", "nl", "sl")[day % 3],
        )


PAGES = (
    "queue",
    "transcripts",
    "tools",
    "analytics",
    "admin",
    "conversations/web-screen0001",
    "conversations/web-done00001",  # rated 4 of 5, with a comment
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_console_every_page_has_no_serious_axe_violations(
    live_console: LiveConsole, browser: Browser, lang: str
) -> None:
    _seed_for_screens(live_console.settings)
    errors: list[str] = []
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce", locale=lang)
    page = _page(context, errors)
    axe = Axe()
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", lang)
        results = axe.run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in serious]

    page.goto(f"{live_console.url}/console/login")
    check("login")
    _sign_in(page, live_console)
    for path in PAGES:
        page.goto(f"{live_console.url}/console/{path}")
        if path == "queue":
            expect(page.locator("[data-live-on]")).to_be_visible()
            expect(page.locator("[data-queue-body] tr")).to_have_count(3)
            _shot(page, f"console-queue-{lang}")
        if path == "analytics":
            expect(page.locator("[data-analytics]")).to_be_visible(timeout=60_000)
            expect(page.locator('[data-helpdesk="per_agent"] tbody tr')).to_have_count(2)
            page.locator("details.numbers summary").first.click()
            expect(page.locator('[data-table="per_day"] tbody tr').first).to_be_visible()
            expect(page.locator("[data-rating-comments] tbody td").nth(2)).to_have_text(
                "Kind <b>and</b> quick"
            )
            _shot(page, f"console-analytics-{lang}")
        if path.startswith("conversations/"):
            expect(page.locator("[data-live-on]")).to_be_visible()
        check(path)
    page.goto(f"{live_console.url}/console/conversations/web-unknown")
    check("404")
    context.close()
    assert not found, found
    assert not [e for e in errors if "404" not in e], errors
