"""Issue 16's walk in real Chromium against the real stack and a real SMTP server (aiosmtpd).

A teacher asks for a person, leaves an e-mail address and closes the page; an agent takes over in
the console and replies; the reply arrives by mail; back on the site the launcher shows 1 unread;
the chat is live (agent's name, no "passed to the helpdesk" per message, typing both ways,
times); the teacher ends the chat and rates it; the rating counts in the per-agent analytics.
Screenshots: test-output/screenshots/live-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench.stack import ROOT, Stack
from bot.channels.web import ContactCreate
from bot.schemas import AgentCreate
from conversation.agents import create_agent
from conversation.contact import CONSENT_VERSION
from settings import Settings
from tests.smtp_server import Inbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
AGENT_EMAIL = "wim.live@example.org"
AGENT_PASSWORD = "a long live-chat test password"
ADDRESS = "teacher.leaves@school.example"
REPLY = "Hello, this is Wim from the NSO helpdesk: your group is now open again."
LAUNCHER = {
    "en": "Questions? Chat with us",
    "nl": "Vragen? Chat met ons",
    "sl": "Vprašanja? Klepetajte z nami",
}
HUMAN = {"en": "Talk to a person", "nl": "Met een medewerker praten", "sl": "Pogovor s človekom"}
END = {"en": "End chat", "nl": "Gesprek beëindigen", "sl": "Končaj klepet"}


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"live-{name}.png"
    page.screenshot(path=path)
    return path


def new_context(browser: Browser, errors: list[str]) -> BrowserContext:
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    context.on("weberror", lambda error: errors.append(str(error.error)))
    return context


def ask_for_person(teacher: Page, stack: Stack, lang: str) -> None:
    teacher.goto(f"{stack.api}/demo?lang={lang}")
    teacher.get_by_role("button", name=LAUNCHER[lang]).click()
    teacher.get_by_role("button", name=HUMAN[lang]).click()
    expect(teacher.locator(".handoff-note")).to_be_visible(timeout=90_000)
    expect(teacher.locator(".typing-inner")).to_be_hidden(timeout=90_000)


def conversation_id(page: Page) -> str:
    stored = page.evaluate(
        "() => Object.entries(localStorage).find(([k]) => k.startsWith('nso-chat:'))?.[1] ?? '{}'"
    )
    match = re.search(r'"conversationId":"([A-Za-z0-9_-]+)"', stored)
    assert match, stored
    return match.group(1)


def serious_axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_widget_consent_version_is_the_one_the_api_accepts() -> None:
    widget = (ROOT / "bot" / "static" / "widget" / "widget.js").read_text(encoding="utf-8")
    assert f'var CONSENT_VERSION = "{CONSENT_VERSION}"' in widget
    assert ContactCreate.model_fields["consent_version"].annotation.__args__ == (CONSENT_VERSION,)  # type: ignore[union-attr]


def test_live_chat_walk_email_reply_unread_end_and_rating(
    stack: Stack, browser: Browser, smtp_inbox: Inbox
) -> None:
    create_agent(
        Settings(database_url=stack.env["NSO_DATABASE_URL"]),
        AgentCreate(email=AGENT_EMAIL, name="Wim Walker", role="agent", password=AGENT_PASSWORD),
    )
    errors: list[str] = []
    teacher_context = new_context(browser, errors)

    # 1. The teacher asks for a person and leaves an e-mail address (with the transcript).
    teacher = teacher_context.new_page()
    ask_for_person(teacher, stack, "en")
    teacher.get_by_label("E-mail address").fill(ADDRESS)
    teacher.get_by_label(re.compile("^I agree that the helpdesk keeps this address")).check()
    teacher.get_by_label("Also e-mail me the transcript when the chat ends").check()
    teacher.get_by_role("button", name="Save e-mail address").click()
    expect(teacher.locator(".contact-done")).to_have_text(
        f"We will e-mail the helpdesk's replies to {ADDRESS}."
    )
    assert not serious_axe_violations(teacher)
    shot(teacher, "1-teacher-leaves-email")
    conversation = conversation_id(teacher)
    mails = len(smtp_inbox.messages)
    teacher.close()  # the teacher leaves

    # 2. An agent signs in, takes over and replies.
    agent = new_context(browser, errors).new_page()
    agent.goto(f"{stack.api}/console/login")
    agent.get_by_label("E-mail").fill(AGENT_EMAIL)
    agent.get_by_label("Password").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent).to_have_url(re.compile(r"/console/"))
    agent.goto(f"{stack.api}/console/conversations/{conversation}")
    agent.get_by_role("button", name="Take over").click()
    expect(agent.locator("[data-handoff-status]")).to_contain_text("Wim Walker")
    agent.get_by_label("Reply to the user").fill(REPLY)
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".msg--agent").last).to_contain_text(REPLY)
    shot(agent, "2-agent-replies")

    # 3. The reply arrives at the SMTP server, addressed to the teacher.
    mail = smtp_inbox.wait_for(mails + 1)[mails]
    assert mail["To"] == ADDRESS
    assert mail["Subject"] == "The eTwinning helpdesk replied to your question"
    assert REPLY in mail.get_content() and "Wim from the eTwinning helpdesk replied" in mail.get_content()

    # 4. The teacher returns: 1 unread on the launcher, a marker in the page title.
    teacher = teacher_context.new_page()
    teacher.goto(f"{stack.api}/demo?lang=en")
    launcher = teacher.get_by_role("button", name=re.compile(r"^Questions\? Chat with us"))
    expect(teacher.locator(".unread-count")).to_have_text("1")
    expect(launcher).to_have_accessible_name("Questions? Chat with us 1 new message")
    expect(teacher).to_have_title(re.compile(r"^\(1\) "))
    shot(teacher, "3-teacher-returns-1-unread")

    # 5. A live chat: the agent's name in the header, times, no per-message hand-off notice.
    launcher.click()
    expect(teacher.locator(".msg--agent")).to_contain_text(REPLY)
    expect(teacher.locator(".unread")).to_be_hidden()
    expect(teacher).not_to_have_title(re.compile(r"^\(1\) "))
    expect(teacher.locator(".handoff-note")).to_have_text("Wim from the helpdesk has joined the chat.")
    expect(teacher.locator(".msg--agent time")).to_have_text(re.compile(r"\d{1,2}[:.]\d{2}"))
    notices = teacher.locator(".msg--system").count()
    box = teacher.get_by_role("textbox", name="Your question")
    box.fill("Thank you! One more thing about my project.")
    expect(agent.locator("[data-user-typing]")).to_have_text("The teacher is typing…", timeout=10_000)
    box.press("Enter")
    expect(teacher.locator(".msg--user[data-id]").last).to_contain_text("One more thing", timeout=30_000)
    expect(agent.locator(".msg--user").last).to_contain_text("One more thing", timeout=15_000)
    expect(teacher.locator(".msg--system")).to_have_count(notices)
    agent.get_by_label("Reply to the user").press_sequentially("Of course", delay=20)
    expect(teacher.locator(".typing-inner")).to_have_text("Wim is typing…", timeout=10_000)
    shot(teacher, "4-live-chat-agent-typing")

    # 6. The teacher ends the chat (closed for both sides, cleared) and rates it 5 with a comment.
    teacher.get_by_role("button", name=END["en"]).click()
    expect(teacher.get_by_role("group", name="Rate this chat from 1 (poor) to 5 (very good)")).to_be_visible()
    expect(teacher.locator(".msg")).to_have_count(0)
    assert 'conversationId":"' not in teacher.evaluate("() => JSON.stringify(localStorage)")
    assert not serious_axe_violations(teacher)
    teacher.get_by_role("button", name="5 out of 5").click()
    teacher.get_by_label("Comment (optional)").fill("Quick and kind, thank you.")
    shot(teacher, "5-end-chat-rating")
    with teacher.expect_response(lambda r: r.url.endswith("/rating")) as rated:
        teacher.get_by_role("button", name="Send rating").click()
    assert rated.value.status == 204
    expect(teacher.locator(".msg--system")).to_have_text(re.compile("^Notice: Thank you! The chat has ended"))
    expect(agent.locator("[data-handoff-status]")).to_contain_text("closed by Wim Walker", timeout=15_000)
    transcript = smtp_inbox.wait_for(mails + 2)[mails + 1]
    assert (
        transcript["Subject"] == "Your chat with the eTwinning helpdesk" and REPLY in transcript.get_content()
    )

    # 7. The rating counts in the console's per-agent figures.
    agent.goto(f"{stack.api}/console/analytics")
    row = agent.locator('[data-helpdesk="per_agent"] tbody tr').filter(has_text="Wim Walker")
    expect(row).to_be_visible(timeout=60_000)
    expect(row.locator("td, th").nth(6)).to_have_text("1")
    expect(row.locator("td, th").nth(7)).to_contain_text("100")
    row.scroll_into_view_if_needed()
    shot(agent, "6-analytics-per-agent-rating")
    assert not errors, f"JavaScript errors: {errors}"


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_widget_email_offer_and_rating_have_no_serious_axe_violations(
    stack: Stack, browser: Browser, lang: str
) -> None:
    errors: list[str] = []
    teacher = new_context(browser, errors).new_page()
    ask_for_person(teacher, stack, lang)
    expect(teacher.locator(".contact")).to_be_visible()
    assert not serious_axe_violations(teacher)
    shot(teacher, f"axe-{lang}-email-offer")
    teacher.get_by_role("button", name=END[lang]).click()
    expect(teacher.locator(".rating")).to_be_visible()
    assert not serious_axe_violations(teacher)
    shot(teacher, f"axe-{lang}-rating")
    assert not errors, errors
