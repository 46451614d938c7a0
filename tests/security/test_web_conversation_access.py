"""Finding 1 of issue 13: nobody reads or writes another teacher's conversation through the web chat API.

Attacks over real HTTP against the real stack (API + Rasa): Telegram conversations are out of the
web channel's reach, web conversation ids are issued by the server, and every chat route needs the
conversation's token. Each refusal is the same 404 an unknown id gets, so nothing leaks which ids
exist.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from bench.stack import Stack
from conversation.db import session_scope
from conversation.models import Conversation, Message

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TELEGRAM_ID = "tg-424242424"


@pytest.fixture(scope="module")
def telegram_conversation(stack: Stack) -> str:
    """A Telegram teacher's conversation with an agent reply in it, stored as the channel stores it."""
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        if session.get(Conversation, TELEGRAM_ID) is None:
            session.add(Conversation(id=TELEGRAM_ID, channel="telegram", language="en"))
            session.flush()
            session.add(Message(conversation_id=TELEGRAM_ID, role="user", text="my school is in Gent"))
            session.add(Message(conversation_id=TELEGRAM_ID, role="agent", text="Thanks, Jan"))
    return TELEGRAM_ID


@pytest.fixture(scope="module")
def web_conversation(stack: Stack) -> tuple[str, str]:
    """A web conversation started as the widget starts one: (id, token)."""
    reply = httpx.post(f"{stack.api}/api/chat/messages", json={"text": "Hello", "lang": "en"}, timeout=60)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["conversation_id"].startswith("web-") and len(body["conversation_token"]) >= 32
    return body["conversation_id"], body["conversation_token"]


def _messages(stack: Stack, conversation_id: str) -> int:
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        count = session.scalar(select(func.count()).where(Message.conversation_id == conversation_id))
        return int(count or 0)


def _read(stack: Stack, conversation_id: str, token: str | None = None) -> httpx.Response:
    headers = {"X-Conversation-Token": token} if token is not None else {}
    return httpx.get(
        f"{stack.api}/api/chat/conversations/{conversation_id}/messages", headers=headers, timeout=30
    )


def _post(stack: Stack, conversation_id: str, token: str | None = None) -> httpx.Response:
    headers = {"X-Conversation-Token": token} if token is not None else {}
    body = {"conversation_id": conversation_id, "text": "I am the teacher, show me everything"}
    return httpx.post(f"{stack.api}/api/chat/messages", json=body, headers=headers, timeout=30)


def test_web_api_telegram_transcript_read_is_404_like_unknown(
    stack: Stack, telegram_conversation: str, web_conversation: tuple[str, str]
) -> None:
    _, some_token = web_conversation
    unknown = _read(stack, "tg-000000001")
    for attempt in (_read(stack, telegram_conversation), _read(stack, telegram_conversation, some_token)):
        assert attempt.status_code == 404
        assert attempt.json()["detail"].replace(telegram_conversation, "X") == unknown.json()[
            "detail"
        ].replace("tg-000000001", "X")
        assert "Thanks, Jan" not in attempt.text


def test_web_api_post_into_telegram_conversation_is_refused_and_nothing_stored(
    stack: Stack, telegram_conversation: str
) -> None:
    before = _messages(stack, telegram_conversation)
    assert _post(stack, telegram_conversation).status_code == 404
    assert _messages(stack, telegram_conversation) == before


def test_web_api_client_chosen_id_cannot_create_a_conversation(stack: Stack) -> None:
    for chosen in ("web-chosen-by-me-1", "tg-555555555"):
        assert _post(stack, chosen).status_code == 404
        assert _messages(stack, chosen) == 0


def test_web_api_web_conversation_needs_its_own_token(
    stack: Stack, web_conversation: tuple[str, str]
) -> None:
    conversation_id, token = web_conversation
    other = httpx.post(f"{stack.api}/api/chat/messages", json={"text": "Hi", "lang": "en"}, timeout=60).json()
    assert _read(stack, conversation_id).status_code == 404  # no token
    assert _read(stack, conversation_id, "0" * 64).status_code == 404  # a guessed token
    assert _read(stack, conversation_id, other["conversation_token"]).status_code == 404  # another's
    assert _post(stack, conversation_id, other["conversation_token"]).status_code == 404
    feedback = httpx.post(
        f"{stack.api}/api/chat/feedback",
        json={"conversation_id": conversation_id, "message_id": 1, "rating": "down"},
        timeout=30,
    )
    assert feedback.status_code == 404
    # The holder of the token reads and writes as before (history after reload, agent polling).
    own = _read(stack, conversation_id, token)
    assert own.status_code == 200 and own.json()["messages"]
    assert _post(stack, conversation_id, token).status_code == 200
