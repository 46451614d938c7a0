"""Faults mid-conversation: the action server and Rasa killed and restarted; no message is lost.

Uses its own stack (the shared one must not be killed). The API's gateway keeps answering
when Rasa is gone: a clear reply in the user's language within 5 s, the message queued for an
agent; after Rasa restarts (SQL tracker store) the conversation goes on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bench.backing import Backing
from bench.stack import Stack, free_port, stack_env
from bot.schemas import ConsoleAgent
from conversation import handoff as console
from conversation.db import session_scope
from conversation.models import Message
from settings import Settings
from tests.bot.console.factories import make_agent
from tests.factories import chat_headers

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def own_stack(tmp_path: Path, backing: Backing) -> Iterator[Stack]:
    running = Stack(tmp_path, {**stack_env(backing.env(tmp_path)), "NSO_RASA_TIMEOUT": "3"})
    try:
        running.start_api()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()


def send(stack: Stack, conversation: str | None, text: str) -> dict[str, object]:
    body: dict[str, object] = {"text": text}
    if conversation:
        body["conversation_id"] = conversation
    started = time.monotonic()
    headers = chat_headers(conversation) if conversation else {}
    response = httpx.post(f"{stack.api}/api/chat/messages", json=body, headers=headers, timeout=30)
    assert time.monotonic() - started < 5, "the user must get a reply within 5 s"
    assert response.status_code == 200, response.text
    reply: dict[str, object] = response.json()
    return reply


def user_messages(stack: Stack) -> list[tuple[str, str]]:
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        rows = session.execute(
            select(Message.text, Message.status).where(Message.role == "user").order_by(Message.id)
        )
        return [(t, s) for t, s in rows]


def test_faults_rasa_killed_mid_conversation_then_restarted(own_stack: Stack) -> None:
    first = send(own_stack, None, "Hoe kan ik me registreren op het nieuwe platform?")
    conversation = str(first["conversation_id"])
    assert first["handoff"] is False
    own_stack.stop("rasa")
    down = send(own_stack, conversation, "En wat met mijn TwinSpace?")
    messages = down["messages"]
    assert isinstance(messages, list) and messages[0]["role"] == "system"
    assert "helpdesk" in messages[0]["text"] and down["handoff"] is True
    own_stack.start_rasa()
    # the conversation now waits for an agent: further messages are queued, not lost
    again = send(own_stack, conversation, "Is er iemand?")
    assert again["handoff"] is True
    sent = [
        "Hoe kan ik me registreren op het nieuwe platform?",
        "En wat met mijn TwinSpace?",
        "Is er iemand?",
    ]
    stored = user_messages(own_stack)
    assert [t for t, _ in stored] == sent
    assert [s for _, s in stored] == ["answered", "queued", "queued"]
    # a fresh conversation after the restart is answered by the assistant again
    fresh = send(own_stack, None, "How do I register on the new platform?")
    assert fresh["handoff"] is False and any(m["role"] == "bot" for m in fresh["messages"])  # type: ignore[union-attr]
    with session_scope(own_stack.env["NSO_DATABASE_URL"]) as session:
        assert session.scalar(select(func.count()).select_from(Message).where(Message.role == "user")) == 4


def warm_up(stack: Stack) -> None:
    """A standalone action server loads encoder and index on its first FAQ: do that before the
    5-second clock runs (as a deployment's readiness probe would)."""
    question = {
        "sender": f"warm-up-{time.monotonic_ns()}",
        "message": "How do I register on the new platform?",
    }
    httpx.post(f"{stack.rasa}/webhooks/rest/webhook", json=question, timeout=120).raise_for_status()


@pytest.fixture
def split_stack(tmp_path: Path, backing: Backing) -> Iterator[Stack]:
    """API, a separate rasa-sdk action server and Rasa: the layout where actions can die alone."""
    running = Stack(
        tmp_path, {**stack_env(backing.env(tmp_path)), "NSO_RASA_TIMEOUT": "3"}, actions_port=free_port()
    )
    try:
        running.start_actions()
        running.start()
        warm_up(running)
        yield running
    finally:
        running.stop_all()


def test_faults_action_server_then_rasa_killed_then_conversation_continues(split_stack: Stack) -> None:
    sent = ["How do I register on the new platform?"]
    first = send(split_stack, None, sent[-1])
    conversation = str(first["conversation_id"])
    assert first["handoff"] is False

    split_stack.stop("actions")  # Rasa is up but its custom actions fail
    sent.append("And what happens to my TwinSpace?")
    no_actions = send(split_stack, conversation, sent[-1])
    assert no_actions["handoff"] is True
    assert "helpdesk" in str(no_actions["messages"])

    split_stack.stop("rasa")  # now the assistant is gone entirely
    sent.append("Is anybody there?")
    no_rasa = send(split_stack, conversation, sent[-1])
    assert no_rasa["handoff"] is True

    split_stack.start_actions()
    split_stack.start_rasa()
    warm_up(split_stack)
    # An agent hands the conversation back; the assistant answers it again, same conversation.
    settings = Settings(database_url=split_stack.env["NSO_DATABASE_URL"])
    agent = make_agent(settings, "fault-agent@example.org")
    console.finish(
        settings,
        conversation,
        ConsoleAgent(id=agent.id, email=agent.email, name=agent.name, role="agent", csrf_token=""),
        hand_back=True,
    )
    sent.append("How do I register on the new platform?")
    back = send(split_stack, conversation, sent[-1])
    assert back["handoff"] is False
    assert any(m["role"] == "bot" and "eTwinning" in m["text"] for m in back["messages"])  # type: ignore[union-attr]

    stored = user_messages(split_stack)
    assert [t for t, _ in stored] == sent  # every sent message stored, once, in order
    assert [s for _, s in stored] == ["answered", "queued", "queued", "answered"]
