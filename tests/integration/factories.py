"""A web chat through the running stack's API (the path every user message takes), and reads of
what the turn stored and of Rasa's tracker."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from bench.stack import Stack
from conversation.db import session_scope
from conversation.models import Message

MAX_WAITS = 30


@dataclass
class Chat:
    """One web conversation: the first message gets its id and token, later ones send them."""

    stack: Stack
    conversation_id: str | None = None
    token: str | None = None

    def say(self, text: str, payload: str | None = None) -> list[dict[str, Any]]:
        """Send a message (or a button press) through POST /api/chat/messages; returns the new messages."""
        body: dict[str, Any] = {"text": text}
        headers = {}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
            headers["X-Conversation-Token"] = self.token or ""
        if payload:
            body["payload"] = payload
        url = f"{self.stack.api}/api/chat/messages"
        response = httpx.post(url, json=body, headers=headers, timeout=120)
        for _ in range(MAX_WAITS):  # the API's per-client rate limit: wait as told, as the widget would
            if response.status_code != 429:
                break
            time.sleep(int(response.headers.get("Retry-After", "1")))
            response = httpx.post(url, json=body, headers=headers, timeout=120)
        response.raise_for_status()
        reply: dict[str, Any] = response.json()
        self.conversation_id = reply["conversation_id"]
        self.token = reply.get("conversation_token") or self.token
        messages: list[dict[str, Any]] = reply["messages"]
        return messages

    def slot(self, name: str) -> object:
        """A slot of the conversation's Rasa tracker."""
        tracker = httpx.get(
            f"{self.stack.rasa}/conversations/{self.conversation_id}/tracker",
            params=self.stack.rasa_auth,
            timeout=30,
        ).json()
        return tracker["slots"].get(name)

    def stored(self, role: str = "bot") -> list[Message]:
        """The conversation's stored messages of ``role``, oldest first."""
        with session_scope(self.stack.env["NSO_DATABASE_URL"]) as session:
            rows = list(
                session.scalars(
                    select(Message)
                    .where(Message.conversation_id == self.conversation_id, Message.role == role)
                    .order_by(Message.id)
                )
            )
            session.expunge_all()
            return rows


def texts(messages: list[dict[str, Any]]) -> str:
    """The messages' texts, one per line."""
    return "\n".join(m.get("text", "") for m in messages)
