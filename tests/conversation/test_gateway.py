"""Gateway storage: every message is stored, Rasa outages queue the message for an agent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bench.stack import free_port
from bot.main import create_app
from conversation.db import Base, engine_for, session_scope
from conversation.models import Handoff, Message
from knowledge.retrieve import Retriever
from settings import get_settings
from tests.factories import chat_headers

pytestmark = pytest.mark.integration


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gw.db'}"


@pytest.fixture
def rasa_down_client(
    db_url: str, monkeypatch: pytest.MonkeyPatch, retriever: Retriever
) -> Iterator[TestClient]:
    """The app with its own database and a Rasa URL where nothing listens."""
    monkeypatch.setenv("NSO_DATABASE_URL", db_url)
    monkeypatch.setenv("NSO_RASA_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


def test_migrations_match_models(db_url: str) -> None:
    with engine_for(db_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_gateway_rasa_down_queues_message_and_replies_in_language(
    rasa_down_client: TestClient, db_url: str
) -> None:
    body = rasa_down_client.post(
        "/api/chat/messages", json={"text": "Hoe registreer ik me op het nieuwe platform?"}
    ).json()
    assert body["handoff"] is True and body["language"] == "nl"
    assert body["messages"][0]["role"] == "system" and "helpdesk" in body["messages"][0]["text"]
    conv = body["conversation_id"]
    follow = rasa_down_client.post(
        "/api/chat/messages", json={"text": "Hallo?", "conversation_id": conv}, headers=chat_headers(conv)
    ).json()
    assert follow["messages"][0]["role"] == "system"
    with session_scope(db_url) as session:
        users = session.scalars(select(Message).where(Message.role == "user")).all()
        assert [m.status for m in users] == ["queued", "queued"]
        assert session.scalar(select(func.count()).select_from(Handoff)) == 1
    history = rasa_down_client.get(
        f"/api/chat/conversations/{conv}/messages", headers=chat_headers(conv)
    ).json()
    assert [m["role"] for m in history["messages"]] == ["user", "system", "user", "system"]


@pytest.mark.parametrize(
    "payload",
    [
        {"text": ""},
        {"text": "x" * 2001},
        {"text": "hi", "conversation_id": "bad id!"},
        {"text": "hi", "payload": "no-slash"},
        {"text": ["list"]},
    ],
)
def test_chat_bad_input_is_422(rasa_down_client: TestClient, payload: dict[str, object]) -> None:
    assert rasa_down_client.post("/api/chat/messages", json=payload).status_code == 422


def test_chat_unsupported_language_is_400_naming_the_supported(rasa_down_client: TestClient) -> None:
    """What the API has always promised for a language it does not speak (README, /docs)."""
    response = rasa_down_client.post("/api/chat/messages", json={"text": "hi", "lang": "de"})
    assert response.status_code == 400
    assert response.json()["supported"] == ["en", "nl", "sl"]


def test_chat_unknown_conversation_is_404(rasa_down_client: TestClient) -> None:
    assert rasa_down_client.get("/api/chat/conversations/unknown-conv-1/messages").status_code == 404


def test_chat_feedback_on_non_bot_message_is_404(rasa_down_client: TestClient) -> None:
    conv = rasa_down_client.post("/api/chat/messages", json={"text": "hello there"}).json()["conversation_id"]
    response = rasa_down_client.post(
        "/api/chat/feedback",
        json={"conversation_id": conv, "message_id": 1, "rating": "up"},
        headers=chat_headers(conv),
    )
    assert response.status_code == 404
