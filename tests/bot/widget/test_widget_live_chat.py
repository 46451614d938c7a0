"""Issue 16's walk in real Chromium against the real stack and a real SMTP server (aiosmtpd).

An agent has the console open in a browser allowed to notify; a teacher asks for a person, leaves
an e-mail address and closes the page; the agent hears it (chime, desktop notification, tab-title
count, Queue badge), takes over from the queue and replies; the reply arrives by mail; back on the
site the launcher shows 1 unread; the chat is live (agent's name, no "passed to the helpdesk" per
message, typing both ways, times); the teacher ends the chat and rates it with a comment; the
rating counts in the per-agent analytics, and its comment shows there and in the transcript.
Screenshots: test-output/walk/NN-<step>.png, numbered in the order of the walk.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench.stack import ROOT, Stack
from bot.channels.web import ContactCreate
from bot.schemas import AgentCreate
from conversation.agents import create_agent
from conversation.contact import CONSENT_VERSION
from conversation.opening_hours import Schedule, set_schedule
from conversation.texts import availability_text
from settings import Settings
from tests.bot.console.factories import ALERT_RECORDER
from tests.smtp_server import Inbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
WALK = ROOT / "test-output" / "walk"  # the walk's screenshots, one per step, numbered in order
DESKTOP = {"width": 1280, "height": 860}
AGENT_EMAIL = "wim.live@example.org"
AGENT_PASSWORD = "a long live-chat test password"
ADDRESS = "teacher.leaves@school.example"
COMMENT = "Quick and kind, thank you <3"
REPLY = "Hello, this is Wim from the NSO helpdesk: your group is now open again."
LAUNCHER = {
    "en": "Questions? Chat with us",
    "nl": "Vragen? Chat met ons",
    "sl": "Vprašanja? Klepetajte z nami",
}
HUMAN = {"en": "Talk to a person", "nl": "Met een medewerker praten", "sl": "Pogovor s človekom"}
END = {"en": "End chat", "nl": "Gesprek beëindigen", "sl": "Končaj klepet"}
CLOSED = {
    "en": "The helpdesk is closed now; we reply on ",
    "nl": "De helpdesk is nu gesloten; we antwoorden op ",
    "sl": "Služba za pomoč je zdaj zaprta; odgovorili vam bomo v ",
}
EMAIL_OFFER = {
    "en": "Leave your e-mail address if you cannot wait",
    "nl": "Laat je e-mailadres achter als je niet kunt wachten",
    "sl": "Če ne morete počakati, pustite e-poštni naslov",
}


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"live-{name}.png"
    page.screenshot(path=path)
    return path


@dataclass
class Walk:
    """The walk's screenshots, numbered in the order taken, in a folder emptied first."""

    names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        shutil.rmtree(WALK, ignore_errors=True)
        WALK.mkdir(parents=True)

    def _path(self, name: str) -> Path:
        self.names.append(f"{len(self.names) + 1:02d}-{name}.png")
        return WALK / self.names[-1]

    def take(self, page: Page, name: str) -> Path:
        path = self._path(name)
        page.screenshot(path=path)
        return path

    def take_mail(self, browser: Browser, mail: EmailMessage, name: str) -> Path:
        """The mail as the SMTP server received it (headers and text), shown as plain text."""
        headers = "\n".join(f"{key}: {mail[key]}" for key in ("From", "To", "Subject", "Date"))
        page = browser.new_page(viewport={"width": 900, "height": 600})
        page.set_content(
            f"<pre style='white-space:pre-wrap'>{html.escape(headers)}\n\n{html.escape(mail.get_content())}</pre>"
        )
        path = self._path(name)
        page.screenshot(path=path)
        page.context.close()
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


def console_alerts(page: Page) -> tuple[int, int, int]:
    """The count in the console tab's title, and the notifications and tones it has made so far."""
    title = re.match(r"^\((\d+)\) ", page.title())
    notes, tones = page.evaluate("() => [window.__notifications.length, window.__tones]")
    return (int(title.group(1)) if title else 0), int(notes), int(tones)


def test_live_chat_walk_email_reply_unread_end_and_rating(
    stack: Stack, browser: Browser, smtp_inbox: Inbox
) -> None:
    create_agent(
        Settings(database_url=stack.env["NSO_DATABASE_URL"]),
        AgentCreate(email=AGENT_EMAIL, name="Wim Walker", role="agent", password=AGENT_PASSWORD),
    )
    errors: list[str] = []
    shots = Walk()

    # 1. An agent works in the console, in a browser that may notify (and whose alerts are recorded).
    agent_context = new_context(browser, errors)
    agent_context.grant_permissions(["notifications"], origin=stack.api)
    agent_context.add_init_script(ALERT_RECORDER)
    agent = agent_context.new_page()
    agent.goto(f"{stack.api}/console/queue")
    agent.get_by_label("E-mail").fill(AGENT_EMAIL)
    agent.get_by_label("Password").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent).to_have_url(f"{stack.api}/console/queue")
    agent.wait_for_function("() => sessionStorage.getItem('nso-console-seen') !== null")
    agent.mouse.click(5, 300)  # an agent's first gesture lets the page play sound
    waiting, notes, tones = console_alerts(agent)
    shots.take(agent, "agent-console-open")

    # 2. The teacher asks for a person and leaves an e-mail address (with the transcript).
    teacher_context = new_context(browser, errors)
    teacher = teacher_context.new_page()
    ask_for_person(teacher, stack, "en")
    expect(teacher.locator(".contact")).to_be_visible()
    shots.take(teacher, "teacher-asks-for-a-person")
    teacher.get_by_label("E-mail address").fill(ADDRESS)
    teacher.get_by_label(re.compile("^I agree that the helpdesk keeps this address")).check()
    teacher.get_by_label("Also e-mail me the transcript when the chat ends").check()
    teacher.get_by_role("button", name="Save e-mail address").click()
    expect(teacher.locator(".contact-done")).to_have_text(
        f"We will e-mail the helpdesk's replies to {ADDRESS}."
    )
    assert not serious_axe_violations(teacher)
    shots.take(teacher, "teacher-leaves-email")
    conversation = conversation_id(teacher)
    mails = len(smtp_inbox.messages)
    teacher.close()  # the teacher leaves

    # 3. The agent hears it: a chime, a desktop notification, the tab title's count, the Queue badge.
    expect(agent).to_have_title(f"({waiting + 1}) Queue · NSO helpdesk", timeout=30_000)
    expect(agent.locator("[data-queue-badge] [data-slot='count']")).to_have_text(str(waiting + 1))
    row = agent.locator(f'[data-queue-body] tr[data-conversation="{conversation}"]')
    expect(row).to_be_visible()
    assert console_alerts(agent) == (waiting + 1, notes + 1, tones + 2)  # one notification, two-note chime
    note = agent.evaluate("() => window.__notifications.at(-1)")
    assert note == {
        "title": "A teacher is waiting for a person",
        "body": "en · Talk to a person",
        "tag": note["tag"],
    }
    expect(agent.locator("[data-announce]")).to_have_text("A teacher is waiting for a person")
    shots.take(agent, "agent-hears-a-notification")

    # 4. The agent takes over from the queue and replies.
    row.get_by_role("button", name="Take over").click()
    expect(agent).to_have_url(f"{stack.api}/console/conversations/{conversation}")
    expect(agent.locator("[data-handoff-status]")).to_contain_text("Wim Walker")
    agent.get_by_label("Reply to the user").fill(REPLY)
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".msg--agent").last).to_contain_text(REPLY)
    shots.take(agent, "agent-takes-over-and-replies")

    # 5. The reply arrives at the SMTP server, addressed to the teacher.
    mail = smtp_inbox.wait_for(mails + 1)[mails]
    assert mail["To"] == ADDRESS and mail["Date"] is not None
    assert mail["Subject"] == "The eTwinning helpdesk replied to your question"
    assert REPLY in mail.get_content() and "Wim from the eTwinning helpdesk replied" in mail.get_content()
    shots.take_mail(browser, mail, "reply-arrives-by-mail")

    # 6. The teacher returns: 1 unread on the launcher, a marker in the page title.
    teacher = teacher_context.new_page()
    teacher.goto(f"{stack.api}/demo?lang=en")
    launcher = teacher.get_by_role("button", name=re.compile(r"^Questions\? Chat with us"))
    expect(teacher.locator(".unread-count")).to_have_text("1")
    expect(launcher).to_have_accessible_name("Questions? Chat with us 1 new message")
    expect(teacher).to_have_title(re.compile(r"^\(1\) "))
    shots.take(teacher, "teacher-returns-1-unread")

    # 7. A live chat: the agent's name in the header, times, no per-message hand-off notice.
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
    shots.take(teacher, "live-chat-agent-typing")

    # 8. The teacher ends the chat (closed for both sides, cleared) and rates it 5 with a comment.
    teacher.get_by_role("button", name=END["en"]).click()
    expect(teacher.get_by_role("group", name="Rate this chat from 1 (poor) to 5 (very good)")).to_be_visible()
    expect(teacher.locator(".msg")).to_have_count(0)
    assert 'conversationId":"' not in teacher.evaluate("() => JSON.stringify(localStorage)")
    assert not serious_axe_violations(teacher)
    teacher.get_by_role("button", name="5 out of 5").click()
    teacher.get_by_label("Comment (optional)").fill(COMMENT)
    shots.take(teacher, "teacher-ends-chat-and-rates")
    with teacher.expect_response(lambda r: r.url.endswith("/rating")) as rated:
        teacher.get_by_role("button", name="Send rating").click()
    assert rated.value.status == 204
    expect(teacher.locator(".msg--system")).to_have_text(re.compile("^Notice: Thank you! The chat has ended"))
    shots.take(teacher, "teacher-rating-sent")
    expect(agent.locator("[data-handoff-status]")).to_contain_text("closed by Wim Walker", timeout=15_000)
    transcript = smtp_inbox.wait_for(mails + 2)[mails + 1]
    assert (
        transcript["Subject"] == "Your chat with the eTwinning helpdesk" and REPLY in transcript.get_content()
    )

    # 9. The rating and its comment count in the console's analytics and show in the transcript.
    agent.goto(f"{stack.api}/console/analytics")
    row = agent.locator('[data-helpdesk="per_agent"] tbody tr').filter(has_text="Wim Walker")
    expect(row).to_be_visible(timeout=60_000)
    expect(row.locator("td, th").nth(6)).to_have_text("1")
    expect(row.locator("td, th").nth(7)).to_contain_text("100")
    comment = agent.locator("[data-rating-comments] tbody tr").filter(has_text=conversation)
    expect(comment.locator("td")).to_have_text(["Wim Walker", "5 of 5", COMMENT, conversation])
    row.scroll_into_view_if_needed()
    shots.take(agent, "analytics-per-agent-rating")
    comment.scroll_into_view_if_needed()
    shots.take(agent, "analytics-rating-comment")
    agent.goto(f"{stack.api}/console/conversations/{conversation}")
    rated_message = agent.locator(".msg").filter(has=agent.locator(".rating-comment:visible"))
    expect(rated_message.locator('[data-slot="rating"]')).to_have_text("5 of 5")
    expect(rated_message.locator('[data-slot="rating_comment"]')).to_have_text(COMMENT)
    rated_message.scroll_into_view_if_needed()
    shots.take(agent, "transcript-rating-comment")
    assert [p.name for p in sorted(WALK.glob("*.png"))] == shots.names
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


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_widget_handoff_while_closed_says_when_we_reply_and_offers_email(
    stack: Stack, browser: Browser, lang: str
) -> None:
    """A fixed schedule, open only three days from today (Brussels): asking for a person now gets
    "closed now; we reply on <that day> from 9:00" in the teacher's language, and the e-mail field."""
    settings = Settings(database_url=stack.env["NSO_DATABASE_URL"])
    today = dt.datetime.now(ZoneInfo("Europe/Brussels")).date()
    open_day = (today.weekday() + 3) % 7
    days = tuple((dt.time(9), dt.time(17)) if d == open_day else None for d in range(7))
    set_schedule(settings, Schedule(days=days, timezone="Europe/Brussels"), None)
    try:
        expected = availability_text(settings, lang)
        assert expected.startswith(CLOSED[lang]), expected
        errors: list[str] = []
        teacher = new_context(browser, errors).new_page()
        ask_for_person(teacher, stack, lang)
        closed = teacher.locator(".msg--bot").filter(has_text=expected)
        expect(closed).to_have_count(1)
        offer = teacher.locator(".contact")
        expect(offer).to_be_visible()
        expect(offer.locator(".contact-offer")).to_contain_text(EMAIL_OFFER[lang])
        expect(offer.get_by_role("textbox")).to_be_editable()
        expect(closed).to_be_in_viewport()  # the form does not push the reply out of sight
        shot(teacher, f"closed-{lang}-email-offer")
        teacher.context.close()
        assert not errors, errors
    finally:
        set_schedule(settings, None, None)  # back to the default schedule for the session's other tests
