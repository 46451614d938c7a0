"""The whole helpdesk loop in real Chromium against the real stack (API + Rasa + action server).

A teacher on the demo NSO page asks the widget for a person; an agent signs in to the console,
sees the conversation appear in the queue (Server-Sent Events), takes it over and replies; the
teacher sees the reply in the widget; the agent hands back; the assistant answers again.
Screenshots of the queue, the transcript and analytics go to test-output/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.stack import ROOT, Stack
from bot.schemas import AgentCreate
from conversation.agents import create_agent
from settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
AGENT_EMAIL = "els.browser@example.org"
AGENT_PASSWORD = "a long browser-test password"
FAQ = "How do I find, join or create an eTwinning Group?"
MISSED = "Can I bring my cat to the eTwinning annual conference?"
REPLY = "Hello, I'm Els from the NSO helpdesk. <b>Which</b> group do you mean?"


def _page(browser: Browser, errors: list[str], *, console_errors: bool = False) -> Page:
    """A fresh context; JavaScript errors (and, for console pages, CSP violations) are collected."""
    page = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce").new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    if console_errors:
        page.on(
            "console",
            lambda message: (
                errors.append(f"{message.text} ({message.location.get('url')})")
                if message.type == "error"
                else None
            ),
        )
    return page


def _shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"console-{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def _ask(teacher: Page, text: str) -> None:
    before = teacher.locator(".msg--bot, .msg--agent, .msg--system").count()
    box = teacher.get_by_role("textbox", name="Your question")
    box.fill(text)
    box.press("Enter")
    expect(teacher.locator(".typing-inner")).to_be_hidden(timeout=90_000)
    expect(teacher.locator(".msg--bot, .msg--agent, .msg--system")).not_to_have_count(before)


def _conversation_id(teacher: Page) -> str:
    stored = teacher.evaluate(
        "() => Object.entries(localStorage).find(([k]) => k.startsWith('nso-chat:'))?.[1] ?? '{}'"
    )
    match = re.search(r'"conversationId":"([A-Za-z0-9_-]+)"', stored)
    assert match, stored
    return match.group(1)


def test_console_agent_takes_over_replies_and_hands_back(stack: Stack, browser: Browser) -> None:
    create_agent(
        Settings(database_url=stack.env["NSO_DATABASE_URL"]),
        AgentCreate(email=AGENT_EMAIL, name="Els Peeters", role="agent", password=AGENT_PASSWORD),
    )
    errors: list[str] = []

    # The agent signs in first and watches the queue.
    agent = _page(browser, errors, console_errors=True)
    agent.goto(f"{stack.api}/console/queue")
    expect(agent).to_have_url(re.compile(r"/console/login\?next="))
    agent.get_by_label("E-mail").fill(AGENT_EMAIL)
    agent.get_by_label("Password").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent).to_have_url(f"{stack.api}/console/queue")
    expect(agent.locator("[data-live-on]")).to_be_visible()

    # A teacher asks the widget a question it cannot answer, a FAQ, then for a person.
    teacher = _page(browser, errors)
    teacher.goto(f"{stack.api}/demo?lang=en")
    teacher.get_by_role("button", name="Questions? Chat with us").click()
    _ask(teacher, MISSED)
    _ask(teacher, FAQ)
    expect(teacher.locator(".msg--bot").filter(has_text=re.compile(r"\bSources?: \S")).last).to_be_visible()
    teacher.get_by_role("button", name="Talk to a person").last.click()
    expect(teacher.locator(".handoff-note")).to_be_visible(timeout=60_000)
    conversation = _conversation_id(teacher)

    # The conversation appears in the agent's queue without a reload.
    row = agent.locator(f'tr[data-conversation="{conversation}"]')
    expect(row).to_be_visible()
    expect(row.locator('[data-slot="question"]')).to_have_text(FAQ)
    expect(row.locator('[data-slot="channel"]')).to_have_text("web")
    expect(row.locator('[data-slot="status"]')).to_have_text("waiting")
    _shot(agent, "queue")

    # Take over from the queue, reply.
    row.get_by_role("button", name="Take over").click()
    expect(agent).to_have_url(f"{stack.api}/console/conversations/{conversation}")
    expect(agent.locator("[data-handoff-status]")).to_contain_text("taken by Els Peeters")
    reply = agent.get_by_label("Reply to the user")
    expect(reply).to_be_enabled()
    reply.fill(REPLY)
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".msg--agent .text").last).to_have_text(REPLY)
    agent.get_by_label("New note").fill("Teacher asked about groups; check which one.")
    agent.get_by_role("button", name="Add note").click()
    expect(agent.locator("[data-notes] .note")).to_have_count(1)

    # The teacher sees the reply (the widget polls), as text, not markup.
    agent_message = teacher.locator(".msg--agent")
    expect(agent_message).to_have_count(1, timeout=20_000)
    expect(agent_message).to_contain_text("Hello, I'm Els from the NSO helpdesk. <b>Which</b> group")
    expect(teacher.locator(".msg--system").filter(has_text="Els from the helpdesk")).to_have_count(1)
    expect(agent.locator(".msg--user").last).to_be_visible()
    _shot(agent, "transcript")

    # The KB panel inserts an answer into the reply with its disagreement notes (issue 15).
    agent.get_by_role("searchbox", name="Search the knowledge base").fill("will my contacts be migrated")
    agent.get_by_role("button", name="Search", exact=True).click()
    agent.locator("[data-kb-hits] li button").first.click()
    notes = agent.locator('[data-kb-answer] [data-slot="notes"] li')
    expect(notes.first).to_be_visible()
    agent.get_by_role("button", name="Insert into reply").click()
    inserted = reply.input_value()
    assert notes.first.inner_text() in inserted and inserted.index(notes.first.inner_text()) > 0

    # Hand back: the handoff closes, Rasa's slot is reset, the assistant answers again.
    agent.get_by_role("button", name="Hand back to the assistant").click()
    expect(agent.locator('[data-done="handback"]')).to_be_visible()
    expect(teacher.locator(".msg--system").filter(has_text="passed you back to the assistant")).to_have_count(
        1, timeout=20_000
    )
    expect(teacher.locator(".handoff-note")).to_be_hidden()
    answers_before = teacher.locator(".msg--bot").count()
    _ask(teacher, FAQ)
    expect(teacher.locator(".msg--bot")).not_to_have_count(answers_before)
    expect(teacher.locator(".msg--bot").last).to_contain_text(re.compile(r"Sources?: \S"))

    # Transcripts list and analytics show the conversation.
    agent.goto(f"{stack.api}/console/transcripts?outcome=handoff")
    expect(agent.locator(f'a[href="/console/conversations/{conversation}"]')).to_be_visible()
    _shot(agent, "transcripts")
    agent.goto(f"{stack.api}/console/analytics")
    expect(agent.locator("[data-analytics]")).to_be_visible(timeout=60_000)
    expect(agent.locator('[data-chart="per_day"] svg rect.bar').first).to_be_attached()
    assert int(agent.locator('[data-stat="conversations"]').inner_text()) >= 1
    clusters = agent.locator("[data-clusters] > li")
    if clusters.count():
        clusters.first.get_by_role("button", name="Draft a KB entry").click()
        expect(clusters.first.locator("[data-draft-box] code")).to_contain_text("- id: todo-")
    _shot(agent, "analytics")

    # Tools: the KB panel uses the assistant's own search.
    agent.goto(f"{stack.api}/console/tools")
    agent.get_by_role("searchbox", name="Search the knowledge base").fill("join a group")
    agent.get_by_role("button", name="Search", exact=True).click()
    expect(agent.locator("[data-kb-hits] li").first).to_be_visible()
    agent.locator("[data-kb-hits] li button").first.click()
    expect(agent.locator("[data-kb-answer]")).to_be_visible()
    agent.get_by_label("Rule", exact=True).select_option("group_migration")
    agent.locator("#rule-input-last_activity").fill("2021-06-15")
    agent.get_by_role("button", name="Check").click()
    expect(agent.locator('[data-rules-verdict] [data-slot="verdict"]')).to_have_text("yes")
    expect(agent.locator('[data-rules-verdict] [data-slot="reasons"] li').first).to_contain_text("ec-en-")
    _shot(agent, "tools")

    assert not errors, f"JavaScript errors: {errors}"
