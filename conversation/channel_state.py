"""What a channel that keeps no state of its own (Telegram) reads back about its conversation.

The web widget keeps its conversation in the browser; a Telegram chat is one conversation for
good, so the channel asks the gateway's store whether it has started, in which language it is
and whether a person has it, and what a stored button said. The channel only delivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversation.db import session_scope
from conversation.models import Conversation, Message
from conversation.turns import in_handoff
from settings import Settings


@dataclass(frozen=True)
class ChatState:
    """A stored conversation as its channel needs it."""

    language: str
    handoff: bool  # waiting for a person or with one


def chat_state(settings: Settings, conversation_id: str) -> ChatState | None:
    """The conversation's language and whether it is with the helpdesk; None before it starts."""
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            return None
        return ChatState(conv.language, in_handoff(session, conversation_id))


def stored_button(
    settings: Settings, conversation_id: str, message_id: int, index: int
) -> tuple[str, str] | None:
    """(title, payload) of button ``index`` of a bot message stored in this conversation.

    Returns:
        None when the message is not this conversation's, or has no such button with a payload.
    """
    with session_scope(settings.database_url) as session:
        stored = session.get(Message, message_id)
        if stored is None or stored.conversation_id != conversation_id:
            return None
        buttons: list[dict[str, Any]] = list(stored.buttons or [])
    if not 0 <= index < len(buttons) or not buttons[index].get("payload"):
        return None
    payload = str(buttons[index]["payload"])
    return str(buttons[index].get("title") or payload), payload
